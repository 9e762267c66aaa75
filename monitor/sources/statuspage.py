"""Atlassian Statuspage (and compatible pages such as incident.io's): `<url>/api/v2/summary.json`.

`parse_summary` is pure so it can be tested on captured payloads. It is lenient inside items (an
unknown status becomes UNKNOWN plus a warning, a bad time becomes None plus a warning) and strict
about the document itself: anything that is not a summary is a `ParseError`, never an empty,
"operational" snapshot.
"""

from __future__ import annotations

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
    json_type,
    known_values,
    link,
    plain_text,
    quote,
    text,
    timeline,
)

SUMMARY_PATH = "/api/v2/summary.json"
HISTORY_PATH = (
    "/api/v2/incidents.json"  # the last 50 incidents, resolved ones included, each with its updates
)

_Update = tuple[datetime | None, dict[str, Any]]  # an update with the time it is shown at


class StatuspageConfig(SourceConfig):
    type: Literal["statuspage"]


class StatuspageSource(Source):
    type_name = "statuspage"
    Config = StatuspageConfig
    detect_order = 20  # after incident.io, whose pages answer this path too

    async def fetch(self, http: HttpClient, timeout: float) -> Snapshot | NotModified:
        return await self._get_api_json(http, SUMMARY_PATH, timeout, parse_summary)

    async def history(self, http: HttpClient, timeout: float) -> tuple[Incident, ...]:
        return await self._get_history(http, HISTORY_PATH, timeout, parse_incidents)


# The statuses a component may have, and incident.io's word for a major outage.
_COMPONENT_STATUSES = {**known_values(ComponentStatus), "full_outage": ComponentStatus.MAJOR_OUTAGE}


def parse_summary(doc: Any, page_url: str, *, null_is_empty: bool = False) -> Snapshot:
    """Normalize a decoded summary.json; `page_url` is the page itself, used when an item has no link.

    Atlassian writes every list, empty or not, so a null incident or maintenance list is a page that
    cannot say which are open: refused, or it would resolve every open one. incident.io's copy of the
    format writes null for an empty list: its reader passes `null_is_empty`.
    """
    _check_is_summary(doc)
    if not null_is_empty:
        for key in ("incidents", "scheduled_maintenances"):
            if doc[key] is None:
                raise ParseError(f"Statuspage summary: '{key}' is null, so which are open is unknown")
    return _SummaryReader(page_url).read(doc)


def parse_incidents(doc: Any, page_url: str) -> tuple[Incident, ...]:
    """Normalize a decoded incidents.json (the page's recent history); unreadable entries are skipped."""
    if not isinstance(doc, dict) or not isinstance(doc.get("incidents"), list):
        raise ParseError("not a Statuspage incident list: no 'incidents' list")
    reader = _SummaryReader(page_url)
    found = (reader.incident(item) for item in reader.items(doc["incidents"], "incidents"))
    return tuple(incident for incident in found if incident is not None)


def _check_is_summary(doc: Any) -> None:
    if not isinstance(doc, dict):
        raise ParseError(f"not a Statuspage summary: expected a JSON object, got {json_type(doc)}")
    if not isinstance(doc.get("page"), dict) and not isinstance(doc.get("status"), dict):
        raise ParseError("not a Statuspage summary: neither a 'page' nor a 'status' object")
    for key in ("components", "incidents", "scheduled_maintenances"):
        if key not in doc:  # a page that lost its incident list must not read as "all incidents resolved"
            raise ParseError(f"not a Statuspage summary: no '{key}' list")
        value = doc[key]
        if value is not None and not isinstance(value, list):  # null: incident.io's empty list
            raise ParseError(f"not a Statuspage summary: '{key}' is {json_type(value)}, not a list")


