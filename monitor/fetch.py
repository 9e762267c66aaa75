"""The HTTP client every source shares: one aiohttp session, conditional requests, bounded bodies.

One session and one connector for the whole process: polling hundreds of pages through one shared
TLS context, DNS cache and connection pool costs a fraction of a session per request. Every failure
becomes a `FetchError` whose message names host and path only (query strings may carry tokens).
"""

from __future__ import annotations

import os
import socket
import ssl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC
from email.utils import parsedate_to_datetime
from types import TracebackType

import aiohttp
from multidict import CIMultiDictProxy
from yarl import URL

from monitor import USER_AGENT
from monitor.errors import FetchError

DEFAULT_USER_AGENT = USER_AGENT
_CHUNK = 64 * 1024
_MAX_RETRY_AFTER = 3600.0
PROBE_BODY_BYTES = 64 * 1024


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


@dataclass(frozen=True, slots=True)
class Response:
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


@dataclass(frozen=True, slots=True)
class ProbeResult:
    """What an endpoint answered to `HttpClient.probe`."""

    status: int
    body_prefix: bytes  # at most the probe's max_body bytes, decompressed
    elapsed_seconds: float  # request sent to body prefix read
    final_url: str  # after redirects


@dataclass(slots=True)
class _Hop:
    url: str  # where the request is at: the final URL once an answer came


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
    ) -> None:
        self.user_agent = user_agent
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.connector_limit = connector_limit
        self._session: aiohttp.ClientSession | None = None

    @property
    def session(self) -> aiohttp.ClientSession:
        """The one shared session, created on first use inside the running loop; notifiers post through it."""
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(
                limit=self.connector_limit, ttl_dns_cache=300, ssl=ssl.create_default_context()
            )
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
        with self._classified(hop, timeout):
            async with self.session.get(
                url,
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=timeout),
                max_redirects=self.max_redirects + 1,  # aiohttp counts the final hop too
            ) as resp:
                hop.url = str(resp.url)
                if resp.status == 304:
                    return NOT_MODIFIED
                _raise_for_status(resp.status, resp.headers, hop.url)
                body = await self._read_capped(resp, hop.url)
                return Response(
                    url=str(resp.url),
                    status=resp.status,
                    body=body,
                    content_type=resp.content_type.lower() if "Content-Type" in resp.headers else "",
                    etag=resp.headers.get("ETag"),
                    last_modified=resp.headers.get("Last-Modified"),
                    charset=resp.charset if "Content-Type" in resp.headers else None,
                )

    async def probe(self, url: str, *, timeout: float, max_body: int = PROBE_BODY_BYTES) -> ProbeResult:
        """One uncached GET that answers whatever the status (a 500 is a result, not an error), with
        at most `max_body` bytes of the body; `FetchError` only when no answer came (timeout,
        refused connection, DNS, too many redirects). Elapsed time covers the body read too."""
        hop = _Hop(url)
        started = time.monotonic()
        with self._classified(hop, timeout):
            async with self.session.get(
                url,
                headers={"Cache-Control": "no-cache"},
                timeout=aiohttp.ClientTimeout(total=timeout),
                max_redirects=self.max_redirects + 1,
            ) as resp:
                hop.url = str(resp.url)
                chunks: list[bytes] = []
                size = 0
                while size < max_body:
                    chunk = await resp.content.read(max_body - size)
                    if not chunk:
                        break
                    chunks.append(chunk)
                    size += len(chunk)
                return ProbeResult(resp.status, b"".join(chunks), time.monotonic() - started, hop.url)

    @contextmanager
    def _classified(self, hop: _Hop, timeout: float) -> Iterator[None]:
        """aiohttp's failures as `FetchError`s whose messages name host and path only."""
        try:
            yield
        except TimeoutError:
            raise FetchError(
                "timeout", f"no complete answer from {redact_url(hop.url)} within {timeout:g}s"
            ) from None
        except aiohttp.TooManyRedirects:
            raise FetchError(
                "http_error", f"more than {self.max_redirects} redirects fetching {redact_url(hop.url)}"
            ) from None
        except aiohttp.ClientError as exc:
            raise FetchError("connect_error", f"cannot fetch {redact_url(hop.url)}: {_reason(exc)}") from None

    async def _read_capped(self, resp: aiohttp.ClientResponse, url: str) -> bytes:
        """Read the decompressed body in chunks, giving up as soon as it passes `max_bytes`."""
        chunks: list[bytes] = []
        size = 0
        async for chunk in resp.content.iter_chunked(_CHUNK):
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
