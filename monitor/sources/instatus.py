"""Instatus: `<url>/summary.json` (page status, open incidents and maintenances) and
`<url>/v2/components.json` (component statuses), read together as one page.

`activeIncidents` and `activeMaintenances` are absent when empty (a healthy page sends only `page`),
so their absence is not an error; the `page` object with its status word is what proves the format.
Vocabulary: components and incident impacts use OPERATIONAL, UNDERMAINTENANCE, DEGRADEDPERFORMANCE,
PARTIALOUTAGE, MINOROUTAGE, MAJOROUTAGE. MINOROUTAGE reads as a partial outage (Instatus ranks it
between degraded performance and a major outage, as Statuspage ranks partial outage). The page's
UP / HASISSUES / UNDERMAINTENANCE become the indicator none / minor / maintenance (HASISSUES says
nothing of severity; the components and incidents carry it).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Literal

from monitor.errors import ParseError
from monitor.fetch import HttpClient, NotModified
from monitor.model import (
    Component,
    ComponentStatus,
    Impact,
    Incident,
    IncidentStatus,
    Maintenance,
    MaintenanceStatus,
    Snapshot,
)
from monitor.sources.base import Source, SourceConfig, page_of
from monitor.sources.reader import Reader, expect_object, json_type, link, quote, text

SUMMARY_PATH = "/summary.json"
COMPONENTS_PATH = "/v2/components.json"

COMPONENT_STATUS: dict[Any, ComponentStatus] = {
    "operational": ComponentStatus.OPERATIONAL,
    "undermaintenance": ComponentStatus.UNDER_MAINTENANCE,
    "degradedperformance": ComponentStatus.DEGRADED_PERFORMANCE,
    "partialoutage": ComponentStatus.PARTIAL_OUTAGE,
    "minoroutage": ComponentStatus.PARTIAL_OUTAGE,
    "majoroutage": ComponentStatus.MAJOR_OUTAGE,
}
IMPACT: dict[Any, Impact] = {
    "operational": Impact.NONE,
    "undermaintenance": Impact.MAINTENANCE,
    "degradedperformance": Impact.MINOR,
    "partialoutage": Impact.MAJOR,
    "minoroutage": Impact.MAJOR,
    "majoroutage": Impact.CRITICAL,
}
PAGE_STATUS: dict[Any, Impact] = {
    "up": Impact.NONE,
    "hasissues": Impact.MINOR,
    "undermaintenance": Impact.MAINTENANCE,
}
INCIDENT_STATUS: dict[Any, IncidentStatus] = {
    "investigating": IncidentStatus.INVESTIGATING,
    "identified": IncidentStatus.IDENTIFIED,
    "monitoring": IncidentStatus.MONITORING,
    "resolved": IncidentStatus.RESOLVED,
}
MAINTENANCE_STATUS: dict[Any, MaintenanceStatus] = {
    "notstartedyet": MaintenanceStatus.SCHEDULED,
    "inprogress": MaintenanceStatus.IN_PROGRESS,
    "completed": MaintenanceStatus.COMPLETED,
}


class InstatusConfig(SourceConfig):
    type: Literal["instatus"]


class InstatusSource(Source):
    type_name = "instatus"
    Config = InstatusConfig
    detect_order = 30

    async def fetch(self, http: HttpClient, timeout: float) -> Snapshot | NotModified:
        base = self.config.url.rstrip("/")
        return await self._get_documents(
            http, [base + SUMMARY_PATH, base + COMPONENTS_PATH], timeout, _parse_fetched
        )


def _parse_fetched(docs: list[Any], final_url: str) -> Snapshot:
    summary, components = docs
    return parse_instatus(summary, components, page_of(final_url, SUMMARY_PATH))


def parse_instatus(summary: Any, components: Any, page_url: str) -> Snapshot:
    """Normalize a decoded summary.json and v2/components.json; `page_url` is the page itself."""
    summary = expect_object(summary, "an Instatus summary")
    if not isinstance(summary.get("page"), dict) or "status" not in summary["page"]:
        raise ParseError("not an Instatus summary: no 'page' object with a 'status'")
    components = expect_object(components, "Instatus components")
    if not isinstance(components.get("components"), list):
        found = json_type(components.get("components"))
        raise ParseError(f"not Instatus components: 'components' is {found}, not a list")
    return _InstatusReader(page_url).read(summary, components["components"])


class _InstatusReader(Reader):
    def __init__(self, page_url: str) -> None:
        super().__init__(epochs=False)
        self.page_url = page_url

    def read(self, summary: dict[str, Any], components: list[Any]) -> Snapshot:
        page: dict[str, Any] = summary["page"]
        word = page.get("status")
        return Snapshot(
            page_url=self.page_url,
            components=self.components(self.items(components, "components"), "component", self._component),
            incidents=self.tracked(summary.get("activeIncidents"), "activeIncidents", self._incident),
            maintenances=self.tracked(
                summary.get("activeMaintenances"), "activeMaintenances", self._maintenance
            ),
            indicator=self.mapped(PAGE_STATUS, word, "page", "status"),
            description=word if isinstance(word, str) else None,
            warnings=tuple(self.warnings),
        )

    def _component(self, item: dict[str, Any], component_id: str, name: str) -> Component:
        group = item.get("group")
        group_name = text(group.get("name")) if isinstance(group, dict) else text(group)
        status = self.mapped(COMPONENT_STATUS, item.get("status"), f"component {quote(name)}", "status")
        return Component(id=component_id, name=name, status=status, group=group_name)

    def _incident(self, item: dict[str, Any]) -> Incident | None:
        found = self.identify(_with_id(item), "incident")
        if found is None:
            return None
        incident_id, name = found
        what = f"incident {quote(name)}"
        return Incident(
            id=incident_id,
            name=name,
            status=self.mapped(INCIDENT_STATUS, item.get("status"), what, "status"),
            impact=self.mapped(IMPACT, item.get("impact"), what, "impact"),
            url=link(item.get("url")) or self.page_url,
            started_at=self.time(item.get("started"), what, "started"),
            updated_at=self.time(item.get("updatedAt"), what, "updatedAt"),
        )

    def _maintenance(self, item: dict[str, Any]) -> Maintenance | None:
        found = self.identify(_with_id(item), "maintenance")
        if found is None:
            return None
        maintenance_id, name = found
        what = f"maintenance {quote(name)}"
        start = self.time(item.get("start"), what, "start")
        return Maintenance(
            id=maintenance_id,
            name=name,
            status=self.mapped(MAINTENANCE_STATUS, item.get("status"), what, "status"),
            url=link(item.get("url")) or self.page_url,
            scheduled_for=start,
            scheduled_until=self._end(start, item.get("duration"), what),
        )

    def _end(self, start: datetime | None, duration: Any, what: str) -> datetime | None:
        """`start` plus `duration` minutes (Instatus writes the number as a string)."""
        if start is None or duration is None:
            return None
        try:
            minutes = float(duration)
            return start + timedelta(minutes=minutes)
        except (TypeError, ValueError, OverflowError):
            self.warn(f"{what} has unreadable duration {quote(duration)}")
            return None


def _with_id(item: dict[str, Any]) -> dict[str, Any]:
    """An item whose id is missing is known by its link, which Instatus keeps stable."""
    return item if text(item.get("id")) is not None else {**item, "id": link(item.get("url"))}
