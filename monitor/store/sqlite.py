"""The Store on one SQLite file, through aiosqlite (one connection, one background thread).

Durability: WAL journal with synchronous=NORMAL. A committed transaction is in the WAL file before
`commit()` returns, so it survives the process being killed at any point (SIGKILL, OOM); only an OS
crash or power cut can lose the last transactions, and because state, events and notifications
commit together such a loss rolls all three back: the next poll sees the change again and
re-enqueues the notification. FULL would fsync on every poll's commit for no gain in that case.

One connection is shared by the poller and the dispatcher, so every operation takes a lock: two
coroutines must never interleave statements of their transactions on it.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections.abc import AsyncIterator, Collection, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiosqlite

from monitor import history
from monitor.history import StatusInterval
from monitor.logging import get_logger
from monitor.model import Event, Incident, IncidentStatus, Notification, ProviderState
from monitor.store import codec, rows
from monitor.store.base import (
    AlertingChange,
    AlertingMemory,
    NotificationStatus,
    Settled,
    Store,
    StoredEvent,
    StoredSilence,
    StoreError,
)
from monitor.store.schema import load_migrations, migrate

log = get_logger(__name__)

_MAX_ERROR_CHARS = 1000  # last_error / dead reason: enough to diagnose, bounded per row

_CLAIM_SQL = """
SELECT n.seq, n.id, n.notifier, n.created_at, n.attempts, n.body_json, e.body_json, g.receipt_json
FROM notifications AS n
LEFT JOIN events AS e ON e.id = n.event_id
LEFT JOIN group_log AS g ON g.group_key = n.dedup_key AND g.notifier = n.notifier
WHERE n.status = 'pending' AND n.next_attempt_at <= :now
  AND (n.lease_until IS NULL OR n.lease_until <= :now)
  {notifier_filter}
  AND NOT EXISTS (
      SELECT 1 FROM notifications AS p
      WHERE p.status = 'pending' AND p.notifier = n.notifier AND p.dedup_key = n.dedup_key AND p.seq < n.seq
  )
