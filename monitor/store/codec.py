"""JSON for what the store keeps as documents: a provider's state, an event, an alert, a notification log
entry and a group notification.

Explicit field by field, so the stored form is a stable format rather than whatever the
dataclasses look like today: enums are stored by value (severity by its label, the spelling the
config uses), datetimes as fixed-width ISO 8601 UTC (`2024-01-02T03:04:05.000000Z`, so text order
is time order), tuples as lists. Loading ignores keys it does not know and fills absent optional
fields with their defaults, so a database written by a newer or older version still loads.
A naive datetime is taken to be UTC (the model's convention); loaded datetimes are always aware.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from monitor.model import (
    Alert,
    AlertKind,
    ComponentState,
    ComponentStatus,
    Event,
    EventKind,
    GroupNotification,
    Impact,
    Incident,
    IncidentStatus,
    IncidentUpdate,
    Maintenance,
    MaintenanceStatus,
    ProviderState,
    Severity,
    Told,
)

Doc = dict[str, Any]


def format_time(value: datetime) -> str:
    """Fixed-width UTC text that sorts like the instants it names."""
    utc = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return utc.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def parse_time(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def state_to_json(state: ProviderState) -> str:
    return _dumps(
        {
            "provider": state.provider,
            "page_url": state.page_url,
            "baselined": state.baselined,
            "components": {key: _component_to_dict(c) for key, c in state.components.items()},
            "incidents": {key: _incident_to_dict(i) for key, i in state.incidents.items()},
            "maintenances": {key: _maintenance_to_dict(m) for key, m in state.maintenances.items()},
            "description": state.description,
            "consecutive_failures": state.consecutive_failures,
            "unreachable": state.unreachable,
            "last_error": state.last_error,
            "last_poll_at": time_or_none(state.last_poll_at),
            "last_success_at": time_or_none(state.last_success_at),
        }
    )


def state_from_json(text: str) -> ProviderState:
    doc: Doc = json.loads(text)
    return ProviderState(
        provider=doc["provider"],
        page_url=doc.get("page_url"),
        baselined=bool(doc.get("baselined", False)),
        components={key: _component_from_dict(c) for key, c in (doc.get("components") or {}).items()},
        incidents={key: _incident_from_dict(i) for key, i in (doc.get("incidents") or {}).items()},
        maintenances={key: _maintenance_from_dict(m) for key, m in (doc.get("maintenances") or {}).items()},
        description=doc.get("description"),
        consecutive_failures=int(doc.get("consecutive_failures", 0)),
        unreachable=bool(doc.get("unreachable", False)),
        last_error=doc.get("last_error"),
        last_poll_at=_parse_time_or_none(doc.get("last_poll_at")),
        last_success_at=_parse_time_or_none(doc.get("last_success_at")),
    )


def event_to_dict(event: Event) -> Doc:
    return {
        "kind": event.kind.value,
        "provider": event.provider,
        "severity": event.severity.label,
        "dedup_key": event.dedup_key,
        "title": event.title,
        "occurred_at": format_time(event.occurred_at),
        "resolves": event.resolves,
        "subject_id": event.subject_id,
        "subject_name": event.subject_name,
        "old_status": event.old_status,
        "new_status": event.new_status,
        "impact": event.impact,
        "detail": event.detail,
        "url": event.url,
        "group": event.group,
    }


def event_from_dict(doc: Doc) -> Event:
    return Event(
        kind=EventKind(doc["kind"]),
        provider=doc["provider"],
        severity=Severity.parse(doc["severity"]),
        dedup_key=doc["dedup_key"],
        title=doc["title"],
        occurred_at=parse_time(doc["occurred_at"]),
        resolves=bool(doc.get("resolves", False)),
        subject_id=doc.get("subject_id"),
        subject_name=doc.get("subject_name"),
        old_status=doc.get("old_status"),
        new_status=doc.get("new_status"),
        impact=doc.get("impact"),
        detail=doc.get("detail"),
        url=doc.get("url"),
        group=doc.get("group"),
    )


def event_to_json(event: Event) -> str:
    return _dumps(event_to_dict(event))


def event_from_json(text: str) -> Event:
    return event_from_dict(json.loads(text))


def alert_to_dict(alert: Alert) -> Doc:
    return {
        "key": alert.key,
        "provider": alert.provider,
        "kind": alert.kind.value,
        "severity": alert.severity.label,
        "summary": alert.summary,
        "title": alert.title,
        "started_at": format_time(alert.started_at),
        "updated_at": format_time(alert.updated_at),
        "url": alert.url,
        "component": alert.component,
        "detail": alert.detail,
        "resolved_at": time_or_none(alert.resolved_at),
    }


def alert_from_dict(doc: Doc) -> Alert:
    return Alert(
        key=doc["key"],
        provider=doc["provider"],
        kind=AlertKind(doc["kind"]),
        severity=Severity.parse(doc["severity"]),
        summary=doc["summary"],
        title=doc["title"],
        started_at=parse_time(doc["started_at"]),
        updated_at=parse_time(doc["updated_at"]),
        url=doc.get("url"),
        component=doc.get("component"),
        detail=doc.get("detail"),
        resolved_at=_parse_time_or_none(doc.get("resolved_at")),
    )


def alert_to_json(alert: Alert) -> str:
    return _dumps(alert_to_dict(alert))


def alert_from_json(text: str) -> Alert:
    return alert_from_dict(json.loads(text))


def told_to_json(told: Told) -> str:
    """The receipt is not part of it: the store keeps it apart, written when a delivery returns one."""
    return _dumps(
        {"firing": sorted(told.firing), "severity": told.severity.label, "sent_at": format_time(told.sent_at)}
    )


def told_from_json(text: str, receipt: str = "{}") -> Told:
    doc: Doc = json.loads(text)
    return Told(
        firing=frozenset(doc.get("firing") or ()),
        severity=Severity.parse(doc["severity"]),
        sent_at=parse_time(doc["sent_at"]),
        receipt=receipt_from_json(receipt),
    )


def receipt_to_json(receipt: Mapping[str, str]) -> str:
    return _dumps(dict(receipt))


def receipt_from_json(text: str | None) -> dict[str, str]:
    doc = json.loads(text) if text else {}
    return {str(k): str(v) for k, v in doc.items()} if isinstance(doc, dict) else {}


def message_to_json(message: GroupNotification) -> str:
    """Without the receipt: a send reads the group's current receipt when it is claimed."""
    return _dumps(
        {
            "group_key": message.group_key,
            "route": message.route,
            "notifier": message.notifier,
            "reason": message.reason,
            "status": message.status,
            "severity": message.severity.label,
            "title": message.title,
            "firing": [alert_to_dict(a) for a in message.firing],
            "resolved": [alert_to_dict(a) for a in message.resolved],
            "related": [alert_to_dict(a) for a in message.related],
            "firing_total": message.firing_total,
            "resolved_total": message.resolved_total,
            "related_total": message.related_total,
            "alert_keys": sorted(message.alert_keys),
        }
    )


