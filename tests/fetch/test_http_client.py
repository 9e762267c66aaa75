"""HttpClient against a real aiohttp server on 127.0.0.1: what it sends and how it classifies answers."""

from __future__ import annotations

import asyncio
import gzip
import socket
import time
import zlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from aiohttp import web

from monitor import __version__
from monitor.errors import FetchError
from monitor.fetch import NOT_MODIFIED, HttpClient, Response, parse_retry_after, public_url, redact_url

from .conftest import Serve


async def test_sends_user_agent_and_accepts_compression(serve: Serve, http: HttpClient) -> None:
    seen: dict[str, str] = {}

    async def handler(request: web.Request) -> web.Response:
        seen.update(request.headers)
        return web.json_response({"ok": True})

    server = await serve({"/s": handler})
    await http.get(str(server.make_url("/s")), timeout=5)
    assert seen["User-Agent"] == f"outage-monitor/{__version__}"
    assert "gzip" in seen["Accept-Encoding"] and "deflate" in seen["Accept-Encoding"]
    assert "If-None-Match" not in seen and "If-Modified-Since" not in seen


async def test_200_returns_body_type_and_validators(serve: Serve, http: HttpClient) -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(
            body=b'{"a": 1}',
            content_type="application/json",
            charset="utf-8",
            headers={"ETag": '"v1"', "Last-Modified": "Fri, 25 Nov 2022 15:50:05 GMT"},
        )

    server = await serve({"/s": handler})
    url = str(server.make_url("/s"))
    response = await http.get(url, timeout=5)
    assert response == Response(
        url=url,
        status=200,
        body=b'{"a": 1}',
        content_type="application/json",
        etag='"v1"',
        last_modified="Fri, 25 Nov 2022 15:50:05 GMT",
        charset="utf-8",
    )


def test_text_follows_the_declared_charset_and_a_bom() -> None:
    latin = Response(
        url="u", status=200, body="café".encode("latin-1"), content_type="text/html", charset="iso-8859-1"
    )
    assert latin.text() == "café"
    utf16 = Response(url="u", status=200, body="café".encode("utf-16"), content_type="application/json")
    assert utf16.text() == "café"  # the BOM wins over the (absent) charset
    bogus = Response(url="u", status=200, body=b"caf\xc3\xa9", content_type="text/html", charset="x-nonsense")
    assert bogus.text() == "café"


async def test_missing_content_type_is_empty() -> None:
    """aiohttp's server always sets Content-Type, so a raw socket server answers here."""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server, HttpClient() as http:
        response = await http.get(f"http://127.0.0.1:{port}/s", timeout=5)
    assert isinstance(response, Response)
    assert (response.body, response.content_type) == (b"{}", "")


async def test_etag_sent_and_304_is_not_modified(serve: Serve, http: HttpClient) -> None:
    async def handler(request: web.Request) -> web.Response:
        if request.headers.get("If-None-Match") == '"v1"':
            return web.Response(status=304)
        return web.json_response({}, headers={"ETag": '"v1"'})

    server = await serve({"/s": handler})
    url = str(server.make_url("/s"))
    assert isinstance(await http.get(url, timeout=5), Response)
    assert await http.get(url, timeout=5, etag='"v1"') is NOT_MODIFIED
    assert isinstance(await http.get(url, timeout=5, etag='"v0"'), Response)


async def test_last_modified_sent_and_304_is_not_modified(serve: Serve, http: HttpClient) -> None:
    stamp = "Fri, 25 Nov 2022 15:50:05 GMT"

    async def handler(request: web.Request) -> web.Response:
        if request.headers.get("If-Modified-Since") == stamp:
            return web.Response(status=304)
        return web.json_response({}, headers={"Last-Modified": stamp})

    server = await serve({"/s": handler})
    url = str(server.make_url("/s"))
    assert await http.get(url, timeout=5, last_modified=stamp) is NOT_MODIFIED
    assert isinstance(await http.get(url, timeout=5), Response)


async def test_redirect_followed_and_final_url_reported(serve: Serve, http: HttpClient) -> None:
    async def old(request: web.Request) -> web.Response:
        raise web.HTTPFound("/new/place")

    async def new(request: web.Request) -> web.Response:
        return web.json_response({"here": True})

    server = await serve({"/old": old, "/new/place": new})
    response = await http.get(str(server.make_url("/old")), timeout=5)
    assert isinstance(response, Response)
    assert response.url == str(server.make_url("/new/place"))
    assert response.body == b'{"here": true}'


