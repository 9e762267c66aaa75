"""Slack: `<url>/api/v2.0.0/current` (default https://slack-status.com); `<url>/api/v2.0.0/history`
(the recent incidents, resolved ones included) for a first sight's backfill.

`status` is "ok" (nothing open) or "active"; `active_incidents` lists what is open, each with a
`type` (incident, notice, outage; maintenance for planned work), a `status`, the `services` it
affects by name, and `notes` (the updates, HTML).

Components: Slack's status page shows a fixed list of services (below). Each is a component whose
id is a slug of its name (`login-sso`), always listed so the set is stable; its status is the
gravest among the open incidents naming it. A service an incident names that is not on the list
becomes a component too, for as long as it is named.

Mapping of `type`: outage -> major_outage (impact critical), incident -> partial_outage (major),
notice -> degraded_performance (minor); maintenance -> a maintenance (under_maintenance).
`status`: active -> investigating (in_progress for maintenance), resolved/completed -> resolved
(completed), scheduled -> scheduled (maintenance only).

An incident's notes are its timeline. A note carries no status of its own: each reads as
investigating, except that the newest note of a resolved incident is the one that resolved it.
"""

from __future__ import annotations

import re
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
from monitor.sources.base import SourceConfig
from monitor.sources.reader import (
    Reader,
    expect_object,
    json_type,
    link,
    plain_text,
    quote,
    timeline,
)
from monitor.sources.vendor import VendorSource, vendor_url, worst_impact, worst_status

CURRENT_PATH = "/api/v2.0.0/current"
HISTORY_PATH = "/api/v2.0.0/history"

SERVICES = (
    "Login/SSO",
    "Connections",
    "Messaging",
    "Files",
    "Notifications",
    "Huddles",
    "Search",
    "Apps/Integrations/APIs",
    "Workspace/Org Administration",
    "Workflows",
    "Canvases",
)
TYPE_STATUS = {
    "outage": ComponentStatus.MAJOR_OUTAGE,
    "incident": ComponentStatus.PARTIAL_OUTAGE,
    "notice": ComponentStatus.DEGRADED_PERFORMANCE,
    "maintenance": ComponentStatus.UNDER_MAINTENANCE,
}
TYPE_IMPACT = {
    "outage": Impact.CRITICAL,
    "incident": Impact.MAJOR,
    "notice": Impact.MINOR,
    "maintenance": Impact.MAINTENANCE,
}
INCIDENT_STATUS = {
    "active": IncidentStatus.INVESTIGATING,
    "resolved": IncidentStatus.RESOLVED,
    "completed": IncidentStatus.RESOLVED,
}
MAINTENANCE_STATUS = {
    "scheduled": MaintenanceStatus.SCHEDULED,
    "active": MaintenanceStatus.IN_PROGRESS,
    "resolved": MaintenanceStatus.COMPLETED,
    "completed": MaintenanceStatus.COMPLETED,
}
PAGE_STATUS = {"ok": Impact.NONE, "active": Impact.MINOR}  # "active": the incidents say how bad

_NOT_SLUG = re.compile(r"[^a-z0-9]+")


class SlackConfig(SourceConfig):
    type: Literal["slack"]
    url: str = vendor_url("https://slack-status.com")


class SlackSource(VendorSource):
    type_name = "slack"
    Config = SlackConfig
    vendor_hosts = frozenset({"slack-status.com"})

    async def fetch(self, http: HttpClient, timeout: float) -> Snapshot | NotModified:
        return await self._get_api_json(http, CURRENT_PATH, timeout, parse_slack)

    async def history(self, http: HttpClient, timeout: float) -> tuple[Incident, ...]:
        return await self._get_history(http, HISTORY_PATH, timeout, parse_slack_history)


def parse_slack(doc: Any, page_url: str) -> Snapshot:
    """Normalize a decoded `current` document."""
    current = expect_object(doc, "a Slack status document")
    if not isinstance(current.get("status"), str):
        raise ParseError("not a Slack status document: no 'status' string")
    active = current.get("active_incidents")
    if active is None and current["status"] != "ok":  # only a healthy answer may leave the list out
        raise ParseError("not a Slack status document: no 'active_incidents' list")
    if active is not None and not isinstance(active, list):
        raise ParseError(f"not a Slack status document: 'active_incidents' is {json_type(active)}")
    return _SlackReader(page_url).read(current["status"], active or [])


def parse_slack_history(doc: Any, page_url: str) -> tuple[Incident, ...]:
    """Normalize a decoded `history` document (an array of incidents); maintenances and unreadable entries
    are skipped."""
    if not isinstance(doc, list):
        raise ParseError(f"not a Slack history document: expected a JSON array, got {json_type(doc)}")
    reader = _SlackReader(page_url)
    found = (reader.incident(entry) for entry in reader.items(doc, "history") if not _is_maintenance(entry))
    return tuple(incident for incident in found if incident is not None)


