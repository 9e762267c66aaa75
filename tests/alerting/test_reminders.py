"""Maintenance reminders: one test per row of the table in monitor/alerting/reminders.py, then the stage."""

from __future__ import annotations

from datetime import datetime, timedelta

from monitor.alerting.grouping import Held, RouteSpec
from monitor.alerting.reminders import reminders
from monitor.alerting.stage import Rules, step
from monitor.model import Alert, Maintenance, MaintenanceStatus, Severity, Told
from monitor.store.base import AlertingMemory
from tests.alerting.alert_factory import T0, at

HOUR = timedelta(hours=1)
ROUTE = RouteSpec(index=2, notify=("slack", "log"), remind_before=HOUR)
KEY = "remind=2|maintenance=github/maintenance/m1"


def upgrade(starts: float, status: MaintenanceStatus = MaintenanceStatus.SCHEDULED) -> Maintenance:
    return Maintenance(
        id="m1",
        name="Database upgrade",
        status=status,
        url="https://www.githubstatus.com/incidents/m1",
        scheduled_for=at(starts),
        scheduled_until=at(starts + 7200),
        latest_update="We will upgrade the database.",
    )


def never(alert: Alert, route: RouteSpec) -> str | None:
    return None


def due(
    maintenance: Maintenance,
    now: datetime,
    routes: tuple[RouteSpec, ...] = (ROUTE,),
    told: dict[tuple[str, str], Told] | None = None,
    held: Held = never,
) -> list[tuple[str, str]]:
    result = reminders({"github": [maintenance]}, routes, told or {}, now, held)
    return [(n.notifier, n.group_key) for n in result.notifications]


def test_a_maintenance_beyond_remind_before_waits_and_says_when_to_look_again() -> None:
    result = reminders({"github": [upgrade(starts=7200)]}, [ROUTE], {}, T0, never)
    assert (result.notifications, result.next_wakeup) == ([], at(3600))


def test_within_remind_before_each_notifier_not_yet_told_hears_once() -> None:
    result = reminders({"github": [upgrade(starts=1800)]}, [ROUTE], {}, T0, never)
    assert [(n.notifier, n.group_key) for n in result.notifications] == [("slack", KEY), ("log", KEY)]
    note = result.notifications[0]
    assert (note.reason, note.status, note.severity, note.alert_keys) == (
        "maintenance_scheduled",
        "firing",
        Severity.INFO,
        frozenset(),
    )
    [alert] = note.firing
    assert (alert.key, alert.summary, alert.detail) == (
        "github/maintenance/m1",
        "Database upgrade",
        "We will upgrade the database.",
    )
    assert note.title == (
        'github: maintenance "Database upgrade" scheduled for 2026-11-23 12:30 UTC until 2026-11-23 14:30 UTC'
    )
    assert result.next_wakeup is None


def test_a_notifier_already_told_hears_nothing_again() -> None:
    told = {(KEY, "slack"): Told(frozenset(), Severity.INFO, T0)}
    assert due(upgrade(starts=1800), at(60), told=told) == [("log", KEY)]


def test_a_held_reminder_waits_while_the_route_holds_it() -> None:
    def silenced(alert: Alert, route: RouteSpec) -> str | None:
        return "silenced" if alert.kind.value == "maintenance" else None

    assert due(upgrade(starts=1800), T0, held=silenced) == []
    assert due(upgrade(starts=1800), at(600)) == [("slack", KEY), ("log", KEY)]


def test_a_started_or_unscheduled_maintenance_or_a_route_without_remind_before_sends_nothing() -> None:
    assert due(upgrade(starts=0), T0) == []
    assert due(upgrade(starts=1800, status=MaintenanceStatus.IN_PROGRESS), T0) == []
    unscheduled = Maintenance(id="m1", name="x", status=MaintenanceStatus.SCHEDULED)
    assert due(unscheduled, T0) == []
    assert due(upgrade(starts=1800), T0, routes=(RouteSpec(index=0, notify=("slack",)),)) == []


def test_only_the_routes_providers_filter_applies() -> None:
    others = RouteSpec(index=2, notify=("slack",), providers=("stripe*",), remind_before=HOUR)
    assert due(upgrade(starts=1800), T0, routes=(others,)) == []
    loud_only = RouteSpec(index=2, notify=("slack",), min_severity=Severity.MAJOR, remind_before=HOUR)
    assert due(upgrade(starts=1800), T0, routes=(loud_only,)) == [("slack", KEY)]


def test_the_stage_queues_reminders_with_their_told_entry_and_wakes_when_the_next_comes_in_reach() -> None:
    rules = Rules(routes=[ROUTE])
    ids = iter(range(100))
    upcoming = {
        "github": [
            upgrade(starts=1800),
            Maintenance("m2", "later", MaintenanceStatus.SCHEDULED, None, at(9000)),
        ]
    }
    done = step(AlertingMemory(), [], rules, [], {}, T0, lambda: f"n{next(ids)}", upcoming)
    assert [n.notifier for n in done.notifications] == ["slack", "log"]
    assert set(done.change.told) == {(KEY, "slack"), (KEY, "log")}
    assert done.next_wakeup == at(9000 - 3600)
    again = step(done.memory, [], rules, [], {}, at(60), lambda: f"n{next(ids)}", upcoming)
    assert again.notifications == []
