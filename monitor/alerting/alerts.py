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

from monitor.model import UNREACHABLE, Alert, AlertKind, Event, EventKind

__all__ = ["UNREACHABLE", "Alert", "AlertKind", "apply_events", "event_kinds"]


_EVENT_KINDS = {
    AlertKind.COMPONENT: frozenset({EventKind.COMPONENT_CHANGED}),
    AlertKind.INCIDENT: frozenset({EventKind.INCIDENT_OPENED, EventKind.INCIDENT_UPDATED}),
    AlertKind.MAINTENANCE: frozenset({EventKind.MAINTENANCE_STARTED}),
    AlertKind.SOURCE: frozenset({EventKind.SOURCE_UNREACHABLE}),
}


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
                result[event.dedup_key] = before._replace(
                    resolved_at=event.occurred_at, updated_at=event.occurred_at
                )
        elif before is None or not before.firing:
            result[event.dedup_key] = Alert.from_event(event)
        else:
            result[event.dedup_key] = Alert.from_event(event)._replace(started_at=before.started_at)
    return result
