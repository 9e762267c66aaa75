"""The source interface: a status-page format turns HTTP answers into a normalized Snapshot.

Adding a format is adding one module that subclasses `Source` (with its own `Config` model) and
registering it in `monitor/sources/__init__.py`. A source raises `PollError` (via the fetcher or
`ParseError`) on any failure; it never returns a half-read page as if it were healthy.

Discovery (`outage-monitor discover`, `type: auto`) asks each format, in ascending `detect_order`,
for the config it would use to read a URL (`candidate`) and tries it; the first format that reads
the page wins. Formats that others' pages also satisfy (Statuspage answers for incident.io pages
too) come later; a format with `detect_order = None` is never guessed.

A large document (over `LARGE_DOCUMENT_BYTES`) is decoded and parsed in a worker thread
(`parse_off_loop`), so that /healthz and the other polls keep answering while it parses, and within
`PARSE_BUDGET_SECONDS`, past which the poll fails as a parse error. A thread cannot be stopped, so
what bounds the CPU a hostile document costs is each format's own structural limits (the feed
reader's element and depth caps); the budget bounds how long a poll waits for it.

A format with a history document (its recent incidents, resolved ones included) overrides `history`,
usually with `_get_history`; a first sight backfills the store from it (see `Poller._backfill`).
"""

from __future__ import annotations

import asyncio
import functools
import json
import sys
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from monitor.durations import Interval, Timeout
from monitor.errors import ParseError
from monitor.fetch import NOT_MODIFIED, HttpClient, NotModified, Response, redact_url
from monitor.model import Incident, Snapshot
from monitor.sources.reader import EARLIEST

if TYPE_CHECKING:
    from concurrent.futures import ThreadPoolExecutor

LARGE_DOCUMENT_BYTES = 256 * 1024  # below this a parse takes milliseconds: the loop may do it itself
PARSE_BUDGET_SECONDS = 10.0
# Two threads: big parses run beside each other and the polls, not beside DNS lookups in the loop's
# default executor, and no more than two at once compete for the GIL with the event loop.
HISTORY_LIMIT = 100  # incidents a backfill keeps, the newest: a first sight's history, not an archive
_T = TypeVar("_T")


