"""The source interface: a status-page format turns HTTP answers into a normalized Snapshot.

Adding a format is adding one module that subclasses `Source` (with its own `Config` model) and
registering it in `monitor/sources/__init__.py`. A source raises `PollError` (via the fetcher or
`ParseError`) on any failure; it never returns a half-read page as if it were healthy.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from monitor.durations import Duration
from monitor.errors import ParseError
from monitor.fetch import NOT_MODIFIED, HttpClient, NotModified, Response, redact_url
from monitor.model import Snapshot


class SourceConfig(BaseModel):
    """Fields every provider entry accepts; a format adds its own in a subclass."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z0-9_-]+$", max_length=64)
    type: str
    url: str = Field(pattern=r"^https?://", description="the page; the source appends its API paths")
    interval: Duration | None = None  # default: settings.interval
    timeout: Duration | None = None  # default: settings.timeout
    components: list[str] | None = None  # only these (names or ids); default all
    confirm: int = Field(default=1, ge=1, le=100)
    failure_threshold: int = Field(default=3, ge=1, le=1000)


class Source(ABC):
    """One status-page format. Instances are per provider and may keep small caches."""

    type_name: ClassVar[str]
    Config: ClassVar[type[SourceConfig]]

    def __init__(self, config: SourceConfig) -> None:
        self.config = config
        self._validators: dict[str, tuple[str | None, str | None]] = {}  # url -> (ETag, Last-Modified)

    @abstractmethod
    async def fetch(self, http: HttpClient, timeout: float) -> Snapshot | NotModified:
        """Fetch and parse the page; `NotModified` when nothing changed since the last fetch."""

    async def _get_json(
        self, http: HttpClient, url: str, timeout: float, parse: Callable[[Any, str], Snapshot]
    ) -> Snapshot | NotModified:
        """Conditional GET of a JSON document, parsed by `parse(doc, final_url)`.

        The validators are remembered only once `parse` has accepted the body: remembering them
        earlier would let a later 304 "confirm" a CDN error page or a half-broken document.
        """
        etag, last_modified = self._validators.get(url, (None, None))
        response = await http.get(url, timeout=timeout, etag=etag, last_modified=last_modified)
        if isinstance(response, NotModified):
            return NOT_MODIFIED
        snapshot = parse(_decode_json(response), response.url)
        if response.etag or response.last_modified:
            self._validators[url] = (response.etag, response.last_modified)
        else:
            self._validators.pop(url, None)
        return snapshot


def _decode_json(response: Response) -> Any:
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
    except (UnicodeDecodeError, RecursionError) as exc:
        raise ParseError(
            f"expected JSON from {redact_url(response.url)}, got an undecodable body ({type(exc).__name__})"
        ) from None
