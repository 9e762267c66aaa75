"""Retention keeps the database bounded: a daemon that sees an incident, pages and resolves every day for
a year holds about `retention` days of it, never loses a pending notification or an open incident, and
prunes on its own schedule."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from datetime import timedelta
from pathlib import Path

from monitor.model import ComponentState, ComponentStatus, Impact, Incident, IncidentStatus
from monitor.retention import prune_periodically
from monitor.store import SqliteStore, Store

from .store_builders import T0, make_event, make_notification, make_state

DAYS = 365
KEEP = timedelta(days=90)


def counts(path: Path) -> dict[str, int]:
    """Rows per table, read from the file through a connection of its own."""
    with contextlib.closing(sqlite3.connect(path)) as conn:
        return {
            table: int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
            for table in ("events", "notifications", "incident_history", "status_intervals")
        }


async def a_day(store: Store, day: int) -> None:
    """An outage opens and closes, an event pages and is delivered."""
    start = T0 + timedelta(days=day)
    incident = Incident(f"inc{day}", "Outage", IncidentStatus.INVESTIGATING, Impact.MAJOR, started_at=start)
    for hours, status, open_now in (
        (0, ComponentStatus.MAJOR_OUTAGE, True),
        (1, ComponentStatus.OPERATIONAL, False),
    ):
        at = start + timedelta(hours=hours)
        state = make_state(
            components={"api": ComponentState("API", status)},
            incidents={incident.id: incident} if open_now else {},
            last_poll_at=at,
        )
        event = make_event(at=at)
        await store.commit(state, [event], [make_notification(f"n{day}-{hours}", "log", event, at)])
        await store.mark_delivered(f"n{day}-{hours}", at)


async def test_a_year_of_daily_outages_keeps_about_the_retention_and_never_what_is_pending(
    tmp_path: Path,
) -> None:
    async with SqliteStore(tmp_path / "state.db") as store:
        stuck = make_event(at=T0)
        await store.commit(None, [stuck], [make_notification("stuck", "pager", stuck, T0)])  # never delivered
        long_open = Incident("forever", "Ongoing", IncidentStatus.MONITORING, Impact.MINOR, started_at=T0)
        await store.add_history("github", [long_open])
        peak: dict[str, int] = {}
        for day in range(DAYS):
            await a_day(store, day)
            await store.add_history("github", [long_open._replace(name=f"Ongoing, day {day}")])
            await store.prune(T0 + timedelta(days=day + 1) - KEEP)
            peak = {table: max(peak.get(table, 0), n) for table, n in counts(store.path).items()}

        # two events and notifications a day (plus the pending one), one incident a day (plus the open
        # one), two intervals a day: bounded by the retention, not by the year
        assert peak["events"] <= 2 * 91 + 1 and peak["notifications"] <= 2 * 91 + 1
        assert peak["incident_history"] <= 91 + 1 and peak["status_intervals"] <= 2 * 91 + 2
        assert await store.notification_counts() == {"pending": 1, "delivered": 180, "dead": 0}
        kept = await store.incident_history("github", T0, 1000)
        assert "forever" in {i.id for i in kept}


async def test_the_daemon_prunes_as_it_starts(tmp_path: Path) -> None:
    async with SqliteStore(tmp_path / "state.db") as store:
        event = make_event(at=T0)
        await store.commit(None, [event], [])
        task = asyncio.create_task(
            prune_periodically(store, lambda: KEEP.total_seconds(), every=3600, clock=lambda: T0 + 2 * KEEP)
        )
        try:
            for _ in range(100):
                if not await store.recent_events(10):
                    break
                await asyncio.sleep(0.01)
            assert await store.recent_events(10) == []
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
