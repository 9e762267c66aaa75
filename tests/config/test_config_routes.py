"""RouteConfig.matches: provider globs, minimum severity, kinds; every filter must hold."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from monitor.config import RouteConfig
from monitor.model import Event, EventKind, Severity


def event(
    provider: str = "github",
    severity: Severity = Severity.MINOR,
    kind: EventKind = EventKind.COMPONENT_CHANGED,
) -> Event:
    return Event(
        kind=kind,
        provider=provider,
        severity=severity,
        dedup_key=f"{provider}/component/c1",
        title=f"{provider}: API is degraded_performance",
        occurred_at=datetime(2024, 5, 1, 12, 0, tzinfo=UTC),
    )


def test_a_route_without_filters_takes_every_event() -> None:
    route = RouteConfig(notify=["stdout"])
    assert all(route.matches(event(kind=kind, severity=sev)) for kind in EventKind for sev in Severity)


@pytest.mark.parametrize(
    ("provider", "expected"),
    [("github", True), ("stripe", True), ("stripe-api", True), ("githubstatus", False), ("GitHub", False)],
)
def test_provider_globs(provider: str, expected: bool) -> None:
    route = RouteConfig(notify=["chat"], providers=["github", "stripe*"])
    assert route.matches(event(provider=provider)) is expected


def test_character_class_globs() -> None:
    route = RouteConfig(notify=["chat"], providers=["aws-[ue]*"])
    assert route.matches(event(provider="aws-us-east-1"))
    assert route.matches(event(provider="aws-eu-west-1"))
    assert not route.matches(event(provider="aws-ap-south-1"))


@pytest.mark.parametrize(
    ("severity", "expected"),
    [(Severity.INFO, False), (Severity.MINOR, False), (Severity.MAJOR, True), (Severity.CRITICAL, True)],
)
def test_min_severity(severity: Severity, expected: bool) -> None:
    route = RouteConfig.model_validate({"notify": ["pagerduty"], "min_severity": "major"})
    assert route.matches(event(severity=severity)) is expected


def test_kinds() -> None:
    route = RouteConfig.model_validate(
        {"notify": ["chat"], "kinds": ["incident_opened", "incident_resolved"]}
    )
    assert route.matches(event(kind=EventKind.INCIDENT_OPENED))
    assert route.matches(event(kind=EventKind.INCIDENT_RESOLVED))
    assert not route.matches(event(kind=EventKind.COMPONENT_CHANGED))


def test_every_filter_must_hold() -> None:
    route = RouteConfig.model_validate(
        {
            "notify": ["chat"],
            "providers": ["stripe*"],
            "min_severity": "minor",
            "kinds": ["component_changed"],
        }
    )
    assert route.matches(event(provider="stripe", severity=Severity.MAJOR))
    assert not route.matches(event(provider="github", severity=Severity.MAJOR))
    assert not route.matches(event(provider="stripe", severity=Severity.INFO))
    assert not route.matches(
        event(provider="stripe", severity=Severity.MAJOR, kind=EventKind.INCIDENT_OPENED)
    )
