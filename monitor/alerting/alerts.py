"""Alerts: the open problems the engine's events describe, one per dedup key. Pure.

An alert fires from the first non-resolving event on its key until the event that resolves the key.

| event on a key                              | alert                                                        |
|---------------------------------------------|--------------------------------------------------------------|
| non-resolving, no alert or a resolved one   | a new firing alert, started_at = the event's time            |
| non-resolving, alert firing                 | updated (severity, title, detail, summary, url); keeps       |
|                                             | started_at                                                   |
| resolving, alert firing                     | resolved: resolved_at = the event's time; severity kept, so  |
|                                             | the resolution names what it was                             |
| resolving, no alert or a resolved one       | nothing (nothing was open)                                   |

Labels, for grouping and silences: `provider`, `kind` (component | incident | maintenance | source),
`severity` (info | minor | major | critical) and, for a component, `component` (its name).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from monitor.model import Event, EventKind, Severity


class AlertKind(StrEnum):
    COMPONENT = "component"
    INCIDENT = "incident"
    MAINTENANCE = "maintenance"
    SOURCE = "source"


_KIND_OF_EVENT = {
    EventKind.COMPONENT_CHANGED: AlertKind.COMPONENT,
    EventKind.INCIDENT_OPENED: AlertKind.INCIDENT,
    EventKind.INCIDENT_UPDATED: AlertKind.INCIDENT,
    EventKind.INCIDENT_RESOLVED: AlertKind.INCIDENT,
    EventKind.MAINTENANCE_STARTED: AlertKind.MAINTENANCE,
    EventKind.MAINTENANCE_COMPLETED: AlertKind.MAINTENANCE,
    EventKind.SOURCE_UNREACHABLE: AlertKind.SOURCE,
    EventKind.SOURCE_RECOVERED: AlertKind.SOURCE,
}
_EVENT_KINDS = {
    AlertKind.COMPONENT: frozenset({EventKind.COMPONENT_CHANGED}),
    AlertKind.INCIDENT: frozenset({EventKind.INCIDENT_OPENED, EventKind.INCIDENT_UPDATED}),
    AlertKind.MAINTENANCE: frozenset({EventKind.MAINTENANCE_STARTED}),
    AlertKind.SOURCE: frozenset({EventKind.SOURCE_UNREACHABLE}),
}
UNREACHABLE = "status page unreachable"


@dataclass(frozen=True, slots=True)
class Alert:
    """One open (or just resolved) problem of one provider, keyed by the engine's dedup key."""

    key: str
    provider: str
    kind: AlertKind
    severity: Severity
    summary: str  # short human name: the component's or incident's name, or "status page unreachable"
    title: str  # the latest event's title
    started_at: datetime
    updated_at: datetime
    url: str | None = None
    component: str | None = None
    detail: str | None = None
    resolved_at: datetime | None = None

    @property
    def firing(self) -> bool:
        return self.resolved_at is None

    @property
    def labels(self) -> dict[str, str]:
        labels = {"provider": self.provider, "kind": self.kind.value, "severity": self.severity.label}
        if self.component is not None:
            labels["component"] = self.component
        return labels


def event_kinds(kind: AlertKind) -> frozenset[EventKind]:
    """The event kinds a route's `kinds:` filter must include (any one of them) to take an alert of `kind`.

    So a maintenance alert goes only to routes asking for maintenance_started, and a route asking only for
    resolutions (incident_resolved, ...) takes no alert.
    """
    return _EVENT_KINDS[kind]


def apply_events(alerts: Mapping[str, Alert], events: Iterable[Event]) -> dict[str, Alert]:
    """The alerts after `events`, in order (see the table above); `alerts` is not modified."""
    result = dict(alerts)
    for event in events:
        before = result.get(event.dedup_key)
        if event.resolves:
            if before is not None and before.firing:
                result[event.dedup_key] = replace(
                    before, resolved_at=event.occurred_at, updated_at=event.occurred_at
                )
        elif before is None or not before.firing:
            result[event.dedup_key] = _opened(event)
        else:
            result[event.dedup_key] = replace(_opened(event), started_at=before.started_at)
    return result


def _opened(event: Event) -> Alert:
    kind = _KIND_OF_EVENT[event.kind]
    name = event.subject_name or event.subject_id or event.dedup_key
    return Alert(
        key=event.dedup_key,
        provider=event.provider,
        kind=kind,
        severity=event.severity,
        summary=UNREACHABLE if kind is AlertKind.SOURCE else name,
        title=event.title,
        started_at=event.occurred_at,
        updated_at=event.occurred_at,
        url=event.url,
        component=name if kind is AlertKind.COMPONENT else None,
        detail=event.detail,
    )