ORDER BY n.priority, n.seq
LIMIT :limit
"""


class SqliteStore(Store):
    def __init__(self, path: str | os.PathLike[str], *, busy_timeout: float = 5.0) -> None:
        self.path = Path(path)
        self._busy_timeout_ms = int(busy_timeout * 1000)
        self._conn: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()

    def __repr__(self) -> str:
        return f"SqliteStore({str(self.path)!r})"

    async def open(self) -> None:
        if self._conn is not None:
            raise RuntimeError(f"{self!r} is already open")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = await aiosqlite.connect(self.path, isolation_level=None)
        try:
            await conn.execute(f"PRAGMA busy_timeout = {self._busy_timeout_ms}")
            mode = await _scalar(conn, "PRAGMA journal_mode = WAL")
            if mode != "wal":
                log.warning("sqlite_wal_unavailable", path=str(self.path), journal_mode=mode)
            await conn.execute("PRAGMA synchronous = NORMAL")
            await conn.execute("PRAGMA foreign_keys = ON")
            await migrate(conn, load_migrations())
        except BaseException:
            await conn.close()
            raise
        self._conn = conn

    async def probe_write(self) -> None:
        async with self._transaction() as conn:
            version = int(await _scalar(conn, "PRAGMA user_version"))
            await conn.execute(f"PRAGMA user_version = {version}")

    async def release_leases(self) -> int:
        """SQLite serves one daemon, so every lease found at dispatcher start belongs to a dead process."""
        async with self._connection() as conn:
            released = await conn.execute(
                "UPDATE notifications SET lease_until = NULL "
                "WHERE status = 'pending' AND lease_until IS NOT NULL"
            )
        if released.rowcount:
            log.info("leases_released", count=released.rowcount)
        return int(released.rowcount)

    async def close(self) -> None:
        async with self._lock:
            if self._conn is not None:
                await self._conn.close()
                self._conn = None

    async def load_states(self) -> dict[str, ProviderState]:
        async with self._connection() as conn:
            rows = await conn.execute_fetchall("SELECT provider, state_json FROM provider_state")
        states = {}
        for provider, text in rows:
            try:
                states[provider] = codec.state_from_json(text)
            except (ValueError, KeyError, TypeError) as exc:
                # Starting without one provider's memory (it re-baselines) beats not starting at all.
                log.warning("state_unreadable", provider=provider, error=f"{type(exc).__name__}: {exc}")
        return states

    async def load_alerting(self) -> AlertingMemory:
        async with self._connection() as conn:
            alerts = await conn.execute_fetchall("SELECT body_json FROM alerts")
            log_rows = await conn.execute_fetchall(
                "SELECT group_key, notifier, told_json, receipt_json FROM group_log"
            )
        return AlertingMemory(
            alerts={alert.key: alert for alert in (codec.alert_from_json(body) for (body,) in alerts)},
            told={
                (group, notifier): codec.told_from_json(told, receipt)
                for group, notifier, told, receipt in log_rows
            },
        )

    async def commit(
        self,
        state: ProviderState | None,
        events: Sequence[Event],
        notifications: Sequence[Notification],
        change: AlertingChange | None = None,
        settled: Mapping[str, Settled] | None = None,
    ) -> None:
        now = codec.format_time(datetime.now(UTC))
        change = change or AlertingChange()
        settled = settled or {}
        try:
            async with self._transaction() as conn:
                if state is not None:
                    await conn.execute(
                        "INSERT INTO provider_state (provider, state_json, updated_at) VALUES (?, ?, ?) "
                        "ON CONFLICT (provider) DO UPDATE SET state_json = excluded.state_json, "
                        "updated_at = excluded.updated_at",
                        (state.provider, codec.state_to_json(state), now),
                    )
                    await _record_history(conn, state, state.last_poll_at or datetime.now(UTC))
                await rows.write_rows(
                    conn.executemany,
                    "INSERT INTO events (provider, kind, severity, dedup_key, occurred_at, body_json) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    rows.event_rows(events),
                )
                await rows.write_rows(
                    conn.executemany,
                    "INSERT INTO alerts (key, provider, body_json, updated_at) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (key) DO UPDATE SET body_json = excluded.body_json, "
                    "updated_at = excluded.updated_at",
                    [(a.key, a.provider, codec.alert_to_json(a), now) for a in change.alerts],
                )
                await rows.write_rows(
                    conn.executemany, "DELETE FROM alerts WHERE key = ?", [(k,) for k in change.forgotten]
                )
                await rows.write_rows(
                    conn.executemany,
                    "INSERT INTO group_log (group_key, notifier, told_json) VALUES (?, ?, ?) "
                    "ON CONFLICT (group_key, notifier) DO UPDATE SET told_json = excluded.told_json",
                    [
                        (group, notifier, codec.told_to_json(t))
                        for (group, notifier), t in change.told.items()
                    ],
                )
                await rows.write_rows(
                    conn.executemany,
                    "INSERT INTO notifications (id, notifier, dedup_key, body_json, priority, status, "
                    "attempts, created_at, next_attempt_at, delivered_at, dead_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    rows.notification_rows(notifications, settled, now),
                )
        except sqlite3.IntegrityError as exc:
            where = f"provider {state.provider!r}" if state is not None else "alert groups"
            raise StoreError(f"commit for {where} rejected: {exc}") from exc

    async def touch(self, states: Sequence[ProviderState]) -> None:
        async with self._transaction() as conn:
            await rows.write_rows(
                conn.executemany,
                "UPDATE provider_state SET state_json = json_set(state_json, '$.last_poll_at', ?, "
                "'$.last_success_at', ?), updated_at = ? WHERE provider = ?",
                rows.touch_rows(states),
            )

    async def add_history(self, provider: str, incidents: Sequence[Incident]) -> None:
        async with self._transaction() as conn:
            await _upsert_incidents(conn, provider, incidents, datetime.now(UTC))

    async def incident_history(self, provider: str, since: datetime, limit: int) -> list[Incident]:
        start = codec.format_time(since)
        async with self._connection() as conn:
            found = await conn.execute_fetchall(
                "SELECT incident_id, name, status, impact, url, started_at, resolved_at, updates_json "
                "FROM incident_history WHERE provider = ? AND (resolved_at IS NULL OR started_at >= ? "
                "OR resolved_at >= ?) ORDER BY started_at DESC, incident_id LIMIT ?",
                (provider, start, start, max(limit, 0)),
            )
        return [rows.stored_incident(*row) for row in found]

    async def status_intervals(self, provider: str, since: datetime) -> list[StatusInterval]:
        async with self._connection() as conn:
            found = await conn.execute_fetchall(
                "SELECT component, name, status, started_at, ended_at FROM status_intervals "
                "WHERE provider = ? AND (ended_at IS NULL OR ended_at > ?) ORDER BY started_at, id",
                (provider, codec.format_time(since)),
            )
        return [rows.stored_interval(*row) for row in found]

    async def prune(self, before: datetime) -> int:
        cutoff = codec.format_time(before)
        deleted = 0
        async with self._transaction() as conn:
            for sql in rows.PRUNE_SQL:
                cursor = await conn.execute(sql, (cutoff,))
                deleted += cursor.rowcount
        return deleted

    async def put_silence(self, silence: StoredSilence) -> None:
        async with self._transaction() as conn:
            await conn.execute(
                "INSERT INTO silences (id, body_json, ends_at) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE "
                "SET body_json = excluded.body_json, ends_at = excluded.ends_at",
                (silence.id, silence.body_json, codec.format_time(silence.ends_at)),
            )

    async def silences(self) -> list[StoredSilence]:
        async with self._connection() as conn:
            rows = await conn.execute_fetchall(
                "SELECT id, body_json, ends_at FROM silences ORDER BY ends_at, id"
            )
        return [StoredSilence(sid, body, codec.parse_time(ends)) for sid, body, ends in rows]

    async def claim_due(
        self, now: datetime, limit: int, lease_seconds: float, notifiers: Collection[str] | None = None
    ) -> list[Notification]:
        names = None if notifiers is None else sorted(set(notifiers))
        if limit <= 0 or names == []:
            return []
        params: dict[str, object] = {"now": codec.format_time(now), "limit": limit}
        notifier_filter = ""
        if names is not None:
            params.update({f"n{i}": name for i, name in enumerate(names)})
            notifier_filter = f"AND n.notifier IN ({', '.join(f':n{i}' for i in range(len(names)))})"
        lease_until = codec.format_time(now + timedelta(seconds=lease_seconds))
        async with self._transaction() as conn:
            claimed = list(
                await conn.execute_fetchall(_CLAIM_SQL.format(notifier_filter=notifier_filter), params)
            )
            await rows.write_rows(
                conn.executemany,
                "UPDATE notifications SET lease_until = ? WHERE seq = ?",
                [(lease_until, row[0]) for row in claimed],
            )
        return [rows.claimed_notification(row) for row in claimed]

    async def mark_delivered(
        self, notification_id: str, now: datetime, receipt: Mapping[str, str] | None = None
    ) -> None:
        await self._finish_attempt(
            notification_id,
            "status = 'delivered', delivered_at = ?",
            (codec.format_time(now),),
            receipt,
        )

    async def mark_retry(self, notification_id: str, next_attempt_at: datetime, error: str) -> None:
        await self._finish_attempt(
            notification_id,
            "next_attempt_at = ?, last_error = ?",
            (codec.format_time(next_attempt_at), error[:_MAX_ERROR_CHARS]),
        )

    async def mark_dead(self, notification_id: str, now: datetime, reason: str) -> None:
        await self._finish_attempt(
            notification_id,
            "status = 'dead', dead_at = ?, last_error = ?",
            (codec.format_time(now), reason[:_MAX_ERROR_CHARS]),
        )

    async def recent_events(self, limit: int) -> list[StoredEvent]:
        async with self._connection() as conn:
            rows = await conn.execute_fetchall(
                "SELECT id, body_json FROM events ORDER BY id DESC LIMIT ?", (max(limit, 0),)
            )
        return [StoredEvent(event_id, codec.event_from_json(body)) for event_id, body in rows]

    async def pending_count(self) -> int:
        async with self._connection() as conn:
            count = await _scalar(conn, "SELECT count(*) FROM notifications WHERE status = 'pending'")
        return int(count)

    async def pending_by_notifier(self) -> dict[str, int]:
        async with self._connection() as conn:
            rows = await conn.execute_fetchall(
                "SELECT notifier, count(*) FROM notifications WHERE status = 'pending' GROUP BY notifier"
            )
        return {str(notifier): int(count) for notifier, count in rows}

    async def notification_counts(self) -> dict[NotificationStatus, int]:
        async with self._connection() as conn:
            rows = await conn.execute_fetchall("SELECT status, count(*) FROM notifications GROUP BY status")
        counts: dict[NotificationStatus, int] = {"pending": 0, "delivered": 0, "dead": 0}
        counts.update({status: int(count) for status, count in rows})
        return counts

    async def _finish_attempt(
        self,
        notification_id: str,
        assignments: str,
        params: tuple[object, ...],
        receipt: Mapping[str, str] | None = None,
    ) -> None:
        """Record one attempt's outcome on a pending notification and release its lease; a receipt becomes
        its group's receipt for its notifier, in the same transaction."""
        async with self._transaction() as conn:
            cursor = await conn.execute(
                f"UPDATE notifications SET {assignments}, attempts = attempts + 1, lease_until = NULL "
                "WHERE id = ? AND status = 'pending'",
                (*params, notification_id),
            )
            if cursor.rowcount != 1:
                raise StoreError(f"no pending notification {notification_id!r}")
            if receipt is not None:
                await conn.execute(
                    "UPDATE group_log SET receipt_json = ? WHERE (group_key, notifier) = "
                    "(SELECT dedup_key, notifier FROM notifications WHERE id = ?)",
                    (codec.receipt_to_json(receipt), notification_id),
                )

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[aiosqlite.Connection]:
        async with self._lock:
            if self._conn is None:
                raise RuntimeError(f"{self!r} is not open")
            yield self._conn

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """BEGIN IMMEDIATE takes the write lock up front: no upgrade deadlock, busy_timeout applies."""
        async with self._connection() as conn:
            await conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                await conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    await conn.execute("ROLLBACK")
                raise