async def test_follows_exactly_max_redirects(serve: Serve) -> None:
    async def hop(request: web.Request) -> web.Response:
        left = int(request.match_info["left"])
        if left == 0:
            return web.json_response({})
        raise web.HTTPFound(f"/hop/{left - 1}")

    app_routes = {"/hop/{left}": hop}
    server = await serve(app_routes)
    async with HttpClient(max_redirects=3) as http:
        response = await http.get(str(server.make_url("/hop/3")), timeout=5)
        assert isinstance(response, Response)
        assert response.url.endswith("/hop/0")
        with pytest.raises(FetchError) as caught:
            await http.get(str(server.make_url("/hop/4")), timeout=5)
    assert caught.value.outcome == "http_error"


async def test_too_many_redirects_is_http_error_without_query(serve: Serve) -> None:
    hops = 0

    async def loop(request: web.Request) -> web.Response:
        nonlocal hops
        hops += 1
        raise web.HTTPFound(f"/loop?token=secret{hops}")

    server = await serve({"/loop": loop})
    async with HttpClient(max_redirects=3) as http:
        with pytest.raises(FetchError) as caught:
            await http.get(str(server.make_url("/loop?token=secret")), timeout=5)
    assert caught.value.outcome == "http_error"
    assert str(caught.value) == "more than 3 redirects fetching 127.0.0.1/loop"
    assert hops == 4  # the first request plus three followed redirects


@pytest.mark.parametrize(("encoding", "compress"), [("gzip", gzip.compress), ("deflate", zlib.compress)])
async def test_compressed_body_is_decoded(
    serve: Serve, http: HttpClient, encoding: str, compress: Callable[[bytes], bytes]
) -> None:
    payload = b'{"components": []}' * 100
    packed = compress(payload)

    async def handler(request: web.Request) -> web.Response:
        return web.Response(
            body=packed, content_type="application/json", headers={"Content-Encoding": encoding}
        )

    server = await serve({"/s": handler})
    response = await http.get(str(server.make_url("/s")), timeout=5)
    assert isinstance(response, Response)
    assert response.body == payload


async def test_body_at_the_cap_is_accepted(serve: Serve) -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(body=b"x" * 1000)

    server = await serve({"/s": handler})
    async with HttpClient(max_bytes=1000) as http:
        response = await http.get(str(server.make_url("/s")), timeout=5)
    assert isinstance(response, Response)
    assert len(response.body) == 1000


async def test_body_over_the_cap_is_too_large(serve: Serve) -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(body=b"x" * 1001)

    server = await serve({"/big": handler})
    async with HttpClient(max_bytes=1000) as http:
        with pytest.raises(FetchError) as caught:
            await http.get(str(server.make_url("/big?key=secret")), timeout=5)
    assert caught.value.outcome == "too_large"
    assert str(caught.value) == "body from 127.0.0.1/big exceeds 1000 bytes"


async def test_a_body_arriving_in_pieces_is_read_whole(serve: Serve, http: HttpClient) -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        await response.prepare(request)
        for piece in (b"[1,", b"2,", b"3]"):
            await response.write(piece)
            await asyncio.sleep(0.01)
        await response.write_eof()
        return response

    server = await serve({"/s": handler})
    response = await http.get(str(server.make_url("/s")), timeout=5)
    assert isinstance(response, Response)
    assert response.body == b"[1,2,3]"


@pytest.mark.parametrize("status", [200, 204])
async def test_an_empty_body_is_read_as_empty(serve: Serve, http: HttpClient, status: int) -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(status=status)

    server = await serve({"/s": handler})
    response = await http.get(str(server.make_url("/s")), timeout=5)
    assert isinstance(response, Response)
    assert (response.status, response.body) == (status, b"")


async def test_a_streamed_body_is_refused_once_past_the_cap_without_waiting_for_the_rest(
    serve: Serve, release: asyncio.Event
) -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        await response.prepare(request)
        await response.write(b"x" * 600)
        await asyncio.sleep(0.01)
        await response.write(b"x" * 600)
        await release.wait()  # the rest never comes
        return response

    server = await serve({"/s": handler})
    async with HttpClient(max_bytes=1000) as http:
        with pytest.raises(FetchError) as caught:
            await http.get(str(server.make_url("/s")), timeout=5)
    assert caught.value.outcome == "too_large"


async def test_cap_applies_after_decompression(serve: Serve) -> None:
    """A small gzip that inflates past the cap (a zip bomb, in miniature) is refused."""
    packed = gzip.compress(b" " * 100_000)
    assert len(packed) < 1000

    async def handler(request: web.Request) -> web.Response:
        return web.Response(body=packed, headers={"Content-Encoding": "gzip"})

    server = await serve({"/s": handler})
    async with HttpClient(max_bytes=10_000) as http:
        with pytest.raises(FetchError) as caught:
            await http.get(str(server.make_url("/s")), timeout=5)
    assert caught.value.outcome == "too_large"


