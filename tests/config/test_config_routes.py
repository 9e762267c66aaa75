"""A route's filters, as the alerting stage applies them to alerts: provider globs, minimum severity, kinds;
every filter must hold. Then the grouping options and what the config checks of them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor.alerting.grouping import takes
from monitor.config import RouteConfig, parse_config
from monitor.model import Alert, Event, EventKind, Severity


def event(
    provider: str = "github",
    severity: Severity = Severity.MINOR,
    kind: EventKind = EventKind.COMPONENT_CHANGED,
) -> Alert:
    """The alert such an event opens."""
    return Alert.from_event(
        Event(
            kind=kind,
            provider=provider,
            severity=severity,
            dedup_key=f"{provider}/component/c1",
            title=f"{provider}: API is degraded_performance",
            occurred_at=datetime(2024, 5, 1, 12, 0, tzinfo=UTC),
        )
    )


def matches(route: RouteConfig, alert: Alert) -> bool:
    return takes(route.spec(0), alert)


def test_a_route_without_filters_takes_every_alert() -> None:
    route = RouteConfig(notify=["stdout"])
    opening = [k for k in EventKind if not k.value.endswith(("_resolved", "_completed", "_recovered"))]
    assert all(matches(route, event(kind=kind, severity=sev)) for kind in opening for sev in Severity)


@pytest.mark.parametrize(
    ("provider", "expected"),
    [("github", True), ("stripe", True), ("stripe-api", True), ("githubstatus", False), ("GitHub", False)],
)
def test_provider_globs(provider: str, expected: bool) -> None:
    route = RouteConfig(notify=["chat"], providers=["github", "stripe*"])
    assert matches(route, event(provider=provider)) is expected


def test_character_class_globs() -> None:
    route = RouteConfig(notify=["chat"], providers=["aws-[ue]*"])
    assert matches(route, event(provider="aws-us-east-1"))
    assert matches(route, event(provider="aws-eu-west-1"))
    assert not matches(route, event(provider="aws-ap-south-1"))


@pytest.mark.parametrize(
    ("severity", "expected"),
    [(Severity.INFO, False), (Severity.MINOR, False), (Severity.MAJOR, True), (Severity.CRITICAL, True)],
)
def test_min_severity(severity: Severity, expected: bool) -> None:
    route = RouteConfig.model_validate({"notify": ["pagerduty"], "min_severity": "major"})
    assert matches(route, event(severity=severity)) is expected


def test_kinds() -> None:
    route = RouteConfig.model_validate(
        {"notify": ["chat"], "kinds": ["incident_opened", "incident_resolved"]}
    )
    assert matches(route, event(kind=EventKind.INCIDENT_OPENED))
    assert matches(route, event(kind=EventKind.INCIDENT_UPDATED))  # the same alert as it goes on
    assert not matches(route, event(kind=EventKind.COMPONENT_CHANGED))


def test_every_filter_must_hold() -> None:
    route = RouteConfig.model_validate(
        {
            "notify": ["chat"],
            "providers": ["stripe*"],
            "min_severity": "minor",
            "kinds": ["component_changed"],
        }
    )
    assert matches(route, event(provider="stripe", severity=Severity.MAJOR))
    assert not matches(route, event(provider="github", severity=Severity.MAJOR))
    assert not matches(route, event(provider="stripe", severity=Severity.INFO))
    assert not matches(
        route, event(provider="stripe", severity=Severity.MAJOR, kind=EventKind.INCIDENT_OPENED)
    )


def test_grouping_defaults_follow_alertmanager() -> None:
    spec = RouteConfig(notify=["chat"]).spec(3)
    assert spec.index == 3
    assert spec.group_by == ("provider",)
    assert spec.timing.group_wait.total_seconds() == 0
    assert spec.timing.group_interval.total_seconds() == 300
    assert spec.timing.repeat_interval.total_seconds() == 0


def test_grouping_options_are_read() -> None:
    route = RouteConfig.model_validate(
        {
            "notify": ["chat"],
            "group_by": ["provider", "severity"],
            "group_wait": "30s",
            "group_interval": "10m",
            "repeat_interval": "4h",
            "mute_time_intervals": ["nights"],
        }
    )
    spec = route.spec(0)
    assert spec.group_by == ("provider", "severity")
    assert spec.timing.group_wait.total_seconds() == 30
    assert spec.timing.group_interval.total_seconds() == 600
    assert spec.timing.repeat_interval.total_seconds() == 4 * 3600
    assert spec.mute_intervals == ("nights",)


ROUTE_ERRORS = [
    ("group_by: [region]", "unknown label 'region'"),
    ("group_by: ['...', provider]", "stands alone"),
    ("group_by: [provider, provider]", "listed twice"),
    ("mute_time_intervals: [nights]", "unknown time interval 'nights'; no time_intervals are configured"),
]


@pytest.mark.parametrize(("option", "expected"), ROUTE_ERRORS)
def test_bad_route_options_are_config_errors_with_the_line(
    errors_of: Callable[..., list[str]], option: str, expected: str
) -> None:
    text = f"notifiers:\n  - {{name: chat, type: log}}\nroutes:\n  - notify: [chat]\n    {option}\n"
    errors = errors_of(text)
    assert any(expected in e and e.startswith("providers.yaml:5") for e in errors), errors


def test_time_intervals_are_referenced_by_name(errors_of: Callable[..., list[str]]) -> None:
    text = """\
notifiers:
  - {name: chat, type: log}
time_intervals:
  - name: nights
    time_intervals:
      - times: [{start_time: "22:00", end_time: "24:00"}]
routes:
  - {notify: [chat], mute_time_intervals: [night]}
"""
    errors = errors_of(text)
    assert any("unknown time interval 'night'; did you mean 'nights'" in e for e in errors), errors


def test_an_invalid_time_interval_is_a_config_error_with_its_line(
    errors_of: Callable[..., list[str]],
) -> None:
    text = """\
time_intervals:
  - name: nights
    time_intervals:
      - times: [{start_time: "22:00", end_time: "21:00"}]
"""
    errors = errors_of(text)
    assert any(e.startswith("providers.yaml:4") for e in errors), errors


def test_depends_on_names_known_providers_without_cycles(errors_of: Callable[..., list[str]]) -> None:
    text = """\
providers:
  - {name: cloudflare, type: statuspage, url: "https://www.cloudflarestatus.com", depends_on: [courier]}
  - {name: courier, type: statuspage, url: "https://status.courier.com", depends_on: [cloudflare, aws]}
"""
    errors = errors_of(text)
    assert any("unknown provider 'aws'" in e for e in errors), errors
    assert any("cycle" in e and "cloudflare" in e and "courier" in e for e in errors), errors


def test_the_api_token_is_read_from_a_file(tmp_path: Path, errors_of: Callable[..., list[str]]) -> None:
    token = tmp_path / "token"
    token.write_text("s3cret-token-0123456789\n")
    config = parse_config(f"settings: {{api_token_file: {token}}}\n", "providers.yaml", env={})
    assert config.settings.api_token is not None
    assert config.settings.api_token.get_secret_value() == "s3cret-token-0123456789"
    errors = errors_of("settings: {api_token: short}\n")
    assert any("api_token" in e and "16" in e for e in errors), errors
    assert not any("short" in e.split(":", 2)[-1] for e in errors), "the token itself is never shown"
