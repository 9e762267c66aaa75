"""The FireHydrant source over real HTTP on 127.0.0.1: the path, ETags, redirects, an HTML page, config."""

from __future__ import annotations

import pytest
from aiohttp import web

from monitor.config import ConfigError, parse_config
from monitor.errors import ParseError
from monitor.fetch import NOT_MODIFIED, HttpClient
from monitor.model import Snapshot
from monitor.sources.firehydrant import FirehydrantConfig, FirehydrantSource

from .conftest import FIXTURES, Handler, Serve

PAYLOAD = (FIXTURES / "firehydrant/status.redis.io-data-payload-2026-07.json").read_bytes()
CDN_504 = (FIXTURES / "errors/cdn-504-gateway-timeout.html").read_bytes()


def versioned(body: bytes, content_type: str = "application/json") -> tuple[Handler, list[str | None]]:
    """A handler answering `body` with ETag "1" (304 when asked with it); records each If-None-Match."""
    seen: list[str | None] = []

    async def handle(request: web.Request) -> web.Response:
        seen.append(request.headers.get("If-None-Match"))
        if request.headers.get("If-None-Match") == '"1"':
            return web.Response(status=304)
        return web.Response(body=body, content_type=content_type, headers={"ETag": '"1"'})

    return handle, seen


async def source_at(serve: Serve, routes: dict[str, Handler]) -> tuple[FirehydrantSource, str]:
    server = await serve(routes)
    base = str(server.make_url("/")).rstrip("/")
    return FirehydrantSource(FirehydrantConfig(name="redis", type="firehydrant", url=base + "/")), base


async def test_reads_the_payload_then_not_modified(serve: Serve, http: HttpClient) -> None:
    payload, seen = versioned(PAYLOAD)
    source, base = await source_at(serve, {"/data/payload.json": payload})
    snapshot = await source.fetch(http, 5)
    assert isinstance(snapshot, Snapshot)
    assert snapshot.page_url == base
    assert [c.name for c in snapshot.components][:2] == ["Admin Console", "Heroku Integration"]
    assert await source.fetch(http, 5) is NOT_MODIFIED
    assert seen == [None, '"1"']


async def test_a_redirected_page_reports_the_final_url(serve: Serve, http: HttpClient) -> None:
    async def moved(request: web.Request) -> web.Response:
        raise web.HTTPMovedPermanently("/new" + request.path)

    payload, _ = versioned(PAYLOAD)
    source, base = await source_at(serve, {"/data/payload.json": moved, "/new/data/payload.json": payload})
    snapshot = await source.fetch(http, 5)
    assert isinstance(snapshot, Snapshot)
    assert snapshot.page_url == base + "/new"


async def test_an_html_error_page_is_a_parse_error_and_is_not_remembered(
    serve: Serve, http: HttpClient
) -> None:
    html, seen = versioned(CDN_504, "text/html")
    source, _ = await source_at(serve, {"/data/payload.json": html})
    for _ in range(2):  # its ETag must not make the next poll a 304 "confirming" the error page
        with pytest.raises(
            ParseError, match=r"^expected JSON from 127\.0\.0\.1/data/payload\.json, got text/html$"
        ):
            await source.fetch(http, 5)
    assert seen == [None, None]


def test_config_needs_a_url_and_takes_no_options() -> None:
    config = parse_config(
        "providers:\n  - {name: r, type: firehydrant, url: https://status.redis.io}\n", "p.yaml", env={}
    )
    assert isinstance(config.providers[0], FirehydrantConfig)
    with pytest.raises(ConfigError) as caught:
        parse_config("providers:\n  - {name: r, type: firehydrant}\n", "p.yaml", env={})
    assert caught.value.errors == ["p.yaml:2: providers[0].url: required"]
    with pytest.raises(ConfigError) as caught:
        parse_config(
            "providers:\n  - {name: r, type: firehydrant, url: https://status.redis.io, page_id: x}\n",
            "p.yaml",
            env={},
        )
    assert caught.value.errors[0].startswith("p.yaml:2: providers[0].page_id: unknown key 'page_id'")


def test_discovery_offers_firehydrant_for_any_page() -> None:
    config = FirehydrantSource.candidate("https://status.redis.io")
    assert isinstance(config, FirehydrantConfig) and config.url == "https://status.redis.io"
    assert FirehydrantSource.detect_order == 55
