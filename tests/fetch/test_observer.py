"""What `HttpClient(observer=...)` sees (settings.record), against a real loopback server: every answer of a
GET but a 304 (any status, the error page's body with it), a probe's answer with its latency, and the
error of a request that got no answer. Observing changes nothing of what the caller gets."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from monitor.errors import FetchError
from monitor.fetch import ERROR_BODY_BYTES, NOT_MODIFIED, Exchange, HttpClient

from .conftest import Serve

ERROR_PAGE = "<html><body><h1>503 Service Unavailable</h1></body></html>"


@pytest.fixture
async def seen() -> AsyncIterator[tuple[HttpClient, list[Exchange]]]:
    exchanges: list[Exchange] = []
    async with HttpClient(observer=exchanges.append, max_bytes=1000) as client:
        yield client, exchanges


async def documents(request: web.Request) -> web.StreamResponse:
    if request.headers.get("If-None-Match") == '"v1"':
        return web.Response(status=304)
    return web.Response(body=b'{"a": 1}', content_type="application/json", headers={"ETag": '"v1"'})


async def unavailable(request: web.Request) -> web.Response:
    return web.Response(status=503, text=ERROR_PAGE, content_type="text/html", headers={"Retry-After": "30"})


async def test_every_answer_but_a_304_is_seen_as_asked(
    serve: Serve, seen: tuple[HttpClient, list[Exchange]]
) -> None:
    http, exchanges = seen
    server = await serve({"/doc": documents, "/down": unavailable})
    doc, down = str(server.make_url("/doc?page=1")), str(server.make_url("/down"))
    await http.get(doc, timeout=5)
    assert await http.get(doc, timeout=5, etag='"v1"') is NOT_MODIFIED
    with pytest.raises(FetchError) as caught:
        await http.get(down, timeout=5)
    assert (caught.value.outcome, caught.value.retry_after) == ("http_error", 30)  # as without an observer
    assert exchanges == [
        Exchange(doc, 200, "application/json", b'{"a": 1}'),
        Exchange(down, 503, "text/html; charset=utf-8", ERROR_PAGE.encode()),
    ]


async def test_an_error_pages_body_is_bounded_and_a_stalled_one_left_out(
    serve: Serve, seen: tuple[HttpClient, list[Exchange]], release: asyncio.Event
) -> None:
    http, exchanges = seen

    async def huge(request: web.Request) -> web.Response:
        return web.Response(status=500, body=b"x" * (ERROR_BODY_BYTES + 10))

    async def stalled(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(status=502)
        response.content_length = 100
        await response.prepare(request)
        await response.write(b"<html>")
        await release.wait()
        return response

    server = await serve({"/huge": huge, "/stalled": stalled})
    for path in ("/huge", "/stalled"):
        with pytest.raises(FetchError) as caught:
            await http.get(str(server.make_url(path)), timeout=0.5)
        assert caught.value.outcome == "http_error"  # not too_large, not a timeout: what the status says
    assert [(e.status, len(e.body)) for e in exchanges] == [(500, ERROR_BODY_BYTES), (502, 0)]


async def test_a_request_without_answer_is_seen_with_its_error(
    serve: Serve, seen: tuple[HttpClient, list[Exchange]], release: asyncio.Event
) -> None:
    http, exchanges = seen

    async def slow(request: web.Request) -> web.Response:
        await release.wait()
        return web.Response(text="late")

    async def large(request: web.Request) -> web.Response:
        return web.Response(body=b"x" * 2000)

    server = await serve({"/slow": slow, "/large": large})
    with socket.socket() as free:  # a port that was free a moment ago and has no listener now
        free.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{free.getsockname()[1]}/s"
    urls = [str(server.make_url("/slow")), str(server.make_url("/large")), closed]
    for url in urls:
        with pytest.raises(FetchError):
            await http.get(url, timeout=0.3)
    assert [(e.url, e.status, e.error.outcome if e.error else None) for e in exchanges] == [
        (urls[0], None, "timeout"),
        (urls[1], None, "too_large"),
        (urls[2], None, "connect_error"),
    ]
    assert str(exchanges[0].error) == "no complete answer from 127.0.0.1/slow within 0.3s"


async def test_a_probe_is_seen_with_its_latency(
    serve: Serve, seen: tuple[HttpClient, list[Exchange]], release: asyncio.Event
) -> None:
    http, exchanges = seen

    async def slow(request: web.Request) -> web.Response:
        await release.wait()
        return web.Response(text="late")

    server = await serve({"/down": unavailable, "/slow": slow})
    result = await http.probe(str(server.make_url("/down")), timeout=5)
    with pytest.raises(FetchError):
        await http.probe(str(server.make_url("/slow")), timeout=0.3)
    answered, timed_out = exchanges
    assert (answered.status, answered.body, answered.elapsed) == (
        503,
        ERROR_PAGE.encode(),
        result.elapsed_seconds,
    )
    assert (timed_out.status, timed_out.elapsed, timed_out.error and timed_out.error.outcome) == (
        None,
        None,
        "timeout",
    )
