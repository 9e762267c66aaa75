"""The source interface: a status-page format turns HTTP answers into a normalized Snapshot.

Adding a format is adding one module that subclasses `Source` (with its own `Config` model) and
registering it in `monitor/sources/__init__.py`. A source raises `PollError` (via the fetcher or
`ParseError`) on any failure; it never returns a half-read page as if it were healthy.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from monitor.durations import Duration
from monitor.fetch import HttpClient, NotModified
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

    @abstractmethod
    async def fetch(self, http: HttpClient, timeout: float) -> Snapshot | NotModified:
        """Fetch and parse the page; `NotModified` when nothing changed since the last fetch."""
