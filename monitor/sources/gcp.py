"""Google Cloud: `<url>/incidents.json` (default https://status.cloud.google.com), one array of incidents.

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
an open incident whose latest update says AVAILABLE is `monitoring`, any other `investigating`.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, Literal
from urllib.parse import urljoin

from pydantic import Field

from monitor.errors import ParseError
from monitor.fetch import HttpClient, NotModified
from monitor.model import Component, ComponentStatus, Impact, Incident, IncidentStatus, Snapshot
from monitor.sources.base import SourceConfig
from monitor.sources.reader import Reader, json_type, link, plain_text, quote, text
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
        config = self.config
        assert isinstance(config, GcpConfig)
        products = frozenset(config.products) if config.products else None
        locations = frozenset(config.locations) if config.locations else None
        return await self._get_api_json(
            http, INCIDENTS_PATH, timeout, lambda doc, page_url: parse_gcp(doc, page_url, products, locations)
        )


def parse_gcp(
    doc: Any,
    page_url: str,
    products: Collection[str] | None = None,
    locations: Collection[str] | None = None,
) -> Snapshot:
    """Normalize a decoded incidents.json; `products`/`locations` select what to watch (None: all)."""
    if not isinstance(doc, list):
        raise ParseError(f"not a Google Cloud incidents.json: expected a JSON array, got {json_type(doc)}")
    if not doc:  # the real feed always lists a year of past incidents
        raise ParseError("not a Google Cloud incidents.json: the array is empty")
    return _GcpReader(page_url, products, locations).read(doc)


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
        catalog: dict[str, str] = {}  # product id -> title, for every product the feed names
        open_entries: list[Any] = []
        for entry in doc:
            if not isinstance(entry, dict) or entry.get("end") in (None, ""):
                open_entries.append(entry)  # an entry we cannot read may be open: `tracked` refuses it
            if isinstance(entry, dict):
                self.products_of[id(entry)] = self._products(entry)
                for product_id, title in self.products_of[id(entry)]:
                    catalog.setdefault(product_id, title)
        watched = {pid: title for pid, title in catalog.items() if self._watched(pid, title)}
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
        return Incident(
            id=incident_id,
            name=name,
            status=IncidentStatus.MONITORING
            if latest.get("status") == "AVAILABLE"
            else IncidentStatus.INVESTIGATING,
            impact=self.mapped(SEVERITY, item.get("severity"), what, "severity"),
            url=link(urljoin(self.page_url + "/", uri)) if isinstance(uri, str) else self.page_url,
            started_at=self.time(item.get("begin"), what, "begin"),
            updated_at=self.time(item.get("modified"), what, "modified"),
            latest_update=(plain_text(body) or None) if isinstance(body, str) else None,
            component_ids=tuple(pid for pid, _ in self.products_of[id(item)]),
        )

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
