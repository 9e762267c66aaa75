"""HttpClient.probe against real loopback servers: any status is a result, only no answer is an error."""

from __future__ import annotations

import asyncio
import gzip
import socket

import pytest
from aiohttp import web

from monitor.errors import FetchError
from monitor.fetch import PROBE_BODY_BYTES, HttpClient

from .conftest import Serve


@pytest.mark.parametrize("status", [200, 204, 301, 404, 500, 503])
async def test_any_status_is_a_result(serve: Serve, http: HttpClient, status: int) -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(status=status, text="" if status in (204, 301) else f"answer {status}")

    server = await serve({"/health": handler})
    url = str(server.make_url("/health"))
    result = await http.probe(url, timeout=5)
    assert (result.status, result.final_url) == (status, url)
    assert result.body_prefix == (b"" if status in (204, 301) else f"answer {status}".encode())
    assert 0 < result.elapsed_seconds < 5


async def test_sends_no_validators_and_asks_caches_to_revalidate(serve: Serve, http: HttpClient) -> None:
    seen: dict[str, str] = {}

    async def handler(request: web.Request) -> web.Response:
        seen.update(request.headers)
        return web.Response(text="ok")

    server = await serve({"/health": handler})
    await http.probe(str(server.make_url("/health")), timeout=5)
    assert seen["Cache-Control"] == "no-cache"
    assert "If-None-Match" not in seen and "If-Modified-Since" not in seen
    assert seen["User-Agent"].startswith("outage-monitor/")


async def test_reads_at_most_max_body_of_a_large_answer(serve: Serve, http: HttpClient) -> None:
    async def endless(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        await response.prepare(request)
        for _ in range(1000):  # 64 MB if read to the end
            await response.write(b"x" * 65536)
        return response

    server = await serve({"/big": endless})
    result = await http.probe(str(server.make_url("/big")), timeout=5)
    assert result.body_prefix == b"x" * PROBE_BODY_BYTES
    small = await http.probe(str(server.make_url("/big")), timeout=5, max_body=10)
    assert small.body_prefix == b"x" * 10


async def test_body_is_decompressed(serve: Serve, http: HttpClient) -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(body=gzip.compress(b'{"status": "ok"}'), headers={"Content-Encoding": "gzip"})

    server = await serve({"/health": handler})
    assert (await http.probe(str(server.make_url("/health")), timeout=5)).body_prefix == b'{"status": "ok"}'


async def test_follows_redirects_to_the_final_url(serve: Serve, http: HttpClient) -> None:
    async def moved(request: web.Request) -> web.Response:
        raise web.HTTPFound("/live")

    async def live(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    server = await serve({"/health": moved, "/live": live})
    result = await http.probe(str(server.make_url("/health")), timeout=5)
    assert (result.status, result.final_url) == (200, str(server.make_url("/live")))


async def test_elapsed_covers_a_slow_answer(serve: Serve, http: HttpClient) -> None:
    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(0.3)
        return web.Response(text="ok")

    server = await serve({"/slow": slow})
    result = await http.probe(str(server.make_url("/slow")), timeout=5)
    assert 0.3 <= result.elapsed_seconds < 3


async def test_no_answer_in_time_is_a_timeout(serve: Serve, http: HttpClient, release: asyncio.Event) -> None:
    async def stalled(request: web.Request) -> web.Response:
        await release.wait()
        return web.Response(text="late")

    server = await serve({"/slow": stalled})
    with pytest.raises(FetchError) as caught:
        await http.probe(str(server.make_url("/slow?token=secret")), timeout=0.2)
    assert caught.value.outcome == "timeout"
    assert str(caught.value) == "no complete answer from 127.0.0.1/slow within 0.2s"


async def test_closed_port_is_a_connect_error(http: HttpClient) -> None:
    with socket.socket() as probe:  # a port that was free a moment ago and has no listener now
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(FetchError) as caught:
        await http.probe(f"http://127.0.0.1:{port}/health", timeout=5)
    assert (caught.value.outcome, str(caught.value)) == (
        "connect_error",
        "cannot fetch 127.0.0.1/health: Connection refused",
    )


async def test_redirect_loop_is_an_error(serve: Serve, http: HttpClient) -> None:
    async def loop(request: web.Request) -> web.Response:
        raise web.HTTPFound("/loop")

    server = await serve({"/loop": loop})
    with pytest.raises(FetchError, match=r"^more than 5 redirects fetching 127\.0\.0\.1/loop$"):
        await http.probe(str(server.make_url("/loop")), timeout=5)
