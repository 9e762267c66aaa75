"""FireHydrant-hosted status pages: `<url>/data/payload.json` (the page's own data feed).

One document carries the page: `config.companyName`, `conditions` (the page's condition labels ->
OPERATIONAL / DEGRADED / OFFLINE), `components` (id and name only: no current state) and
`incidents`, the whole history. Choices, since the feed leaves them open:
- An incident is open while it has no `timestamps.resolved`. Resolved history (unbounded: hundreds
  of entries) is skipped unread; the engine resolves what disappears, so only open items are tracked.
- A component's status is the gravest condition that open incidents put on it, named by id in the
  incident's `components` [{id, name, condition}] or by name in `componentConditions` {name: label};
  labels go through the page's own `conditions` table (a raw OPERATIONAL/DEGRADED/OFFLINE is read too).
  OPERATIONAL -> operational, DEGRADED -> degraded_performance, OFFLINE -> major_outage; a component
  no open incident names is operational.
- An open incident with `severitySlug` MAINTENANCE is a maintenance in progress (the feed has no
  planned window), and its components read under_maintenance rather than their condition.
- Incident impact: the gravest condition on its components (DEGRADED minor, OFFLINE critical), else
  the severity (SEV1 critical, SEV2 major, SEV3..SEV5 minor; UNSET unknown; a custom slug unknown
  with a warning).
- Open incident status: the newest lifecycle milestone in `timestamps` (investigating; identified;
  mitigated or monitoring -> monitoring); investigating when none is set yet. The latest update is
  the newest timeline note (`details.note`, a string, or `{note: ...}` on bulk impact updates);
  milestone-only entries carry no text.
- The page's indicator is the gravest open impact (maintenance while only a maintenance is open, none
  when nothing is); its description is `config.operationalMessage` while no incident is open.

History: the same payload is what a first sight backfills from (`parse_firehydrant_history`): every
incident, resolved ones at `timestamps.resolved`, its timeline the notes, each with the milestone the
incident had reached by then (investigating before any; unknown when the note's time is unreadable).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, Literal

from monitor.errors import ParseError
from monitor.fetch import HttpClient, NotModified
from monitor.model import (
    Component,
    ComponentStatus,
    Impact,
    Incident,
    IncidentStatus,
    IncidentUpdate,
    Maintenance,
    MaintenanceStatus,
    Snapshot,
)
from monitor.sources.base import Source, SourceConfig
from monitor.sources.reader import (
    EARLIEST,
    Reader,
    expect_object,
    json_type,
    plain_text,
    quote,
    text,
    timeline,
)
from monitor.sources.vendor import worst_impact, worst_status

PAYLOAD_PATH = "/data/payload.json"
MAINTENANCE_SEVERITY = "maintenance"

CONDITION_STATUS = {
    "operational": ComponentStatus.OPERATIONAL,
    "degraded": ComponentStatus.DEGRADED_PERFORMANCE,
    "offline": ComponentStatus.MAJOR_OUTAGE,
}
CONDITION_IMPACT = {
    ComponentStatus.OPERATIONAL: Impact.NONE,
    ComponentStatus.DEGRADED_PERFORMANCE: Impact.MINOR,
    ComponentStatus.MAJOR_OUTAGE: Impact.CRITICAL,
    ComponentStatus.UNDER_MAINTENANCE: Impact.MAINTENANCE,
    ComponentStatus.UNKNOWN: Impact.UNKNOWN,
}
SEVERITY_IMPACT = {
    "sev1": Impact.CRITICAL,
    "sev2": Impact.MAJOR,
    "sev3": Impact.MINOR,
    "sev4": Impact.MINOR,
    "sev5": Impact.MINOR,
    MAINTENANCE_SEVERITY: Impact.MAINTENANCE,
}
MILESTONE_STATUS = {  # `timestamps` keys that say where an incident is
    "investigating": IncidentStatus.INVESTIGATING,
    "identified": IncidentStatus.IDENTIFIED,
    "mitigated": IncidentStatus.MONITORING,
    "monitoring": IncidentStatus.MONITORING,
    "resolved": IncidentStatus.RESOLVED,
}


class FirehydrantConfig(SourceConfig):
    type: Literal["firehydrant"]


class FirehydrantSource(Source):
    type_name = "firehydrant"
    Config = FirehydrantConfig
    detect_order = 55  # custom domains: probed by path, after the formats with a stronger tell

    async def fetch(self, http: HttpClient, timeout: float) -> Snapshot | NotModified:
        return await self._get_api_json(http, PAYLOAD_PATH, timeout, parse_firehydrant)

    async def history(self, http: HttpClient, timeout: float) -> tuple[Incident, ...]:
        return await self._get_history(http, PAYLOAD_PATH, timeout, parse_firehydrant_history)


def parse_firehydrant(doc: Any, page_url: str) -> Snapshot:
    """Normalize a decoded `/data/payload.json` document; `page_url` is where people read the page."""
    payload = _payload(doc)
    return _FirehydrantReader(page_url, payload["conditions"]).read(payload)


def parse_firehydrant_history(doc: Any, page_url: str) -> tuple[Incident, ...]:
    """Every incident of a decoded payload, resolved ones included, each with its timeline; maintenances
    and unreadable entries are skipped."""
    payload = _payload(doc)
    reader = _FirehydrantReader(page_url, payload["conditions"])
    entries = reader.items(payload["incidents"], "incidents")
    found = (reader.incident(item) for item in entries if not _is_maintenance(item))
    return tuple(incident for incident in found if incident is not None)


def _payload(doc: Any) -> dict[str, Any]:
    payload = expect_object(doc, "a FireHydrant status payload")
    for key, kind in (("config", dict), ("conditions", dict), ("components", list), ("incidents", list)):
        if not isinstance(payload.get(key), kind):  # a lost incident list must not read as all resolved
            raise ParseError(f"not a FireHydrant status payload: '{key}' is {json_type(payload.get(key))}")
    return payload


class _FirehydrantReader(Reader):
    def __init__(self, page_url: str, conditions: dict[str, Any]) -> None:
        super().__init__(epochs=False)  # FireHydrant writes ISO 8601
        self.page_url = page_url
        self.labels = {label.strip().lower(): kind for label, kind in conditions.items()}
        # component id or name -> statuses open items put on it
        self.marks: dict[str, list[ComponentStatus]] = {}

    def read(self, payload: dict[str, Any]) -> Snapshot:
        # The history is unbounded (hundreds of incidents): closed ones are skipped unread, so an old
        # malformed entry neither fails the page nor floods it with warnings; all else is tracked.
        unresolved = [item for item in payload["incidents"] if not _resolved(item)]
        items = self.tracked(unresolved, "incidents", self._item)
        incidents = tuple(i for i in items if isinstance(i, Incident))
        maintenances = tuple(m for m in items if isinstance(m, Maintenance))
        components = self._components(payload["components"])
        config: dict[str, Any] = payload["config"]
        message = config.get("operationalMessage")
        return Snapshot(
            page_url=self.page_url,
            components=components,
            incidents=incidents,
            maintenances=maintenances,
            indicator=worst_impact(
                [i.impact for i in incidents] + [Impact.MAINTENANCE for _ in maintenances]
            ),
            description=message if isinstance(message, str) and not incidents else None,
            warnings=tuple(self.warnings),
        )

    def _components(self, value: list[Any]) -> tuple[Component, ...]:
        components: dict[str, Component] = {}
        for item in self.items(value, "components"):
            found = self.identify(item, "component")
            if found is None:
                continue
            component_id, name = found
            if component_id in components:
                self.warn(f"component id {quote(component_id)} appears twice; kept the first")
                continue
            marks = self.marks.get(component_id, []) + self.marks.get(name, [])
            components[component_id] = Component(component_id, name, worst_status(marks))
        if not components:
            raise ParseError("not a FireHydrant status payload: no readable component in 'components'")
        return tuple(components.values())

    def _item(self, item: dict[str, Any]) -> Incident | Maintenance | None:
        """An open incident, or a maintenance in progress; None (failing the page) when it has no id."""
        if not _is_maintenance(item):
            return self.incident(item)
        found = self.identify(item, "incident", name_key="title")
        if found is None:
            return None
        incident_id, name = found
        what = f"incident {quote(name)}"
        conditions = self._conditions(item, what)
        for key, _ in conditions:
            self.marks.setdefault(key, []).append(ComponentStatus.UNDER_MAINTENANCE)
        notes = self._notes(item, what)
        return Maintenance(
            id=incident_id,
            name=name,
            status=MaintenanceStatus.IN_PROGRESS,
            url=self.page_url,
            scheduled_for=self.time(self._stamps(item, what).get("started"), what, "timestamps.started"),
            latest_update=_latest(notes),
            component_ids=tuple(dict.fromkeys(key for key, _ in conditions)),
        )

    def incident(self, item: dict[str, Any]) -> Incident | None:
        """An incident, open or resolved, with its timeline; None when it has no id."""
        found = self.identify(item, "incident", name_key="title")
        if found is None:
            return None
        incident_id, name = found
        what = f"incident {quote(name)}"
        stamps = self._stamps(item, what)
        conditions = self._conditions(item, what)
        for key, status in conditions:
            self.marks.setdefault(key, []).append(status)
        notes = self._notes(item, what)
        milestones = self._milestones(stamps, what)
        return Incident(
            id=incident_id,
            name=name,
            status=_reached(milestones),
            impact=self._impact(conditions, item.get("severitySlug"), what),
            url=self.page_url,
            started_at=self.time(stamps.get("started") or stamps.get("detected"), what, "timestamps.started"),
            updated_at=notes[-1][0] if notes else None,
            latest_update=_latest(notes),
            component_ids=tuple(dict.fromkeys(key for key, _ in conditions)),
            updates=timeline(
                IncidentUpdate(at, _reached(milestones, at) if at else IncidentStatus.UNKNOWN, note)
                for at, note in notes
                if note is not None
            ),
            resolved_at=next((at for at, status in milestones if status is IncidentStatus.RESOLVED), None),
        )

    def _stamps(self, item: dict[str, Any], what: str) -> dict[str, Any]:
        stamps = item.get("timestamps")
        if not isinstance(stamps, dict) or not stamps:
            self.warn(f"{what} has no timestamps")
            return {}
        return stamps

    def _conditions(self, item: dict[str, Any], what: str) -> list[tuple[str, ComponentStatus]]:
        """(component id or name, status) for each component the incident names."""
        named: list[tuple[str, ComponentStatus]] = []
        ids: set[str] = set()
        for entry in self.items(item.get("components"), f"{what} components"):
            key = text(entry.get("id")) or text(entry.get("name"))
            if key is None:
                self.warn(f"{what} names a component without id or name")
                continue
            ids.update(filter(None, (text(entry.get("id")), text(entry.get("name")))))
            named.append((key, self._condition(entry.get("condition"), what)))
        by_name = item.get("componentConditions")
        if by_name is not None and not isinstance(by_name, dict):
            self.warn(f"{what} componentConditions is {json_type(by_name)}, not an object")
        elif by_name:
            named += [(n, self._condition(c, what)) for n, c in by_name.items() if n and n not in ids]
        return named

    def _condition(self, label: Any, what: str) -> ComponentStatus:
        kind = self.labels.get(label.strip().lower(), label) if isinstance(label, str) else label
        return self.mapped(CONDITION_STATUS, kind, what, "condition")

    def _milestones(self, stamps: dict[str, Any], what: str) -> list[tuple[datetime, IncidentStatus]]:
        """(time, status) of each lifecycle milestone the incident reached, in time order."""
        reached = [
            (when, status)
            for key, status in MILESTONE_STATUS.items()
            if (when := self.time(stamps.get(key), what, f"timestamps.{key}")) is not None
        ]
        return sorted(reached, key=lambda pair: pair[0])

    def _impact(self, conditions: Iterable[tuple[str, ComponentStatus]], severity: Any, what: str) -> Impact:
        impacts = [CONDITION_IMPACT.get(status, Impact.UNKNOWN) for _, status in conditions]
        if impacts:
            return worst_impact(impacts)
        if isinstance(severity, str) and severity.strip().lower() == "unset":
            return Impact.UNKNOWN  # the page says it has not set one: no warning
        return self.mapped(SEVERITY_IMPACT, severity, what, "severitySlug")

    def _notes(self, item: dict[str, Any], what: str) -> list[tuple[datetime | None, str | None]]:
        """(time, note) of each timeline entry, oldest first; milestone-only entries have no note."""
        entries = [
            (
                self.time(entry.get("occurredAt") or entry.get("time"), f"{what} timeline", "occurredAt"),
                _note(entry),
            )
            for entry in self.items(item.get("timeline"), f"{what} timeline")
        ]
        return sorted(entries, key=lambda pair: pair[0] or EARLIEST)


def _reached(milestones: list[tuple[datetime, IncidentStatus]], by: datetime | None = None) -> IncidentStatus:
    """The status of the latest milestone reached (by `by`, when given); investigating before any."""
    reached = [status for when, status in milestones if by is None or when <= by]
    return reached[-1] if reached else IncidentStatus.INVESTIGATING


def _latest(notes: list[tuple[datetime | None, str | None]]) -> str | None:
    """The newest note's text."""
    return next((note for _, note in reversed(notes) if note), None)


def _is_maintenance(item: dict[str, Any]) -> bool:
    severity = item.get("severitySlug")
    return isinstance(severity, str) and severity.strip().lower() == MAINTENANCE_SEVERITY


def _resolved(item: Any) -> bool:
    """Whether a history entry is closed: an object whose timestamps name a resolved time."""
    stamps = item.get("timestamps") if isinstance(item, dict) else None
    return isinstance(stamps, dict) and stamps.get("resolved") not in (None, "")


def _note(entry: dict[str, Any]) -> str | None:
    details = entry.get("details")
    note = details.get("note") if isinstance(details, dict) else None
    if isinstance(note, dict):
        note = note.get("note")
    return (plain_text(note) or None) if isinstance(note, str) else None
