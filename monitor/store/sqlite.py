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

from monitor.logging import get_logger
from monitor.model import Event, Notification, ProviderState
from monitor.store import codec
from monitor.store.base import NotificationStatus, Settled, Store, StoredEvent, StoreError
from monitor.store.schema import load_migrations, migrate

log = get_logger(__name__)

_MAX_ERROR_CHARS = 1000  # last_error / dead reason: enough to diagnose, bounded per row

_CLAIM_SQL = """
SELECT n.seq, n.id, n.notifier, n.created_at, n.attempts, e.body_json
FROM notifications AS n JOIN events AS e ON e.id = n.event_id
WHERE n.status = 'pending' AND n.next_attempt_at <= :now
  AND (n.lease_until IS NULL OR n.lease_until <= :now)
  {notifier_filter}
  AND NOT EXISTS (
      SELECT 1 FROM notifications AS p
      WHERE p.status = 'pending' AND p.notifier = n.notifier AND p.dedup_key = n.dedup_key AND p.seq < n.seq
  )
ORDER BY n.seq
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

    async def open_alerts(self, provider: str) -> dict[str, set[str]]:
        async with self._connection() as conn:
            rows = await conn.execute_fetchall(
                "SELECT dedup_key, notifier FROM open_alerts WHERE provider = ?", (provider,)
            )
        alerts: dict[str, set[str]] = {}
        for dedup_key, notifier in rows:
            alerts.setdefault(dedup_key, set()).add(notifier)
        return alerts

    async def commit(
        self,
        state: ProviderState,
        events: Sequence[Event],
        notifications: Sequence[Notification],
        settled: Mapping[str, Settled] | None = None,
    ) -> None:
        now = codec.format_time(datetime.now(UTC))
        settled = settled or {}
        try:
            async with self._transaction() as conn:
                await conn.execute(
                    "INSERT INTO provider_state (provider, state_json, updated_at) VALUES (?, ?, ?) "
                    "ON CONFLICT (provider) DO UPDATE SET state_json = excluded.state_json, "
                    "updated_at = excluded.updated_at",
                    (state.provider, codec.state_to_json(state), now),
                )
                by_identity: dict[int, int] = {}
                by_value: dict[Event, int] = {}
                for event in events:
                    cursor = await conn.execute(
                        "INSERT INTO events (provider, kind, severity, dedup_key, occurred_at, body_json) "
                        "VALUES (?, ?, ?, ?, ?, ?)",
                        (
                            event.provider,
                            event.kind.value,
                            event.severity.label,
                            event.dedup_key,
                            codec.format_time(event.occurred_at),
                            codec.event_to_json(event),
                        ),
                    )
                    assert cursor.lastrowid is not None  # an INSERT into a rowid table always sets it
                    by_identity[id(event)] = cursor.lastrowid
                    by_value.setdefault(event, cursor.lastrowid)
                for notification in notifications:
                    event = notification.event
                    event_id = by_identity.get(id(event))
                    if event_id is None:
                        event_id = by_value.get(event)
                    if event_id is None:
                        raise ValueError(
                            f"notification {notification.id!r} refers to an event not in this commit"
                        )
                    created = codec.format_time(notification.created_at)
                    status = settled.get(notification.id, "pending")
                    await conn.execute(
                        "INSERT INTO notifications (id, notifier, dedup_key, event_id, status, attempts, "
                        "created_at, next_attempt_at, delivered_at, dead_at) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (
                            notification.id,
                            notification.notifier,
                            event.dedup_key,
                            event_id,
                            status,
                            notification.attempts,
                            created,
                            created,
                            now if status == "delivered" else None,
                            now if status == "dead" else None,
                        ),
                    )
                    key = (event.provider, event.dedup_key, notification.notifier)
                    if event.resolves:
                        await conn.execute(
                            "DELETE FROM open_alerts WHERE provider = ? AND dedup_key = ? AND notifier = ?",
                            key,
                        )
                    else:
                        await conn.execute(
                            "INSERT OR IGNORE INTO open_alerts (provider, dedup_key, notifier, opened_at) "
                            "VALUES (?, ?, ?, ?)",
                            (*key, now),
                        )
        except sqlite3.IntegrityError as exc:
            raise StoreError(f"commit for provider {state.provider!r} rejected: {exc}") from exc

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
            rows = list(
                await conn.execute_fetchall(_CLAIM_SQL.format(notifier_filter=notifier_filter), params)
            )
            await conn.executemany(
                "UPDATE notifications SET lease_until = ? WHERE seq = ?",
                [(lease_until, row[0]) for row in rows],
            )
        return [
            Notification(
                id=notification_id,
                notifier=notifier,
                event=codec.event_from_json(body),
                created_at=codec.parse_time(created_at),
                attempts=attempts,
            )
            for _seq, notification_id, notifier, created_at, attempts, body in rows
        ]

    async def mark_delivered(self, notification_id: str, now: datetime) -> None:
        await self._finish_attempt(
            notification_id,
            "status = 'delivered', delivered_at = ?",
            (codec.format_time(now),),
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
        self, notification_id: str, assignments: str, params: tuple[object, ...]
    ) -> None:
        """Record one attempt's outcome on a pending notification and release its lease."""
        async with self._connection() as conn:
            cursor = await conn.execute(
                f"UPDATE notifications SET {assignments}, attempts = attempts + 1, lease_until = NULL "
                "WHERE id = ? AND status = 'pending'",
                (*params, notification_id),
            )
        if cursor.rowcount != 1:
            raise StoreError(f"no pending notification {notification_id!r}")

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


async def _scalar(conn: aiosqlite.Connection, sql: str) -> Any:
    """The first column of the first row of a query that always returns one (count, PRAGMA)."""
    async with conn.execute(sql) as cursor:
        row = await cursor.fetchone()
    assert row is not None, sql
    return row[0]