class SourceConfig(BaseModel):
    """Fields every provider entry accepts; a format adds its own in a subclass."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z0-9_-]+$", max_length=64)
    type: str
    url: str = Field(pattern=r"^https?://", description="the page; the source appends its API paths")
    interval: Interval | None = None  # default: settings.interval
    timeout: Timeout | None = None  # default: settings.timeout; at most the interval
    components: list[str] | None = None  # only these (names or ids); default all
    confirm: int = Field(default=1, ge=1, le=100)
    failure_threshold: int = Field(default=3, ge=1, le=1000)
    depends_on: list[str] = Field(default_factory=list)  # providers whose outages cause this one's
    # What the provider is for, shown on `/?group=category`; any label, else the catalog entry's category.
    category: str | None = Field(default=None, min_length=1, max_length=64)


class Source(ABC):
    """One status-page format. Instances are per provider and may keep small caches."""

    type_name: ClassVar[str]
    Config: ClassVar[type[SourceConfig]]
    detect_order: ClassVar[int | None] = None  # discovery tries formats by ascending order; None: never
    min_interval: ClassVar[float] = 0.0  # seconds; a vendor's rate limit (the plan polls no more often)

    def __init__(self, config: SourceConfig) -> None:
        self.config = config
        self._validators: dict[str, tuple[str | None, str | None]] = {}  # url -> (ETag, Last-Modified)
        self._documents: dict[str, _Kept] = {}  # multi-document sources: the last good body per URL

    @classmethod
    def candidate(cls, url: str) -> SourceConfig | None:
        """The config this format would read `url` with, for discovery; None when it cannot apply."""
        if cls.detect_order is None:
            return None
        return cls.Config(name="discovered", type=cls.type_name, url=url)

    @abstractmethod
    async def fetch(self, http: HttpClient, timeout: float) -> Snapshot | NotModified:
        """Fetch and parse the page; `NotModified` when nothing changed since the last fetch."""

    async def history(self, http: HttpClient, timeout: float) -> tuple[Incident, ...]:
        """The page's recent incidents, resolved ones included, for a first sight's backfill; none when
        the format has no history document."""
        return ()

    async def _get_history(
        self,
        http: HttpClient,
        path: str,
        timeout: float,
        parse: Callable[[Any, str], Sequence[Incident]],
        query: str = "",
    ) -> tuple[Incident, ...]:
        """The history document at `url` + `path` (+ `?query`), parsed by `parse(doc, page_url)` (off the
        loop when large): its newest `HISTORY_LIMIT` incidents by start, newest first."""
        url = self.config.url.rstrip("/") + path + (f"?{query}" if query else "")
        response = await http.get(url, timeout=timeout)
        if isinstance(response, NotModified):  # no validators were sent: cannot happen
            return ()
        incidents = await parse_off_loop(
            len(response.body), lambda: parse(decode_json(response), page_of(response.url, path))
        )
        return newest(incidents)

    async def _get_json(
        self,
        http: HttpClient,
        url: str,
        timeout: float,
        parse: Callable[[Any, str], Snapshot],
        decode: Callable[[Response], Any] | None = None,
    ) -> Snapshot | NotModified:
        """Conditional GET of one document, decoded by `decode` (JSON by default) and parsed by
        `parse(doc, final_url)`.

        The validators are remembered only once `parse` has accepted the body: remembering them
        earlier would let a later 304 "confirm" a CDN error page or a half-broken document.
        """
        etag, last_modified = self._validators.get(url, (None, None))
        response = await http.get(url, timeout=timeout, etag=etag, last_modified=last_modified)
        if isinstance(response, NotModified):
            return NOT_MODIFIED
        read = decode or decode_json
        snapshot = await parse_off_loop(len(response.body), lambda: parse(read(response), response.url))
        self._remember(url, response)
        return snapshot

    async def _get_api_json(
        self, http: HttpClient, path: str, timeout: float, parse: Callable[[Any, str], Snapshot]
    ) -> Snapshot | NotModified:
        """`_get_json` of `url` + `path`, parsed by `parse(doc, page_url)` where `page_url` is the page
        the document came from (`page_of` its final URL)."""
        url = self.config.url.rstrip("/") + path
        return await self._get_json(http, url, timeout, lambda doc, final: parse(doc, page_of(final, path)))

    async def _get_documents(
        self,
        http: HttpClient,
        urls: Sequence[str],
        timeout: float,
        parse: Callable[[list[Any], str], Snapshot],
        decode: Callable[[Response], Any] | None = None,
    ) -> Snapshot | NotModified:
        """Conditional GETs of several documents that make one page (components and incidents).

        `NotModified` only when every one is unchanged; otherwise `parse(docs, first_final_url)` sees
        each changed body and the last good copy of each unchanged one. Those copies are kept in
        memory, which is why single-document formats use `_get_json` instead.
        """
        fetched: list[Response | NotModified] = []
        for url in urls:
            kept = self._documents.get(url)
            etag, last_modified = self._validators.get(url, (None, None)) if kept else (None, None)
            fetched.append(await http.get(url, timeout=timeout, etag=etag, last_modified=last_modified))
        if all(isinstance(response, NotModified) for response in fetched):
            return NOT_MODIFIED
        read = decode or decode_json

        def work() -> tuple[Snapshot, list[_Kept]]:
            kept_now = [
                self._documents[url]
                if isinstance(response, NotModified)
                else _Kept(read(response), response.url)
                for url, response in zip(urls, fetched, strict=True)
            ]
            return parse([kept.document for kept in kept_now], kept_now[0].final_url), kept_now

        size = sum(len(response.body) for response in fetched if isinstance(response, Response))
        snapshot, kept_now = await parse_off_loop(size, work)
        for url, response, kept in zip(urls, fetched, kept_now, strict=True):
            self._documents[url] = kept
            if isinstance(response, Response):
                self._remember(url, response)
        return snapshot

    def _remember(self, url: str, response: Response) -> None:
        if response.etag or response.last_modified:
            self._validators[url] = (response.etag, response.last_modified)
        else:
            self._validators.pop(url, None)


@functools.cache
def _parsers() -> ThreadPoolExecutor:
    """The parser threads, made for the first large document (most runs never see one)."""
    from concurrent.futures import ThreadPoolExecutor

    return ThreadPoolExecutor(max_workers=2, thread_name_prefix="parse")


async def parse_off_loop(size: int, work: Callable[[], _T]) -> _T:
    """`work()` (decoding and parsing `size` bytes): in place when small, else in a parser thread within
    `PARSE_BUDGET_SECONDS` (a `ParseError` past it)."""
    if size <= LARGE_DOCUMENT_BYTES:
        return work()
    running = asyncio.get_running_loop().run_in_executor(_parsers(), work)
    try:
        return await asyncio.wait_for(running, PARSE_BUDGET_SECONDS)
    except TimeoutError:
        raise ParseError(
            f"the document ({size} bytes) took longer than {PARSE_BUDGET_SECONDS:g}s to parse"
        ) from None


class _Kept(NamedTuple):
    document: Any
    final_url: str


def newest(incidents: Sequence[Incident], limit: int = HISTORY_LIMIT) -> tuple[Incident, ...]:
    """The `limit` most recently started incidents, newest first (those without a start last)."""
    return tuple(sorted(incidents, key=lambda i: i.started_at or EARLIEST, reverse=True)[:limit])


def page_of(final_url: str, api_path: str) -> str:
    """The page a document was read from (after redirects): the final URL minus query and API path."""
    return final_url.split("?", 1)[0].removesuffix(api_path)


def decode_json(response: Response) -> Any:
    """The body as JSON, or a `ParseError` that says what arrived instead (an HTML error page, bytes)."""
    media = response.content_type
    if media and not (media in ("application/json", "text/json") or media.endswith("+json")):
        raise ParseError(f"expected JSON from {redact_url(response.url)}, got {media}")
    try:
        return json.loads(response.body)
    except json.JSONDecodeError as exc:
        where = redact_url(response.url)
        raise ParseError(
            f"expected JSON from {where}, got invalid JSON ({exc.msg} at line {exc.lineno})"
        ) from None
    except (UnicodeDecodeError, RecursionError) as exc:  # json.loads reads UTF-8/16/32 with or without BOM
        raise ParseError(
            f"expected JSON from {redact_url(response.url)}, got an undecodable body ({type(exc).__name__})"
        ) from None
    except ValueError:  # an integer beyond sys.get_int_max_str_digits(): no status page writes one
        raise ParseError(
            f"expected JSON from {redact_url(response.url)}, got a number of more than "
            f"{sys.get_int_max_str_digits()} digits"
        ) from None
