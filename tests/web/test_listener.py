"""The bounded listener in-process: the cap, the head deadline, the open-file budget and the one line
per streak of accept() failures."""

from __future__ import annotations

import asyncio
import errno
import resource
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from structlog.testing import capture_logs

from monitor import listener
from monitor.listener import RESERVED_FDS, GuardedSite, connections_that_fit


async def _hello(_: web.BaseRequest) -> web.StreamResponse:
    return web.Response(text="hello")


@pytest.fixture
async def site() -> AsyncIterator[GuardedSite]:
    app = web.Application()
    app.router.add_get("/", _hello)
    runner = web.AppRunner(app, access_log=None, keepalive_timeout=0.3)
    await runner.setup()
    site = GuardedSite(runner, "127.0.0.1", 0, max_connections=8, head_timeout=0.3)
    loop_handler = asyncio.get_running_loop().get_exception_handler()
    await site.start()
    yield site
    await runner.cleanup()
    asyncio.get_running_loop().set_exception_handler(loop_handler)


def port(site: GuardedSite) -> int:
    server = site._server
    assert isinstance(server, asyncio.Server)
    number: int = server.sockets[0].getsockname()[1]
    return number


async def test_over_the_cap_the_oldest_connection_is_closed(site: GuardedSite) -> None:
    with capture_logs() as logs:
        conns = [await asyncio.open_connection("127.0.0.1", port(site)) for _ in range(12)]
        reader, writer = conns[-1]
        writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        assert (await reader.readline()).startswith(b"HTTP/1.1 200")
    for oldest, _ in conns[:4]:
        assert await asyncio.wait_for(oldest.read(), 1) == b""
    assert site.guard is not None and len(site.guard) <= 8
    assert [e["event"] for e in logs] == ["http_connections_at_cap"]
    for _, w in conns:
        w.close()


async def test_a_head_not_finished_in_time_closes_the_connection_a_finished_one_does_not(
    site: GuardedSite,
) -> None:
    slow_reader, slow = await asyncio.open_connection("127.0.0.1", port(site))
    slow.write(b"GET / HTTP/1.1\r\nHost: x\r\n")  # no blank line: the head never ends
    reader, writer = await asyncio.open_connection("127.0.0.1", port(site))
    writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r")
    await asyncio.sleep(0.1)
    writer.write(b"\n")  # the end of the head split across two reads
    assert (await reader.readline()).startswith(b"HTTP/1.1 200")
    assert await asyncio.wait_for(slow_reader.read(), 2) == b""
    slow.close()
    writer.close()


async def test_a_streak_of_accept_failures_is_one_warning_and_one_recovery(site: GuardedSite) -> None:
    loop = asyncio.get_running_loop()
    failure = OSError(errno.EMFILE, "Too many open files")
    with capture_logs() as logs:
        for _ in range(1000):
            loop.call_exception_handler(
                {"message": "socket.accept() out of system resource", "exception": failure}
            )
        reader, writer = await asyncio.open_connection("127.0.0.1", port(site))
        writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        assert (await reader.readline()).startswith(b"HTTP/1.1 200")
    writer.close()
    assert [(e["event"], e["log_level"]) for e in logs] == [
        ("http_accept_failed", "warning"),
        ("http_accept_recovered", "info"),
    ]
    assert logs[0]["error"] == "[Errno 24] Too many open files" and logs[1]["failures"] == 1000


def test_the_cap_is_lowered_to_what_the_open_file_limit_leaves_for_the_polls(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    limits = {"now": (300, 300)}
    monkeypatch.setattr(resource, "getrlimit", lambda _: limits["now"])
    monkeypatch.setattr(resource, "setrlimit", lambda _, value: limits.update(now=value))
    with capture_logs() as logs:
        assert connections_that_fit(256, outbound=100) == 300 - 100 - RESERVED_FDS
    assert logs == [
        {
            "event": "http_connections_limited",
            "log_level": "warning",
            "max_connections": 256,
            "allowed": 136,
            "open_file_limit": 300,
        }
    ]
    limits["now"] = (1024, 4096)  # a soft limit below what is needed is raised towards the hard one
    assert connections_that_fit(2000, outbound=100) == 2000 and limits["now"] == (2164, 4096)
    limits["now"] = (128, 128)
    with pytest.raises(OSError, match=r"open-file limit 128 leaves room for -36 HTTP connections"):
        connections_that_fit(256, outbound=100)


def test_the_exception_handler_leaves_other_errors_to_asyncio(monkeypatch: pytest.MonkeyPatch) -> None:
    passed: list[object] = []
    loop = asyncio.new_event_loop()
    monkeypatch.setattr(loop, "default_exception_handler", passed.append)
    guard = listener.ConnectionGuard(web.Server(_hello, loop=loop), 8, 1.0)
    guard.handle_loop_exception(loop, {"message": "something else"})
    loop.close()
    assert passed == [{"message": "something else"}]
