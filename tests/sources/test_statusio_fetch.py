"""The Status.io source over real HTTP on 127.0.0.1: API path, page-id discovery, ETags, error pages."""

from __future__ import annotations

import pytest
from aiohttp import web

from monitor.errors import ParseError
from monitor.fetch import NOT_MODIFIED, HttpClient
from monitor.model import ComponentStatus, Snapshot
from monitor.sources.statusio import StatusioConfig, StatusioSource

from .conftest import FIXTURES, Serve
from .endpoint import Endpoint

PAGE_ID = "5b36dc6502d06804c08349f7"
DOCKER = (FIXTURES / "statusio/docker-2020-07-16-partial-service-disruption-400.json").read_bytes()
CDN_504 = (FIXTURES / "errors/cdn-504-gateway-timeout.html").read_bytes()


async def test_reads_the_configured_page_id_and_honours_etags(serve: Serve, http: HttpClient) -> None:
    api = Endpoint(DOCKER)
    server = await serve({f"/1.0/status/{PAGE_ID}": api.handle})
    base = str(server.make_url("")).rstrip("/")
    source = StatusioSource(StatusioConfig(name="docker", type="statusio", url=base, page_id=PAGE_ID))
    snapshot = await source.fetch(http, 5)
    assert isinstance(snapshot, Snapshot)
    assert snapshot.page_url == f"https://status.io/pages/{PAGE_ID}"  # not the API (or its mirror)
    assert {c.name for c in snapshot.components if c.status is ComponentStatus.PARTIAL_OUTAGE} == {
        "Docker Hub Automated Builds"
    }
    assert await source.fetch(http, 5) is NOT_MODIFIED
    assert api.hits == 2


async def test_discovers_the_page_id_from_the_page_once(serve: Serve, http: HttpClient) -> None:
    page_hits = 0

    async def page(request: web.Request) -> web.Response:
        nonlocal page_hits
        page_hits += 1
        html = (
            f'<html><head><link rel="alternate" href="https://status.io/pages/{PAGE_ID}/rss"></head></html>'
        )
        return web.Response(text=html, content_type="text/html")

    async def moved(request: web.Request) -> web.Response:
        raise web.HTTPFound("/status-page")

    api = Endpoint(DOCKER)
    server = await serve({"/": moved, "/status-page": page, f"/1.0/status/{PAGE_ID}": api.handle})
    base = str(server.make_url("")).rstrip("/")
    source = StatusioSource(StatusioConfig(name="gitlab", type="statusio", url=base, page=base + "/"))
    snapshot = await source.fetch(http, 5)
    assert isinstance(snapshot, Snapshot)
    assert snapshot.page_url == base + "/"  # people read the page they configured
    assert snapshot.incidents[0].url == base + "/"
    assert await source.fetch(http, 5) is NOT_MODIFIED
    assert (page_hits, api.hits) == (1, 2)


async def test_a_page_without_an_id_is_not_statusio(serve: Serve, http: HttpClient) -> None:
    async def page(request: web.Request) -> web.Response:
        return web.Response(text="<html>just a page</html>", content_type="text/html")

    server = await serve({"/": page})
    base = str(server.make_url("")).rstrip("/")
    source = StatusioSource(StatusioConfig(name="x", type="statusio", url=base, page=base + "/"))
    with pytest.raises(ParseError, match=r"^not a Status\.io page: no page id in 127\.0\.0\.1/$"):
        await source.fetch(http, 5)


async def test_an_html_error_page_from_the_api_is_a_parse_error(serve: Serve, http: HttpClient) -> None:
    api = Endpoint(CDN_504, "text/html")
    server = await serve({f"/1.0/status/{PAGE_ID}": api.handle})
    base = str(server.make_url("")).rstrip("/")
    source = StatusioSource(StatusioConfig(name="docker", type="statusio", url=base, page_id=PAGE_ID))
    with pytest.raises(ParseError, match="got text/html"):
        await source.fetch(http, 5)