async def _record_history(conn: aiosqlite.Connection, state: ProviderState, at: datetime) -> None:
    """The status intervals and incident timelines this state changes (monitor/history.py)."""
    when = codec.format_time(at)
    found = await conn.execute_fetchall(
        "SELECT component, name, status FROM status_intervals WHERE provider = ? AND ended_at IS NULL",
        (state.provider,),
    )
    ended, begun = history.status_changes({c: history.OpenStatus(n, s) for c, n, s in found}, state)
    await rows.write_rows(
        conn.executemany,
        "UPDATE status_intervals SET ended_at = ? WHERE provider = ? AND component = ? AND ended_at IS NULL",
        [(when, state.provider, component) for component in ended],
    )
    await rows.write_rows(
        conn.executemany,
        "INSERT INTO status_intervals (provider, component, name, status, started_at) VALUES (?, ?, ?, ?, ?)",
        [(state.provider, component, s.name, s.status, when) for component, s in begun.items()],
    )
    await _upsert_incidents(conn, state.provider, list(state.incidents.values()), at)
    if history.settled_incidents(state):
        open_rows = await conn.execute_fetchall(
            "SELECT incident_id FROM incident_history WHERE provider = ? AND resolved_at IS NULL",
            (state.provider,),
        )
        await rows.write_rows(
            conn.executemany,
            "UPDATE incident_history SET resolved_at = ?, status = ? WHERE provider = ? AND incident_id = ?",
            [
                (when, IncidentStatus.RESOLVED.value, state.provider, incident_id)
                for (incident_id,) in open_rows
                if incident_id not in state.incidents
            ],
        )


async def _upsert_incidents(
    conn: aiosqlite.Connection, provider: str, incidents: Sequence[Incident], at: datetime
) -> None:
    """Insert or refresh each incident, its stored timeline united with the updates seen now."""
    for incident in incidents:
        stored = list(
            await conn.execute_fetchall(
                "SELECT updates_json FROM incident_history WHERE provider = ? AND incident_id = ?",
                (provider, incident.id),
            )
        )
        await conn.execute(
            "INSERT INTO incident_history (provider, incident_id, name, status, impact, url, started_at, "
            "resolved_at, updates_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (provider, incident_id) DO UPDATE SET name = excluded.name, "
            "status = excluded.status, impact = excluded.impact, url = excluded.url, "
            "resolved_at = excluded.resolved_at, updates_json = excluded.updates_json",
            rows.incident_row(provider, incident, stored[0][0] if stored else None, at),
        )


async def _scalar(conn: aiosqlite.Connection, sql: str) -> Any:
    """The first column of the first row of a query that always returns one (count, PRAGMA)."""
    async with conn.execute(sql) as cursor:
        row = await cursor.fetchone()
    assert row is not None, sql
    return row[0]
