"""The Better Stack source over real HTTP on 127.0.0.1: index.json, ETags, redirects, HTML pages."""

from __future__ import annotations

import pytest
from aiohttp import web

from monitor.errors import ParseError
from monitor.fetch import NOT_MODIFIED, HttpClient
from monitor.model import Snapshot
from monitor.sources.betterstack import BetterstackConfig, BetterstackSource

from .conftest import FIXTURES, Handler, Serve
from .endpoint import Endpoint

INDEX = (FIXTURES / "betterstack/status.together.ai-index.json").read_bytes()
BUILDJET_HTML = (FIXTURES / "betterstack/html/status.buildjet.com-2023-08-06-operational.html").read_bytes()


async def source_at(serve: Serve, routes: dict[str, Handler]) -> tuple[BetterstackSource, str]:
    server = await serve(routes)
    base = str(server.make_url("")).rstrip("/")
    return BetterstackSource(BetterstackConfig(name="together", type="betterstack", url=base)), base


async def test_reads_index_json_then_not_modified(serve: Serve, http: HttpClient) -> None:
    index = Endpoint(INDEX)
    source, base = await source_at(serve, {"/index.json": index.handle})
    snapshot = await source.fetch(http, 5)
    assert isinstance(snapshot, Snapshot)
    assert snapshot.page_url == base and len(snapshot.components) == 22
    assert await source.fetch(http, 5) is NOT_MODIFIED
    assert index.paths == ["/index.json", "/index.json"]


async def test_a_redirected_page_reports_the_final_url(serve: Serve, http: HttpClient) -> None:
    async def moved(request: web.Request) -> web.Response:
        raise web.HTTPFound("/elsewhere/index.json")

    source, base = await source_at(
        serve, {"/index.json": moved, "/elsewhere/index.json": Endpoint(INDEX).handle}
    )
    snapshot = await source.fetch(http, 5)
    assert isinstance(snapshot, Snapshot) and snapshot.page_url == base + "/elsewhere"


async def test_the_status_page_html_is_a_parse_error(serve: Serve, http: HttpClient) -> None:
    source, _ = await source_at(serve, {"/index.json": Endpoint(BUILDJET_HTML, "text/html").handle})
    with pytest.raises(ParseError, match=r"^expected JSON from 127\.0\.0\.1/index\.json, got text/html$"):
        await source.fetch(http, 5)
