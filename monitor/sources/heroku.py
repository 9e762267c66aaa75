"""Heroku: `<url>/api/v4/current-status` (default https://status.heroku.com); `<url>/api/v4/incidents`
(the recent incidents, resolved ones included, as the same records) for a first sight's backfill.

A fixed-host format rather than a guessed one: this API is Heroku's own status application, no
other page serves it, so probing it on every unknown URL during discovery would cost a request
and could only ever match status.heroku.com.

`status` lists Heroku's systems (Apps, Data, Tools) with a colour; each is a component (id: the
system name in lower case). `incidents` are the open incidents and `scheduled` the planned
maintenances, each with `updates` (newest first as served; ordered here by `created_at`).

Colours: green -> operational (impact none), yellow -> degraded_performance (minor), red ->
major_outage (critical), blue -> under_maintenance (maintenance). An incident's impact is the
graver of `status_prod` and `status_dev` on its newest update, its status that update's
`update_type` (issue -> identified); a maintenance is completed once `resolved`, scheduled while
`upcoming`, in progress otherwise. Heroku names no systems on incidents, so they affect all.
An incident is resolved when `resolved` is true or its `state` says resolved (Heroku leaves the flag
false on some resolved records); its updates are the timeline, each at its `update_type`. The history
leaves out planned maintenances (records with a `scheduled` or `maintenance` update).
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
from monitor.sources.base import HISTORY_LIMIT, SourceConfig
from monitor.sources.reader import (
    EARLIEST,
    Reader,
    expect_object,
    json_type,
    link,
    plain_text,
    quote,
    timeline,
)
from monitor.sources.vendor import VendorSource, vendor_url, worst_impact

STATUS_PATH = "/api/v4/current-status"
HISTORY_PATH = "/api/v4/incidents"

COLOR_STATUS = {
    "green": ComponentStatus.OPERATIONAL,
    "yellow": ComponentStatus.DEGRADED_PERFORMANCE,
    "red": ComponentStatus.MAJOR_OUTAGE,
    "blue": ComponentStatus.UNDER_MAINTENANCE,
}
COLOR_IMPACT = {
    "green": Impact.NONE,
    "yellow": Impact.MINOR,
    "red": Impact.CRITICAL,
    "blue": Impact.MAINTENANCE,
}
UPDATE_STATUS = {
    "investigating": IncidentStatus.INVESTIGATING,
    "issue": IncidentStatus.IDENTIFIED,
    "identified": IncidentStatus.IDENTIFIED,
    "update": IncidentStatus.IDENTIFIED,
    "monitoring": IncidentStatus.MONITORING,
    "resolved": IncidentStatus.RESOLVED,
}


class HerokuConfig(SourceConfig):
    type: Literal["heroku"]
    url: str = vendor_url("https://status.heroku.com")


class HerokuSource(VendorSource):
    type_name = "heroku"
    Config = HerokuConfig
    vendor_hosts = frozenset({"status.heroku.com"})

    async def fetch(self, http: HttpClient, timeout: float) -> Snapshot | NotModified:
        return await self._get_api_json(http, STATUS_PATH, timeout, parse_heroku)

    async def history(self, http: HttpClient, timeout: float) -> tuple[Incident, ...]:
        return await self._get_history(
            http, HISTORY_PATH, timeout, parse_heroku_history, query=f"limit={HISTORY_LIMIT}"
        )


def parse_heroku(doc: Any, page_url: str) -> Snapshot:
    """Normalize a decoded current-status document."""
    current = expect_object(doc, "a Heroku current-status document")
    for key in ("status", "incidents", "scheduled"):
        if not isinstance(current.get(key), list):  # a lost incident list must not read as all resolved
            raise ParseError(
                f"not a Heroku current-status document: '{key}' is {json_type(current.get(key))}, not a list"
            )
    return _HerokuReader(page_url).read(current)


def parse_heroku_history(doc: Any, page_url: str) -> tuple[Incident, ...]:
    """Normalize a decoded incidents document (an array of incident records); maintenances and
    unreadable records are skipped."""
    if not isinstance(doc, list):
        raise ParseError(f"not a Heroku incidents document: expected a JSON array, got {json_type(doc)}")
    reader = _HerokuReader(page_url)
    found = (reader.incident(item) for item in reader.items(doc, "incidents") if not _is_maintenance(item))
    return tuple(incident for incident in found if incident is not None)


class _HerokuReader(Reader):
    def __init__(self, page_url: str) -> None:
        super().__init__(epochs=False)  # Heroku writes ISO 8601
        self.page_url = page_url

    def read(self, doc: dict[str, Any]) -> Snapshot:
        systems: list[tuple[Component, Impact]] = []
        for item in self.items(doc["status"], "status"):
            found = self.identify(item, "system", id_key="system", name_key="system")
            if found is not None:
                what = f"system {quote(found[1])}"
                color = item.get("status")
                component = Component(
                    found[0].lower(), found[1], self.mapped(COLOR_STATUS, color, what, "status")
                )
                systems.append((component, self.mapped(COLOR_IMPACT, color, what, "status")))
        if not systems:
            raise ParseError("not a Heroku current-status document: no readable system in 'status'")
        return Snapshot(
            page_url=self.page_url,
            components=tuple(component for component, _ in systems),
            incidents=self.tracked(doc["incidents"], "incidents", self.incident),
            maintenances=self.tracked(doc["scheduled"], "scheduled", self._maintenance),
            indicator=worst_impact(impact for _, impact in systems),
            warnings=tuple(self.warnings),
        )

    def incident(self, item: dict[str, Any]) -> Incident | None:
        found = self.identify(item, "incident", name_key="title")
        if found is None:
            return None
        what = f"incident {quote(found[1])}"
        dated = self._dated(item, what)
        updates = [
            IncidentUpdate(
                at=at,
                status=self.mapped(UPDATE_STATUS, update.get("update_type"), f"{what} update", "update_type"),
                text=_contents(update) or "",
            )
            for at, update in dated
        ]
        newest = _newest(dated)
        state = item.get("state")
        resolved = item.get("resolved") is True or (isinstance(state, str) and state.lower() == "resolved")
        if resolved:
            status = IncidentStatus.RESOLVED
        elif newest is None:
            status = IncidentStatus.INVESTIGATING
        else:
            status = updates[newest].status
        latest = _latest(dated)
        return Incident(
            id=found[0],
            name=found[1],
            status=status,
            impact=self._impact(latest, what),
            url=link(item.get("full_url")) or self.page_url,
            started_at=self.time(item.get("created_at"), what, "created_at"),
            updated_at=self.time(item.get("updated_at"), what, "updated_at"),
            latest_update=_contents(latest),
            updates=timeline(updates),
            resolved_at=self.time(item.get("resolved_at"), what, "resolved_at") if resolved else None,
        )

    def _maintenance(self, item: dict[str, Any]) -> Maintenance | None:
        found = self.identify(item, "maintenance", name_key="title")
        if found is None:
            return None
        what = f"maintenance {quote(found[1])}"
        if item.get("resolved") is True:
            status = MaintenanceStatus.COMPLETED
        elif item.get("upcoming") is True:
            status = MaintenanceStatus.SCHEDULED
        else:
            status = MaintenanceStatus.IN_PROGRESS
        return Maintenance(
            id=found[0],
            name=found[1],
            status=status,
            url=link(item.get("full_url")) or self.page_url,
            latest_update=_contents(_latest(self._dated(item, what))),
        )

    def _dated(self, item: dict[str, Any], what: str) -> _Dated:
        """Each update with its `created_at`, in list order."""
        return [
            (self.time(update.get("created_at"), f"{what} update", "created_at"), update)
            for update in self.items(item.get("updates"), f"{what} updates")
        ]

    def _impact(self, update: dict[str, Any] | None, what: str) -> Impact:
        if update is None:
            self.warn(f"{what} has no updates to read its impact from")
            return Impact.UNKNOWN
        colors = [update.get(key) for key in ("status_prod", "status_dev") if update.get(key) is not None]
        if not colors:
            self.warn(f"{what} has no status_prod")
            return Impact.UNKNOWN
        return worst_impact(self.mapped(COLOR_IMPACT, color, what, "status_prod") for color in colors)


_Dated = list[tuple[datetime | None, dict[str, Any]]]  # updates with their times


def _newest(dated: _Dated) -> int | None:
    """The index of the newest update (unreadable times rank last; list order breaks ties)."""
    return max(range(len(dated)), key=lambda i: dated[i][0] or EARLIEST, default=None)


def _latest(dated: _Dated) -> dict[str, Any] | None:
    """The newest update."""
    newest = _newest(dated)
    return dated[newest][1] if newest is not None else None


def _is_maintenance(item: dict[str, Any]) -> bool:
    """A planned maintenance: Heroku writes its updates as `scheduled` or `maintenance`."""
    updates = item.get("updates")
    return isinstance(updates, list) and any(
        isinstance(update, dict) and update.get("update_type") in ("scheduled", "maintenance")
        for update in updates
    )


def _contents(update: dict[str, Any] | None) -> str | None:
    body = update.get("contents") if update is not None else None
    return (plain_text(body) or None) if isinstance(body, str) else None
