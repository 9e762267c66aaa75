"""Retention: what ended more than `settings.retention` ago leaves the store, hourly, so the database stays
bounded however long the daemon runs. Events, delivered and dead notifications, resolved incidents and
ended status intervals go; a pending notification and an open incident never do (Store.prune)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from monitor.logging import get_logger
from monitor.store.base import Store
from monitor.store.health import WRITE_ERRORS

log = get_logger(__name__)

PRUNE_EVERY_SECONDS = 3600.0


def utcnow() -> datetime:
    return datetime.now(UTC)


async def prune_once(store: Store, keep_seconds: float, now: datetime) -> int:
    """Prune what ended before `now - keep_seconds`; how many rows went (0 when the store refused)."""
    try:
        deleted = await store.prune(now - timedelta(seconds=keep_seconds))
    except WRITE_ERRORS as error:  # a full disk: the next run tries again, nothing else depends on it
        log.warning("retention_failed", error=str(error))
        return 0
    if deleted:
        log.info("retention_pruned", rows=deleted, keep_days=round(keep_seconds / 86400, 2))
    return deleted


async def prune_periodically(
    store: Store,
    keep_seconds: Callable[[], float],
    *,
    every: float = PRUNE_EVERY_SECONDS,
    clock: Callable[[], datetime] = utcnow,
) -> None:
    """Prune at start and then every `every` seconds until cancelled; `keep_seconds` is read each time, so a
    reloaded config applies at the next run."""
    while True:
        await prune_once(store, keep_seconds(), clock())
        await asyncio.sleep(every)
