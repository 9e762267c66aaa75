"""Google Cloud: `<url>/incidents.json` (default https://status.cloud.google.com), one array of incidents.
The same document is the history a first sight backfills from (`parse_gcp_history`).

The feed holds about a year of incidents, past and present; one is open while it has no `end`.
Google publishes no list of products with their status, so the components are derived:

- one component per product any incident in the feed names (`affected_products`: id, title), so
  the set is stable from poll to poll (a product leaves only when its last incident ages out);
- its status is the gravest `status_impact` among the open incidents naming it, operational when
  none does; an informational incident leaves the product operational (Google shows it available)
  but is still reported as an incident;
- only the open incidents are in the snapshot; one that closes or leaves the feed is resolved.

`products:` (names or ids) keeps only those products and the open incidents that name one of
them (or name no product); `locations:` (ids such as `us-central1`, `global`, or titles) keeps
only the open incidents affecting one of those locations, read from `currently_affected_locations`,
else `previously_affected_locations`; an incident that names no location counts everywhere. Both
match in any case. (`components:` works too, on product names or ids, in the engine.)

Mapping: severity low/medium/high -> impact minor/major/critical; status_impact
SERVICE_INFORMATION/SERVICE_DISRUPTION/SERVICE_OUTAGE -> operational/partial_outage/major_outage;
an open incident whose latest update says AVAILABLE is `monitoring`, any other `investigating`; one
that has ended is `resolved` at its `end`. Its `updates` are the timeline, each read the same way
(AVAILABLE monitoring, else investigating), the newest of an ended incident resolved.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, Literal
from urllib.parse import urljoin

from pydantic import Field

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
from monitor.sources.base import SourceConfig
from monitor.sources.reader import Reader, json_type, link, plain_text, quote, text, timeline
from monitor.sources.vendor import Names, VendorSource, vendor_url, worst_impact, worst_status

INCIDENTS_PATH = "/incidents.json"

SEVERITY = {"low": Impact.MINOR, "medium": Impact.MAJOR, "high": Impact.CRITICAL}
STATUS_IMPACT = {
    "service_information": ComponentStatus.OPERATIONAL,
    "service_disruption": ComponentStatus.PARTIAL_OUTAGE,
    "service_outage": ComponentStatus.MAJOR_OUTAGE,
}


class GcpConfig(SourceConfig):
    type: Literal["gcp"]
    url: str = vendor_url("https://status.cloud.google.com")
    products: Names | None = Field(default=None, min_length=1)  # names or ids; default all
    locations: Names | None = Field(default=None, min_length=1)  # ids or titles; default all


class GcpSource(VendorSource):
    type_name = "gcp"
    Config = GcpConfig
    vendor_hosts = frozenset({"status.cloud.google.com"})

    async def fetch(self, http: HttpClient, timeout: float) -> Snapshot | NotModified:
        products, locations = self._filters()
        return await self._get_api_json(
            http, INCIDENTS_PATH, timeout, lambda doc, page_url: parse_gcp(doc, page_url, products, locations)
        )

    async def history(self, http: HttpClient, timeout: float) -> tuple[Incident, ...]:
        products, locations = self._filters()
        return await self._get_history(
            http,
            INCIDENTS_PATH,
            timeout,
            lambda doc, page_url: parse_gcp_history(doc, page_url, products, locations),
        )

    def _filters(self) -> tuple[frozenset[str] | None, frozenset[str] | None]:
        """The configured (products, locations); None where all are watched."""
        config = self.config
        assert isinstance(config, GcpConfig)
        return (
            frozenset(config.products) if config.products else None,
            frozenset(config.locations) if config.locations else None,
        )


def parse_gcp(
    doc: Any,
    page_url: str,
    products: Collection[str] | None = None,
    locations: Collection[str] | None = None,
) -> Snapshot:
    """Normalize a decoded incidents.json; `products`/`locations` select what to watch (None: all)."""
    return _GcpReader(page_url, products, locations).read(_incident_list(doc))


def parse_gcp_history(
    doc: Any,
    page_url: str,
    products: Collection[str] | None = None,
    locations: Collection[str] | None = None,
) -> tuple[Incident, ...]:
    """Every incident of a decoded incidents.json that the filters keep, ended ones included, each with
    its timeline; unreadable entries are skipped."""
    return _GcpReader(page_url, products, locations).history(_incident_list(doc))


def _incident_list(doc: Any) -> list[Any]:
    if not isinstance(doc, list):
        raise ParseError(f"not a Google Cloud incidents.json: expected a JSON array, got {json_type(doc)}")
    if not doc:  # the real feed always lists a year of past incidents
        raise ParseError("not a Google Cloud incidents.json: the array is empty")
    return doc


class _GcpReader(Reader):
    def __init__(
        self, page_url: str, products: Collection[str] | None, locations: Collection[str] | None
    ) -> None:
        super().__init__(epochs=False)  # Google writes ISO 8601 only
        self.page_url = page_url
        self.products = {name.casefold() for name in products} if products is not None else None
        self.locations = {name.casefold() for name in locations} if locations is not None else None
        self.effects: dict[str, ComponentStatus] = {}  # incident id -> what it does to its products
        self.places: dict[str, set[str]] = {}  # incident id -> the locations it affects (casefolded)
        self.products_of: dict[int, list[tuple[str, str]]] = {}  # id(entry) -> its (product id, title)

    def read(self, doc: list[Any]) -> Snapshot:
        watched = self._watched_products(doc)
        # an entry we cannot read may be open: `tracked` refuses it
        open_entries = [e for e in doc if not isinstance(e, dict) or e.get("end") in (None, "")]
        incidents = [
            incident
            for incident in self.tracked(open_entries, "incidents", self._incident)
            if self._relevant(incident, watched)
        ]
        components = tuple(
            Component(
                id=pid,
                name=title,
                status=worst_status(self.effects[i.id] for i in incidents if pid in i.component_ids),
            )
            for pid, title in sorted(watched.items(), key=lambda item: (item[1], item[0]))
        )
        return Snapshot(
            page_url=self.page_url,
            components=components,
            incidents=tuple(incidents),
            indicator=worst_impact(incident.impact for incident in incidents),
            warnings=tuple(self.warnings),
        )

    def history(self, doc: list[Any]) -> tuple[Incident, ...]:
        watched = self._watched_products(doc)
        found = (self._incident(entry) for entry in self.items(doc, "incidents"))
        return tuple(i for i in found if i is not None and self._relevant(i, watched))

    def _watched_products(self, doc: list[Any]) -> dict[str, str]:
        """Product id -> title of every product the feed names that the filter keeps; notes each entry's
        products in `products_of`."""
        catalog: dict[str, str] = {}
        for entry in doc:
            if isinstance(entry, dict):
                self.products_of[id(entry)] = self._products(entry)
                for product_id, title in self.products_of[id(entry)]:
                    catalog.setdefault(product_id, title)
        return {pid: title for pid, title in catalog.items() if self._watched(pid, title)}

    def _products(self, entry: dict[str, Any]) -> list[tuple[str, str]]:
        what = f"incident {quote(entry.get('id'))} affected_products"
        found = (
            self.identify(p, "product", name_key="title")
            for p in self.items(entry.get("affected_products"), what)
        )
        return [product for product in found if product is not None]

    def _watched(self, product_id: str, title: str) -> bool:
        return self.products is None or bool({product_id.casefold(), title.casefold()} & self.products)

    def _relevant(self, incident: Incident, watched: dict[str, str]) -> bool:
        if incident.component_ids and not any(pid in watched for pid in incident.component_ids):
            return False
        places = self.places[incident.id]
        return self.locations is None or not places or bool(places & self.locations)

    def _incident(self, item: dict[str, Any]) -> Incident | None:
        found = self.identify(item, "incident", name_key="external_desc")
        if found is None:
            return None
        incident_id, name = found
        what = f"incident {quote(name)}"
        latest = item.get("most_recent_update")
        latest = latest if isinstance(latest, dict) else {}
        body, uri = latest.get("text"), item.get("uri")
        self.effects.setdefault(
            incident_id, self.mapped(STATUS_IMPACT, item.get("status_impact"), what, "status_impact")
        )
        self.places.setdefault(incident_id, self._locations(item, what))
        ended = self.time(item.get("end"), what, "end")
        return Incident(
            id=incident_id,
            name=name,
            status=IncidentStatus.RESOLVED if ended else _status(latest.get("status")),
            impact=self.mapped(SEVERITY, item.get("severity"), what, "severity"),
            url=link(urljoin(self.page_url + "/", uri)) if isinstance(uri, str) else self.page_url,
            started_at=self.time(item.get("begin"), what, "begin"),
            updated_at=self.time(item.get("modified"), what, "modified"),
            latest_update=(plain_text(body) or None) if isinstance(body, str) else None,
            component_ids=tuple(pid for pid, _ in self.products_of[id(item)]),
            updates=timeline(self._updates(item, what), closed=ended is not None),
            resolved_at=ended,
        )

    def _updates(self, item: dict[str, Any], what: str) -> list[IncidentUpdate]:
        return [
            IncidentUpdate(
                at=self.time(update.get("when"), f"{what} update", "when")
                or self.time(update.get("created"), f"{what} update", "created"),
                status=_status(update.get("status")),
                text=plain_text(body) if isinstance(body := update.get("text"), str) else "",
            )
            for update in self.items(item.get("updates"), f"{what} updates")
        ]

    def _locations(self, item: dict[str, Any], what: str) -> set[str]:
        """Where the incident is now; where it was, for one that lists no current location."""
        for field in ("currently_affected_locations", "previously_affected_locations"):
            places = {
                name.casefold()
                for place in self.items(item.get(field), f"{what} {field}")
                for name in (text(place.get("id")), text(place.get("title")))
                if name is not None
            }
            if places:
                return places
        return set()


def _status(update_status: Any) -> IncidentStatus:
    """An open incident's status from an update's: AVAILABLE is monitoring, anything else investigating."""
    return IncidentStatus.MONITORING if update_status == "AVAILABLE" else IncidentStatus.INVESTIGATING