class _SummaryReader(Reader):
    """One parse of one summary."""

    def __init__(self, page_url: str) -> None:
        super().__init__(epochs=False)  # Statuspage writes ISO 8601 only
        self.page_url = page_url

    def read(self, doc: dict[str, Any]) -> Snapshot:
        indicator, description = self._page_status(doc.get("status"))
        components = self._components(doc.get("components"))
        incidents = self.tracked(doc.get("incidents"), "incidents", self.incident)
        maintenances = self.tracked(
            doc.get("scheduled_maintenances"), "scheduled_maintenances", self._maintenance
        )
        return Snapshot(
            page_url=self.page_url,
            components=components,
            incidents=incidents,
            maintenances=maintenances,
            indicator=indicator,
            description=description,
            warnings=tuple(self.warnings),
        )

    def _page_status(self, status: Any) -> tuple[Impact, str | None]:
        if not isinstance(status, dict):
            self.warn("summary has no 'status' object")
            return Impact.UNKNOWN, None
        indicator = self.enum(Impact, status.get("indicator"), "page", "indicator")
        description = status.get("description")
        return indicator, description if isinstance(description, str) else None

    def _components(self, value: Any) -> tuple[Component, ...]:
        """Leaf components; `group: true` entries are containers whose name goes into `Component.group`."""
        leaves: list[dict[str, Any]] = []
        group_names: dict[str, str] = {}
        group_of_child: dict[str, str] = {}
        for item in self.items(value, "components"):
            if item.get("group") is not True:
                leaves.append(item)
            elif (group_id := text(item.get("id"))) is not None:
                group_names[group_id] = text(item.get("name")) or group_id
                children = item.get("components")
                for child in children if isinstance(children, list) else ():
                    if isinstance(child, str):
                        group_of_child[child] = group_id

        def component(item: dict[str, Any], component_id: str, name: str) -> Component:
            written_group = item.get("group_id")
            group_id = (text(written_group) if written_group is not None else None) or group_of_child.get(
                component_id
            )
            if group_id is not None and group_id not in group_names:
                what = f"component {quote(name)}"
                self.warn(f"{what} belongs to a group {quote(group_id)} the page does not list")
            written = item.get("status")
            status = _COMPONENT_STATUSES.get(written) if isinstance(written, str) else None
            if status is None:
                status = self.enum(ComponentStatus, written, f"component {quote(name)}", "status")
            group = group_names.get(group_id) if group_id is not None else None
            return Component(component_id, name, status, group)  # positional: keywords cost 40% more

        return self.components(leaves, "component", component)

    def incident(self, item: dict[str, Any]) -> Incident | None:
        found = self.identify(item, "incident")
        if found is None:
            return None
        incident_id, name = found
        what = f"incident {quote(name)}"
        updates = self._updates(item, what)
        return Incident(
            id=incident_id,
            name=name,
            status=self.enum(IncidentStatus, item.get("status"), what, "status"),
            impact=self.enum(Impact, item.get("impact"), what, "impact"),
            url=link(item.get("shortlink")) or self.page_url,
            started_at=self.time(item.get("started_at"), what, "started_at")
            or self.time(item.get("created_at"), what, "created_at"),
            updated_at=self.time(item.get("updated_at"), what, "updated_at"),
            latest_update=_latest_update(updates),
            component_ids=self._component_ids(item, [update for _, update in updates], what),
            updates=self._timeline(updates, what),
            resolved_at=self.time(item.get("resolved_at"), what, "resolved_at"),
        )

    def _maintenance(self, item: dict[str, Any]) -> Maintenance | None:
        found = self.identify(item, "maintenance")
        if found is None:
            return None
        maintenance_id, name = found
        what = f"maintenance {quote(name)}"
        updates = self._updates(item, what)
        return Maintenance(
            id=maintenance_id,
            name=name,
            status=self.enum(MaintenanceStatus, item.get("status"), what, "status"),
            url=link(item.get("shortlink")) or self.page_url,
            scheduled_for=self.time(item.get("scheduled_for"), what, "scheduled_for"),
            scheduled_until=self.time(item.get("scheduled_until"), what, "scheduled_until"),
            latest_update=_latest_update(updates),
            component_ids=self._component_ids(item, [update for _, update in updates], what),
        )

    def _updates(self, item: dict[str, Any], what: str) -> list[_Update]:
        """The item's updates, each with the time it is shown at, read (and warned about) once."""
        return [
            (self._shown_at(update, what), update)
            for update in self.items(item.get("incident_updates"), f"{what} incident_updates")
        ]

    def _shown_at(self, update: dict[str, Any], what: str) -> datetime | None:
        field = "display_at" if update.get("display_at") is not None else "created_at"
        return self.time(update.get(field), f"{what} update", field)

    def _timeline(self, updates: list[_Update], what: str) -> tuple[IncidentUpdate, ...]:
        return timeline(
            IncidentUpdate(
                at=at,
                status=self._update_status(update.get("status"), what),
                text=plain_text(body) if isinstance(body := update.get("body"), str) else "",
            )
            for at, update in updates
        )

    def _update_status(self, value: Any, what: str) -> IncidentStatus:
        """An update's status; one without (older pages, minimal copies) is unknown, not worth a warning."""
        if value is None:
            return IncidentStatus.UNKNOWN
        return self.enum(IncidentStatus, value, f"{what} update", "status")

    def _component_ids(
        self, item: dict[str, Any], updates: list[dict[str, Any]], what: str
    ) -> tuple[str, ...]:
        """Components named on the item, then those the updates list as affected; first mention wins."""
        ids: dict[str, None] = {}
        for component in self.items(item.get("components"), f"{what} components", allow_str=True):
            component_id = text(component.get("id"))
            if component_id is not None:
                ids.setdefault(component_id)
        for update in updates:
            for affected in self.items(update.get("affected_components"), f"{what} affected_components"):
                code = text(affected.get("code"))
                if code is not None:
                    ids.setdefault(code)
        return tuple(ids)


def _latest_update(updates: list[_Update]) -> str | None:
    """The newest update's body; updates without a readable time rank last, list order breaks ties."""
    if not updates:
        return None
    body = max(updates, key=lambda shown: shown[0] or EARLIEST)[1].get("body")
    if not isinstance(body, str):
        return None
    return plain_text(body) or None
