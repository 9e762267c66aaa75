"""One fetch and parse of one page, whatever goes wrong turned into a `PollFailure`: the poller, discovery and
`outage-monitor poll` all read pages through here."""

from __future__ import annotations

from monitor.errors import PollError
from monitor.fetch import HttpClient, NotModified
from monitor.logging import get_logger
from monitor.model import PollFailure, Snapshot
from monitor.sources.base import Source

log = get_logger(__name__)


async def read_page(
    name: str, source: Source, http: HttpClient, timeout: float
) -> Snapshot | NotModified | PollFailure:
    """One fetch and parse. Every failure, a bug in a parser included, is a `PollFailure` of this page:
    the provider reads as unknown and nothing else stops."""
    try:
        return await source.fetch(http, timeout)
    except PollError as error:
        return PollFailure(error.outcome, str(error), error.retry_after)
    except Exception as error:
        log.exception("source_crashed", provider=name)
        return PollFailure("parse_error", f"internal error parsing the page: {type(error).__name__}")
