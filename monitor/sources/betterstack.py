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
- History: the same document lists resolved reports too (with their updates), which a first sight
  backfills from: each incident report, resolved ones at `ends_at` (null on some: then at their last
  update) with the impact its updates gave its resources, its updates the timeline (investigating;
  the newest of a resolved report resolved).
"""

from __future__ import annotations

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
from monitor.sources.reader import Reader, expect_object, json_type, plain_text, quote, text, timeline
from monitor.sources.vendor import worst_impact

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

    async def history(self, http: HttpClient, timeout: float) -> tuple[Incident, ...]:
        return await self._get_history(http, INDEX_PATH, timeout, parse_betterstack_history)


def parse_betterstack(doc: Any, page_url: str) -> Snapshot:
    """Normalize a decoded index.json; `page_url` is the page itself."""
    page, included = _status_page(doc)
    return _BetterstackReader(page_url).read(page, included)


def parse_betterstack_history(doc: Any, page_url: str) -> tuple[Incident, ...]:
    """The incident reports of a decoded index.json, resolved ones included; maintenance reports and
    unreadable ones are skipped."""
    _, included = _status_page(doc)
    reader = _BetterstackReader(page_url)
    reports = reader.index(included).get("status_report", [])
    found = (reader.incident(r) for r in reports if _attributes(r).get("report_type") != "maintenance")
    return tuple(incident for incident in found if incident is not None)


def _status_page(doc: Any) -> tuple[dict[str, Any], list[Any]]:
    """The status_page's attributes and the `included` list, or a ParseError."""
    doc = expect_object(doc, "a Better Stack status page")
    data = doc.get("data")
    if not isinstance(data, dict) or data.get("type") != "status_page":
        raise ParseError("not a Better Stack status page: 'data' is not a status_page")
    if not isinstance(data.get("attributes"), dict):
        raise ParseError("not a Better Stack status page: the status_page has no attributes")
    if not isinstance(doc.get("included"), list):  # no list: no reports either, which would resolve all
        raise ParseError(f"not a Better Stack status page: 'included' is {json_type(doc.get('included'))}")
    return data["attributes"], doc["included"]


class _BetterstackReader(Reader):
    def __init__(self, page_url: str) -> None:
        super().__init__(epochs=False)
        self.page_url = page_url
        self.updates: dict[str | None, dict[str, Any]] = {}

    def read(self, page: dict[str, Any], included: list[Any]) -> Snapshot:
        by_type = self.index(included)
        reports = [r for r in by_type.get("status_report", []) if not self._resolved(r)]
        maintenance = [r for r in reports if _attributes(r).get("report_type") == "maintenance"]
        incidents = [r for r in reports if _attributes(r).get("report_type") != "maintenance"]
        state = page.get("aggregate_state")
        return Snapshot(
            page_url=self.page_url,
            components=self._components(by_type.get("status_page_resource", []), by_type),
            incidents=self.tracked(incidents, "status reports", self.incident),
            maintenances=self.tracked(maintenance, "maintenance reports", self._maintenance),
            indicator=self.mapped(IMPACT, state, "page", "aggregate_state"),
            description=state if isinstance(state, str) else None,
            warnings=tuple(self.warnings),
        )

    def index(self, included: list[Any]) -> dict[str, list[dict[str, Any]]]:
        """The included items by type; notes the status updates by id in `updates`."""
        by_type: dict[str, list[dict[str, Any]]] = {}
        for item in self.items(included, "included"):
            kind = item.get("type")
            by_type.setdefault(kind if isinstance(kind, str) else "", []).append(item)
        self.updates = {text(u.get("id")): u for u in by_type.get("status_update", [])}
        return by_type

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

    def _linked_updates(self, report: dict[str, Any], what: str) -> list[dict[str, Any]]:
        """The attributes of the report's status updates."""
        relationships = report.get("relationships")
        linked = relationships.get("status_updates") if isinstance(relationships, dict) else None
        refs = self.items(linked.get("data") if isinstance(linked, dict) else None, f"{what} status_updates")
        updates = (self.updates.get(text(ref.get("id"))) for ref in refs)
        return [_attributes(update) for update in updates if update is not None]

    def _timeline(
        self, updates: list[dict[str, Any]], what: str, *, closed: bool = False
    ) -> tuple[IncidentUpdate, ...]:
        return timeline(
            (
                IncidentUpdate(
                    at=self.time(update.get("published_at"), f"{what} update", "published_at"),
                    status=IncidentStatus.INVESTIGATING,
                    text=plain_text(message) if isinstance(message := update.get("message"), str) else "",
                )
                for update in updates
            ),
            closed=closed,
        )

    def _past_impact(self, updates: list[dict[str, Any]], what: str) -> Impact:
        """A resolved report's impact: the gravest status its updates gave its resources."""
        impacts = [
            self.mapped(IMPACT, resource.get("status"), f"{what} update", "affected_resources status")
            for update in updates
            for resource in self.items(update.get("affected_resources"), f"{what} update affected_resources")
        ]
        return worst_impact(impacts) if impacts else Impact.UNKNOWN

    def _affected(self, attributes: dict[str, Any], what: str) -> tuple[str, ...]:
        ids = (
            text(r.get("status_page_resource_id"))
            for r in self.items(attributes.get("affected_resources"), f"{what} affected_resources")
        )
        return tuple(dict.fromkeys(i for i in ids if i is not None))

    def incident(self, report: dict[str, Any]) -> Incident | None:
        found = self._report(report, "status report")
        if found is None:
            return None
        report_id, name, attributes = found
        what = f"status report {quote(name)}"
        resolved = self._resolved(report)
        linked = self._linked_updates(report, what)
        updates = self._timeline(linked, what, closed=resolved)
        return Incident(
            id=report_id,
            name=name,
            status=IncidentStatus.RESOLVED if resolved else IncidentStatus.INVESTIGATING,
            impact=self._past_impact(linked, what)
            if resolved
            else self.mapped(IMPACT, attributes.get("aggregate_state"), what, "aggregate_state"),
            url=self.page_url,
            started_at=self.time(attributes.get("starts_at"), what, "starts_at"),
            updated_at=updates[-1].at if updates else None,
            latest_update=_latest(updates),
            component_ids=self._affected(attributes, what),
            updates=updates,
            resolved_at=self.time(attributes.get("ends_at"), what, "ends_at") if resolved else None,
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
            latest_update=_latest(self._timeline(self._linked_updates(report, what), what)),
            component_ids=self._affected(attributes, what),
        )


def _latest(updates: tuple[IncidentUpdate, ...]) -> str | None:
    """The newest update's text."""
    return (updates[-1].text or None) if updates else None


def _attributes(item: dict[str, Any]) -> dict[str, Any]:
    attributes = item.get("attributes")
    return attributes if isinstance(attributes, dict) else {}
