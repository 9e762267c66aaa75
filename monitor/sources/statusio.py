"""Status.io: `https://api.status.io/1.0/status/<page_id>` (the public status API).

Choices, since the format leaves them open:
- Components are the `status[]` entries (Status.io's components), each with the status Status.io
  computes for it; its `containers[]` (regions or data centers) are not components of their own, so
  the ids match the incidents' `components_affected` and a `components:` filter names what the page
  shows. An entry without a status code takes the worst of its containers.
- 600 "Security Event" reads as a major outage (incidents: critical): it is the top of Status.io's
  scale, above "Service Disruption", and reading it as unknown would page nobody.
- Every listed incident is open (the API lists active incidents only); its status is the newest
  message's `state` (100 investigating, 200 identified, 300 monitoring) and its impact the newest
  message's status code. `maintenance.active` is in progress, `maintenance.upcoming` scheduled.
- The vendor asks for at most one request a minute: `interval` below 60 s is a config error, and
  `min_interval` keeps an unset one (from `settings.interval`) at 60 s or more.
- `page_id` is configured, or read once from the HTML of `page:` (the page embeds its id in links
  such as `status.io/pages/<id>` and in API URLs). Links point to `page:`, else `status.io/pages/<id>`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any, ClassVar, Literal

from pydantic import Field, field_validator, model_validator
from yarl import URL

from monitor.errors import ParseError
from monitor.fetch import HttpClient, NotModified, Response, redact_url
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
from monitor.sources.reader import EARLIEST, Reader, expect_object, json_type, link, plain_text, quote, text

API = "https://api.status.io"
API_PATH = "/1.0/status/"
PUBLIC_PAGE = "https://status.io/pages/"  # every page's public address, whatever its own domain
MIN_INTERVAL = 60.0
PAGE_ID = re.compile(r"^[0-9a-f]{24}$")
# Where a Status.io page's HTML names its id: links to status.io/pages/<id>, API URLs, JS variables.
_EMBEDDED_ID = re.compile(
    r"(?:status\.io/pages/|/1\.0/status/|page_?id[\"']?\s*[:=]\s*[\"']?)([0-9a-f]{24})\b", re.I
)

COMPONENT_STATUS: dict[Any, ComponentStatus] = {
    100: ComponentStatus.OPERATIONAL,
    200: ComponentStatus.UNDER_MAINTENANCE,
    300: ComponentStatus.DEGRADED_PERFORMANCE,
    400: ComponentStatus.PARTIAL_OUTAGE,
    500: ComponentStatus.MAJOR_OUTAGE,
    600: ComponentStatus.MAJOR_OUTAGE,  # security event
}
IMPACT: dict[Any, Impact] = {
    100: Impact.NONE,
    200: Impact.MAINTENANCE,
    300: Impact.MINOR,
    400: Impact.MAJOR,
    500: Impact.CRITICAL,
    600: Impact.CRITICAL,
}
INCIDENT_STATE: dict[Any, IncidentStatus] = {
    100: IncidentStatus.INVESTIGATING,
    200: IncidentStatus.IDENTIFIED,
    300: IncidentStatus.MONITORING,
}


class StatusioConfig(SourceConfig):
    type: Literal["statusio"]
    url: str = Field(default=API, pattern=r"^https?://", description="the API host (or a mirror)")
    page_id: str | None = Field(default=None, pattern=PAGE_ID.pattern)
    page: str | None = Field(
        default=None, pattern=r"^https?://", description="status page to read the id from"
    )

    @field_validator("interval")
    @classmethod
    def _at_most_once_a_minute(cls, value: float | None) -> float | None:
        if value is not None and value < MIN_INTERVAL:
            raise ValueError(
                "Status.io allows at most one request a minute: "
                f"interval must be at least 60s, got {value:g}s"
            )
        return value

    @model_validator(mode="after")
    def _page_id_or_page(self) -> StatusioConfig:
        if self.page_id is None and self.page is None:
            raise ValueError(
                "give page_id (the 24-character Status.io page id) or page (the status page URL)"
            )
        return self


class StatusioSource(Source):
    type_name = "statusio"
    Config = StatusioConfig
    detect_order = 60  # reads a page's HTML, so only after the formats with a JSON tell
    min_interval: ClassVar[float] = MIN_INTERVAL

    def __init__(self, config: SourceConfig) -> None:
        super().__init__(config)
        assert isinstance(config, StatusioConfig)
        self.options = config
        self._page_id = config.page_id

    @classmethod
    def candidate(cls, url: str) -> SourceConfig | None:
        """An API URL gives its id; any other page is read for the id it embeds."""
        parsed = URL(url)
        page_id = parsed.path.removeprefix(API_PATH).strip("/")
        if parsed.path.startswith(API_PATH) and PAGE_ID.match(page_id):
            base = str(parsed.origin())
            return StatusioConfig(name="discovered", type="statusio", url=base, page_id=page_id)
        return StatusioConfig(name="discovered", type="statusio", page=url)

    async def fetch(self, http: HttpClient, timeout: float) -> Snapshot | NotModified:
        if self._page_id is None:
            assert self.options.page is not None
            self._page_id = await _discover_page_id(http, self.options.page, timeout)
        url = self.options.url.rstrip("/") + API_PATH + self._page_id
        page_url = self.options.page or PUBLIC_PAGE + self._page_id  # people follow links to the page
        return await self._get_json(http, url, timeout, lambda doc, _: parse_statusio(doc, page_url))


async def _discover_page_id(http: HttpClient, page: str, timeout: float) -> str:
    response = await http.get(page, timeout=timeout)
    if not isinstance(response, Response):  # a 304 to a request that sent no validators
        raise ParseError(f"not a Status.io page: {redact_url(page)} answered 304 Not Modified")
    page_id = page_id_in_html(response.text())
    if page_id is None:
        raise ParseError(f"not a Status.io page: no page id in {redact_url(response.url)}")
    return page_id


def page_id_in_html(html: str) -> str | None:
    """The Status.io page id a status page's HTML embeds, lower case; None when there is none."""
    match = _EMBEDDED_ID.search(html)
    return match[1].lower() if match else None


