"""The HTTP client every source shares: one aiohttp session, conditional requests, bounded bodies.

INTERFACE STUB: to be implemented (see the docstrings).
"""

from __future__ import annotations

from dataclasses import dataclass

import aiohttp


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
    body: bytes
    content_type: str


class HttpClient:
    """Conditional GETs with ETag / Last-Modified remembered per URL, size cap, redirects, gzip.

    Raises `FetchError` for timeouts, connection errors, non-2xx answers (429/503 carry
    `retry_after` from Retry-After) and bodies over `max_bytes`.
    """

    def __init__(self, *, user_agent: str, max_bytes: int = 10 * 1024 * 1024, max_redirects: int = 5) -> None:
        raise NotImplementedError

    @property
    def session(self) -> aiohttp.ClientSession:
        """The one shared session; notifiers post through it too."""
        raise NotImplementedError

    async def get(self, url: str, *, timeout: float) -> Response | NotModified:
        raise NotImplementedError

    async def close(self) -> None:
        raise NotImplementedError
