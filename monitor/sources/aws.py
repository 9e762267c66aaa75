"""AWS Health: `<url>/public/currentevents` (default https://health.aws.amazon.com), one array of events.

The endpoint answers UTF-16 with a byte-order mark (`decode_json` reads it); times are epoch
seconds written as strings. It lists only recent events, so a page reads as:

- no components. AWS has hundreds of services in dozens of regions and lists a service only while
  an event names it; components that came and went with events would vanish when the feed empties,
  and the engine keeps a vanished component's last state when a page lists none. The events carry
  the news instead, and each names its impacted services (`sts-us-west-2`, ...) as component ids,
  so a `components:` filter on those keys works too;
- one incident per open event (id: its ARN), open while it has no `end_time`; closed events are
  left out, so the engine resolves them.

`services:` keeps the events naming one of those services, by key (`ec2-us-east-1`), key without
its region (`ec2`) or name (`Amazon Elastic Compute Cloud`); `regions:` keeps the events of those
regions, by code (`us-east-1`, read from the event's ARN) or name (`N. Virginia`); both in any case.

Mapping of `status` (a string; a number is read too): "0" resolved (impact none), "1"
informational (minor), "2" degradation (major), "3" disruption (critical). AWS gives no
investigating/identified stages, so an open event is `investigating`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from monitor.errors import ParseError
from monitor.fetch import HttpClient, NotModified
from monitor.model import Impact, Incident, IncidentStatus, Snapshot
from monitor.sources.base import SourceConfig
from monitor.sources.reader import EARLIEST, Reader, json_type, plain_text, quote, text
from monitor.sources.vendor import Names, VendorSource, vendor_url, worst_impact

EVENTS_PATH = "/public/currentevents"

IMPACT = {"0": Impact.NONE, "1": Impact.MINOR, "2": Impact.MAJOR, "3": Impact.CRITICAL}


class AwsConfig(SourceConfig):
    type: Literal["aws"]
    url: str = vendor_url("https://health.aws.amazon.com")
    services: Names | None = Field(default=None, min_length=1)  # keys, codes or names; default all
    regions: Names | None = Field(default=None, min_length=1)  # codes or names; default all


class AwsSource(VendorSource):
    type_name = "aws"
    Config = AwsConfig
    vendor_hosts = frozenset({"health.aws.amazon.com"})

    async def fetch(self, http: HttpClient, timeout: float) -> Snapshot | NotModified:
        config = self.config
        assert isinstance(config, AwsConfig)
        services = frozenset(config.services) if config.services else None
        regions = frozenset(config.regions) if config.regions else None
        return await self._get_api_json(
            http, EVENTS_PATH, timeout, lambda doc, page_url: parse_aws(doc, page_url, services, regions)
        )


def parse_aws(
    doc: Any,
    page_url: str,
    services: Collection[str] | None = None,
    regions: Collection[str] | None = None,
) -> Snapshot:
    """Normalize decoded currentevents; an empty array is the healthy feed."""
    if not isinstance(doc, list):
        raise ParseError(f"not AWS Health currentevents: expected a JSON array, got {json_type(doc)}")
    return _AwsReader(page_url, services, regions).read(doc)


class _AwsReader(Reader):
    def __init__(
        self, page_url: str, services: Collection[str] | None, regions: Collection[str] | None
    ) -> None:
        super().__init__()  # epochs as strings are the norm here
        self.page_url = page_url
        self.services = _folded(services) if services is not None else None
        self.regions = _folded(regions) if regions is not None else None
        self.watched: set[str] = set()  # ids of the open events the filters keep

    def read(self, doc: list[Any]) -> Snapshot:
        open_entries = [e for e in doc if not isinstance(e, dict) or e.get("end_time") in (None, "")]
        incidents = [i for i in self.tracked(open_entries, "events", self._event) if i.id in self.watched]
        return Snapshot(
            page_url=self.page_url,
            incidents=tuple(incidents),
            indicator=worst_impact(incident.impact for incident in incidents),
            warnings=tuple(self.warnings),
        )

    def _event(self, item: dict[str, Any]) -> Incident | None:
        event_id = text(item.get("arn"))
        if event_id is None:
            self.warn(f"event {quote(item.get('summary'))} has no arn; skipped")
            return None
        summary = text(item.get("summary")) or event_id
        where = text(item.get("region_name"))
        service = text(item.get("service_name"))
        name = f"{service} ({where}): {summary}" if service and where else summary
        what = f"event {quote(name)}"
        region = _region(event_id)
        impacted = self._impacted(item, what)
        if self._selected(impacted, region, where):
            self.watched.add(event_id)
        log = self._log(item, what)
        status = item.get("status")
        impact = self.mapped(IMPACT, text(status) if isinstance(status, int) else status, what, "status")
        return Incident(
            id=event_id,
            name=name,
            status=IncidentStatus.RESOLVED if impact is Impact.NONE else IncidentStatus.INVESTIGATING,
            impact=impact,
            url=self.page_url,
            started_at=self.time(item.get("date"), what, "date"),
            updated_at=log[-1][0] if log else None,
            latest_update=(plain_text(log[-1][1]) or None) if log else None,
            component_ids=tuple(impacted),
        )

    def _impacted(self, item: dict[str, Any], what: str) -> dict[str, str]:
        """Impacted service key -> name; the event's own service when it lists none."""
        impacted = item.get("impacted_services")
        found: dict[str, str] = {}
        if isinstance(impacted, dict):
            for key, service in impacted.items():
                name = text(service.get("service_name")) if isinstance(service, dict) else None
                found[key] = name or key
        elif impacted is not None:
            self.warn(f"{what} impacted_services is {json_type(impacted)}, not an object")
        own = text(item.get("service"))
        if not found and own is not None:
            found[own] = text(item.get("service_name")) or own
        return found

    def _selected(self, impacted: dict[str, str], region: str | None, region_name: str | None) -> bool:
        if self.regions is not None and not _folded([region, region_name]) & self.regions:
            return False
        if self.services is None:
            return True
        names = {n for key, name in impacted.items() for n in (key, name, _without_region(key, region))}
        return bool(_folded(names) & self.services)

    def _log(self, item: dict[str, Any], what: str) -> list[tuple[datetime | None, str]]:
        """The event's updates with a message, oldest first (list order breaks ties)."""
        updates = []
        for entry in self.items(item.get("event_log"), f"{what} event_log"):
            message = entry.get("message")
            if isinstance(message, str):
                updates.append((self.time(entry.get("timestamp"), f"{what} update", "timestamp"), message))
        return sorted(updates, key=lambda update: update[0] or EARLIEST)


def _region(arn: str) -> str | None:
    """The region code: the ARN's fourth field (`arn:aws:health:us-east-1::event/...`)."""
    parts = arn.split(":")
    return parts[3] or None if len(parts) > 3 else None


def _folded(names: Iterable[str | None]) -> set[str]:
    """Names compared in any case (`EC2`, `ec2`)."""
    return {name.casefold() for name in names if name}


def _without_region(key: str, region: str | None) -> str:
    return key.removesuffix(f"-{region}") if region else key
