"""The redirect guard over real loopback HTTP: the connector checks the address each connection actually
reached, before the request is sent. Every server here is on loopback, so a public page is simulated by
classifying 127.0.0.2 as public; the connections, redirects and refusals are real."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from ipaddress import ip_address

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

import monitor.egress
from monitor.egress import IPAddress, Kind
from monitor.errors import FetchError
from monitor.fetch import HttpClient, Response

from .conftest import Handler, Serve


def internal(hits: list[str]) -> Handler:
    """An internal endpoint that records every request reaching it."""

    async def handler(request: web.Request) -> web.Response:
        hits.append(request.path)
        return web.json_response({"internal": "data"})

    return handler


def redirect_to(target: str) -> Handler:
    async def handler(request: web.Request) -> web.Response:
        raise web.HTTPFound(target)

    return handler


@pytest.fixture
async def public(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Serve]:
    """`await public({"/path": handler})`: a server on 127.0.0.2, which the guard classifies as public."""
    real = monitor.egress.address_kind

    def kind(address: IPAddress) -> Kind:
        return "public" if address == ip_address("127.0.0.2") else real(address)

    monkeypatch.setattr(monitor.egress, "address_kind", kind)
    servers: list[TestServer] = []

    async def start(routes: Mapping[str, Handler]) -> TestServer:
        app = web.Application()
        for path, handler in routes.items():
            app.router.add_get(path, handler)
        server = TestServer(app, host="127.0.0.2", port=0)
        await server.start_server()
        servers.append(server)
        return server

    yield start
    for server in servers:
        await server.close()


async def test_redirect_from_a_public_page_into_loopback_is_refused_before_sending(
    serve: Serve, http: HttpClient, public: Serve
) -> None:
    hits: list[str] = []
    inside = await serve({"/admin": internal(hits)})
    page = await public({"/status": redirect_to(str(inside.make_url("/admin?token=secret")))})
    with pytest.raises(FetchError) as caught:
        await http.get(str(page.make_url("/status")), timeout=5)
    assert caught.value.outcome == "connect_error"
    assert str(caught.value) == (
        f"redirect to 127.0.0.1:{inside.port} refused: loopback address not allowed from a public page"
    )
    assert hits == []  # refused on the connected socket, before a byte of the request


async def test_the_address_connected_to_is_checked_not_the_name(
    serve: Serve, http: HttpClient, public: Serve
) -> None:
    hits: list[str] = []
    inside = await serve({"/admin": internal(hits)})
    page = await public({"/status": redirect_to(f"http://localhost:{inside.port}/admin")})
    with pytest.raises(FetchError, match=rf"^redirect to localhost:{inside.port} \(127\.0\.0\.1\) refused: "):
        await http.probe(str(page.make_url("/status")), timeout=5)
    assert hits == []


async def test_a_pooled_connection_to_an_internal_address_is_refused_too(
    serve: Serve, http: HttpClient, public: Serve
) -> None:
    """A loopback provider leaves a connection in the pool; a redirect reuses it without any DNS."""
    hits: list[str] = []
    inside = await serve({"/admin": internal(hits)})
    assert isinstance(await http.get(str(inside.make_url("/admin")), timeout=5), Response)  # configured: fine
    page = await public({"/status": redirect_to(str(inside.make_url("/admin")))})
    with pytest.raises(FetchError, match=r"refused: loopback address not allowed from a public page$"):
        await http.get(str(page.make_url("/status")), timeout=5)
    assert hits == ["/admin"]  # the configured fetch only


async def test_a_public_page_may_redirect_to_another_public_server(http: HttpClient, public: Serve) -> None:
    hits: list[str] = []
    mirror = await public({"/moved": internal(hits)})
    page = await public({"/status": redirect_to(str(mirror.make_url("/moved")))})
    response = await http.get(str(page.make_url("/status")), timeout=5)
    assert isinstance(response, Response) and response.url == str(mirror.make_url("/moved"))
    assert hits == ["/moved"]


async def test_a_loopback_page_may_redirect_to_another_loopback_server(
    serve: Serve, http: HttpClient
) -> None:
    hits: list[str] = []
    target = await serve({"/moved": internal(hits)})
    page = await serve({"/status": redirect_to(str(target.make_url("/moved")))})
    async with HttpClient(listen=("0.0.0.0", 1)) as guarded:  # the daemon is elsewhere
        response = await guarded.get(str(page.make_url("/status")), timeout=5)
    assert isinstance(response, Response) and response.url == str(target.make_url("/moved"))
    assert hits == ["/moved"]


@pytest.mark.parametrize("listen_host", ["127.0.0.1", "0.0.0.0", "::", "localhost"])
async def test_redirect_to_the_daemons_own_listen_address_is_refused(serve: Serve, listen_host: str) -> None:
    hits: list[str] = []
    daemon = await serve({"/api/v1/providers": internal(hits)})
    page = await serve({"/status": redirect_to(str(daemon.make_url("/api/v1/providers")))})
    assert daemon.port is not None
    async with HttpClient(listen=(listen_host, daemon.port)) as http:
        with pytest.raises(FetchError) as caught:
            await http.get(str(page.make_url("/status")), timeout=5)
        with pytest.raises(FetchError, match=r"^fetch of 127\.0\.0\.1:\d+ refused: the daemon's own listen"):
            await http.probe(str(daemon.make_url("/api/v1/providers")), timeout=5)
    assert (
        str(caught.value) == f"redirect to 127.0.0.1:{daemon.port} refused: the daemon's own listen address"
    )
    assert hits == []


async def test_notifier_posts_are_not_guarded(serve: Serve) -> None:
    """Notifier URLs come from the config, not from a page: the session itself stays unrestricted."""
    hits: list[str] = []
    receiver = await serve({"/hook": internal(hits)})
    assert receiver.port is not None
    async with HttpClient(listen=("127.0.0.1", receiver.port)) as http:
        answer = await http.session.get(str(receiver.make_url("/hook")))
        assert answer.status == 200
        answer.release()
    assert hits == ["/hook"]
