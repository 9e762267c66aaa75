"""incident.io status pages: the page's own JSON at `<url>/proxy/<host>`, else its Statuspage-compatible
`<url>/api/v2/summary.json`, else the summary embedded in the page's HTML.

The /proxy answer (`{"summary": {...}}`) is richer than summary.json: component groups
(`structure.items`), the components' current statuses (`affected_components`, listing only those
not operational), and per incident its `affected_components` and `component_impacts`. It is also
the tell that tells an incident.io page from a Statuspage one, which is why discovery reads it
without the fallbacks (`fallback: false`).

Choices:
- Component statuses are incident.io's words; `full_outage` is our major outage. A component not
  listed in `affected_components` is operational; hidden components are left out.
- An incident's impact is the worst status it gave any component (`affected_components[].status`,
  then `component_impacts`): degraded -> minor, partial -> major, full -> critical; none named ->
  none. It stays put as components recover, so a recovering incident is not re-announced.
- The page has no overall reading of its own: the indicator is the worst of its components and
  incidents, by the same table.
- Maintenances (no capture holds one) are read from `scheduled_maintenances` with the statuses
  incident.io's widget API documents (`maintenance_scheduled`, `maintenance_in_progress`, ...).
- Copies embedded in HTML write `"$undefined"` for absent values; they read as null.

History: the pages also serve Statuspage's `/api/v2/incidents.json` (their recent incidents, resolved
ones included, with every update), which a first sight backfills from; its incidents carry no
shortlink, so each links to its page `<url>/incidents/<id>` as the /proxy reading does.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any, Literal

from yarl import URL

from monitor.errors import FetchError, ParseError, PollError
from monitor.fetch import HttpClient, NotModified, Response
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
from monitor.sources.statuspage import HISTORY_PATH, SUMMARY_PATH, parse_incidents, parse_summary

PROXY_PATH = "/proxy/"
UNDEFINED = "$undefined"
_RSC_CHUNK = re.compile(r'self\.__next_f\.push\(\[1,("(?:[^"\\]|\\.)*")\]\)')
_SUMMARY_KEY = '"summary":'

COMPONENT_STATUS: dict[Any, ComponentStatus] = {
    "operational": ComponentStatus.OPERATIONAL,
    "degraded_performance": ComponentStatus.DEGRADED_PERFORMANCE,
    "partial_outage": ComponentStatus.PARTIAL_OUTAGE,
    "full_outage": ComponentStatus.MAJOR_OUTAGE,
    "major_outage": ComponentStatus.MAJOR_OUTAGE,
    "under_maintenance": ComponentStatus.UNDER_MAINTENANCE,
}
IMPACT_OF_STATUS: dict[ComponentStatus, Impact] = {
    ComponentStatus.OPERATIONAL: Impact.NONE,
    ComponentStatus.UNDER_MAINTENANCE: Impact.MAINTENANCE,
    ComponentStatus.DEGRADED_PERFORMANCE: Impact.MINOR,
    ComponentStatus.PARTIAL_OUTAGE: Impact.MAJOR,
    ComponentStatus.MAJOR_OUTAGE: Impact.CRITICAL,
    ComponentStatus.UNKNOWN: Impact.UNKNOWN,
}
INCIDENT_STATUS: dict[Any, IncidentStatus] = {
    "investigating": IncidentStatus.INVESTIGATING,
    "identified": IncidentStatus.IDENTIFIED,
    "monitoring": IncidentStatus.MONITORING,
    "resolved": IncidentStatus.RESOLVED,
}
MAINTENANCE_STATUS: dict[Any, MaintenanceStatus] = {
    "maintenance_scheduled": MaintenanceStatus.SCHEDULED,
    "maintenance_in_progress": MaintenanceStatus.IN_PROGRESS,
    "maintenance_complete": MaintenanceStatus.COMPLETED,
    "maintenance_completed": MaintenanceStatus.COMPLETED,
}


class IncidentioConfig(SourceConfig):
    type: Literal["incidentio"]
    fallback: bool = True  # when /proxy cannot be read: summary.json, then the page's HTML


class IncidentioSource(Source):
    type_name = "incidentio"
    Config = IncidentioConfig
    detect_order = 10  # before Statuspage: these pages answer its summary.json too

    @classmethod
    def candidate(cls, url: str) -> SourceConfig | None:
        return IncidentioConfig(name="discovered", type="incidentio", url=url, fallback=False)

    async def fetch(self, http: HttpClient, timeout: float) -> Snapshot | NotModified:
        assert isinstance(self.config, IncidentioConfig)
        base = self.config.url.rstrip("/")
        proxy = base + PROXY_PATH + (URL(base).host or "")
        try:
            return await self._get_json(
                http, proxy, timeout, lambda doc, final: parse_proxy(doc, _page_of(final))
            )
        except (FetchError, ParseError) as exc:
            if not self.config.fallback or not _worth_falling_back(exc):
                raise
            first = exc
        try:
            return await self._get_json(
                http,
                base + SUMMARY_PATH,
                timeout,
                lambda doc, final: parse_summary(doc, _page_of(final), null_is_empty=True),
            )
        except (FetchError, ParseError) as exc:
            if not _worth_falling_back(exc):
                raise
        try:
            return await self._get_json(http, base, timeout, _parse_html_page, decode=Response.text)
        except (FetchError, ParseError):
            raise first from None

    async def history(self, http: HttpClient, timeout: float) -> tuple[Incident, ...]:
        return await self._get_history(http, HISTORY_PATH, timeout, parse_history)


def parse_history(doc: Any, page_url: str) -> tuple[Incident, ...]:
    """A decoded Statuspage-compatible incidents.json, each incident linked to its own page."""
    return tuple(
        incident._replace(url=_incident_page(page_url, incident.id)) if incident.url == page_url else incident
        for incident in parse_incidents(doc, page_url)
    )


def _incident_page(page_url: str, incident_id: str) -> str:
    return f"{page_url.rstrip('/')}/incidents/{incident_id}"


def _worth_falling_back(exc: PollError) -> bool:
    """A page that answers but not with this document; a timeout or a refused connection would
    only repeat on the next path."""
    return exc.outcome in ("http_error", "parse_error")


def _page_of(final_url: str) -> str:
    """The page a document came from: its final URL without the API path."""
    url = final_url.split("?", 1)[0]
    for path in (PROXY_PATH, SUMMARY_PATH):
        where = url.find(path)
        if where > len("https://"):
            return url[:where]
    return url.rstrip("/")


def _parse_html_page(html: Any, final_url: str) -> Snapshot:
    summary = summary_in_html(html)
    if summary is None:
        raise ParseError("not an incident.io page: no summary in its HTML")
    return parse_proxy(summary, final_url.split("?", 1)[0].rstrip("/"))


def summary_in_html(html: str) -> dict[str, Any] | None:
    """The `summary` object a page's Next.js payload (`self.__next_f.push([1, "..."])`) embeds."""
    try:
        payload = "".join(json.loads(chunk) for chunk in _RSC_CHUNK.findall(html))
    except (ValueError, RecursionError):  # ValueError: invalid JSON, or an int too long to convert
        return None
    decoder = json.JSONDecoder()
    start = payload.find(_SUMMARY_KEY)
    while start >= 0:
        try:
            found, _ = decoder.raw_decode(payload, start + len(_SUMMARY_KEY))
        except (ValueError, RecursionError):
            found = None
        if isinstance(found, dict) and "ongoing_incidents" in found:
            return found
        start = payload.find(_SUMMARY_KEY, start + 1)
    return None


