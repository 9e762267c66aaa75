"""Routing: route matches fan out; holders of an open alert hear every later event on its key."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import count

from monitor.model import Event, EventKind, Severity
from monitor.routing import new_notification_id, route

NOW = datetime(2026, 11, 23, tzinfo=UTC)


@dataclass
class R:
    notify: list[str]
    min_severity: Severity = Severity.INFO
    provider: str | None = None

    def matches(self, event: Event) -> bool:
        return event.severity >= self.min_severity and self.provider in (None, event.provider)


def ev(
    severity: Severity, resolves: bool = False, key: str = "gh/component/api", provider: str = "gh"
) -> Event:
    kind = EventKind.COMPONENT_CHANGED
    return Event(kind, provider, severity, key, "title", NOW, resolves=resolves)


def ids() -> object:
    c = count()
    return lambda: f"n{next(c)}"


PD = R(["pagerduty"], Severity.MAJOR)
SLACK = R(["slack", "audit"], provider="gh")


def pairs(events: list[Event], alerts: dict[str, set[str]] | None = None) -> list[tuple[str, str]]:
    out = route(events, [PD, SLACK], alerts or {}, NOW)
    return [(n.event.severity.label + ("/resolves" if n.event.resolves else ""), n.notifier) for n in out]


def test_every_matching_route_fires_once_per_notifier() -> None:
    assert pairs([ev(Severity.CRITICAL)]) == [
        ("critical", "pagerduty"),
        ("critical", "slack"),
        ("critical", "audit"),
    ]
    both = [R(["slack"]), R(["slack", "log"])]
    assert [n.notifier for n in route([ev(Severity.MINOR)], both, {}, NOW)] == ["slack", "log"]


def test_low_severity_skips_the_paging_route() -> None:
    assert pairs([ev(Severity.MINOR)]) == [("minor", "slack"), ("minor", "audit")]


def test_resolution_reaches_whoever_holds_the_alert_whatever_its_severity() -> None:
    out = pairs([ev(Severity.CRITICAL), ev(Severity.INFO, resolves=True)])
    assert ("info/resolves", "pagerduty") in out


def test_resolution_uses_alerts_opened_in_earlier_polls() -> None:
    alerts = {"gh/component/api": {"pagerduty"}}
    assert ("info/resolves", "pagerduty") in pairs([ev(Severity.INFO, resolves=True)], alerts)
    assert ("info/resolves", "pagerduty") not in pairs([ev(Severity.INFO, resolves=True)])


def test_de_escalation_still_reaches_the_paged_notifier_then_resolution_closes() -> None:
    out = pairs([ev(Severity.CRITICAL), ev(Severity.MINOR), ev(Severity.INFO, True), ev(Severity.MINOR)])
    assert [p for p in out if p[1] == "pagerduty"] == [
        ("critical", "pagerduty"),
        ("minor", "pagerduty"),
        ("info/resolves", "pagerduty"),
    ]


def test_no_matching_route_and_no_holder_means_no_notification() -> None:
    assert pairs([ev(Severity.INFO, provider="stripe", key="stripe/source")]) == []


def test_notification_ids_are_unique_and_shaped_for_standard_webhooks() -> None:
    made = {new_notification_id() for _ in range(1000)}
    assert len(made) == 1000 and all(i.startswith("msg_") for i in made)
    out = route([ev(Severity.CRITICAL)], [PD], {}, NOW, new_id=ids())  # type: ignore[arg-type]
    assert [n.id for n in out] == ["n0"] and out[0].created_at == NOW