def message_from_json(text: str, receipt: Mapping[str, str] | None = None) -> GroupNotification:
    doc: Doc = json.loads(text)
    return GroupNotification(
        group_key=doc["group_key"],
        route=int(doc.get("route", 0)),
        notifier=doc["notifier"],
        reason=doc["reason"],
        status=doc["status"],
        severity=Severity.parse(doc["severity"]),
        title=doc["title"],
        firing=tuple(alert_from_dict(a) for a in doc.get("firing") or ()),
        resolved=tuple(alert_from_dict(a) for a in doc.get("resolved") or ()),
        related=tuple(alert_from_dict(a) for a in doc.get("related") or ()),
        firing_total=int(doc.get("firing_total", 0)),
        resolved_total=int(doc.get("resolved_total", 0)),
        related_total=int(doc.get("related_total", 0)),
        alert_keys=frozenset(doc.get("alert_keys") or ()),
        receipt=dict(receipt or {}),
    )


def legacy_message(event: Event, notifier: str) -> GroupNotification:
    """A notification queued before alert groups (one event, no body) as the one-alert group it stands for."""
    alert = Alert.from_event(event)
    if event.resolves:
        alert = alert._replace(resolved_at=event.occurred_at)
    firing, resolved = ((), (alert,)) if event.resolves else ((alert,), ())
    return GroupNotification(
        group_key=event.dedup_key,
        route=0,
        notifier=notifier,
        reason="resolved" if event.resolves else "firing",
        status="resolved" if event.resolves else "firing",
        severity=event.severity,
        title=event.title,
        firing=firing,
        resolved=resolved,
        related=(),
        firing_total=len(firing),
        resolved_total=len(resolved),
        related_total=0,
        alert_keys=frozenset(a.key for a in firing),
    )


