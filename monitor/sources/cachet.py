"""Cachet 2.x: `<url>/api/v1/components` and `<url>/api/v1/incidents`, both paginated.

Each collection is read page by page (`?page=N`, 100 items a page, at most 20 pages); incidents
newest first, so a page with more history than that loses only its oldest incidents (with a
warning). Pages are fetched conditionally and the page count learned from `meta.pagination`;
when it changes the page set is fetched again.

Cachet writes times without a zone ("2020-10-05 11:22:03", the server's local time): the
`timezone:` option (an IANA name, default UTC) says how to read them.

Mapping. Component status: 0 unknown, 1 operational, 2 degraded_performance (performance issues),
3 partial_outage, 4 major_outage. Incident status: 1 investigating, 2 identified, 3 monitoring
(watching) are open; 4 fixed and 0 scheduled (maintenance notes of Cachet 2.3) are left out, so the
engine resolves an incident once it is fixed. Cachet incidents carry no impact: it is read from
the status of the component an incident names (performance issues minor, partial outage major,
major outage critical), else unknown. Disabled components are not shown on the page and skipped.
The page's indicator is the gravest of those readings.

Timeline: an incident's `message`, then its `updates` (Cachet 2.4 lists them with each incident),
each at its status. Posting an update overwrites the incident's status, so the opening message reads
at the incident's status only while it has no update, else as unknown. History: the first page of
`/incidents` (the newest 100, fixed ones included; no component statuses, so the impact is unknown)
is what a first sight backfills from.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, tzinfo
from typing import Any, Literal

from pydantic import field_validator

from monitor.errors import ParseError
from monitor.fetch import HttpClient, NotModified
from monitor.model import (
    Component,
    ComponentStatus,
    Impact,
    Incident,
    IncidentStatus,
    IncidentUpdate,
    Snapshot,
)
from monitor.sources.base import Source, SourceConfig, page_of
from monitor.sources.reader import (
    Reader,
    expect_object,
    json_type,
    link,
    plain_text,
    quote,
    text,
    timeline,
)
from monitor.sources.times import zone
from monitor.sources.vendor import worst_impact

COMPONENTS_PATH = "/api/v1/components"
INCIDENTS_PATH = "/api/v1/incidents"
INCIDENTS_QUERY = "per_page=100&sort=id&order=desc"  # newest first
COLLECTIONS = (
    (COMPONENTS_PATH, "per_page=100"),
    (INCIDENTS_PATH, INCIDENTS_QUERY),
)
MAX_PAGES = 20

COMPONENT_STATUS = {
    0: ComponentStatus.UNKNOWN,
    1: ComponentStatus.OPERATIONAL,
    2: ComponentStatus.DEGRADED_PERFORMANCE,
    3: ComponentStatus.PARTIAL_OUTAGE,
    4: ComponentStatus.MAJOR_OUTAGE,
}
STATUS_IMPACT = {  # what a component's status says about an incident naming it, and about the page
    ComponentStatus.DEGRADED_PERFORMANCE: Impact.MINOR,
    ComponentStatus.PARTIAL_OUTAGE: Impact.MAJOR,
    ComponentStatus.MAJOR_OUTAGE: Impact.CRITICAL,
}
INCIDENT_STATUS = {
    1: IncidentStatus.INVESTIGATING,
    2: IncidentStatus.IDENTIFIED,
    3: IncidentStatus.MONITORING,
    4: IncidentStatus.RESOLVED,
}
_SCHEDULED = 0
_NOT_OPEN = (_SCHEDULED, 4)  # scheduled, fixed


class CachetConfig(SourceConfig):
    type: Literal["cachet"]
    timezone: str = "UTC"  # how to read the page's zone-less times

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        zone(value)  # ValueError("unknown time zone ...") becomes a config error
        return value


class CachetSource(Source):
    type_name = "cachet"
    Config = CachetConfig
    detect_order = 50

    def __init__(self, config: SourceConfig) -> None:
        super().__init__(config)
        assert isinstance(config, CachetConfig)
        self.zone = zone(config.timezone)
        self.pages = {path: 1 for path, _ in COLLECTIONS}  # pages per collection, from the last read

    async def fetch(self, http: HttpClient, timeout: float) -> Snapshot | NotModified:
        for _ in range(3):  # again when the page count changed while reading
            try:
                return await self._get_documents(http, self._urls(), timeout, self._parse)
            except _PagesChanged:
                continue
        raise ParseError("Cachet's page count kept changing while it was read")

    async def history(self, http: HttpClient, timeout: float) -> tuple[Incident, ...]:
        return await self._get_history(
            http,
            INCIDENTS_PATH,
            timeout,
            lambda doc, page_url: parse_cachet_history(doc, page_url, self.zone),
            query=f"{INCIDENTS_QUERY}&page=1",
        )

    def _urls(self) -> list[str]:
        base = self.config.url.rstrip("/")
        return [
            f"{base}{path}?{query}&page={number}"
            for path, query in COLLECTIONS
            for number in range(1, self.pages[path] + 1)
        ]

    def _parse(self, docs: list[Any], final_url: str) -> Snapshot:
        collections: list[list[Any]] = []
        warnings: list[str] = []
        changed = False
        for path, _ in COLLECTIONS:
            pages, docs = docs[: self.pages[path]], docs[self.pages[path] :]
            total = _total_pages(pages[0])
            if total > MAX_PAGES:
                warnings.append(f"{path} lists {total} pages; only the first {MAX_PAGES} are read")
            wanted = min(total, MAX_PAGES)
            changed |= wanted != self.pages[path]
            self.pages[path] = wanted
            collections.append(pages)
        if changed:
            raise _PagesChanged
        components, incidents = collections
        snapshot = parse_cachet(components, incidents, page_of(final_url, COMPONENTS_PATH), self.zone)
        return snapshot if not warnings else _with_warnings(snapshot, warnings)


class _PagesChanged(Exception):
    """The first page of a collection says it has a different number of pages than were fetched."""


def _total_pages(page: Any) -> int:
    """`meta.pagination.total_pages` of a page (1 when absent or unreadable: the page still parses)."""
    meta = page.get("meta") if isinstance(page, dict) else None
    pagination = meta.get("pagination") if isinstance(meta, dict) else None
    total = pagination.get("total_pages") if isinstance(pagination, dict) else None
    return total if isinstance(total, int) and not isinstance(total, bool) and total >= 1 else 1


def _with_warnings(snapshot: Snapshot, warnings: list[str]) -> Snapshot:
    return snapshot._replace(warnings=(*snapshot.warnings, *warnings))


def parse_cachet(
    components: Sequence[Any], incidents: Sequence[Any], page_url: str, naive_zone: tzinfo = UTC
) -> Snapshot:
    """Normalize the decoded pages of `/components` and of `/incidents` (each a list of pages)."""
    component_items = [item for page in components for item in _data(page, COMPONENTS_PATH)]
    incident_items = [item for page in incidents for item in _data(page, INCIDENTS_PATH)]
    return _CachetReader(page_url, naive_zone).read(component_items, incident_items)


def parse_cachet_history(page: Any, page_url: str, naive_zone: tzinfo = UTC) -> tuple[Incident, ...]:
    """The incidents of a decoded `/incidents` page, fixed ones included; scheduled maintenance notes and
    unreadable entries are skipped."""
    reader = _CachetReader(page_url, naive_zone)
    entries = reader.items(_data(page, INCIDENTS_PATH), "incidents")
    found = (reader.incident(entry) for entry in entries if _code(entry.get("status")) != _SCHEDULED)
    return tuple(incident for incident in found if incident is not None)


def _data(page: Any, path: str) -> list[Any]:
    doc = expect_object(page, f"a Cachet {path} page")
    data = doc.get("data")
    if not isinstance(data, list):
        raise ParseError(f"not a Cachet {path} page: 'data' is {json_type(data)}, not a list")
    if not isinstance(doc.get("meta"), dict):
        raise ParseError(f"not a Cachet {path} page: no 'meta' object")
    return data


def _code(value: Any) -> Any:
    """Cachet's status codes are integers; some databases hand them out as digit strings."""
    return int(value) if isinstance(value, str) and value.strip().isdigit() else value


