"""`settings.record`: keep each fetched document that changed as a replay timeline (monitor/timeline.py).

The HTTP client hands every 2xx answer of a GET to the recorder (`HttpClient(observer=...)`); the poller
says which provider a fetch is for (`reading(name)`), so discovery, `poll` and notifiers record nothing.
A 304 never reaches it, and a body equal to the last one recorded for the same URL is skipped, so a page
without validators is kept once per change, not once per poll. The directory is bounded: past
`max_bytes` the oldest captures (by capture time, whatever the provider) are deleted first, counting what
an earlier run left there too. A failed write is logged and never fails the poll.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path

from monitor.fetch import Response
from monitor.logging import get_logger
from monitor.timeline import MEDIA_BY_EXTENSION, capture_name

log = get_logger(__name__)

_PROVIDER: ContextVar[str | None] = ContextVar("_PROVIDER", default=None)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Recorder:
    def __init__(self, directory: Path, max_bytes: int, clock: Callable[[], datetime] = utcnow) -> None:
        self._directory = directory
        self._max_bytes = max_bytes
        self._clock = clock
        self._last: dict[tuple[str, str], bytes] = {}  # (provider, url) -> digest of the body kept last
        self._kept = _existing(directory)  # (name, provider, size), oldest first
        self._total = sum(size for _, _, size in self._kept)

    @contextmanager
    def reading(self, provider: str) -> Iterator[None]:
        """The GETs made inside are `provider`'s page."""
        token = _PROVIDER.set(provider)
        try:
            yield
        finally:
            _PROVIDER.reset(token)

    def __call__(self, response: Response) -> None:
        provider = _PROVIDER.get()
        if provider is None:
            return
        digest = hashlib.sha256(response.body).digest()
        if self._last.get((provider, response.url)) == digest:
            return
        size = len(response.body)
        if size > self._max_bytes:
            log.warning("record_skipped", provider=provider, bytes=size, max_bytes=self._max_bytes)
            return
        name = capture_name(self._clock(), response.content_type)
        try:
            folder = self._directory / provider
            folder.mkdir(parents=True, exist_ok=True)
            partial = folder / f".{name}.partial"  # renamed when whole: a crash leaves no torn capture
            partial.write_bytes(response.body)
            partial.replace(folder / name)
        except OSError as error:
            log.warning("record_failed", provider=provider, error=str(error))
            return
        self._last[(provider, response.url)] = digest
        self._kept.append((name, provider, size))
        self._total += size
        self._prune()

    def _prune(self) -> None:
        """Delete the oldest captures until the directory is within its bound."""
        self._kept.sort()
        while self._total > self._max_bytes and self._kept:
            name, provider, size = self._kept.pop(0)
            try:
                (self._directory / provider / name).unlink(missing_ok=True)
            except OSError as error:
                log.warning("record_prune_failed", provider=provider, error=str(error))
            self._total -= size


def _existing(directory: Path) -> list[tuple[str, str, int]]:
    """The captures an earlier run left in `directory`, oldest first."""
    if not directory.is_dir():
        return []
    return sorted(
        (file.name, folder.name, file.stat().st_size)
        for folder in directory.iterdir()
        if folder.is_dir()
        for file in folder.iterdir()
        if file.is_file() and file.suffix in MEDIA_BY_EXTENSION
    )
