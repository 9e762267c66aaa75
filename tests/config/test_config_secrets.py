"""Secrets (env values, secret files, secret fields) never appear in any error text."""

from __future__ import annotations

import string
from collections.abc import Callable
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.config import ConfigError, parse_config

ErrorsOf = Callable[..., list[str]]


def test_env_values_are_never_echoed_even_where_a_validator_quotes_its_input(errors_of: ErrorsOf) -> None:
    secret = "https://hooks.slack.com/services/T0/B0/verysecrettoken"
    text = """\
settings:
  interval: "${SLACK_WEBHOOK_URL}"
  listen: "${SLACK_WEBHOOK_URL}"
notifiers:
  - {name: chat, type: slack, webhook_url: "${SLACK_WEBHOOK_URL}", timeout: "${SLACK_WEBHOOK_URL}"}
"""
    errors = errors_of(text, env={"SLACK_WEBHOOK_URL": secret})

    assert [e.split(": ")[1] for e in errors] == [
        "settings.interval",
        "settings.listen",
        "notifiers[0].timeout",
    ]
    assert "invalid duration '***'" in errors[0]
    assert all("verysecrettoken" not in e for e in errors)


def test_short_env_values_are_redacted_where_quoted(errors_of: ErrorsOf) -> None:
    [error] = errors_of('settings: {timeout: "${T}"}\n', env={"T": "abc"})
    assert error.startswith("providers.yaml:1: settings.timeout: invalid duration '***': ")


def test_inline_secret_fields_are_never_echoed(errors_of: ErrorsOf) -> None:
    text = """\
notifiers:
  - name: audit
    type: webhook
    url: https://hooks.example.com/inline-secret-path
    secret: whsec_aW5saW5lLXNpZ25pbmc=
    headers: {Authorization: Bearer inline-header-token}
    timeout: whsec_aW5saW5lLXNpZ25pbmc=
  - {name: pager, type: pagerduty, routing_key: inline-routing-key, url: inline-routing-key}
"""
    errors = errors_of(text)

    assert len(errors) == 2
    assert errors[0].startswith("providers.yaml:7: notifiers[0].timeout: invalid duration '***'")
    joined = "\n".join(errors)
    for secret in ("whsec_aW5saW5lLXNpZ25pbmc=", "inline-routing-key"):
        assert secret not in joined


def test_secret_file_content_is_never_echoed(errors_of: ErrorsOf, tmp_path: Path) -> None:
    (tmp_path / "timeout").write_text("file-secret-content\n")
    [error] = errors_of(
        "notifiers: [{name: c, type: slack, webhook_url: u, timeout_file: timeout}]\n", base_dir=tmp_path
    )
    assert error.startswith("providers.yaml:1: notifiers[0].timeout_file: invalid duration '***'")
    assert "file-secret-content" not in error


def test_yaml_syntax_errors_show_no_snippet_of_the_line(errors_of: ErrorsOf) -> None:
    text = (
        'notifiers:\n  - {name: c, type: slack, webhook_url: "https://hooks.slack.com/unterminated-secret}\n'
    )
    [error] = errors_of(text)
    assert error.startswith("providers.yaml:")
    assert "unterminated-secret" not in error


def test_state_urls_with_credentials_are_not_echoed(errors_of: ErrorsOf) -> None:
    [error] = errors_of("settings: {state: 'mysql://monitor:s3cr3t-pw@db.internal/monitor'}\n")
    assert "unsupported state store 'mysql'" in error
    assert "s3cr3t-pw" not in error and "db.internal" not in error


@settings(max_examples=60, deadline=None)
@given(secret=st.text(alphabet=string.ascii_letters + string.digits + "/:._-+=", min_size=1, max_size=40))
def test_no_env_value_appears_in_errors_property(secret: str) -> None:
    text = """\
settings:
  interval: "x${S}"
  timeout: "${S}"
providers:
  - {name: "${S}!", type: statuspage, url: "${S}"}
notifiers:
  - {name: c, type: slack, webhook_url: "${S}", timeout: "${S}"}
routes:
  - {notify: ["${S}"], min_severity: "${S}"}
"""
    try:
        parse_config(text, "providers.yaml", env={"S": secret})
    except ConfigError as error:
        messages = [line.split(": ", 2)[2] for line in error.errors if line.count(": ") >= 2]
        for message in messages:
            assert repr(secret) not in message
            if len(secret) >= 6:
                assert secret not in message
    else:
        raise AssertionError("a provider name ending in '!' must be rejected")


def test_webhook_notifier_problems_are_config_errors_without_the_secret(errors_of: ErrorsOf) -> None:
    """Caught by `check`, not first by `run` (or by a SIGHUP reload) when the notifier is built."""
    text = """\
notifiers:
  - name: audit
    type: webhook
    url: https://hooks.example.com/in
    secret: "${WEBHOOK_SECRET}"
    headers: {Webhook-Signature: forged}
routes:
  - {notify: [audit]}
"""
    errors = errors_of(text, env={"WEBHOOK_SECRET": "whsec_!!n0t-base64-s3cret!!"})
    assert errors == [
        "providers.yaml:5: notifiers[0].secret: webhook secret starts with whsec_"
        " but the rest is not valid base64",
        "providers.yaml:6: notifiers[0].headers: headers ['Webhook-Signature']"
        " are set by the notifier itself",
    ]
    assert all("n0t-base64-s3cret" not in e for e in errors)
