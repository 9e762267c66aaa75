"""The HTTP client every source shares: one aiohttp session, conditional requests, bounded bodies.

One session and one connector for the whole process: polling hundreds of pages through one shared
TLS context, DNS cache and connection pool costs a fraction of a session per request. Every failure
becomes a `FetchError` whose message names host and path only (query strings may carry tokens).

Redirects are followed by aiohttp, and every connection a `get` or `probe` uses, first hop or redirect,
new or taken from the pool, is checked against `monitor.egress` in the connector, on the address the
socket is actually connected to, before a byte of the request is sent. Checking there rather than in a
custom resolver or before each hop is what makes it hold: a resolver is skipped for IP literals and
cached answers, a check before the hop is fooled by DNS that answers differently the second time
(rebinding), and neither sees a pooled connection; only the connected socket's peer cannot lie.
"""

from __future__ import annotations

import functools
import os
import socket
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC
from email.utils import parsedate_to_datetime
from ipaddress import ip_address
from types import TracebackType
from typing import Any, NamedTuple

import aiohttp
from aiohttp.client_reqrep import ClientRequest
from aiohttp.tracing import Trace
from multidict import CIMultiDictProxy
from yarl import URL

from monitor import USER_AGENT
from monitor.egress import IPAddress, Peer, refusal
from monitor.errors import FetchError

DEFAULT_USER_AGENT = USER_AGENT
_MAX_RETRY_AFTER = 3600.0
PROBE_BODY_BYTES = 64 * 1024
ERROR_BODY_BYTES = 64 * 1024  # of an error answer, read only for an observer


class NotModified:
    """The server answered 304: the previous snapshot still holds; nothing to parse."""

    _instance: NotModified | None = None

    def __new__(cls) -> NotModified:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NotModified"


NOT_MODIFIED = NotModified()


class Response(NamedTuple):
    """A 2xx answer. A named tuple, as the page records in monitor.model: one is built per poll."""

    url: str  # the final URL after redirects
    status: int
    body: bytes  # decompressed
    content_type: str  # media type only, lower case, "" when absent
    etag: str | None = None
    last_modified: str | None = None
    charset: str | None = None  # from Content-Type, when the server names one

    def text(self) -> str:
        """The body as text: the declared charset, else UTF-8 (a BOM wins either way); bad bytes replaced."""
        if self.body.startswith((b"\xff\xfe", b"\xfe\xff")):
            return self.body.decode("utf-16", errors="replace")
        if self.body.startswith(b"\xef\xbb\xbf"):
            return self.body[3:].decode("utf-8", errors="replace")
        try:
            return self.body.decode(self.charset or "utf-8", errors="replace")
        except LookupError:  # a charset Python does not know
            return self.body.decode("utf-8", errors="replace")


class ProbeResult(NamedTuple):
    """What an endpoint answered to `HttpClient.probe`."""

    status: int
    body_prefix: bytes  # at most the probe's max_body bytes, decompressed
    elapsed_seconds: float  # request sent to body prefix read
    final_url: str  # after redirects


class Exchange(NamedTuple):
    """One request as `HttpClient(observer=...)` sees it (`settings.record`: monitor/recorder.py): the URL
    asked for, and the answer (any status, a bounded body) or the error when none came."""

    url: str  # as requested, before redirects
    status: int | None  # None: no answer came (`error` says why)
    content_type: str = ""  # the Content-Type header as sent, parameters included
    body: bytes = b""
    elapsed: float | None = None  # a probe's latency, seconds
    error: FetchError | None = None


@dataclass(slots=True)
class _Hop:
    url: str  # where the request is at: the final URL once an answer came
    origin: IPAddress | None = None  # the address the configured URL reached, once connected


# The fetch whose request the connector is connecting for; None for notifiers' posts (their URLs are config).
_FETCH: ContextVar[_Hop | None] = ContextVar("_FETCH", default=None)


class _GuardedConnector(aiohttp.TCPConnector):
    """A connector that refuses a fetch's connection whose peer `monitor.egress` does not allow."""

    def __init__(self, *, listen: tuple[str, int] | None, limit: int) -> None:
        # ssl=True: aiohttp's verifying context, made once at its import (making another costs ~20 ms)
        super().__init__(limit=limit, ttl_dns_cache=300, ssl=True)
        self._listen = listen

    async def connect(
        self, req: ClientRequest, traces: list[Trace], timeout: aiohttp.ClientTimeout
    ) -> aiohttp.connector.Connection:
        conn = await super().connect(req, traces, timeout)
        hop = _FETCH.get()
        if hop is None:
            return conn
        peer = _peer(conn)
        why = (
            "cannot tell which address it reached"
            if peer is None
            else refusal(peer, hop.origin, self._listen)
        )
        if why is not None:
            conn.close()
            target = f"[{req.url.host}]" if ":" in (req.url.host or "") else req.url.host
            reached = "" if peer is None or str(peer.address) == req.url.host else f" ({peer.address})"
            what = "fetch of" if hop.origin is None else "redirect to"
            raise FetchError("connect_error", f"{what} {target}:{req.url.port}{reached} refused: {why}")
        if hop.origin is None and peer is not None:
            hop.origin = peer.address
        return conn