def slug(name: str) -> str:
    """A stable id from a service name: `Login/SSO` -> `login-sso`."""
    return _NOT_SLUG.sub("-", name.lower()).strip("-") or "service"


class _SlackReader(Reader):
    def __init__(self, page_url: str) -> None:
        super().__init__(epochs=False)  # Slack writes ISO 8601 with offsets
        self.page_url = page_url
        self.effects: dict[str, ComponentStatus] = {}  # incident or maintenance id -> effect on services
        self.names: dict[str, str] = {slug(name): name for name in SERVICES}  # component id -> name

    def read(self, status: str, active: list[Any]) -> Snapshot:
        entries = [entry for entry in active if not (isinstance(entry, dict) and _is_maintenance(entry))]
        planned = [entry for entry in active if isinstance(entry, dict) and _is_maintenance(entry)]
        incidents = self.tracked(entries, "active_incidents", self.incident)
        maintenances = self.tracked(planned, "active_incidents", self._maintenance)
        indicator = self.mapped(PAGE_STATUS, status, "page", "status")
        open_items: list[Incident | Maintenance] = [i for i in incidents if not i.status.is_closed]
        open_items += [m for m in maintenances if m.status.is_active]
        components = tuple(
            Component(
                id=cid,
                name=name,
                status=worst_status(
                    self.effects[item.id] for item in open_items if cid in item.component_ids
                ),
            )
            for cid, name in self.names.items()
        )
        open_impacts = [i.impact for i in incidents if not i.status.is_closed]
        if any(m.status.is_active for m in maintenances):
            open_impacts.append(Impact.MAINTENANCE)
        return Snapshot(
            page_url=self.page_url,
            components=components,
            incidents=incidents,
            maintenances=maintenances,
            indicator=worst_impact(open_impacts) if open_impacts else indicator,
            warnings=tuple(self.warnings),
        )

    def _common(
        self, item: dict[str, Any], kind: str
    ) -> tuple[dict[str, Any], tuple[IncidentUpdate, ...]] | None:
        """What incidents and maintenances share (id, name, link, latest note, services), and the notes."""
        found = self.identify(item, kind, name_key="title")
        if found is None:
            return None
        item_id, name = found
        what = f"{kind} {quote(name)}"
        self.effects[item_id] = self.mapped(TYPE_STATUS, item.get("type"), what, "type")
        notes = self._notes(item, what)
        common = {
            "id": item_id,
            "name": name,
            "url": link(item.get("url")) or self.page_url,
            "latest_update": (notes[-1].text or None) if notes else None,
            "component_ids": self._services(item, what),
        }
        return common, notes

    def incident(self, item: dict[str, Any]) -> Incident | None:
        found = self._common(item, "incident")
        if found is None:
            return None
        common, notes = found
        what = f"incident {quote(common['name'])}"
        status = self.mapped(INCIDENT_STATUS, item.get("status"), what, "status")
        return Incident(
            status=status,
            impact=self.mapped(TYPE_IMPACT, item.get("type"), what, "type"),
            started_at=self.time(item.get("date_created"), what, "date_created"),
            updated_at=self.time(item.get("date_updated"), what, "date_updated"),
            updates=timeline(notes, closed=status.is_closed),
            **common,
        )

    def _maintenance(self, item: dict[str, Any]) -> Maintenance | None:
        found = self._common(item, "maintenance")
        if found is None:
            return None
        common, _ = found
        what = f"maintenance {quote(common['name'])}"
        return Maintenance(
            status=self.mapped(MAINTENANCE_STATUS, item.get("status"), what, "status"),
            **common,
        )

    def _services(self, item: dict[str, Any], what: str) -> tuple[str, ...]:
        services = item.get("services")
        if services is not None and not isinstance(services, list):
            self.warn(f"{what} services is {json_type(services)}, not a list")
        ids: dict[str, None] = {}
        for name in services if isinstance(services, list) else ():
            if isinstance(name, str) and name.strip():
                self.names.setdefault(slug(name), name.strip())
                ids.setdefault(slug(name))
        return tuple(ids)

    def _notes(self, item: dict[str, Any], what: str) -> tuple[IncidentUpdate, ...]:
        """The notes with a body, oldest first (unreadable times first), each as investigating."""
        return timeline(
            IncidentUpdate(
                at=self.time(note.get("date_created"), f"{what} note", "date_created"),
                status=IncidentStatus.INVESTIGATING,
                text=plain_text(body),
            )
            for note in self.items(item.get("notes"), f"{what} notes")
            if isinstance(body := note.get("body"), str)
        )


def _is_maintenance(entry: dict[str, Any]) -> bool:
    kind = entry.get("type")
    return isinstance(kind, str) and kind.strip().lower() == "maintenance"
