"""Better Stack (formerly Better Uptime) status pages: `<page>/index.json`, a JSON:API document.

`data` is the `status_page` (its `aggregate_state` is the page's own reading); `included` holds the
`status_page_section`s (a resource's group), the `status_page_resource`s (our components) and the
`status_report`s with their `status_update`s. Choices:
- Resource and page states: operational, degraded (degraded performance), downtime (a major outage
  for a resource; a major indicator for the page, since one resource down is not every one),
  maintenance. `recovered` (seen in status histories) reads as operational.
- A report whose `aggregate_state` is `resolved` is over and left out (absent reads as resolved).
  An open `maintenance` report is a maintenance, in progress while its state says `maintenance`,
  scheduled otherwise; any other open report is an incident (Better Stack has no investigating /
  identified steps, so it reads as investigating) whose impact follows its state.
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
    Maintenance,
    MaintenanceStatus,
    Snapshot,
)
from monitor.sources.base import Source, SourceConfig
from monitor.sources.reader import EARLIEST, Reader, expect_object, json_type, plain_text, quote, text

INDEX_PATH = "/index.json"

COMPONENT_STATUS: dict[Any, ComponentStatus] = {
    "operational": ComponentStatus.OPERATIONAL,
    "recovered": ComponentStatus.OPERATIONAL,
    "degraded": ComponentStatus.DEGRADED_PERFORMANCE,
    "downtime": ComponentStatus.MAJOR_OUTAGE,
    "maintenance": ComponentStatus.UNDER_MAINTENANCE,
}
IMPACT: dict[Any, Impact] = {
    "operational": Impact.NONE,
    "resolved": Impact.NONE,
    "degraded": Impact.MINOR,
    "downtime": Impact.MAJOR,
    "maintenance": Impact.MAINTENANCE,
}


class BetterstackConfig(SourceConfig):
    type: Literal["betterstack"]


class BetterstackSource(Source):
    type_name = "betterstack"
    Config = BetterstackConfig
    detect_order = 40

    async def fetch(self, http: HttpClient, timeout: float) -> Snapshot | NotModified:
        return await self._get_api_json(http, INDEX_PATH, timeout, parse_betterstack)


def parse_betterstack(doc: Any, page_url: str) -> Snapshot:
    """Normalize a decoded index.json; `page_url` is the page itself."""
    doc = expect_object(doc, "a Better Stack status page")
    data = doc.get("data")
    if not isinstance(data, dict) or data.get("type") != "status_page":
        raise ParseError("not a Better Stack status page: 'data' is not a status_page")
    if not isinstance(data.get("attributes"), dict):
        raise ParseError("not a Better Stack status page: the status_page has no attributes")
    if not isinstance(doc.get("included"), list):  # no list: no reports either, which would resolve all
        raise ParseError(f"not a Better Stack status page: 'included' is {json_type(doc.get('included'))}")
    return _BetterstackReader(page_url).read(data["attributes"], doc["included"])


class _BetterstackReader(Reader):
    def __init__(self, page_url: str) -> None:
        super().__init__(epochs=False)
        self.page_url = page_url
        self.updates: dict[str | None, dict[str, Any]] = {}

    def read(self, page: dict[str, Any], included: list[Any]) -> Snapshot:
        by_type: dict[str, list[dict[str, Any]]] = {}
        for item in self.items(included, "included"):
            kind = item.get("type")
            by_type.setdefault(kind if isinstance(kind, str) else "", []).append(item)
        self.updates = {text(u.get("id")): u for u in by_type.get("status_update", [])}
        reports = [r for r in by_type.get("status_report", []) if not self._resolved(r)]
        maintenance = [r for r in reports if _attributes(r).get("report_type") == "maintenance"]
        incidents = [r for r in reports if _attributes(r).get("report_type") != "maintenance"]
        state = page.get("aggregate_state")
        return Snapshot(
            page_url=self.page_url,
            components=self._components(by_type.get("status_page_resource", []), by_type),
            incidents=self.tracked(incidents, "status reports", self._incident),
            maintenances=self.tracked(maintenance, "maintenance reports", self._maintenance),
            indicator=self.mapped(IMPACT, state, "page", "aggregate_state"),
            description=state if isinstance(state, str) else None,
            warnings=tuple(self.warnings),
        )

    def _resolved(self, report: dict[str, Any]) -> bool:
        state = _attributes(report).get("aggregate_state")
        return isinstance(state, str) and state.lower() == "resolved"

    def _components(
        self, resources: list[dict[str, Any]], by_type: dict[str, list[dict[str, Any]]]
    ) -> tuple[Component, ...]:
        sections = {
            text(s.get("id")): text(_attributes(s).get("name"))
            for s in by_type.get("status_page_section", [])
        }

        def component(attributes: dict[str, Any], resource_id: str, name: str) -> Component:
            status = self.mapped(
                COMPONENT_STATUS, attributes.get("status"), f"resource {quote(name)}", "status"
            )
            section = sections.get(text(attributes.get("status_page_section_id")))
            return Component(id=resource_id, name=name, status=status, group=section)

        with_ids = ({**_attributes(r), "id": r.get("id")} for r in resources)
        return self.components(with_ids, "resource", component, name_key="public_name")

    def _report(self, report: dict[str, Any], kind: str) -> tuple[str, str, dict[str, Any]] | None:
        attributes = _attributes(report)
        found = self.identify({**attributes, "id": report.get("id")}, kind, name_key="title")
        return None if found is None else (*found, attributes)

    def _latest_update(self, report: dict[str, Any], what: str) -> tuple[datetime | None, str | None]:
        """(time, text) of the report's newest update."""
        relationships = report.get("relationships")
        linked = relationships.get("status_updates") if isinstance(relationships, dict) else None
        refs = self.items(linked.get("data") if isinstance(linked, dict) else None, f"{what} status_updates")
        updates = [u for u in (self.updates.get(text(ref.get("id"))) for ref in refs) if u is not None]
        if not updates:
            return None, None
        dated = [
            (self.time(_attributes(u).get("published_at"), f"{what} update", "published_at"), u)
            for u in updates
        ]
        at, newest = max(dated, key=lambda pair: pair[0] or EARLIEST)
        message = _attributes(newest).get("message")
        return at, (plain_text(message) or None) if isinstance(message, str) else None

    def _affected(self, attributes: dict[str, Any], what: str) -> tuple[str, ...]:
        ids = (
            text(r.get("status_page_resource_id"))
            for r in self.items(attributes.get("affected_resources"), f"{what} affected_resources")
        )
        return tuple(dict.fromkeys(i for i in ids if i is not None))

    def _incident(self, report: dict[str, Any]) -> Incident | None:
        found = self._report(report, "status report")
        if found is None:
            return None
        report_id, name, attributes = found
        what = f"status report {quote(name)}"
        updated_at, latest = self._latest_update(report, what)
        return Incident(
            id=report_id,
            name=name,
            status=IncidentStatus.INVESTIGATING,
            impact=self.mapped(IMPACT, attributes.get("aggregate_state"), what, "aggregate_state"),
            url=self.page_url,
            started_at=self.time(attributes.get("starts_at"), what, "starts_at"),
            updated_at=updated_at,
            latest_update=latest,
            component_ids=self._affected(attributes, what),
        )

    def _maintenance(self, report: dict[str, Any]) -> Maintenance | None:
        found = self._report(report, "maintenance report")
        if found is None:
            return None
        report_id, name, attributes = found
        what = f"maintenance report {quote(name)}"
        state = attributes.get("aggregate_state")
        in_progress = isinstance(state, str) and state.lower() == "maintenance"
        return Maintenance(
            id=report_id,
            name=name,
            status=MaintenanceStatus.IN_PROGRESS if in_progress else MaintenanceStatus.SCHEDULED,
            url=self.page_url,
            scheduled_for=self.time(attributes.get("starts_at"), what, "starts_at"),
            scheduled_until=self.time(attributes.get("ends_at"), what, "ends_at"),
            latest_update=self._latest_update(report, what)[1],
            component_ids=self._affected(attributes, what),
        )


def _attributes(item: dict[str, Any]) -> dict[str, Any]:
    attributes = item.get("attributes")
    return attributes if isinstance(attributes, dict) else {}
