"""Alerts and events for the alerting tests, with only what a test cares about spelled out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from monitor.alerting.alerts import Alert, AlertKind
from monitor.model import Event, EventKind, Severity

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def alert(
    name: str,
    provider: str = "github",
    severity: Severity = Severity.MAJOR,
    kind: AlertKind = AlertKind.COMPONENT,
    started: float = 0,
    resolved: float | None = None,
) -> Alert:
    """A component alert named `name` (or another kind), started `started` seconds after T0."""
    return Alert(
        key=f"{provider}/{kind.value}/{name}",
        provider=provider,
        kind=kind,
        severity=severity,
        summary=name,
        title=f"{provider}: {name}",
        started_at=at(started),
        updated_at=at(started),
        component=name if kind is AlertKind.COMPONENT else None,
        resolved_at=None if resolved is None else at(resolved),
    )


def event(
    kind: EventKind,
    subject: str,
    severity: Severity = Severity.MAJOR,
    seconds: float = 0,
    resolves: bool = False,
    provider: str = "github",
) -> Event:
    what = kind.value.split("_")[0]
    key = f"{provider}/source" if what == "source" else f"{provider}/{what}/{subject}"
    return Event(
        kind=kind,
        provider=provider,
        severity=severity,
        dedup_key=key,
        title=f"{provider}: {subject} {kind.value}",
        occurred_at=at(seconds),
        resolves=resolves,
        subject_id=subject,
        subject_name=subject.title(),
        detail=f"detail at {seconds}",
    )
