"""Alerts: one per dedup key, opened and updated by events, resolved by the event that resolves its key.

One test per row of the table in monitor/alerting/alerts.py, then labels and the route kinds an alert needs.
"""

from __future__ import annotations

from monitor.alerting.alerts import UNREACHABLE, AlertKind, apply_events, event_kinds
from monitor.model import EventKind, Severity
from tests.alerting.alert_factory import alert, at, event

CHANGED = EventKind.COMPONENT_CHANGED


def test_a_non_resolving_event_on_a_new_key_opens_a_firing_alert() -> None:
    alerts = apply_events({}, [event(CHANGED, "api", Severity.MAJOR, seconds=5)])
    a = alerts["github/component/api"]
    assert (a.kind, a.severity, a.summary, a.component) == (AlertKind.COMPONENT, Severity.MAJOR, "Api", "Api")
    assert (a.started_at, a.updated_at, a.firing, a.detail) == (at(5), at(5), True, "detail at 5")


def test_a_non_resolving_event_on_a_firing_alert_updates_it_and_keeps_started_at() -> None:
    opened = apply_events({}, [event(CHANGED, "api", Severity.MINOR, seconds=0)])
    a = apply_events(opened, [event(CHANGED, "api", Severity.CRITICAL, seconds=60)])["github/component/api"]
    assert (a.severity, a.title, a.detail) == (
        Severity.CRITICAL,
        "github: api component_changed",
        "detail at 60",
    )
    assert (a.started_at, a.updated_at, a.firing) == (at(0), at(60), True)
    assert opened["github/component/api"].severity is Severity.MINOR  # the input is not modified


def test_a_resolving_event_resolves_the_firing_alert_and_keeps_its_severity() -> None:
    opened = apply_events({}, [event(EventKind.INCIDENT_OPENED, "i1", Severity.CRITICAL)])
    done = apply_events(opened, [event(EventKind.INCIDENT_RESOLVED, "i1", Severity.INFO, 90, resolves=True)])
    a = done["github/incident/i1"]
    assert (a.firing, a.resolved_at, a.severity, a.started_at) == (False, at(90), Severity.CRITICAL, at(0))


def test_a_resolving_event_with_nothing_open_changes_nothing() -> None:
    resolve = event(CHANGED, "api", Severity.INFO, 30, resolves=True)
    assert apply_events({}, [resolve]) == {}
    closed = {"github/component/api": alert("api", resolved=10)}
    assert apply_events(closed, [resolve]) == closed


def test_a_non_resolving_event_on_a_resolved_alert_opens_a_new_one() -> None:
    closed = {"github/component/api": alert("api", started=0, resolved=10)}
    a = apply_events(closed, [event(CHANGED, "api", Severity.MINOR, seconds=50)])["github/component/api"]
    assert (a.firing, a.started_at, a.severity) == (True, at(50), Severity.MINOR)


def test_each_event_kind_opens_the_alert_kind_it_names() -> None:
    alerts = apply_events(
        {},
        [
            event(EventKind.INCIDENT_UPDATED, "i2", Severity.MINOR),
            event(EventKind.MAINTENANCE_STARTED, "m1", Severity.INFO),
            event(EventKind.SOURCE_UNREACHABLE, "x", Severity.MINOR),
        ],
    )
    kinds = {k: (a.kind, a.summary, a.component, a.severity) for k, a in alerts.items()}
    assert kinds == {
        "github/incident/i2": (AlertKind.INCIDENT, "I2", None, Severity.MINOR),
        "github/maintenance/m1": (AlertKind.MAINTENANCE, "M1", None, Severity.INFO),  # as the engine gives it
        "github/source": (AlertKind.SOURCE, UNREACHABLE, None, Severity.MINOR),
    }


def test_labels_name_provider_kind_severity_and_the_component_where_there_is_one() -> None:
    assert alert("API", severity=Severity.CRITICAL).labels == {
        "provider": "github",
        "kind": "component",
        "severity": "critical",
        "component": "API",
    }
    assert alert("i1", kind=AlertKind.INCIDENT, severity=Severity.MINOR).labels == {
        "provider": "github",
        "kind": "incident",
        "severity": "minor",
    }


def test_event_kinds_say_which_route_kinds_take_each_alert_kind() -> None:
    assert event_kinds(AlertKind.COMPONENT) == {EventKind.COMPONENT_CHANGED}
    assert event_kinds(AlertKind.INCIDENT) == {EventKind.INCIDENT_OPENED, EventKind.INCIDENT_UPDATED}
    assert event_kinds(AlertKind.MAINTENANCE) == {EventKind.MAINTENANCE_STARTED}
    assert event_kinds(AlertKind.SOURCE) == {EventKind.SOURCE_UNREACHABLE}
