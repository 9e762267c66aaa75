"""The Cachet source over real HTTP on 127.0.0.1: paths, pagination, conditional requests, config."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aiohttp import web

from monitor.config import ConfigError, parse_config
from monitor.errors import ParseError
from monitor.fetch import NOT_MODIFIED, HttpClient
from monitor.model import ComponentStatus, Snapshot
from monitor.sources.cachet import MAX_PAGES, CachetConfig, CachetSource

from .conftest import FIXTURES, Serve

COMPONENTS = json.loads((FIXTURES / "cachet/status.yoti.com-api-v1-components-2020-10.json").read_bytes())
CDN_504 = (FIXTURES / "errors/cdn-504-gateway-timeout.html").read_bytes()


def synthetic_page(items: list[dict[str, Any]], total_pages: int = 1) -> dict[str, Any]:
    return {"meta": {"pagination": {"total_pages": total_pages, "per_page": 100}}, "data": items}


class Collection:
    """A paginated Cachet collection: `pages[n-1]` answers `?page=n`, with an ETag per page version."""

    def __init__(self, *pages: dict[str, Any]) -> None:
        self.pages = list(pages)
        self.version = 1
        self.requests: list[tuple[dict[str, str], str | None]] = []

    def set(self, *pages: dict[str, Any]) -> None:
        self.pages, self.version = list(pages), self.version + 1

    async def handle(self, request: web.Request) -> web.Response:
        self.requests.append((dict(request.query), request.headers.get("If-None-Match")))
        number = int(request.query.get("page", "1"))
        etag = f'"{self.version}-{number}"'
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304)
        page = self.pages[number - 1] if number <= len(self.pages) else synthetic_page([], len(self.pages))
        return web.json_response(page, headers={"ETag": etag})


async def cachet(
    serve: Serve, components: Collection, incidents: Collection, prefix: str = "", **options: Any
) -> tuple[CachetSource, str]:
    server = await serve(
        {prefix + "/api/v1/components": components.handle, prefix + "/api/v1/incidents": incidents.handle}
    )
    base = str(server.make_url(prefix)).rstrip("/")
    return CachetSource(CachetConfig(name="yoti", type="cachet", url=base + "/", **options)), base


async def test_reads_both_collections_then_not_modified(serve: Serve, http: HttpClient) -> None:
    components, incidents = Collection(COMPONENTS), Collection(synthetic_page([]))
    source, base = await cachet(serve, components, incidents)
    snapshot = await source.fetch(http, 5)
    assert isinstance(snapshot, Snapshot)
    assert snapshot.page_url == base
    assert [c.name for c in snapshot.components][:2] == ["Yoti Website", "Yoti Age Scan"]
    assert components.requests == [({"per_page": "100", "page": "1"}, None)]
    assert incidents.requests == [({"per_page": "100", "sort": "id", "order": "desc", "page": "1"}, None)]
    assert await source.fetch(http, 5) is NOT_MODIFIED
    assert components.requests[-1][1] == '"1-1"' and incidents.requests[-1][1] == '"1-1"'


async def test_every_page_is_read_and_a_new_page_count_is_followed(serve: Serve, http: HttpClient) -> None:
    item = COMPONENTS["data"][0]
    components = Collection(
        synthetic_page([item | {"id": 1}], 2), synthetic_page([item | {"id": 2, "status": 3}], 2)
    )
    incidents = Collection(synthetic_page([]))
    source, _ = await cachet(serve, components, incidents)
    snapshot = await source.fetch(http, 5)
    assert isinstance(snapshot, Snapshot)
    assert [(c.id, c.status) for c in snapshot.components] == [
        ("1", ComponentStatus.OPERATIONAL),
        ("2", ComponentStatus.PARTIAL_OUTAGE),
    ]
    assert [query["page"] for query, _ in components.requests] == ["1", "1", "2"]  # learned, then read both

    components.set(synthetic_page([item | {"id": 1}]))  # back to one page
    shrunk = await source.fetch(http, 5)
    assert isinstance(shrunk, Snapshot) and [c.id for c in shrunk.components] == ["1"]


async def test_page_count_is_bounded_with_a_warning(serve: Serve, http: HttpClient) -> None:
    item = COMPONENTS["data"][0]
    pages = [synthetic_page([item | {"id": n}], 50) for n in range(1, 51)]
    components, incidents = Collection(*pages), Collection(synthetic_page([]))
    source, _ = await cachet(serve, components, incidents)
    snapshot = await source.fetch(http, 5)
    assert isinstance(snapshot, Snapshot)
    assert len(snapshot.components) == MAX_PAGES == 20
    assert snapshot.warnings == ("/api/v1/components lists 50 pages; only the first 20 are read",)


async def test_html_error_page_is_a_parse_error(serve: Serve, http: HttpClient) -> None:
    async def cdn(request: web.Request) -> web.Response:
        return web.Response(body=CDN_504, content_type="text/html")

    server = await serve(
        {"/api/v1/components": cdn, "/api/v1/incidents": Collection(synthetic_page([])).handle}
    )
    source = CachetSource(CachetConfig(name="c", type="cachet", url=str(server.make_url(""))))
    with pytest.raises(ParseError, match="got text/html"):
        await source.fetch(http, 5)


async def test_redirect_is_followed_and_the_final_page_reported(serve: Serve, http: HttpClient) -> None:
    async def moved(request: web.Request) -> web.Response:
        raise web.HTTPMovedPermanently("/status/api/v1/components?" + request.query_string)

    components, incidents = Collection(COMPONENTS), Collection(synthetic_page([]))
    server = await serve(
        {
            "/api/v1/components": moved,
            "/status/api/v1/components": components.handle,
            "/api/v1/incidents": incidents.handle,
        }
    )
    base = str(server.make_url("")).rstrip("/")
    snapshot = await CachetSource(CachetConfig(name="c", type="cachet", url=base)).fetch(http, 5)
    assert isinstance(snapshot, Snapshot)
    assert snapshot.page_url == base + "/status"


async def test_timezone_option_reads_incident_times(serve: Serve, http: HttpClient) -> None:
    incident = {
        "id": 5,
        "name": "Slow scans",
        "status": 2,
        "component_id": 3,
        "created_at": "2020-10-09 10:00:00",
    }
    components, incidents = Collection(COMPONENTS), Collection(synthetic_page([incident]))
    source, _ = await cachet(serve, components, incidents, timezone="Europe/London")
    snapshot = await source.fetch(http, 5)
    assert isinstance(snapshot, Snapshot)
    started = snapshot.incidents[0].started_at
    assert started is not None and started.isoformat() == "2020-10-09T09:00:00+00:00"


def test_config_defaults_and_errors() -> None:
    config = parse_config(
        "providers:\n  - {name: y, type: cachet, url: https://status.yoti.com}\n", "p.yaml", env={}
    )
    provider = config.providers[0]
    assert isinstance(provider, CachetConfig) and provider.timezone == "UTC"
    with pytest.raises(ConfigError) as caught:
        parse_config(
            "providers:\n  - {name: y, type: cachet, url: https://status.yoti.com, timezone: Mars/Olympus}\n",
            "p.yaml",
            env={},
        )
    assert caught.value.errors == ["p.yaml:2: providers[0].timezone: unknown time zone 'Mars/Olympus'"]


def test_discovery_offers_cachet_for_any_page() -> None:
    assert CachetSource.detect_order == 50
    found = CachetSource.candidate("https://status.yoti.com")
    assert found is not None and (found.type, found.url) == ("cachet", "https://status.yoti.com")
