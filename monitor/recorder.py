"""`settings.record`: keep each fetched document that changed as a replay timeline (monitor/timeline.py).

The HTTP client hands every exchange of a GET or a probe to the recorder (`HttpClient(observer=...)`):
the answer whatever its status, or the error when none came. The poller says which provider a poll is
for (`reading(name)`), so discovery, `poll`, the history backfill and notifiers record nothing. Every
document of one poll is kept under the poll's time (the second as `...Z~2.json`), with a sidecar naming
the URL it answered, its status and Content-Type: so a page read from several documents (Cachet,
Instatus) replays each from its own. A 304 never reaches the recorder, and an answer equal to the last
one kept for the same URL (status, body, error) is skipped, so a page without validators is kept once
per change, not once per poll; a probe's answer is kept at every poll, since its latency is news.

The directory is bounded: past `max_bytes` the oldest captures (by capture time, whatever the provider)
are deleted first, counting what an earlier run left there too, except that the newest capture of each
URL goes only after all older ones: a document that has not changed for days is still the page's
current one, which a replay of a poll needs. A failed write is logged and never fails the poll.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from yarl import URL

from monitor.fetch import Exchange
from monitor.logging import get_logger
from monitor.timeline import Capture, NoAnswer, Stored, delete_capture, stored_captures, write_capture

log = get_logger(__name__)


@dataclass(slots=True)
class _Poll:
    provider: str
    at: datetime  # when the poll began: each of its documents is kept under this time
    written: int = 0  # documents kept so far


_POLL: ContextVar[_Poll | None] = ContextVar("_POLL", default=None)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Recorder:
    def __init__(self, directory: Path, max_bytes: int, clock: Callable[[], datetime] = utcnow) -> None:
        self._directory = directory
        self._max_bytes = max_bytes
        self._clock = clock
        self._last: dict[tuple[str, str], bytes] = {}  # (provider, url) -> digest of the answer kept last
        self._kept = stored_captures(directory)
        self._total = sum(s.size for s in self._kept)

    @contextmanager
    def reading(self, provider: str) -> Iterator[None]:
        """The requests made inside are one poll of `provider`'s page."""
        token = _POLL.set(_Poll(provider, self._clock()))
        try:
            yield
        finally:
            _POLL.reset(token)

    def __call__(self, exchange: Exchange) -> None:
        poll = _POLL.get()
        if poll is None:
            return
        url = _without_credentials(exchange.url)
        digest = _digest(exchange)
        if exchange.elapsed is None and self._last.get((poll.provider, url)) == digest:
            return
        size = len(exchange.body)
        if size > self._max_bytes:
            log.warning("record_skipped", provider=poll.provider, bytes=size, max_bytes=self._max_bytes)
            return
        error = exchange.error
        capture = Capture(
            poll.at,
            poll.provider,
            exchange.body,
            exchange.status,
            {"Content-Type": exchange.content_type} if exchange.content_type else {},
            url,
            exchange.elapsed,
            NoAnswer(error.outcome, str(error)) if error is not None else None,
        )
        try:
            kept = write_capture(self._directory / poll.provider, capture, poll.written + 1)
        except OSError as exc:
            log.warning("record_failed", provider=poll.provider, error=str(exc))
            return
        poll.written += 1
        self._last[(poll.provider, url)] = digest
        self._kept.append(kept)
        self._total += kept.size
        self._prune()

    def _prune(self) -> None:
        """Delete the oldest captures until the directory is within its bound, each URL's newest last."""
        if self._total <= self._max_bytes:
            return
        newest = {(s.provider, s.url): s.name for s in sorted(self._kept, key=lambda s: s.name)}

        def is_newest(stored: Stored) -> bool:
            return newest[(stored.provider, stored.url)] == stored.name

        self._kept.sort(key=lambda s: (is_newest(s), s.name))
        while self._total > self._max_bytes and self._kept:
            stored = self._kept.pop(0)
            try:
                delete_capture(self._directory / stored.provider, stored.name)
            except OSError as error:
                log.warning("record_prune_failed", provider=stored.provider, error=str(error))
            self._total -= stored.size
            if is_newest(stored) and stored.url is not None:
                self._last.pop((stored.provider, stored.url), None)  # gone: keep the next answer again


def _digest(exchange: Exchange) -> bytes:
    """What tells one answer of a URL from another: status, error and body."""
    error = f"{exchange.error.outcome} {exchange.error}" if exchange.error is not None else ""
    head = f"{exchange.status} {error}\n".encode()
    return hashlib.sha256(head + exchange.body).digest()


def _without_credentials(url: str) -> str:
    """The URL as requested, without a user and password it may carry (the query is kept: a page of a
    paginated collection is told by it)."""
    try:
        return str(URL(url).with_user(None))
    except ValueError:
        return url
