"""The HTTP listener, bounded so that whoever can reach the port cannot take the file descriptors the
polls need: at most `max_connections` connections (a new one over the cap closes the oldest), a deadline
for each connection's first request head (aiohttp's keep-alive timeout covers the ones after), and
descriptors set aside for the outbound connections at start-up (`connections_that_fit`).

Should accept() still run out of descriptors (EMFILE), asyncio retries every second and logs each
failure; that becomes one `http_accept_failed` warning per streak and one `http_accept_recovered`
line when a connection is accepted again."""

from __future__ import annotations

import asyncio
import resource
import time
from typing import Any

from aiohttp import web

from monitor.logging import get_logger

log = get_logger(__name__)

RESERVED_FDS = 64  # stdio, the event loop's own, the store's files, log files and threads' pipes
MIN_CONNECTIONS = 8
CAP_QUIET_SECONDS = 60.0  # the cap reached again after this long without reaching it is logged again
_ACCEPT_FAILED = "socket.accept() out of system resource"  # asyncio's message for EMFILE, ENFILE, ...


def connections_that_fit(wanted: int, outbound: int) -> int:
    """How many HTTP connections to allow: `wanted`, or fewer if RLIMIT_NOFILE leaves no room beside
    `outbound` connections (the HTTP client's pool) and `RESERVED_FDS`. The soft limit is raised
    towards the hard one first; a cap below `MIN_CONNECTIONS` is an `OSError` (start-up fails)."""
    needed = wanted + outbound + RESERVED_FDS
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        soft = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    fits = wanted if soft == resource.RLIM_INFINITY else min(wanted, soft - outbound - RESERVED_FDS)
    if fits < MIN_CONNECTIONS:
        raise OSError(
            f"open-file limit {soft} leaves room for {fits} HTTP connections beside {outbound} outbound "
            f"and {RESERVED_FDS} reserved; raise it (ulimit -n) to at least {needed}"
        )
    if fits < wanted:
        log.warning("http_connections_limited", max_connections=wanted, allowed=fits, open_file_limit=soft)
    return fits


class ConnectionGuard:
    """Counts the listener's connections and enforces the cap and the head deadline on each."""

    def __init__(self, server: web.Server, max_connections: int, head_timeout: float) -> None:
        self._server = server
        self.max_connections = max_connections
        self.head_timeout = head_timeout
        self._open: dict[_Guarded, None] = {}  # insertion order: the oldest first
        self._at_cap_since = -CAP_QUIET_SECONDS  # monotonic time the cap was last reached
        self._accept_failures = 0

    def __len__(self) -> int:
        return len(self._open)

    def protocol(self) -> asyncio.Protocol:
        """The protocol factory the listening socket uses: one per accepted connection."""
        if self._accept_failures:
            log.info("http_accept_recovered", failures=self._accept_failures)
            self._accept_failures = 0
        if len(self._open) >= self.max_connections:
            now = time.monotonic()
            if now - self._at_cap_since > CAP_QUIET_SECONDS:
                log.warning("http_connections_at_cap", max_connections=self.max_connections)
            self._at_cap_since = now
            next(iter(self._open)).close()
        return _Guarded(self, self._server())

    def opened(self, connection: _Guarded) -> None:
        self._open[connection] = None

    def closed(self, connection: _Guarded) -> None:
        self._open.pop(connection, None)

    def handle_loop_exception(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        """The event loop's exception handler: accept() failures counted and logged once per streak,
        anything else to asyncio's default handler."""
        if context.get("message") != _ACCEPT_FAILED:
            loop.default_exception_handler(context)
            return
        if not self._accept_failures:
            log.warning("http_accept_failed", error=str(context.get("exception")), open=len(self._open))
        self._accept_failures += 1


class _Guarded(asyncio.Protocol):
    """aiohttp's protocol for one connection, closed if its first request head is not complete within
    the guard's `head_timeout` (a client that connects and sends nothing, or a byte at a time)."""

    def __init__(self, guard: ConnectionGuard, inner: asyncio.Protocol) -> None:
        self._guard = guard
        self._inner = inner
        self._transport: asyncio.BaseTransport | None = None
        self._deadline: asyncio.TimerHandle | None = None
        self._tail = b""  # the last bytes seen, for a head end split across reads

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport
        self._guard.opened(self)
        loop = asyncio.get_running_loop()
        self._deadline = loop.call_later(self._guard.head_timeout, self.close)
        self._inner.connection_made(transport)

    def data_received(self, data: bytes) -> None:
        if self._deadline is not None:
            seen = self._tail + data
            if b"\r\n\r\n" in seen:
                self._deadline.cancel()
                self._deadline = None
            self._tail = seen[-3:]
        self._inner.data_received(data)

    def eof_received(self) -> bool | None:
        return self._inner.eof_received()

    def pause_writing(self) -> None:
        self._inner.pause_writing()

    def resume_writing(self) -> None:
        self._inner.resume_writing()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
        self._guard.closed(self)
        self._inner.connection_lost(exc)

    def close(self) -> None:
        self._guard.closed(self)  # at once, not when the loop gets round to connection_lost
        if self._transport is not None:
            self._transport.close()


class GuardedSite(web.BaseSite):
    """A TCP site whose connections go through a `ConnectionGuard`; the guard is set up on `start`."""

    def __init__(
        self, runner: web.BaseRunner, host: str, port: int, *, max_connections: int, head_timeout: float
    ) -> None:
        super().__init__(runner)
        self._host, self._port = host, port
        self._limits = (max_connections, head_timeout)
        self.guard: ConnectionGuard | None = None

    @property
    def name(self) -> str:
        return f"http://{self._host}:{self._port}"

    async def start(self) -> None:
        await super().start()
        server = self._runner.server
        assert server is not None, "runner not set up"
        self.guard = ConnectionGuard(server, *self._limits)
        loop = asyncio.get_running_loop()
        loop.set_exception_handler(self.guard.handle_loop_exception)
        self._server = await loop.create_server(
            self.guard.protocol, self._host, self._port, backlog=self._backlog, reuse_address=True
        )
