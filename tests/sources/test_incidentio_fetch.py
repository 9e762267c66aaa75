"""The incident.io source over real HTTP on 127.0.0.1: /proxy/<host> first, then its fallbacks."""

from __future__ import annotations

import asyncio
import json

import pytest
from aiohttp import web

from monitor.errors import FetchError, ParseError
from monitor.fetch import NOT_MODIFIED, HttpClient
from monitor.model import ComponentStatus, Impact, Snapshot
from monitor.sources.incidentio import IncidentioConfig, IncidentioSource

from .conftest import FIXTURES, Handler, Serve
from .endpoint import Endpoint
from .incidentio_html import HTML, proxy_answer

PROXY = "/proxy/127.0.0.1"
SUMMARY = "/api/v2/summary.json"
AIVEN = "status.aiven.io-2026-03-16-minor.html"
CDN_504 = (FIXTURES / "errors/cdn-504-gateway-timeout.html").read_bytes()
# incident.io's Statuspage-compatible summary: null for empty lists, full_outage, no groups (synthetic)
SYNTHETIC_SUMMARY = {
    "page": {"id": "01H0FX8N7BG3M9PMMX0J0HENJF", "name": "Aiven", "url": "https://status.aiven.io"},
    "status": {"indicator": "major", "description": "Major outage"},
    "components": [{"id": "c1", "name": "Aiven", "status": "full_outage", "group_id": None}],
    "incidents": None,
    "scheduled_maintenances": None,
}


def proxy_body() -> bytes:
    return json.dumps(proxy_answer(AIVEN)).encode()


async def source_at(
    serve: Serve, routes: dict[str, Handler], fallback: bool = True
) -> tuple[IncidentioSource, str]:
    server = await serve(routes)
    base = str(server.make_url("")).rstrip("/")
    config = IncidentioConfig(name="aiven", type="incidentio", url=base + "/", fallback=fallback)
    return IncidentioSource(config), base


async def test_reads_proxy_for_its_own_host_then_not_modified(serve: Serve, http: HttpClient) -> None:
    proxy, summary = Endpoint(proxy_body()), Endpoint(json.dumps(SYNTHETIC_SUMMARY).encode())
    source, base = await source_at(serve, {PROXY: proxy.handle, SUMMARY: summary.handle})
    snapshot = await source.fetch(http, 5)
    assert isinstance(snapshot, Snapshot)
    assert snapshot.page_url == base
    assert snapshot.incidents[0].url == f"{base}/incidents/01KJNTSXKSNJJ8NWRKFWW9XT3K"
    assert snapshot.components[0].status is ComponentStatus.PARTIAL_OUTAGE
    assert await source.fetch(http, 5) is NOT_MODIFIED
    assert (proxy.hits, summary.hits) == (2, 0)


async def test_falls_back_to_summary_json_when_proxy_is_missing(serve: Serve, http: HttpClient) -> None:
    proxy = Endpoint(b"not found", "text/plain", status=404)
    summary = Endpoint(json.dumps(SYNTHETIC_SUMMARY).encode())
    source, base = await source_at(serve, {PROXY: proxy.handle, SUMMARY: summary.handle})
    snapshot = await source.fetch(http, 5)
    assert isinstance(snapshot, Snapshot)
    assert snapshot.page_url == base
    assert [(c.id, c.status) for c in snapshot.components] == [("c1", ComponentStatus.MAJOR_OUTAGE)]
    assert (snapshot.indicator, snapshot.incidents) == (Impact.MAJOR, ())
    assert await source.fetch(http, 5) is NOT_MODIFIED  # the summary's own validator
    assert (proxy.hits, summary.hits) == (2, 2)


async def test_falls_back_to_the_page_html_last(serve: Serve, http: HttpClient) -> None:
    page = Endpoint((HTML / AIVEN).read_bytes(), "text/html")
    cdn = Endpoint(CDN_504, "text/html")
    source, base = await source_at(serve, {PROXY: cdn.handle, SUMMARY: cdn.handle, "/": page.handle})
    snapshot = await source.fetch(http, 5)
    assert isinstance(snapshot, Snapshot)
    assert snapshot.page_url == base
    assert snapshot.incidents[0].id == "01KJNTSXKSNJJ8NWRKFWW9XT3K"
    assert (cdn.hits, page.hits) == (2, 1)


async def test_when_nothing_reads_the_proxy_error_is_reported(serve: Serve, http: HttpClient) -> None:
    cdn = Endpoint(CDN_504, "text/html")
    source, _ = await source_at(serve, {PROXY: cdn.handle, SUMMARY: cdn.handle, "/": cdn.handle})
    with pytest.raises(
        ParseError, match=r"^expected JSON from 127\.0\.0\.1/proxy/127\.0\.0\.1, got text/html$"
    ):
        await source.fetch(http, 5)
    assert cdn.hits == 3


async def test_without_fallback_only_proxy_is_read(serve: Serve, http: HttpClient) -> None:
    proxy = Endpoint(b"not found", "text/plain", status=404)
    summary = Endpoint(json.dumps(SYNTHETIC_SUMMARY).encode())
    source, _ = await source_at(serve, {PROXY: proxy.handle, SUMMARY: summary.handle}, fallback=False)
    with pytest.raises(FetchError, match="HTTP 404"):
        await source.fetch(http, 5)
    assert summary.hits == 0


async def test_a_statuspage_page_is_not_detected_as_incidentio(serve: Serve, http: HttpClient) -> None:
    github = Endpoint((FIXTURES / "statuspage/summary/github-2019-12-30-operational.json").read_bytes())
    server = await serve({SUMMARY: github.handle})
    candidate = IncidentioSource.candidate(str(server.make_url("/")))
    assert candidate is not None
    with pytest.raises(FetchError, match="HTTP 404"):  # no /proxy/<host>: the tell is missing
        await IncidentioSource(candidate).fetch(http, 5)
    assert github.hits == 0


async def test_a_timeout_is_not_retried_on_the_fallbacks(
    serve: Serve, http: HttpClient, release: asyncio.Event
) -> None:
    async def stall(request: web.Request) -> web.Response:
        await release.wait()
        return web.Response(status=500)

    summary = Endpoint(json.dumps(SYNTHETIC_SUMMARY).encode())
    source, _ = await source_at(serve, {PROXY: stall, SUMMARY: summary.handle})
    with pytest.raises(FetchError) as caught:
        await source.fetch(http, 0.2)
    assert caught.value.outcome == "timeout"
    assert summary.hits == 0  # a slow host would only be slow again on the next path
