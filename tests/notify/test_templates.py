"""title_template / text_template: checked when the config is read, applied by every notifier at send time."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import aiohttp
import pytest
from pydantic import TypeAdapter, ValidationError
from structlog.testing import capture_logs

from monitor.config import AnyNotifierConfig, ConfigError, parse_config
from monitor.notify import build_notifier, templates
from tests.notify.conftest import make_message, make_notification_for
from tests.notify.receiver import Receiver, Reply


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{{ provider", "does not compile"),
        ("{{ provder }} down", "unknown variable 'provder'; did you mean 'provider'?"),
        ("{{ group.nope }}", "does not render"),
        ("{{ alerts[0].summary.__class__.__mro__ }}", "does not render"),  # the sandbox refuses internals
        ("x" * 5000, "at most 4000 characters"),
    ],
)
def test_a_bad_template_is_refused_with_the_reason(template: str, expected: str) -> None:
    with pytest.raises(ValueError, match=expected.replace("?", r"\?").replace("(", r"\(")):
        templates.check(template)


def test_a_template_is_a_config_error_with_its_line() -> None:
    text = 'notifiers:\n  - name: chat\n    type: log\n    title_template: "{{ provder }}"\n'
    with pytest.raises(ConfigError) as caught:
        parse_config(text, "providers.yaml", env={})
    assert any(e.startswith("providers.yaml:4: notifiers[0].title_template") for e in caught.value.errors)


def test_the_context_names_the_group_its_alerts_and_links() -> None:
    message = make_message()
    rendered = templates.render(
        "{{ provider }} {{ severity }} {{ status }}/{{ reason }}: {{ alerts | map(attribute='summary') "
        "| join(', ') }} ({{ group.firing_total }}) {{ links | first }}",
        message,
        "default",
        "test",
    )
    first = message.firing[0]
    assert rendered.startswith(f"github {message.severity.label} firing/{message.reason}: {first.summary}")
    assert f"({message.firing_total})" in rendered and "https://" in rendered


def test_a_template_failing_on_a_real_group_falls_back_to_the_default() -> None:
    with capture_logs() as logs:
        text = templates.render("{{ alerts[99].summary }}", make_message(), "the default", "chat")
    assert text == "the default"
    assert [line["event"] for line in logs] == ["template_failed"]


SAMPLES: dict[str, Callable[[str], dict[str, Any]]] = {
    "slack": lambda url: {"type": "slack", "webhook_url": f"{url}/services/T/B/x"},
    "pagerduty": lambda url: {"type": "pagerduty", "routing_key": "k" * 32, "url": f"{url}/v2/enqueue"},
    "webhook": lambda url: {"type": "webhook", "url": f"{url}/hook"},
}


@pytest.mark.parametrize("type_name", sorted(SAMPLES))
async def test_every_http_notifier_sends_its_templates(type_name: str, receiver: Receiver) -> None:
    receiver.default = Reply(status=202 if type_name == "pagerduty" else 200)
    config = TypeAdapter(AnyNotifierConfig).validate_python(
        {
            "name": "templated",
            "title_template": "[{{ severity | upper }}] {{ provider }} is in trouble",
            "text_template": "Runbook: https://wiki.example.com/vendors/{{ provider }}",
            **SAMPLES[type_name](receiver.url("").rstrip("/")),
        }
    )
    async with aiohttp.ClientSession() as session:
        await build_notifier(config, session).send(make_notification_for())
    sent = json.dumps(receiver.requests[0].json(), ensure_ascii=False)
    assert "github is in trouble" in sent
    assert "Runbook: https://wiki.example.com/vendors/github" in sent


def test_templates_are_validated_on_every_notifier_type() -> None:
    with pytest.raises(ValidationError, match="unknown variable"):
        TypeAdapter(AnyNotifierConfig).validate_python(
            {"name": "x", "type": "log", "text_template": "{{ nope }}"}
        )
