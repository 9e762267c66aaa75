"""The Instatus source over real HTTP on 127.0.0.1: two documents, ETags, redirects, an HTML page."""

from __future__ import annotations

import pytest
from aiohttp import web

from monitor.errors import ParseError
from monitor.fetch import NOT_MODIFIED, HttpClient
from monitor.model import Snapshot
from monitor.sources.instatus import InstatusConfig, InstatusSource

from .conftest import FIXTURES, Handler, Serve
from .endpoint import Endpoint

SUMMARY = (FIXTURES / "instatus/status.perplexity.com-summary.json").read_bytes()
COMPONENTS = (FIXTURES / "instatus/status.perplexity.com-v2-components.json").read_bytes()
WHEREBY_HTML = (FIXTURES / "instatus/html/wherebystatus.com-2026-03-16-up.html").read_bytes()


async def source_at(serve: Serve, routes: dict[str, Handler], prefix: str = "") -> tuple[InstatusSource, str]:
    server = await serve(routes)
    base = str(server.make_url(prefix)).rstrip("/")
    return InstatusSource(InstatusConfig(name="perplexity", type="instatus", url=base + "/")), base


async def test_reads_both_documents_then_not_modified(serve: Serve, http: HttpClient) -> None:
    summary, components = Endpoint(SUMMARY), Endpoint(COMPONENTS)
    source, base = await source_at(
        serve, {"/summary.json": summary.handle, "/v2/components.json": components.handle}
    )
    snapshot = await source.fetch(http, 5)
    assert isinstance(snapshot, Snapshot)
    assert snapshot.page_url == base
    assert [c.name for c in snapshot.components] == ["Website", "API", "Computer"]
    assert await source.fetch(http, 5) is NOT_MODIFIED
    assert summary.paths == ["/summary.json"] * 2 and components.paths == ["/v2/components.json"] * 2


async def test_a_redirected_page_reports_the_final_url(serve: Serve, http: HttpClient) -> None:
    async def moved(request: web.Request) -> web.Response:
        raise web.HTTPMovedPermanently("/new" + request.path)

    routes: dict[str, Handler] = {"/summary.json": moved, "/v2/components.json": moved}
    routes |= {
        "/new/summary.json": Endpoint(SUMMARY).handle,
        "/new/v2/components.json": Endpoint(COMPONENTS).handle,
    }
    source, base = await source_at(serve, routes)
    snapshot = await source.fetch(http, 5)
    assert isinstance(snapshot, Snapshot)
    assert snapshot.page_url == base + "/new"


async def test_the_html_page_in_place_of_json_is_a_parse_error(serve: Serve, http: HttpClient) -> None:
    html, components = Endpoint(WHEREBY_HTML, "text/html"), Endpoint(COMPONENTS)
    source, _ = await source_at(
        serve, {"/summary.json": html.handle, "/v2/components.json": components.handle}
    )
    with pytest.raises(ParseError, match=r"^expected JSON from 127\.0\.0\.1/summary\.json, got text/html$"):
        await source.fetch(http, 5)
