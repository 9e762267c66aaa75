"""Maintenance reminders: on-call hears of a vendor's planned downtime before it starts. Pure; `now` given.

A route with `remind_before` > 0 sends each of its notifiers one `maintenance_scheduled` notification per
scheduled maintenance of a provider it takes (its `providers` globs; not its severity or kinds filters: asking
for reminders is asking for these), once the maintenance's start is within `remind_before`:

| the maintenance                                       | what each notifier of the route hears              |
|-------------------------------------------------------|----------------------------------------------------|
| starts later than now + remind_before                 | nothing yet; evaluate again when it comes in reach |
| starts within remind_before, notifier not yet told    | one notification (reason `maintenance_scheduled`)  |
| ... already told (the group log has the reminder key) | nothing: once per maintenance, across restarts     |
| ... held (a silence, a mute or outside active times)  | nothing now; sent when released, if still ahead    |
| has started, or has no scheduled start                | nothing (maintenance_started is a route's `kinds`) |

"Once" is the notification log: a reminder is a group of its own, keyed `remind=<route>|maintenance=<key>`
(not a `route=` group, so grouping never treats it as an outage), told with no firing alerts; that entry is
committed with the notification in one transaction, like every group's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from fnmatch import fnmatchcase

from monitor.alerting.grouping import Held, RouteSpec, bounded_key, escape
from monitor.model import Alert, AlertKind, GroupNotification, Maintenance, MaintenanceStatus, Severity, Told

REASON = "maintenance_scheduled"


@dataclass(frozen=True)
class Reminders:
    notifications: list[GroupNotification]
    next_wakeup: datetime | None  # when the next reminder comes within reach


def reminders(
    upcoming: Mapping[str, Sequence[Maintenance]],
    routes: Sequence[RouteSpec],
    told: Mapping[tuple[str, str], Told],
    now: datetime,
    held: Held,
) -> Reminders:
    """The reminders due now (the table in the module docstring), from providers' scheduled maintenances."""
    notifications: list[GroupNotification] = []
    wakeups: list[datetime] = []
    for route in routes:
        if route.remind_before <= timedelta(0):
            continue
        for provider in sorted(upcoming):
            if route.providers is not None and not any(fnmatchcase(provider, g) for g in route.providers):
                continue
            for maintenance in upcoming[provider]:
                start = maintenance.scheduled_for
                if maintenance.status is not MaintenanceStatus.SCHEDULED or start is None or start <= now:
                    continue
                alert = reminder_alert(provider, maintenance, now)
                key = bounded_key(f"remind={route.index}|maintenance={escape(alert.key)}")
                waiting = [n for n in route.notify if (key, n) not in told]
                if not waiting:
                    continue
                if now < start - route.remind_before:
                    wakeups.append(start - route.remind_before)
                elif held(alert, route) is None:
                    notifications += [_notification(key, route.index, n, alert) for n in waiting]
    return Reminders(notifications, min(wakeups, default=None))


def reminder_alert(provider: str, maintenance: Maintenance, now: datetime) -> Alert:
    """The maintenance as the one (informational) alert of its reminder; keyed like the engine's events."""
    assert maintenance.scheduled_for is not None
    window = _when(maintenance.scheduled_for)
    if maintenance.scheduled_until is not None:
        window += f" until {_when(maintenance.scheduled_until)}"
    return Alert(
        key=f"{provider}/maintenance/{maintenance.id}",
        provider=provider,
        kind=AlertKind.MAINTENANCE,
        severity=Severity.INFO,
        summary=maintenance.name,
        title=f'{provider}: maintenance "{maintenance.name}" scheduled for {window}',
        started_at=now,
        updated_at=now,
        url=maintenance.url,
        detail=maintenance.latest_update,
    )


def _when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _notification(key: str, route: int, notifier: str, alert: Alert) -> GroupNotification:
    return GroupNotification(
        group_key=key,
        route=route,
        notifier=notifier,
        reason=REASON,
        status="firing",
        severity=Severity.INFO,
        title=alert.title,
        firing=(alert,),
        resolved=(),
        related=(),
        firing_total=1,
        resolved_total=0,
        related_total=0,
        alert_keys=frozenset(),  # told of nothing that fires: the entry only marks the reminder as sent
    )
