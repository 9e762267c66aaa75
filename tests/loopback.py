"""Real HTTP on 127.0.0.1 for tests of one adapter: an aiohttp server per test, the shared client."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from monitor.fetch import HttpClient

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Serve = Callable[[Mapping[str, Handler]], Awaitable[TestServer]]


@pytest.fixture
def release() -> asyncio.Event:
    """Set at teardown so handlers that stall on purpose end before their server closes."""
    return asyncio.Event()


@pytest.fixture
async def serve(release: asyncio.Event) -> AsyncIterator[Serve]:
    """`await serve({"/path": handler})` starts a server answering GETs; all are closed at teardown."""
    servers: list[TestServer] = []

    async def start(routes: Mapping[str, Handler]) -> TestServer:
        app = web.Application()
        for path, handler in routes.items():
            app.router.add_get(path, handler)
        server = TestServer(app, host="127.0.0.1", port=0)
        await server.start_server()
        servers.append(server)
        return server

    yield start
    release.set()
    for server in servers:
        await server.close()


@pytest.fixture
async def http() -> AsyncIterator[HttpClient]:
    async with HttpClient() as client:
        yield client
