"""Rows as both SQL backends write and read them: one definition of the columns, so SQLite and PostgreSQL
store the same thing (and `outage-monitor migrate` can copy one into the other row by row)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from monitor import history
from monitor.history import StatusInterval
from monitor.model import Event, Impact, Incident, IncidentStatus, Notification, ProviderState
from monitor.store import codec
from monitor.store.base import Settled

# A group's first page of an outage, and an escalation, go before other groups' updates and resolutions.
URGENT_REASONS = frozenset({"firing", "escalated"})

EventRow = tuple[str, str, str, str, str, str]
NotificationRow = tuple[str, str, str, str, int, str, int, str, str, str | None, str | None]


async def write_rows(
    executemany: Callable[[str, Sequence[Sequence[Any]]], Awaitable[object]],
    query: str,
    params: Sequence[Sequence[Any]],
) -> None:
    """`executemany(query, params)`, skipped when there is nothing to write: a call costs a trip to the
    database even with no rows (aiosqlite's thread; psycopg opens a pipeline and syncs), and most
    commits write no alerts, no group bookkeeping and no notifications."""
    if params:
        await executemany(query, params)


def event_rows(events: Sequence[Event]) -> list[EventRow]:
    """(provider, kind, severity, dedup_key, occurred_at, body_json) per event."""
    return [
        (
            event.provider,
            event.kind.value,
            event.severity.label,
            event.dedup_key,
            codec.format_time(event.occurred_at),
            codec.event_to_json(event),
        )
        for event in events
    ]


def touch_rows(states: Sequence[ProviderState]) -> list[tuple[str | None, str | None, str, str]]:
    """(last_poll_at, last_success_at, updated_at, provider) per state: `Store.touch`'s UPDATE parameters,
    the two times as the state's JSON holds them."""
    now = codec.format_time(datetime.now(UTC))
    return [
        (codec.time_or_none(s.last_poll_at), codec.time_or_none(s.last_success_at), now, s.provider)
        for s in states
    ]


def notification_rows(
    notifications: Sequence[Notification], settled: Mapping[str, Settled], now: str
) -> list[NotificationRow]:
    """(id, notifier, dedup_key, body_json, priority, status, attempts, created_at, next_attempt_at,
    delivered_at, dead_at) per notification; one sent from memory (`settled`) is written as it ended."""
    return [
        (
            n.id,
            n.notifier,
            n.message.group_key,
            codec.message_to_json(n.message),
            0 if n.message.reason in URGENT_REASONS else 1,
            status,
            n.attempts,
            codec.format_time(n.created_at),
            codec.format_time(n.created_at),
            now if status == "delivered" else None,
            now if status == "dead" else None,
        )
        for n in notifications
        for status in (settled.get(n.id, "pending"),)
    ]


def claimed_notification(row: Sequence[Any]) -> Notification:
    """A row of the claim query (seq, id, notifier, created_at, attempts, body, event body, receipt) as the
    notification to send, with its group's current receipt."""
    _seq, notification_id, notifier, created_at, attempts, body, event, receipt_json = row
    receipt = codec.receipt_from_json(receipt_json)
    message = (
        codec.message_from_json(body, receipt)
        if body is not None
        else codec.legacy_message(codec.event_from_json(event), notifier)
    )
    return Notification(
        id=notification_id,
        notifier=notifier,
        message=message,
        created_at=codec.parse_time(created_at),
        attempts=attempts,
        receipt=receipt,
    )


# Retention: what ended before the cutoff (one `?` parameter each; PostgreSQL's driver wants `%s`).
# Notifications first, so the events only they referred to go too.
PRUNE_SQL = (
    "DELETE FROM notifications WHERE status IN ('delivered', 'dead') "
    "AND COALESCE(delivered_at, dead_at, created_at) < ?",
    "DELETE FROM events WHERE occurred_at < ? "
    "AND NOT EXISTS (SELECT 1 FROM notifications AS n WHERE n.event_id = events.id)",
    "DELETE FROM incident_history WHERE resolved_at IS NOT NULL AND resolved_at < ?",
    "DELETE FROM status_intervals WHERE ended_at IS NOT NULL AND ended_at < ?",
)

IncidentRow = tuple[str, str, str, str, str, str | None, str, str | None, str]


def incident_row(provider: str, incident: Incident, stored_updates: str | None, at: datetime) -> IncidentRow:
    """(provider, incident_id, name, status, impact, url, started_at, resolved_at, updates_json) for an
    incident seen at `at`, its timeline united with the one stored (`updates_json`, or None)."""
    stored = codec.updates_from_list(json.loads(stored_updates)) if stored_updates else ()
    resolved_at = None
    if incident.status.is_closed:
        resolved_at = incident.resolved_at or incident.updated_at or at
    return (
        provider,
        incident.id,
        incident.name,
        incident.status.value,
        incident.impact.value,
        incident.url,
        codec.format_time(incident.started_at or at),
        codec.format_time(resolved_at) if resolved_at else None,
        json.dumps(codec.updates_to_list(history.merge_updates(stored, incident.updates))),
    )


def stored_incident(
    incident_id: str,
    name: str,
    status: str,
    impact: str,
    url: str | None,
    started_at: str,
    resolved_at: str | None,
    updates: str,
) -> Incident:
    """An incident_history row (from incident_id on) as the model's Incident."""
    return Incident(
        id=incident_id,
        name=name,
        status=IncidentStatus(status),
        impact=Impact(impact),
        url=url,
        started_at=codec.parse_time(started_at),
        resolved_at=codec.parse_time(resolved_at) if resolved_at else None,
        updates=codec.updates_from_list(json.loads(updates)),
    )


def stored_interval(
    component: str, name: str, status: str, started: str, ended: str | None
) -> StatusInterval:
    """A status_intervals row (from component on) as a StatusInterval."""
    return StatusInterval(
        component, name, status, codec.parse_time(started), codec.parse_time(ended) if ended else None
    )
