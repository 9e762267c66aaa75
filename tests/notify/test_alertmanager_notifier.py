"""Alertmanager: every body we send validates against Alertmanager's own OpenAPI (postableAlert) and the
documented rules it leaves out; one Alertmanager alert per alert of the group; several Alertmanagers.

The schema is `tests/schemas/alertmanager-api-v2-openapi.yaml` (Swagger 2.0, an unmodified upstream copy).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import pytest
import yaml
from jsonschema import Draft4Validator
from pydantic import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from monitor.config import parse_config
from monitor.model import AlertKind, Notification, Severity
from monitor.notify.alertmanager import AlertmanagerConfig, AlertmanagerNotifier
from monitor.notify.base import Delivery, Outcome
from monitor.plan import rules_for
from tests.notify.conftest import T0, make_alert, make_message, make_notification_for
from tests.notify.receiver import Receiver
from tests.notify.test_pagerduty_notifier import FORMAT_CHECKER

SCHEMA_FILE = Path(__file__).resolve().parents[1] / "schemas" / "alertmanager-api-v2-openapi.yaml"
DOC_URI = "urn:alertmanager:api-v2:openapi"
PROXY_TOKEN = "pr0xyT0ken7c1e9a3b5d"


def postable_alert_validator() -> Draft4Validator:
    """The postableAlert definition, its $refs resolved over the whole (Swagger 2.0) document."""
    document = yaml.safe_load(SCHEMA_FILE.read_text())
    registry = Registry().with_resource(
        DOC_URI, Resource.from_contents(document, default_specification=DRAFT4)
    )
    return Draft4Validator(
        {"$ref": f"{DOC_URI}#/definitions/postableAlert"}, registry=registry, format_checker=FORMAT_CHECKER
    )


VALIDATOR = postable_alert_validator()


def assert_valid_alerts(body: Any) -> list[dict[str, Any]]:
    """Schema plus the documented rules: a JSON array; each alert with a label; endsAt not before startsAt."""
    assert isinstance(body, list) and body
    for alert in body:
        VALIDATOR.validate(alert)
        assert alert["labels"]
        parts = urlsplit(alert["generatorURL"])
        assert parts.scheme in ("http", "https") and parts.netloc
        if "endsAt" in alert:
            assert _time(alert["endsAt"]) >= _time(alert["startsAt"])
    return body


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def config(urls: list[str] | None = None, **changes: Any) -> AlertmanagerConfig:
    return AlertmanagerConfig.model_validate({"name": "am", "type": "alertmanager", "urls": urls, **changes})


@pytest.fixture
async def second_receiver() -> AsyncIterator[Receiver]:
    recv = Receiver()
    await recv.start()
    try:
        yield recv
    finally:
        await recv.close()


async def send(cfg: AlertmanagerConfig, notification: Notification | None = None) -> Delivery:
    async with aiohttp.ClientSession() as session:
        return await AlertmanagerNotifier(cfg, session).send(notification or make_notification_for())


async def test_one_alert_per_firing_alert_with_our_labels(receiver: Receiver) -> None:
    incident = make_alert("Degraded availability", kind=AlertKind.INCIDENT, severity=Severity.MAJOR)
    message = make_message(firing=(make_alert("Git Operations", severity=Severity.CRITICAL), incident))
    cfg = config([receiver.url("/")], labels={"team": "platform"}, external_url="https://om.example.com/")
    delivery = await send(cfg, make_notification_for(message))
    assert delivery.outcome is Outcome.DELIVERED
    [request] = receiver.requests
    assert (request.method, request.path) == ("POST", "/api/v2/alerts")
    assert request.headers["Content-Type"] == "application/json"
    git, degraded = assert_valid_alerts(request.json())
    assert git["labels"] == {
        "alertname": "ThirdPartyOutage",
        "provider": "github",
        "kind": "component",
        "component": "Git Operations",
        "severity": "critical",
        "alert_key": "github/component/git-operations",
        "team": "platform",
    }
    assert "component" not in degraded["labels"]
    assert degraded["labels"]["alert_key"] == "github/incident/degraded-availability"
    assert git["annotations"] == {
        "summary": "github: Git Operations is partial_outage",
        "description": "We are investigating reports of degraded performance for Git Operations.",
        "url": "https://www.githubstatus.com/incidents/git-operations",
    }
    assert git["startsAt"] == "2026-11-23T12:30:05Z"
    assert "endsAt" not in git and "endsAt" not in degraded
    assert git["generatorURL"] == "https://om.example.com/providers/github"
    assert delivery.receipt == {
        "github/component/git-operations": "critical",
        "github/incident/degraded-availability": "major",
    }


async def test_resolved_alerts_end_when_they_resolved(receiver: Receiver) -> None:
    gone = make_alert("API Requests", resolved_after=7)
    message = make_message(firing=(), resolved=(gone,))
    delivery = await send(config([receiver.url("/")], alertname="VendorDown"), make_notification_for(message))
    assert delivery.outcome is Outcome.DELIVERED
    [alert] = assert_valid_alerts(receiver.requests[0].json())
    assert alert["labels"]["alertname"] == "VendorDown"
    assert alert["endsAt"] == "2026-11-23T12:37:05Z"
    assert delivery.receipt == {}


async def test_a_changed_severity_ends_the_label_set_sent_before(receiver: Receiver) -> None:
    worse = make_alert("API Requests", severity=Severity.CRITICAL)
    receipt = {worse.key: "minor"}
    message = make_message(firing=(worse,))
    created = T0 + timedelta(minutes=9)
    notification = make_notification_for(message, receipt=receipt)._replace(created_at=created)
    await send(config([receiver.url("/")]), notification)
    now, stale = assert_valid_alerts(receiver.requests[0].json())
    assert (now["labels"]["severity"], "endsAt" in now) == ("critical", False)
    assert stale["labels"] == {**now["labels"], "severity": "minor"}
    assert stale["endsAt"] == "2026-11-23T12:39:05Z"


async def test_delivered_when_one_alertmanager_accepts(receiver: Receiver, second_receiver: Receiver) -> None:
    receiver.reply(503, f"down {PROXY_TOKEN}")
    urls = [receiver.url(f"/proxy/{PROXY_TOKEN}"), second_receiver.url("/")]
    delivery = await send(config(urls))
    assert delivery.outcome is Outcome.DELIVERED
    assert receiver.requests[0].body == second_receiver.requests[0].body
    assert "alertmanager 1: HTTP 503" in delivery.detail and PROXY_TOKEN not in delivery.detail


@pytest.mark.parametrize(
    ("answers", "outcome", "retry_after"),
    [
        (((503, {"Retry-After": "30"}), (429, {"Retry-After": "5"})), Outcome.RETRY, 5.0),
        (((400, {}), (503, {})), Outcome.RETRY, None),
        (((400, {}), (400, {})), Outcome.PERMANENT, None),
    ],
)
async def test_retried_unless_every_alertmanager_refuses_the_request(
    receiver: Receiver,
    second_receiver: Receiver,
    answers: tuple[tuple[int, dict[str, str]], ...],
    outcome: Outcome,
    retry_after: float | None,
) -> None:
    for recv, (status, headers) in zip((receiver, second_receiver), answers, strict=True):
        recv.reply(status, "no", headers)
    delivery = await send(config([receiver.url("/"), second_receiver.url("/")]))
    assert (delivery.outcome, delivery.retry_after, delivery.receipt) == (outcome, retry_after, None)


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"labels": {"severity": "low"}}, "set by the notifier itself"),
        ({"labels": {"team-name": "x"}}, "must match"),
        ({"urls": []}, "at least 1"),
        ({"urls": ["alertmanager:9093"]}, "absolute http"),
        ({"resend_interval": "0s"}, "resend_interval"),
    ],
)
def test_config_errors(changes: dict[str, Any], error: str) -> None:
    with pytest.raises(ValidationError, match=error):
        config(**{"urls": ["http://alertmanager:9093"], **changes})


def test_resend_interval_is_the_notifiers_repeat() -> None:
    assert config(["http://alertmanager:9093"]).repeat_every == 60.0
    assert config(["http://alertmanager:9093"], resend_interval="2m").repeat_every == 120.0


def test_the_alerting_rules_resend_to_alertmanager_every_resend_interval() -> None:
    text = """
notifiers:
  - {name: am, type: alertmanager, urls: ["http://alertmanager:9093"], resend_interval: 2m}
  - {name: stdout, type: log}
routes:
  - notify: [am, stdout]
"""
    assert rules_for(parse_config(text, "providers.yaml")).repeat_every == {"am": timedelta(minutes=2)}
