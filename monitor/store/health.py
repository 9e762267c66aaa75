"""Whether the store is taking writes: a failed write must never pass silently.

A full disk or a read-only state directory makes every commit fail while the pages are still read
fine. Each failure counts in `outage_monitor_store_errors_total{operation}`; the log gets one
`store_write_failed` line when an operation starts failing and one `store_recovered` line when it
succeeds again (not a line per poll); /readyz answers 503 while commits fail.
"""

from __future__ import annotations

import sqlite3
import time
from typing import Literal, get_args

from monitor import metrics
from monitor.logging import get_logger
from monitor.store.base import StoreError

log = get_logger(__name__)

# What a store write raises when the store, not the code, is at fault (disk full, read-only, I/O).
WRITE_ERRORS = (StoreError, sqlite3.Error, OSError)

StoreOperation = Literal["commit", "claim", "mark"]
for _operation in get_args(StoreOperation):  # every series from 0: the first failure is an increase()
    metrics.store_errors_total.labels(operation=_operation)


class StoreHealth:
    def __init__(self) -> None:
        self._failing: dict[StoreOperation, tuple[str, float, int]] = {}  # error, since, failures

    @property
    def commit_error(self) -> str | None:
        """Why commits fail, while they do: the daemon is not ready then."""
        failing = self._failing.get("commit")
        return failing[0] if failing else None

    def failed(self, operation: StoreOperation, error: BaseException) -> None:
        metrics.store_errors_total.labels(operation=operation).inc()
        text = f"{type(error).__name__}: {error}"
        streak = self._failing.get(operation)
        if streak is None:
            log.error("store_write_failed", operation=operation, error=text)
            self._failing[operation] = (text, time.monotonic(), 1)
        else:
            self._failing[operation] = (text, streak[1], streak[2] + 1)

    def succeeded(self, operation: StoreOperation) -> None:
        streak = self._failing.pop(operation, None)
        if streak is not None:
            _, since, failures = streak
            log.info(
                "store_recovered",
                operation=operation,
                failures=failures,
                seconds=round(time.monotonic() - since, 3),
            )