def parse_statusio(doc: Any, page_url: str) -> Snapshot:
    """Normalize a decoded `/1.0/status/<id>` answer; `page_url` is where people read the page."""
    result = expect_object(
        expect_object(doc, "a Status.io status").get("result"), "a Status.io status result"
    )
    for key, kind in (("status", list), ("incidents", list), ("maintenance", dict)):
        if not isinstance(result.get(key), kind):
            raise ParseError(f"not a Status.io status: 'result.{key}' is {json_type(result.get(key))}")
    return _StatusioReader(page_url).read(result)


class _StatusioReader(Reader):
    def __init__(self, page_url: str) -> None:
        super().__init__(epochs=False)  # Status.io writes ISO 8601
        self.page_url = page_url

    def read(self, result: dict[str, Any]) -> Snapshot:
        overall = result.get("status_overall")
        overall = overall if isinstance(overall, dict) else {}
        if not overall:
            self.warn("status has no 'status_overall' object")
        description = overall.get("status")
        maintenance: dict[str, Any] = result["maintenance"]
        active = self.tracked(maintenance.get("active"), "maintenance.active", self._maintenance_reader(True))
        upcoming = self.tracked(
            maintenance.get("upcoming"), "maintenance.upcoming", self._maintenance_reader(False)
        )
        return Snapshot(
            page_url=self.page_url,
            components=self.components(self.items(result["status"], "status"), "component", self._component),
            incidents=self.tracked(result["incidents"], "incidents", self._incident),
            maintenances=active + tuple(m for m in upcoming if m.id not in {a.id for a in active}),
            indicator=self.mapped(IMPACT, overall.get("status_code"), "status_overall", "status_code"),
            description=description if isinstance(description, str) else None,
            warnings=tuple(self.warnings),
        )

    def _component(self, item: dict[str, Any], component_id: str, name: str) -> Component:
        code = item.get("status_code")
        if code is None:
            codes = [
                c.get("status_code")
                for c in self.items(item.get("containers"), f"component {quote(name)} containers")
            ]
            known = [c for c in codes if isinstance(c, int) and c in COMPONENT_STATUS]
            code = max(known, key=lambda c: COMPONENT_STATUS[c].level or 0) if known else None
        status = self.mapped(COMPONENT_STATUS, code, f"component {quote(name)}", "status_code")
        return Component(id=component_id, name=name, status=status)

    def _messages(self, item: dict[str, Any], what: str) -> list[tuple[datetime | None, dict[str, Any]]]:
        """The item's messages, oldest first; those without a readable time first of all."""
        messages = [
            (self.time(m.get("datetime"), f"{what} message", "datetime"), m)
            for m in self.items(item.get("messages"), f"{what} messages")
        ]
        return sorted(messages, key=lambda pair: pair[0] or EARLIEST)

    def _affected(self, item: dict[str, Any], what: str) -> tuple[str, ...]:
        ids = (text(c.get("_id")) for c in self.items(item.get("components_affected"), f"{what} components"))
        return tuple(dict.fromkeys(i for i in ids if i is not None))

    def _incident(self, item: dict[str, Any]) -> Incident | None:
        found = self.identify(item, "incident", id_key="_id")
        if found is None:
            return None
        incident_id, name = found
        what = f"incident {quote(name)}"
        messages = self._messages(item, what)
        updated_at, latest = messages[-1] if messages else (None, {})
        return Incident(
            id=incident_id,
            name=name,
            status=self.mapped(INCIDENT_STATE, latest.get("state"), what, "state"),
            impact=self.mapped(IMPACT, latest.get("status"), what, "status"),
            url=link(item.get("url")) or self.page_url,
            started_at=self.time(item.get("datetime_open"), what, "datetime_open"),
            updated_at=updated_at,
            latest_update=_body(latest),
            component_ids=self._affected(item, what),
        )

    def _maintenance_reader(self, active: bool) -> Callable[[dict[str, Any]], Maintenance | None]:
        def read(item: dict[str, Any]) -> Maintenance | None:
            found = self.identify(item, "maintenance", id_key="_id")
            if found is None:
                return None
            maintenance_id, name = found
            what = f"maintenance {quote(name)}"
            messages = self._messages(item, what)
            return Maintenance(
                id=maintenance_id,
                name=name,
                status=MaintenanceStatus.IN_PROGRESS if active else MaintenanceStatus.SCHEDULED,
                url=link(item.get("url")) or self.page_url,
                scheduled_for=self.time(item.get("datetime_planned_start"), what, "datetime_planned_start"),
                scheduled_until=self.time(item.get("datetime_planned_end"), what, "datetime_planned_end"),
                latest_update=_body(messages[-1][1]) if messages else None,
                component_ids=self._affected(item, what),
            )

        return read


def _body(message: dict[str, Any]) -> str | None:
    details = message.get("details")
    return (plain_text(details) or None) if isinstance(details, str) else None