def parse_proxy(doc: Any, page_url: str) -> Snapshot:
    """Normalize a decoded /proxy/<host> answer (or the bare summary object inside it)."""
    doc = expect_object(doc, "an incident.io page")
    try:
        summary = _defined(doc.get("summary", doc))
    except RecursionError:
        raise ParseError("not an incident.io page: nested too deeply") from None
    if not isinstance(summary, dict):
        raise ParseError(f"not an incident.io page: 'summary' is {json_type(summary)}")
    for key in ("ongoing_incidents", "scheduled_maintenances", "affected_components"):
        if key not in summary:  # a page that lost its incident list must not read as "all resolved"
            raise ParseError(f"not an incident.io page: no '{key}' list")
        value = summary[key]
        if value is not None and not isinstance(value, list):
            raise ParseError(f"not an incident.io page: '{key}' is {json_type(value)}, not a list")
    if not isinstance(summary.get("structure"), dict) and not isinstance(summary.get("components"), list):
        raise ParseError("not an incident.io page: neither 'structure' nor 'components'")
    return _ProxyReader(page_url).read(summary)


def _defined(value: Any) -> Any:
    """`value` with the `"$undefined"` placeholders of HTML-embedded copies as null."""
    if value == UNDEFINED:
        return None
    if isinstance(value, dict):
        return {key: _defined(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_defined(item) for item in value]
    return value


class _ProxyReader(Reader):
    def __init__(self, page_url: str) -> None:
        super().__init__(epochs=False)
        self.page_url = page_url.rstrip("/")

    def read(self, summary: dict[str, Any]) -> Snapshot:
        current = {
            text(item.get("component_id")): item.get("status")
            for item in self.items(summary.get("affected_components"), "affected_components")
        }
        components = tuple(self._components(summary, current))
        incidents = self.tracked(summary.get("ongoing_incidents"), "ongoing_incidents", self._incident)
        maintenances = self.tracked(
            summary.get("scheduled_maintenances"), "scheduled_maintenances", self._maintenance
        )
        impacts = [IMPACT_OF_STATUS[c.status] for c in components] + [i.impact for i in incidents]
        return Snapshot(
            page_url=self.page_url,
            components=components,
            incidents=incidents,
            maintenances=maintenances,
            indicator=_worst(impacts),
            warnings=tuple(self.warnings),
        )

    def _components(self, summary: dict[str, Any], current: dict[str | None, Any]) -> Iterator[Component]:
        seen: set[str] = set()
        for entry, group in self._entries(summary):
            if entry.get("hidden") is True:
                continue
            found = self.identify(
                entry, "component", id_key="component_id" if "component_id" in entry else "id"
            )
            if found is None or found[0] in seen:
                continue
            component_id, name = found
            seen.add(component_id)
            status = current.get(component_id, "operational")
            yield Component(
                id=component_id,
                name=name,
                status=self.mapped(COMPONENT_STATUS, status, f"component {quote(name)}", "status"),
                group=group,
            )

    def _entries(self, summary: dict[str, Any]) -> Iterator[tuple[dict[str, Any], str | None]]:
        """(component, group name) in page order: from `structure.items`, else the flat `components`."""
        structure = summary.get("structure")
        if not isinstance(structure, dict):
            yield from ((item, None) for item in self.items(summary.get("components"), "components"))
            return
        for item in self.items(structure.get("items"), "structure.items"):
            component, group = item.get("component"), item.get("group")
            if isinstance(component, dict):
                yield component, None
            elif isinstance(group, dict):
                if group.get("hidden") is True:
                    continue
                name = text(group.get("name"))
                for child in self.items(group.get("components"), f"group {quote(name or '?')} components"):
                    yield child, name
            else:
                self.warn("structure.items has an entry with neither a component nor a group")

    def _affected(self, item: dict[str, Any], what: str) -> list[tuple[str, ComponentStatus]]:
        pairs: list[tuple[str, ComponentStatus]] = []
        for field in ("affected_components", "component_impacts"):
            for entry in self.items(item.get(field), f"{what} {field}"):
                component_id = text(entry.get("component_id"))
                if component_id is not None:
                    status = self.mapped(COMPONENT_STATUS, entry.get("status"), f"{what} {field}", "status")
                    pairs.append((component_id, status))
        return pairs

    def _latest(self, item: dict[str, Any], what: str) -> tuple[datetime | None, str | None]:
        """(time, text) of the newest update."""
        updates = [
            (self.time(u.get("published_at"), f"{what} update", "published_at"), u)
            for u in self.items(item.get("updates"), f"{what} updates")
        ]
        if not updates:
            return None, None
        at, newest = max(updates, key=lambda pair: pair[0] or EARLIEST)
        message = newest.get("message_string")
        return at, (plain_text(message) or None) if isinstance(message, str) else None

    def _incident(self, item: dict[str, Any]) -> Incident | None:
        found = self.identify(item, "incident")
        if found is None:
            return None
        incident_id, name = found
        what = f"incident {quote(name)}"
        affected = self._affected(item, what)
        updated_at, latest = self._latest(item, what)
        return Incident(
            id=incident_id,
            name=name,
            status=self.mapped(INCIDENT_STATUS, item.get("status"), what, "status"),
            impact=_worst([IMPACT_OF_STATUS[status] for _, status in affected]),
            url=_incident_page(self.page_url, incident_id),
            started_at=self.time(item.get("published_at"), what, "published_at"),
            updated_at=updated_at,
            latest_update=latest,
            component_ids=tuple(dict.fromkeys(component_id for component_id, _ in affected)),
        )

    def _maintenance(self, item: dict[str, Any]) -> Maintenance | None:
        found = self.identify(item, "maintenance")
        if found is None:
            return None
        maintenance_id, name = found
        what = f"maintenance {quote(name)}"
        _, latest = self._latest(item, what)
        return Maintenance(
            id=maintenance_id,
            name=name,
            status=self.mapped(MAINTENANCE_STATUS, item.get("status"), what, "status"),
            url=_incident_page(self.page_url, maintenance_id),
            scheduled_for=self.time(item.get("starts_at"), what, "starts_at"),
            scheduled_until=self.time(item.get("ends_at"), what, "ends_at"),
            latest_update=latest,
            component_ids=tuple(
                dict.fromkeys(component_id for component_id, _ in self._affected(item, what))
            ),
        )


def _worst(impacts: list[Impact]) -> Impact:
    """The most severe impact; maintenance beats none, unknown beats nothing but none."""
    order = [Impact.NONE, Impact.UNKNOWN, Impact.MAINTENANCE, Impact.MINOR, Impact.MAJOR, Impact.CRITICAL]
    return max(impacts, key=order.index, default=Impact.NONE)