class _CachetReader(Reader):
    def __init__(self, page_url: str, naive_zone: tzinfo) -> None:
        super().__init__(naive_zone, epochs=False)  # "YYYY-MM-DD HH:MM:SS", local time
        self.page_url = page_url
        self.statuses: dict[str, ComponentStatus] = {}  # component id -> its status

    def read(self, components: list[Any], incidents: list[Any]) -> Snapshot:
        read_components = self._components(components)
        open_entries = [
            entry
            for entry in incidents
            if not (isinstance(entry, dict) and _code(entry.get("status")) in _NOT_OPEN)
        ]
        read_incidents = self.tracked(open_entries, "incidents", self.incident)
        impacts = [STATUS_IMPACT.get(status, Impact.NONE) for status in self.statuses.values()]
        return Snapshot(
            page_url=self.page_url,
            components=read_components,
            incidents=read_incidents,
            indicator=worst_impact([*impacts, *(incident.impact for incident in read_incidents)]),
            warnings=tuple(self.warnings),
        )

    def _components(self, items: list[Any]) -> tuple[Component, ...]:
        found: dict[str, Component] = {}
        for item in self.items(items, "components"):
            if item.get("enabled") is False or item.get("deleted_at") is not None:
                continue
            identified = self.identify(item, "component")
            if identified is None:
                continue
            component_id, name = identified
            if component_id in found:  # pages shifted while they were read
                continue
            status = self.mapped(
                COMPONENT_STATUS, _code(item.get("status")), f"component {quote(name)}", "status"
            )
            self.statuses[component_id] = status
            found[component_id] = Component(id=component_id, name=name, status=status)
        return tuple(found.values())

    def incident(self, item: dict[str, Any]) -> Incident | None:
        found = self.identify(item, "incident")
        if found is None:
            return None
        incident_id, name = found
        what = f"incident {quote(name)}"
        component_id = text(item.get("component_id"))
        linked = self.statuses.get(component_id) if component_id is not None else None
        message = item.get("message")
        status = self.mapped(INCIDENT_STATUS, _code(item.get("status")), what, "status")
        started_at = self.time(item.get("occurred_at"), what, "occurred_at") or self.time(
            item.get("created_at"), what, "created_at"
        )
        updates = list(self.items(item.get("updates"), f"{what} updates"))
        opening = IncidentUpdate(
            at=started_at,
            status=IncidentStatus.UNKNOWN if updates else status,
            text=plain_text(message) if isinstance(message, str) else "",
        )
        story = timeline([opening, *(self._update(update, what) for update in updates)])
        return Incident(
            id=incident_id,
            name=name,
            status=status,
            impact=STATUS_IMPACT.get(linked, Impact.UNKNOWN) if linked is not None else Impact.UNKNOWN,
            url=link(item.get("permalink")) or self.page_url,
            started_at=started_at,
            updated_at=self.time(item.get("updated_at"), what, "updated_at"),
            latest_update=story[-1].text or None,
            component_ids=(component_id,) if component_id is not None and linked is not None else (),
            updates=story,
        )

    def _update(self, update: dict[str, Any], what: str) -> IncidentUpdate:
        message = update.get("message")
        return IncidentUpdate(
            at=self.time(update.get("created_at"), f"{what} update", "created_at"),
            status=self.mapped(INCIDENT_STATUS, _code(update.get("status")), f"{what} update", "status"),
            text=plain_text(message) if isinstance(message, str) else "",
        )
