"""`type: auto`: the page's format is discovered on the first poll, then that format reads every poll.

Until discovery succeeds each poll fails (the provider reads as unknown, never operational) with a
message naming the formats tried; the poller's backoff spaces the retries. Once a format has read the
page, its source (validators included) serves every later poll and its history a first sight's
backfill, and `format_detected` is logged once. The choice is not revisited: a page that later fails
is that format's failure, reported as such.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from monitor.fetch import HttpClient, NotModified
from monitor.logging import get_logger
from monitor.model import Incident, Snapshot
from monitor.sources.base import Source, SourceConfig
from monitor.sources.discovery import discover

log = get_logger(__name__)


class AutoConfig(SourceConfig):
    type: Literal["auto"]


class AutoSource(Source):
    type_name = "auto"
    Config = AutoConfig
    detect_order = None  # discovery must never pick "discover again"

    def __init__(self, config: SourceConfig, formats: Iterable[type[Source]] = ()) -> None:
        """`formats` are the ones discovery tries: the registry's, given by `build_source`."""
        super().__init__(config)
        self.formats = tuple(formats)
        self.detected: Source | None = None

    async def fetch(self, http: HttpClient, timeout: float) -> Snapshot | NotModified:
        if self.detected is not None:
            return await self.detected.fetch(http, timeout)
        found = await discover(http, self.config.url, timeout, self.formats, self.config.name)
        self.detected = found.source
        log.info("format_detected", provider=self.config.name, format=found.config.type, url=found.config.url)
        return found.snapshot

    async def history(self, http: HttpClient, timeout: float) -> tuple[Incident, ...]:
        """The detected format's history; none while no format has read the page."""
        return () if self.detected is None else await self.detected.history(http, timeout)