def _dumps(doc: Doc) -> str:
    # ASCII-only: a lone surrogate from a page's JSON escapes survives instead of failing the commit.
    return json.dumps(doc, separators=(",", ":"), ensure_ascii=True)


def time_or_none(value: datetime | None) -> str | None:
    return None if value is None else format_time(value)


def _parse_time_or_none(text: str | None) -> datetime | None:
    return None if text is None else parse_time(text)


def _component_to_dict(component: ComponentState) -> Doc:
    return {
        "name": component.name,
        "status": component.status.value,
        "group": component.group,
        "pending": None if component.pending is None else component.pending.value,
        "pending_count": component.pending_count,
    }


def _component_from_dict(doc: Doc) -> ComponentState:
    pending = doc.get("pending")
    return ComponentState(
        name=doc["name"],
        status=ComponentStatus(doc["status"]),
        group=doc.get("group"),
        pending=None if pending is None else ComponentStatus(pending),
        pending_count=int(doc.get("pending_count", 0)),
    )


def _incident_to_dict(incident: Incident) -> Doc:
    return {
        "id": incident.id,
        "name": incident.name,
        "status": incident.status.value,
        "impact": incident.impact.value,
        "url": incident.url,
        "started_at": time_or_none(incident.started_at),
        "updated_at": time_or_none(incident.updated_at),
        "latest_update": incident.latest_update,
        "component_ids": list(incident.component_ids),
        "updates": updates_to_list(incident.updates),
        "resolved_at": time_or_none(incident.resolved_at),
    }


def updates_to_list(updates: Sequence[IncidentUpdate]) -> list[Doc]:
    return [{"at": time_or_none(u.at), "status": u.status.value, "text": u.text} for u in updates]


def updates_from_list(docs: Sequence[Doc]) -> tuple[IncidentUpdate, ...]:
    return tuple(
        IncidentUpdate(_parse_time_or_none(d.get("at")), IncidentStatus(d["status"]), d["text"]) for d in docs
    )


def _incident_from_dict(doc: Doc) -> Incident:
    return Incident(
        id=doc["id"],
        name=doc["name"],
        status=IncidentStatus(doc["status"]),
        impact=Impact(doc["impact"]),
        url=doc.get("url"),
        started_at=_parse_time_or_none(doc.get("started_at")),
        updated_at=_parse_time_or_none(doc.get("updated_at")),
        latest_update=doc.get("latest_update"),
        component_ids=tuple(doc.get("component_ids") or ()),
        updates=updates_from_list(doc.get("updates") or ()),
        resolved_at=_parse_time_or_none(doc.get("resolved_at")),
    )


def _maintenance_to_dict(maintenance: Maintenance) -> Doc:
    return {
        "id": maintenance.id,
        "name": maintenance.name,
        "status": maintenance.status.value,
        "url": maintenance.url,
        "scheduled_for": time_or_none(maintenance.scheduled_for),
        "scheduled_until": time_or_none(maintenance.scheduled_until),
        "latest_update": maintenance.latest_update,
        "component_ids": list(maintenance.component_ids),
    }


def _maintenance_from_dict(doc: Doc) -> Maintenance:
    return Maintenance(
        id=doc["id"],
        name=doc["name"],
        status=MaintenanceStatus(doc["status"]),
        url=doc.get("url"),
        scheduled_for=_parse_time_or_none(doc.get("scheduled_for")),
        scheduled_until=_parse_time_or_none(doc.get("scheduled_until")),
        latest_update=doc.get("latest_update"),
        component_ids=tuple(doc.get("component_ids") or ()),
    )
