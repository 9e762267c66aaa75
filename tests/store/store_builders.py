"""Builders for store tests: events, notifications, alerts, log entries and states with sensible defaults."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from monitor.model import Alert, Event, EventKind, Notification, ProviderState, Severity, Told
from monitor.store import Store, codec

StoreFactory = Callable[[], Store]

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def make_event(
    key: str = "github/component/api",
    *,
    provider: str = "github",
    resolves: bool = False,
    at: datetime = T0,
    title: str | None = None,
) -> Event:
    return Event(
        kind=EventKind.COMPONENT_CHANGED,
        provider=provider,
        severity=Severity.INFO if resolves else Severity.MAJOR,
        dedup_key=key,
        title=title or f"{provider}: {key} {'recovered' if resolves else 'partial_outage'}",
        occurred_at=at,
        resolves=resolves,
        subject_id=key.rsplit("/", 1)[-1],
        old_status="partial_outage" if resolves else "operational",
        new_status="operational" if resolves else "partial_outage",
    )


def make_notification(
    notification_id: str,
    notifier: str,
    event: Event,
    created_at: datetime = T0,
    *,
    group: str | None = None,
) -> Notification:
    """The one-alert group notification of `event`: its group key is the event's dedup key (so notifications
    of one key keep their per-key order) unless `group` names another."""
    message = codec.legacy_message(event, notifier)
    return Notification(
        id=notification_id,
        notifier=notifier,
        message=message if group is None else message._replace(group_key=group),
        created_at=created_at,
    )


def make_alert(key: str = "github/component/api", *, at: datetime = T0, resolved: bool = False) -> Alert:
    alert = Alert.from_event(make_event(key, at=at))
    return alert._replace(resolved_at=at) if resolved else alert


def make_told(*firing: str, at: datetime = T0, severity: Severity = Severity.MAJOR) -> Told:
    return Told(firing=frozenset(firing), severity=severity, sent_at=at)


def make_state(provider: str = "github", **changes: object) -> ProviderState:
    state = ProviderState(provider=provider, page_url=f"https://{provider}.example", baselined=True)
    for name, value in changes.items():
        setattr(state, name, value)
    return state


def later(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)