def _peer(conn: aiohttp.connector.Connection) -> Peer | None:
    """The address and port a connection's socket is connected to, and this machine's end of it."""
    transport = conn.transport
    if transport is None:
        return None
    try:
        return _peer_of(transport.get_extra_info("peername"), transport.get_extra_info("sockname"))
    except (TypeError, IndexError, ValueError):  # no socket, or not an IP one
        return None


@functools.lru_cache(maxsize=1024)
def _peer_of(peername: tuple[Any, ...], sockname: tuple[Any, ...] | None) -> Peer:
    """`Peer` of a socket's two ends; cached, as every request on a pooled connection asks again."""
    return Peer(ip_address(peername[0]), int(peername[1]), ip_address(sockname[0]) if sockname else None)


class HttpClient:
    """GETs with validators, a size cap after decompression, bounded redirects and classified failures.

    The client sends the validators it is given; remembering them per URL is the caller's job
    (`Source._get_json`), because only the caller knows whether the body it got was any good.
    """

    def __init__(
        self,
        *,
        user_agent: str = DEFAULT_USER_AGENT,
        max_bytes: int = 10 * 1024 * 1024,
        max_redirects: int = 5,
        connector_limit: int = 100,
        listen: tuple[str, int] | None = None,
        observer: Callable[[Exchange], None] | None = None,
    ) -> None:
        """`listen` is the daemon's own host and port: no fetch may reach it. `observer` sees every `get`
        and `probe` but a 304: its answer, whatever the status, or its error."""
        self.user_agent = user_agent
        self.listen = listen
        self.observer = observer
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.connector_limit = connector_limit
        self._session: aiohttp.ClientSession | None = None

    @property
    def session(self) -> aiohttp.ClientSession:
        """The one shared session, created on first use inside the running loop; notifiers post through it."""
        if self._session is None or self._session.closed:
            connector = _GuardedConnector(listen=self.listen, limit=self.connector_limit)
            self._session = aiohttp.ClientSession(
                connector=connector,
                headers={"User-Agent": self.user_agent, "Accept-Encoding": "gzip, deflate"},
                timeout=aiohttp.ClientTimeout(total=30),
            )
        return self._session

    async def get(
        self, url: str, *, timeout: float, etag: str | None = None, last_modified: str | None = None
    ) -> Response | NotModified:
        """One GET; `NOT_MODIFIED` on 304, a `Response` on 2xx, `FetchError` on anything else."""
        headers = {"Accept": "application/json, */*;q=0.5"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        hop = _Hop(url)  # redacted only when a message needs it: not on the path of every poll
        failed: Exchange | None = None  # a non-2xx answer, seen before it is raised
        answered: Exchange | None = None  # made only for an observer
        token = _FETCH.set(hop)
        try:
            async with self.session.get(
                url,
                headers=headers,
                timeout=_timeout(timeout),
                max_redirects=self.max_redirects + 1,  # aiohttp counts the final hop too
            ) as resp:
                status = resp.status
                if status == 304:
                    return NOT_MODIFIED
                hop.url = str(resp.url)
                if not 200 <= status < 300:
                    if self.observer is not None:
                        failed = Exchange(url, status, _header_type(resp), await _error_body(resp))
                    _raise_for_status(status, resp.headers, hop.url)
                body = await self._read_capped(resp, hop.url)
                typed = "Content-Type" in resp.headers
                response = Response(
                    url=hop.url,
                    status=status,
                    body=body,
                    content_type=resp.content_type.lower() if typed else "",
                    etag=resp.headers.get("ETag"),
                    last_modified=resp.headers.get("Last-Modified"),
                    charset=resp.charset if typed else None,
                )
                if self.observer is not None:
                    answered = Exchange(url, status, _header_type(resp), body)
        except (TimeoutError, aiohttp.ClientError) as exc:
            error = _classified(exc, hop.url, timeout, self.max_redirects)
            self._observe(Exchange(url, None, error=error))
            raise error from None
        except FetchError as error:
            self._observe(failed or Exchange(url, None, error=error))
            raise
        finally:
            _FETCH.reset(token)
        if answered is not None:
            self._observe(answered)
        return response

    async def probe(self, url: str, *, timeout: float, max_body: int = PROBE_BODY_BYTES) -> ProbeResult:
        """One uncached GET that answers whatever the status (a 500 is a result, not an error), with
        at most `max_body` bytes of the body; `FetchError` only when no answer came (timeout,
        refused connection, DNS, too many redirects). Elapsed time covers the body read too."""
        hop = _Hop(url)
        started = time.monotonic()
        token = _FETCH.set(hop)
        try:
            async with self.session.get(
                url,
                headers={"Cache-Control": "no-cache"},
                timeout=_timeout(timeout),
                max_redirects=self.max_redirects + 1,
            ) as resp:
                hop.url = str(resp.url)
                prefix = await _read_prefix(resp, max_body)
                result = ProbeResult(resp.status, prefix, time.monotonic() - started, hop.url)
                content_type = _header_type(resp)
        except (TimeoutError, aiohttp.ClientError) as exc:
            error = _classified(exc, hop.url, timeout, self.max_redirects)
            self._observe(Exchange(url, None, error=error))
            raise error from None
        except FetchError as error:
            self._observe(Exchange(url, None, error=error))
            raise
        finally:
            _FETCH.reset(token)
        self._observe(
            Exchange(url, result.status, content_type, result.body_prefix, elapsed=result.elapsed_seconds)
        )
        return result

    def _observe(self, exchange: Exchange) -> None:
        if self.observer is not None:
            self.observer(exchange)

    async def _read_capped(self, resp: aiohttp.ClientResponse, url: str) -> bytes:
        """Read the decompressed body as it arrives, giving up as soon as it passes `max_bytes`."""
        content = resp.content
        chunks: list[bytes] = []
        size = 0
        while not content.at_eof():  # not another read for the end: a small body comes with it
            chunk = await content.readany()
            size += len(chunk)
            if size > self.max_bytes:
                raise FetchError("too_large", f"body from {redact_url(url)} exceeds {self.max_bytes} bytes")
            chunks.append(chunk)
        return b"".join(chunks)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def __aenter__(self) -> HttpClient:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()


def _header_type(resp: aiohttp.ClientResponse) -> str:
    return resp.headers.get("Content-Type", "")


async def _error_body(resp: aiohttp.ClientResponse) -> bytes:
    """The first `ERROR_BODY_BYTES` of an error answer's body, for an observer; a body that cannot be
    read in time is left out, so that observing never turns an HTTP error into another failure."""
    try:
        return await _read_prefix(resp, ERROR_BODY_BYTES)
    except (aiohttp.ClientError, TimeoutError):
        return b""


async def _read_prefix(resp: aiohttp.ClientResponse, max_body: int) -> bytes:
    """At most `max_body` bytes of the body, decompressed."""
    chunks: list[bytes] = []
    size = 0
    while size < max_body:
        chunk = await resp.content.read(max_body - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def timed_out(url: str, timeout: float) -> FetchError:
    return FetchError("timeout", f"no complete answer from {redact_url(url)} within {timeout:g}s")


def _classified(
    exc: TimeoutError | aiohttp.ClientError, where: str, timeout: float, max_redirects: int
) -> FetchError:
    """aiohttp's failure, met fetching `where` (the URL the fetch was at), as a `FetchError` whose message
    names host and path only."""
    if isinstance(exc, TimeoutError):
        return timed_out(where, timeout)
    if isinstance(exc, aiohttp.TooManyRedirects):
        return FetchError("http_error", f"more than {max_redirects} redirects fetching {redact_url(where)}")
    return FetchError("connect_error", f"cannot fetch {redact_url(where)}: {_reason(exc)}")


@functools.lru_cache(maxsize=64)
def _timeout(total: float) -> aiohttp.ClientTimeout:
    """A request's timeout, one object per value: built on every poll otherwise."""
    return aiohttp.ClientTimeout(total=total)


def _raise_for_status(status: int, headers: CIMultiDictProxy[str], url: str) -> None:
    if 200 <= status < 300:
        return
    message = f"HTTP {status} from {redact_url(url)}"
    if status == 429:
        raise FetchError("rate_limited", message, retry_after=parse_retry_after(headers.get("Retry-After")))
    if status == 503:
        raise FetchError("http_error", message, retry_after=parse_retry_after(headers.get("Retry-After")))
    raise FetchError("http_error", message)


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Retry-After as seconds from `now` (delta-seconds or an HTTP-date), clamped to [0, 3600]."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:  # RFC 9110 dates are GMT; "-0000" parses zone-less
            when = when.replace(tzinfo=UTC)
        seconds = when.timestamp() - (time.time() if now is None else now)
    if seconds != seconds:  # NaN
        return None
    return min(max(seconds, 0.0), _MAX_RETRY_AFTER)


def redact_url(url: str) -> str:
    """Host and path of a URL, without scheme, credentials or query string: safe for messages."""
    try:
        parsed = URL(url)
        return f"{parsed.host or '?'}{parsed.path}"
    except ValueError:  # passed the config's ^https?:// check but is not a URL: say so, never crash
        return "<unparseable URL>"


def public_url(url: str) -> str:
    """The URL without credentials, query or fragment: safe to show on the unauthenticated API."""
    try:
        return str(URL(url).with_user(None).with_query(None).with_fragment(None))
    except ValueError:
        return "<unparseable URL>"


def _reason(exc: aiohttp.ClientError) -> str:
    """A short cause that cannot contain the URL (exception strings of some aiohttp errors do)."""
    if isinstance(exc, aiohttp.ClientConnectorError):
        cause = exc.os_error
        if isinstance(cause, socket.gaierror):
            return f"DNS lookup failed ({cause.strerror})"
        if cause.errno:
            return os.strerror(cause.errno)
    return type(exc).__name__
