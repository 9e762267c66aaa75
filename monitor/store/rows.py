"""Rows as both SQL backends write and read them: one definition of the columns, so SQLite and PostgreSQL
store the same thing (and `outage-monitor migrate` can copy one into the other row by row)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from monitor.model import Event, Notification
from monitor.store import codec
from monitor.store.base import Settled

# A group's first page of an outage, and an escalation, go before other groups' updates and resolutions.
URGENT_REASONS = frozenset({"firing", "escalated"})

EventRow = tuple[str, str, str, str, str, str]
NotificationRow = tuple[str, str, str, str, int, str, int, str, str, str | None, str | None]


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
