"""Notifications held in memory because their commit failed: the dispatcher sends them without the
store, retries them in order, and counts store failures of its own (claim, mark) by operation."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
from structlog.testing import capture_logs

from monitor.model import Notification
from monitor.notify.base import Delivery, Outcome
from monitor.store import SqliteStore
from tests.dispatch.test_dispatcher import (
    ScriptedNotifier,
    counts_are,
    enqueue,
    eventually,
    fast,
    make_event,
    running,
    sample,
)
from tests.store.store_builders import make_notification

RETRY = Delivery(Outcome.RETRY, "HTTP 503")


async def test_held_notifications_go_out_in_order_with_retries_and_leave_the_store_alone(
    store: SqliteStore, session: aiohttp.ClientSession
) -> None:
    pager = ScriptedNotifier("held-pager", session, script=[RETRY])
    dispatcher = fast(store, {"held-pager": pager})
    now = datetime.now(UTC)
    trigger = make_notification("h1", "held-pager", make_event("github/component/api"), now)
    resolve = make_notification("h2", "held-pager", make_event("github/component/api", resolves=True), now)
    dispatcher.held.hold([trigger, resolve])
    async with running(dispatcher):
        dispatcher.wake()
        await eventually(lambda: len(pager.sent) == 3)
    assert pager.sent_ids == ["h1", "h1", "h2"]  # the retry kept its place: no resolve before its trigger
    assert dispatcher.held.settled(["h1", "h2"]) == {"h1": "delivered", "h2": "delivered"}
    assert await store.notification_counts() == {"pending": 0, "delivered": 0, "dead": 0}


async def test_claim_failures_are_counted_and_logged_once_per_streak(
    tmp_path: Path, session: aiohttp.ClientSession
) -> None:
    class FullStore(SqliteStore):
        failures = 3

        async def claim_due(self, *args: Any, **kwargs: Any) -> list[Notification]:
            if self.failures:
                self.failures -= 1
                raise sqlite3.OperationalError("database or disk is full")
            return await super().claim_due(*args, **kwargs)

    errors = sample("outage_monitor_store_errors_total", operation="claim")
    pager = ScriptedNotifier("claim-pager", session)
    async with FullStore(tmp_path / "full.db") as full:
        await enqueue(full, ("c1", "claim-pager", make_event("github/component/api")))
        dispatcher = fast(full, {"claim-pager": pager})
        with capture_logs() as logs:
            async with running(dispatcher):
                await eventually(lambda: counts_are(full, delivered=1))
    assert sample("outage_monitor_store_errors_total", operation="claim") == errors + 3
    assert [line["event"] for line in logs if line["event"].startswith("store_")] == [
        "store_write_failed",
        "store_recovered",
    ]
