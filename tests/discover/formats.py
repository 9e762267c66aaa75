"""Test formats for discovery: each reads one path under the URL and takes `{"page": NAME}` for a page.

Given to discovery beside Statuspage (`with_statuspage`), they let a test arrange which formats
answer, in which order and how slowly, without depending on which real formats a build includes.
"""

from __future__ import annotations

from typing import Any

from yarl import URL

from monitor.errors import ParseError
from monitor.fetch import HttpClient, NotModified
from monitor.model import Component, ComponentStatus, Snapshot
from monitor.sources.base import Source, SourceConfig
from monitor.sources.statuspage import StatuspageSource


def fake_format(name: str, order: int | None, path: str, host: str | None = None) -> type[Source]:
    """A format named `name`, tried at `order`, reading `<url><path>`; only on `host` when given."""

    class Fake(Source):
        type_name = name
        Config = SourceConfig
        detect_order = order

        @classmethod
        def candidate(cls, url: str) -> SourceConfig | None:
            if host is not None and URL(url).host != host:
                return None
            return super().candidate(url)

        async def fetch(self, http: HttpClient, timeout: float) -> Snapshot | NotModified:
            return await self._get_json(http, self.config.url.rstrip("/") + path, timeout, _reader(name))

    return Fake


def _reader(name: str) -> Any:
    def parse(doc: Any, final_url: str) -> Snapshot:
        if not isinstance(doc, dict) or doc.get("page") != name:
            raise ParseError(f"not a {name} page")
        return Snapshot(page_url=final_url, components=(Component(name, name, ComponentStatus.OPERATIONAL),))

    return parse


def with_statuspage(*formats: type[Source]) -> tuple[type[Source], ...]:
    """What a test's discovery tries: Statuspage and the test formats, so the attempts it counts are its
    own whatever else this build has (the CLI and poller tests run with the whole registry)."""
    return (StatuspageSource, *formats)
