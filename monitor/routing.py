"""Routing: which notifiers hear about which event. Pure, like the engine.

Every route whose filters match an event sends it to its notifiers. On top of that, a notifier that
holds an open alert for the event's dedup key hears every later event on that key, whatever its
severity: so a resolution (or an escalation, or a de-escalation) always reaches whoever was paged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Protocol
from uuid import uuid4

from monitor.model import Event, Notification


class Route(Protocol):
    @property
    def notify(self) -> Sequence[str]: ...

    def matches(self, event: Event) -> bool: ...


def new_notification_id() -> str:
    """Unique per notification and kept across retries: receivers use it as an idempotency key."""
    return f"msg_{uuid4().hex}"


def route(
    events: Iterable[Event],
    routes: Sequence[Route],
    open_alerts: Mapping[str, set[str]],
    now: datetime,
    new_id: Callable[[], str] = new_notification_id,
) -> list[Notification]:
    """One notification per (event, notifier) pair, in event order, notifiers in a stable order."""
    holders = {key: set(names) for key, names in open_alerts.items()}
    notifications: list[Notification] = []
    for event in events:
        targets: list[str] = []
        for r in routes:
            if r.matches(event):
                targets.extend(n for n in r.notify if n not in targets)
        held = holders.get(event.dedup_key, set())
        targets.extend(sorted(held - set(targets)))
        for name in targets:
            notifications.append(Notification(id=new_id(), notifier=name, event=event, created_at=now))
        if event.resolves:
            holders.pop(event.dedup_key, None)
        else:
            holders.setdefault(event.dedup_key, set()).update(targets)
    return notifications
