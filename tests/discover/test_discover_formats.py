"""Discovery with every format this build registers, on real captures served over loopback: each page
is read by its own format, and an incident.io page, which also answers Statuspage's path, by
incident.io (detection order matters)."""

from __future__ import annotations

import json

import pytest
from aiohttp import web

from monitor.fetch import HttpClient
from monitor.sources import SOURCES
from monitor.sources.discovery import discover
from tests.loopback import Handler, Serve
from tests.sources.conftest import FIXTURES
from tests.sources.incidentio_html import proxy_answer


def document(body: bytes, content_type: str = "application/json") -> Handler:
    async def handle(request: web.Request) -> web.StreamResponse:
        return web.Response(body=body, headers={"Content-Type": content_type})

    return handle


def capture(path: str) -> bytes:
    return (FIXTURES / path).read_bytes()


INCIDENTIO_SUMMARY = {  # what incident.io pages serve at Statuspage's path (synthetic, documented shape)
    "page": {"id": "01H0FX8N7BG3M9PMMX0J0HENJF", "name": "Aiven", "url": "https://status.aiven.io"},
    "status": {"indicator": "minor", "description": "Degraded performance"},
    "components": [{"id": "c1", "name": "Aiven", "status": "degraded_performance", "group_id": None}],
    "incidents": None,
    "scheduled_maintenances": None,
}

# page -> (its format, what the server serves, the path pasted, components and open incidents read)
PAGES: dict[str, tuple[str, dict[str, Handler], str, tuple[int, int]]] = {
    "incident.io": (
        "incidentio",
        {
            "/proxy/127.0.0.1": document(
                json.dumps(proxy_answer("status.aiven.io-2026-03-16-minor.html")).encode()
            ),
            "/api/v2/summary.json": document(json.dumps(INCIDENTIO_SUMMARY).encode()),
        },
        "",
        (2, 1),  # the proxy's view, richer than the summary's one component
    ),
    "statuspage": (
        "statuspage",
        {
            "/api/v2/summary.json": document(
                capture("statuspage/summary/github-2022-11-25-active-incident-minor.json")
            )
        },
        "",
        (11, 1),
    ),
    "instatus": (
        "instatus",
        {
            "/summary.json": document(capture("instatus/status.perplexity.com-summary.json")),
            "/v2/components.json": document(capture("instatus/status.perplexity.com-v2-components.json")),
        },
        "",
        (3, 0),
    ),
    "betterstack": (
        "betterstack",
        {"/index.json": document(capture("betterstack/status.together.ai-index.json"))},
        "",
        (22, 0),
    ),
    "feed": (
        "feed",
        {"/feed.xml": document(capture("custom/status.x.ai-feed.xml"), "application/rss+xml")},
        "/feed.xml",
        (0, 0),  # every item of the capture is resolved
    ),
}


@pytest.mark.parametrize("page", sorted(PAGES))
async def test_each_page_is_read_by_its_own_format(page: str, serve: Serve, http: HttpClient) -> None:
    expected, routes, path, (components, incidents) = PAGES[page]
    server = await serve(routes)
    url = str(server.make_url(path)).rstrip("/")

    found = await discover(http, url, 5, SOURCES.every().values())

    assert (found.config.type, found.config.url) == (expected, url)
    assert (len(found.snapshot.components), len(found.snapshot.incidents)) == (components, incidents)
