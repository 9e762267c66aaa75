"""The alerting stage of a running daemon: its memory between evaluations, and one evaluation as a step.

`step()` is pure: given the memory (alerts and the notification log), a poll's events, the silences and
the clock, it returns the notifications to queue and the change to commit with them. `AlertingStage`
holds the memory and a lock; the caller commits the step's notifications and change in ONE store
transaction (with the provider's state and events) and only then `apply()`s the step, so memory never gets
ahead of what is durable: a failed commit leaves both as they were, and the next evaluation redoes it.

"Who was told" is what was queued after suppression: a silenced or muted alert is never queued, so its
resolution goes to nobody; what a notifier was queued about a group is written in the same transaction as
the notification, so a crash between the two cannot page twice. Receipts (a Slack thread, an incident
id) are written when a delivery returns them and read when the next notification for the group is sent.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from monitor.alerting.alerts import apply_events
from monitor.alerting.grouping import RouteSpec, evaluate
from monitor.alerting.intervals import TimeInterval
from monitor.alerting.mute import mute_reasons
from monitor.alerting.reminders import reminders
from monitor.alerting.silences import Silence
from monitor.model import Alert, Event, Maintenance, Notification, Told
from monitor.store.base import AlertingChange, AlertingMemory

IDLE_RECHECK = timedelta(minutes=1)  # time intervals have minute granularity: look again at the next minute


@dataclass(frozen=True)
class Rules:
    """What the config says about alerting: routes, dependencies and named time intervals."""

    routes: Sequence[RouteSpec] = ()
    depends_on: Mapping[str, Sequence[str]] = field(default_factory=dict)
    intervals: Mapping[str, TimeInterval] = field(default_factory=dict)
    repeat_every: Mapping[str, timedelta] = field(default_factory=dict)  # notifier -> must hear this often


@dataclass(frozen=True)
class Step:
    notifications: list[Notification]
    change: AlertingChange
    memory: AlertingMemory  # the memory once the step is committed
    group_started: dict[str, datetime]
    next_wakeup: datetime | None  # evaluate again then, even without news
    counts: dict[str, int]  # firing alerts by state: firing, silenced, muted, folded


def step(
    memory: AlertingMemory,
    events: Iterable[Event],
    rules: Rules,
    silences: Sequence[Silence],
    group_started: Mapping[str, datetime],
    now: datetime,
    new_id: Callable[[], str],
    upcoming: Mapping[str, Sequence[Maintenance]] | None = None,
) -> Step:
    """`upcoming`: each provider's scheduled maintenances, for the routes' reminders."""
    alerts = apply_events(memory.alerts, events)

    def held(alert: Alert, route: RouteSpec) -> str | None:
        return mute_reasons(
            alert.labels, silences, route.mute_intervals, route.active_intervals, rules.intervals, now
        )

    result = evaluate(
        alerts, rules.routes, memory.told, group_started, now, held, rules.depends_on, rules.repeat_every
    )
    due = reminders(upcoming or {}, rules.routes, memory.told, now, held)
    messages = [*result.notifications, *due.notifications]
    notifications = [
        Notification(id=new_id(), notifier=g.notifier, message=g, created_at=now) for g in messages
    ]
    told = {
        (g.group_key, g.notifier): Told(firing=g.alert_keys, severity=g.severity, sent_at=now)
        for g in messages
    }
    forgotten = result.settled & alerts.keys()
    kept = {key: alert for key, alert in alerts.items() if key not in forgotten}
    changed = [alert for key, alert in kept.items() if memory.alerts.get(key) != alert]
    edges = (result.next_wakeup, due.next_wakeup, _next_silence_edge(silences, now))
    wakeups = [w for w in edges if w is not None]
    if rules.intervals and any(state == "muted" for state in result.counts):
        wakeups.append(now.replace(second=0, microsecond=0) + IDLE_RECHECK)
    return Step(
        notifications=notifications,
        change=AlertingChange(alerts=changed, forgotten=sorted(forgotten & memory.alerts.keys()), told=told),
        memory=AlertingMemory(alerts=kept, told={**memory.told, **told}),
        group_started=result.group_started,
        next_wakeup=min(wakeups, default=None),
        counts=result.counts,
    )


def _next_silence_edge(silences: Iterable[Silence], now: datetime) -> datetime | None:
    """The next start or end of a silence: what it holds back changes then."""
    edges = [t for s in silences for t in (s.starts_at, s.ends_at) if t > now]
    return min(edges, default=None)


class AlertingStage:
    """The daemon's alerting memory. Evaluations run one at a time (`lock`): each reads the memory the
    previous one committed."""

    def __init__(self, memory: AlertingMemory, rules: Rules) -> None:
        self.memory = memory
        self.rules = rules
        self.lock = asyncio.Lock()
        self.group_started: dict[str, datetime] = {}
        self.counts: dict[str, int] = {}
        self.next_wakeup: datetime | None = None
        self.upcoming: dict[str, tuple[Maintenance, ...]] = {}  # provider -> scheduled maintenances

    def step(
        self, events: Iterable[Event], silences: Sequence[Silence], now: datetime, new_id: Callable[[], str]
    ) -> Step:
        return step(self.memory, events, self.rules, silences, self.group_started, now, new_id, self.upcoming)

    def announce(self, provider: str, maintenances: tuple[Maintenance, ...], now: datetime) -> bool:
        """A provider's scheduled maintenances as its page now lists them (kept in memory: every start
        re-reads them from the pages); when they changed, evaluation is due now and this says True."""
        if self.upcoming.get(provider, ()) == maintenances:
            return False
        self.upcoming[provider] = maintenances
        self.next_wakeup = now if self.next_wakeup is None else min(self.next_wakeup, now)
        return True

    def apply(self, done: Step) -> None:
        """After the step's commit succeeded."""
        self.memory = done.memory
        self.group_started = done.group_started
        self.counts = done.counts
        self.next_wakeup = done.next_wakeup