async def test_slow_headers_time_out(serve: Serve, http: HttpClient, release: asyncio.Event) -> None:
    async def handler(request: web.Request) -> web.Response:
        await release.wait()
        return web.Response(text="late")

    server = await serve({"/slow": handler})
    started = time.monotonic()
    with pytest.raises(FetchError) as caught:
        await http.get(str(server.make_url("/slow?q=secret")), timeout=0.2)
    assert time.monotonic() - started < 2
    assert caught.value.outcome == "timeout"
    assert str(caught.value) == "no complete answer from 127.0.0.1/slow within 0.2s"


async def test_stalled_body_times_out(serve: Serve, http: HttpClient, release: asyncio.Event) -> None:
    """The timeout bounds the whole exchange, not only the wait for headers."""

    async def handler(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        response.content_length = 100
        await response.prepare(request)
        await response.write(b"{")
        await release.wait()
        return response

    server = await serve({"/stall": handler})
    started = time.monotonic()
    with pytest.raises(FetchError) as caught:
        await http.get(str(server.make_url("/stall")), timeout=0.3)
    assert time.monotonic() - started < 2
    assert caught.value.outcome == "timeout"


async def test_429_is_rate_limited_with_retry_after_seconds(serve: Serve, http: HttpClient) -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(status=429, headers={"Retry-After": "120"})

    server = await serve({"/s": handler})
    with pytest.raises(FetchError) as caught:
        await http.get(str(server.make_url("/s")), timeout=5)
    assert caught.value.outcome == "rate_limited"
    assert caught.value.retry_after == 120
    assert str(caught.value) == "HTTP 429 from 127.0.0.1/s"


async def test_503_is_http_error_with_retry_after_date(serve: Serve, http: HttpClient) -> None:
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=90), usegmt=True)

    async def handler(request: web.Request) -> web.Response:
        return web.Response(status=503, headers={"Retry-After": later})

    server = await serve({"/s": handler})
    with pytest.raises(FetchError) as caught:
        await http.get(str(server.make_url("/s")), timeout=5)
    assert caught.value.outcome == "http_error"
    assert caught.value.retry_after is not None
    assert 80 <= caught.value.retry_after <= 90


@pytest.mark.parametrize("status", [400, 404, 500, 502, 504])
async def test_other_errors_name_host_and_path_only(serve: Serve, http: HttpClient, status: int) -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(status=status, text="<html>error page</html>", headers={"Retry-After": "5"})

    server = await serve({"/api/v2/summary.json": handler})
    with pytest.raises(FetchError) as caught:
        await http.get(str(server.make_url("/api/v2/summary.json?api_key=secret")), timeout=5)
    assert caught.value.outcome == "http_error"
    assert caught.value.retry_after is None
    assert str(caught.value) == f"HTTP {status} from 127.0.0.1/api/v2/summary.json"


async def test_connection_refused_is_connect_error(http: HttpClient) -> None:
    with socket.socket() as probe:  # a port that was free a moment ago and has no listener now
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(FetchError) as caught:
        await http.get(f"http://127.0.0.1:{port}/s?token=secret", timeout=5)
    assert caught.value.outcome == "connect_error"
    assert str(caught.value) == "cannot fetch 127.0.0.1/s: Connection refused"
    assert "secret" not in str(caught.value)


async def test_one_session_shared_until_closed() -> None:
    client = HttpClient()
    session = client.session
    assert client.session is session
    assert session.connector is not None and session.connector.limit == 100
    await client.close()
    assert session.closed


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("120", 120.0),
        ("0", 0.0),
        ("-5", 0.0),
        ("99999", 3600.0),
        ("Thu, 01 Jan 1970 00:00:00 GMT", 0.0),
        ("Thu, 01 Jan 1970 00:02:00 GMT", 120.0),
        ("Thu, 01 Jan 1970 00:02:00 -0000", 120.0),
        ("Fri, 01 Jan 2100 00:00:00 GMT", 3600.0),
        ("soon", None),
        ("nan", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_retry_after(header: str | None, expected: float | None) -> None:
    assert parse_retry_after(header, now=0.0) == expected


def test_redact_url_drops_query_credentials_and_scheme() -> None:
    assert redact_url("https://user:pw@status.example.com/api/v2/summary.json?t=1#x") == (
        "status.example.com/api/v2/summary.json"
    )


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://user:pa55@status.example.com/p?token=t0k#x", "https://status.example.com/p"),
        ("https://status.example.com", "https://status.example.com"),
        ("https://[::1", "<unparseable URL>"),
    ],
)
def test_public_url_drops_credentials_query_and_fragment(url: str, shown: str) -> None:
    assert public_url(url) == shown
    assert redact_url(url) in ("status.example.com/p", "status.example.com/", "<unparseable URL>")
