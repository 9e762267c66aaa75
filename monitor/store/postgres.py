"""The Store on PostgreSQL, for replicas sharing one database (see monitor/store/cluster.py), through
psycopg 3 and its connection pool.

psycopg 3 rather than asyncpg: it is typed (mypy strict needs no stubs), it is libpq, so PGPASSWORD,
~/.pgpass, sslmode and every other libpq setting work as PostgreSQL users expect, and its pool checks a
connection before handing it out, so a restarted server costs no failed commit.

The pool is bounded (`pool_size` connections); every operation is one transaction on one connection, and
any driver or pool failure is a StoreUnavailable (a StoreError: the daemon's store health counts it), so
no psycopg type leaks out. Statement and lock timeouts bound every query: a database that stops
answering is an error in seconds, not a hung poll.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
from psycopg import AsyncConnection, sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from monitor import history
from monitor.history import StatusInterval
from monitor.logging import get_logger
from monitor.model import Event, Incident, IncidentStatus, Notification, ProviderState
from monitor.store import codec, rows
from monitor.store.base import (
    AlertingChange,
    AlertingMemory,
    FencedError,
    NotificationStatus,
    Settled,
    StoredEvent,
    StoredSilence,
    StoreError,
    StoreUnavailable,
)
from monitor.store.cluster import ClusterStore, Replica
from monitor.store.schema import Migration, load_migrations, refuse_newer

log = get_logger(__name__)

_MAX_ERROR_CHARS = 1000
_MIGRATION_LOCK = 0x6F6D5F6D  # pg_advisory_xact_lock key: replicas starting together migrate one at a time
_REPLICA_MEMORY = timedelta(hours=1)  # a replica not heard of for this long leaves the cluster list
_SESSION = "-c statement_timeout=15000 -c lock_timeout=10000 -c idle_in_transaction_session_timeout=60000"

_CLAIM_SQL = """
SELECT n.seq, n.id, n.notifier, n.created_at, n.attempts, n.body_json, e.body_json, g.receipt_json
FROM notifications AS n
LEFT JOIN events AS e ON e.id = n.event_id
LEFT JOIN group_log AS g ON g.group_key = n.dedup_key AND g.notifier = n.notifier
WHERE n.status = 'pending' AND n.next_attempt_at <= %(now)s
  AND (n.lease_until IS NULL OR n.lease_until <= %(now)s)
  AND (%(names)s::text[] IS NULL OR n.notifier = ANY(%(names)s::text[]))
  AND NOT EXISTS (
      SELECT 1 FROM notifications AS p
      WHERE p.status = 'pending' AND p.notifier = n.notifier AND p.dedup_key = n.dedup_key AND p.seq < n.seq
  )
ORDER BY n.priority, n.seq
LIMIT %(limit)s
FOR UPDATE OF n SKIP LOCKED
"""

# Take the lease when it is free, expired or ours; a new holder gets the next token.
_ACQUIRE_SQL = """
INSERT INTO leader AS l (id, holder, token, expires_at)
VALUES (1, %(me)s, 1, now() + make_interval(secs => %(lease)s))
ON CONFLICT (id) DO UPDATE SET
    holder = excluded.holder,
    token = CASE WHEN l.holder = excluded.holder THEN l.token ELSE l.token + 1 END,
    expires_at = excluded.expires_at
WHERE l.holder = excluded.holder OR l.holder IS NULL OR l.expires_at <= now()
RETURNING token
"""


def redacted(url: str) -> str:
    """The URL without its password, for logs and errors."""
    try:
        params = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "postgresql://<unparsable>"
    user = f"{params['user']}@" if params.get("user") else ""
    return (
        f"postgresql://{user}{params.get('host', '')}:{params.get('port', 5432)}/{params.get('dbname', '')}"
    )


class PostgresStore(ClusterStore):
    def __init__(self, url: str, *, password: str | None = None, pool_size: int = 4) -> None:
        self._display = redacted(url)
        extra: dict[str, Any] = {"application_name": "outage-monitor", "options": _SESSION}
        if password is not None:
            extra["password"] = password
        self._conninfo = make_conninfo(url, connect_timeout=5, **extra)
        self._pool_size = pool_size
        self._pool: AsyncConnectionPool | None = None
        self._fence: tuple[str, int] | None = None

    def __repr__(self) -> str:
        return f"PostgresStore({self._display!r})"

    async def open(self) -> None:
        if self._pool is not None:
            raise RuntimeError(f"{self!r} is already open")
        try:  # one direct connection first: an unreachable server fails now, with libpq's reason
            await (await psycopg.AsyncConnection.connect(self._conninfo)).close()
        except psycopg.Error as exc:
            raise StoreUnavailable(f"cannot connect to {self._display}: {exc}") from exc
        pool = AsyncConnectionPool(
            self._conninfo,
            min_size=1,
            max_size=self._pool_size,
            timeout=10.0,
            open=False,
            check=AsyncConnectionPool.check_connection,
            name="outage-monitor",
        )
        try:
            await pool.open(wait=True, timeout=10.0)
        except PoolTimeout as exc:
            await pool.close()
            raise StoreUnavailable(f"cannot connect to {self._display}: {exc}") from exc
        self._pool = pool
        try:
            await self._migrate(load_migrations("migrations_postgres"))
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        if self._pool is not None:
            pool, self._pool = self._pool, None
            await pool.close()

    async def probe_write(self) -> None:
        async with self._transaction() as conn:
            await conn.execute("UPDATE leader SET id = id WHERE false")

    async def release_leases(self) -> int:
        """Called as a leader's dispatcher starts: only the leader delivers, so every claim found then was
        a previous leader's, stopped or dead."""
        async with self._transaction() as conn:
            cursor = await conn.execute(
                "UPDATE notifications SET lease_until = NULL "
                "WHERE status = 'pending' AND lease_until IS NOT NULL"
            )
        if cursor.rowcount:
            log.info("leases_released", count=cursor.rowcount)
        return int(cursor.rowcount)

    def fence(self, replica_id: str | None, token: int | None) -> None:
        self._fence = None if replica_id is None or token is None else (replica_id, token)

    async def acquire_lease(self, replica_id: str, host: str, lease_seconds: float) -> int | None:
        async with self._transaction() as conn:
            await conn.execute(
                "INSERT INTO replicas (id, host, started_at, heartbeat_at) VALUES (%s, %s, now(), now()) "
                "ON CONFLICT (id) DO UPDATE SET host = excluded.host, heartbeat_at = now()",
                (replica_id, host),
            )
            await conn.execute(
                "DELETE FROM replicas WHERE heartbeat_at < now() - %s::interval", (_REPLICA_MEMORY,)
            )
            cursor = await conn.execute(_ACQUIRE_SQL, {"me": replica_id, "lease": lease_seconds})
            row = await cursor.fetchone()
        return None if row is None else int(row[0])

    async def release_lease(self, replica_id: str) -> None:
        async with self._transaction() as conn:
            await conn.execute(
                "UPDATE leader SET holder = NULL, expires_at = now() WHERE holder = %s", (replica_id,)
            )

    async def replicas(self) -> list[Replica]:
        async with self._transaction() as conn:
            cursor = await conn.execute(
                "SELECT r.id, r.host, r.started_at, r.heartbeat_at, "
                "coalesce(l.holder = r.id AND l.expires_at > now(), false), l.token "
                "FROM replicas AS r LEFT JOIN leader AS l ON l.id = 1 ORDER BY r.id"
            )
            found = await cursor.fetchall()
        return [
            Replica(rid, host, started, beat, leads, int(token) if leads and token is not None else None)
            for rid, host, started, beat, leads, token in found
        ]

    async def load_states(self) -> dict[str, ProviderState]:
        async with self._transaction() as conn:
            cursor = await conn.execute("SELECT provider, state_json FROM provider_state")
            found = await cursor.fetchall()
        states = {}
        for provider, text in found:
            try:
                states[provider] = codec.state_from_json(text)
            except (ValueError, KeyError, TypeError) as exc:
                log.warning("state_unreadable", provider=provider, error=f"{type(exc).__name__}: {exc}")
        return states

    async def load_alerting(self) -> AlertingMemory:
        async with self._transaction() as conn:
            alerts = await (await conn.execute("SELECT body_json FROM alerts")).fetchall()
            log_rows = await (
                await conn.execute("SELECT group_key, notifier, told_json, receipt_json FROM group_log")
            ).fetchall()
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
        try:
            async with self._transaction() as conn:
                await self._check_fence(conn)
                if state is not None:
                    await conn.execute(
                        "INSERT INTO provider_state (provider, state_json, updated_at) VALUES (%s, %s, %s) "
                        "ON CONFLICT (provider) DO UPDATE SET state_json = excluded.state_json, "
                        "updated_at = excluded.updated_at",
                        (state.provider, codec.state_to_json(state), now),
                    )
                    await _record_history(conn, state, state.last_poll_at or datetime.now(UTC))
                async with conn.cursor() as cur:
                    await rows.write_rows(
                        cur.executemany,
                        "INSERT INTO events (provider, kind, severity, dedup_key, occurred_at, body_json) "
                        "VALUES (%s, %s, %s, %s, %s, %s)",
                        rows.event_rows(events),
                    )
                    await rows.write_rows(
                        cur.executemany,
                        "INSERT INTO alerts (key, provider, body_json, updated_at) VALUES (%s, %s, %s, %s) "
                        "ON CONFLICT (key) DO UPDATE SET body_json = excluded.body_json, "
                        "updated_at = excluded.updated_at",
                        [(a.key, a.provider, codec.alert_to_json(a), now) for a in change.alerts],
                    )
                    await rows.write_rows(
                        cur.executemany,
                        "DELETE FROM alerts WHERE key = %s",
                        [(key,) for key in change.forgotten],
                    )
                    await rows.write_rows(
                        cur.executemany,
                        "INSERT INTO group_log (group_key, notifier, told_json) VALUES (%s, %s, %s) "
                        "ON CONFLICT (group_key, notifier) DO UPDATE SET told_json = excluded.told_json",
                        [
                            (group, notifier, codec.told_to_json(t))
                            for (group, notifier), t in change.told.items()
                        ],
                    )
                    await rows.write_rows(
                        cur.executemany,
                        "INSERT INTO notifications (id, notifier, dedup_key, body_json, priority, status, "
                        "attempts, created_at, next_attempt_at, delivered_at, dead_at) "
                        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                        rows.notification_rows(notifications, settled or {}, now),
                    )
        except _Rejected as exc:
            where = f"provider {state.provider!r}" if state is not None else "alert groups"
            raise StoreError(f"commit for {where} rejected: {exc.__cause__}") from exc.__cause__

    async def touch(self, states: Sequence[ProviderState]) -> None:
        async with self._transaction() as conn, conn.cursor() as cur:
            await self._check_fence(conn)
            await rows.write_rows(
                cur.executemany,
                "UPDATE provider_state SET state_json = (state_json::jsonb || jsonb_build_object("
                "'last_poll_at', %s::text, 'last_success_at', %s::text))::text, updated_at = %s "
                "WHERE provider = %s",
                rows.touch_rows(states),
            )

    async def add_history(self, provider: str, incidents: Sequence[Incident]) -> None:
        async with self._transaction() as conn:
            await _upsert_incidents(conn, provider, incidents, datetime.now(UTC))

    async def incident_history(self, provider: str, since: datetime, limit: int) -> list[Incident]:
        start = codec.format_time(since)
        async with self._transaction() as conn:
            cursor = await conn.execute(
                "SELECT incident_id, name, status, impact, url, started_at, resolved_at, updates_json "
                "FROM incident_history WHERE provider = %s AND (resolved_at IS NULL OR started_at >= %s "
                "OR resolved_at >= %s) ORDER BY started_at DESC, incident_id LIMIT %s",
                (provider, start, start, max(limit, 0)),
            )
            found = await cursor.fetchall()
        return [rows.stored_incident(*row) for row in found]

    async def status_intervals(self, provider: str, since: datetime) -> list[StatusInterval]:
        async with self._transaction() as conn:
            cursor = await conn.execute(
                "SELECT component, name, status, started_at, ended_at FROM status_intervals "
                "WHERE provider = %s AND (ended_at IS NULL OR ended_at > %s) ORDER BY started_at, id",
                (provider, codec.format_time(since)),
            )
            found = await cursor.fetchall()
        return [rows.stored_interval(*row) for row in found]

    async def prune(self, before: datetime) -> int:
        cutoff = codec.format_time(before)
        deleted = 0
        async with self._transaction() as conn:
            for statement in rows.PRUNE_SQL:
                cursor = await conn.execute(statement.replace("?", "%s"), (cutoff,))
                deleted += max(cursor.rowcount, 0)
        return deleted

    async def put_silence(self, silence: StoredSilence) -> None:
        async with self._transaction() as conn:
            await conn.execute(
                "INSERT INTO silences (id, body_json, ends_at) VALUES (%s, %s, %s) ON CONFLICT (id) "
                "DO UPDATE SET body_json = excluded.body_json, ends_at = excluded.ends_at",
                (silence.id, silence.body_json, codec.format_time(silence.ends_at)),
            )

    async def silences(self) -> list[StoredSilence]:
        async with self._transaction() as conn:
            cursor = await conn.execute("SELECT id, body_json, ends_at FROM silences ORDER BY ends_at, id")
            found = await cursor.fetchall()
        return [StoredSilence(sid, body, codec.parse_time(ends)) for sid, body, ends in found]

    async def claim_due(
        self, now: datetime, limit: int, lease_seconds: float, notifiers: Collection[str] | None = None
    ) -> list[Notification]:
        names = None if notifiers is None else sorted(set(notifiers))
        if limit <= 0 or names == []:
            return []
        lease_until = codec.format_time(now + timedelta(seconds=lease_seconds))
        async with self._transaction() as conn:
            await self._check_fence(conn)  # a paused ex-leader takes nothing the new leader may be sending
            cursor = await conn.execute(
                _CLAIM_SQL, {"now": codec.format_time(now), "limit": limit, "names": names}
            )
            claimed = await cursor.fetchall()
            if claimed:
                await conn.execute(
                    "UPDATE notifications SET lease_until = %s WHERE seq = ANY(%s)",
                    (lease_until, [row[0] for row in claimed]),
                )
        return [rows.claimed_notification(row) for row in claimed]

    async def mark_delivered(
        self, notification_id: str, now: datetime, receipt: Mapping[str, str] | None = None
    ) -> None:
        await self._finish_attempt(
            notification_id, "status = 'delivered', delivered_at = %s", (codec.format_time(now),), receipt
        )

    async def mark_retry(self, notification_id: str, next_attempt_at: datetime, error: str) -> None:
        await self._finish_attempt(
            notification_id,
            "next_attempt_at = %s, last_error = %s",
            (codec.format_time(next_attempt_at), error[:_MAX_ERROR_CHARS]),
        )

    async def mark_dead(self, notification_id: str, now: datetime, reason: str) -> None:
        await self._finish_attempt(
            notification_id,
            "status = 'dead', dead_at = %s, last_error = %s",
            (codec.format_time(now), reason[:_MAX_ERROR_CHARS]),
        )

    async def recent_events(self, limit: int) -> list[StoredEvent]:
        async with self._transaction() as conn:
            cursor = await conn.execute(
                "SELECT id, body_json FROM events ORDER BY id DESC LIMIT %s", (max(limit, 0),)
            )
            found = await cursor.fetchall()
        return [StoredEvent(int(event_id), codec.event_from_json(body)) for event_id, body in found]

    async def pending_count(self) -> int:
        async with self._transaction() as conn:
            cursor = await conn.execute("SELECT count(*) FROM notifications WHERE status = 'pending'")
            row = await cursor.fetchone()
        assert row is not None
        return int(row[0])

    async def pending_by_notifier(self) -> dict[str, int]:
        async with self._transaction() as conn:
            cursor = await conn.execute(
                "SELECT notifier, count(*) FROM notifications WHERE status = 'pending' GROUP BY notifier"
            )
            found = await cursor.fetchall()
        return {str(notifier): int(count) for notifier, count in found}

    async def notification_counts(self) -> dict[NotificationStatus, int]:
        async with self._transaction() as conn:
            cursor = await conn.execute("SELECT status, count(*) FROM notifications GROUP BY status")
            found = await cursor.fetchall()
        counts: dict[NotificationStatus, int] = {"pending": 0, "delivered": 0, "dead": 0}
        counts.update({status: int(count) for status, count in found})
        return counts

    async def _check_fence(self, conn: psycopg.AsyncConnection[Any]) -> None:
        """FOR SHARE holds the lease row until this transaction ends: no takeover can slip in between."""
        if self._fence is None:
            return
        replica_id, token = self._fence
        cursor = await conn.execute(
            "SELECT 1 FROM leader WHERE id = 1 AND holder = %s AND token = %s AND expires_at > now() "
            "FOR SHARE",
            (replica_id, token),
        )
        if await cursor.fetchone() is None:
            raise FencedError(f"fencing token {token} is stale: another replica leads; nothing written")

    async def _finish_attempt(
        self,
        notification_id: str,
        assignments: str,
        params: tuple[object, ...],
        receipt: Mapping[str, str] | None = None,
    ) -> None:
        async with self._transaction() as conn:
            cursor = await conn.execute(
                f"UPDATE notifications SET {assignments}, attempts = attempts + 1, lease_until = NULL "
                "WHERE id = %s AND status = 'pending'",
                (*params, notification_id),
            )
            if cursor.rowcount != 1:
                raise StoreError(f"no pending notification {notification_id!r}")
            if receipt is not None:
                await conn.execute(
                    "UPDATE group_log SET receipt_json = %s WHERE (group_key, notifier) = "
                    "(SELECT dedup_key, notifier FROM notifications WHERE id = %s)",
                    (codec.receipt_to_json(receipt), notification_id),
                )

    async def import_tables(
        self, tables: Mapping[str, tuple[Sequence[str], Sequence[Sequence[Any]]]]
    ) -> None:
        """`outage-monitor migrate` (monitor/store/transfer.py): write each table's rows as they are, in one
        transaction, into tables that must all be empty (locked while checked, so no replica writes
        meanwhile); the identity counters then go on after the highest copied id."""
        async with self._transaction() as conn:
            for table in tables:
                name = sql.Identifier(table)
                await conn.execute(sql.SQL("LOCK TABLE {} IN EXCLUSIVE MODE").format(name))
                found = await (await conn.execute(sql.SQL("SELECT count(*) FROM {}").format(name))).fetchone()
                if found and found[0]:
                    raise StoreError(f"{self._display} is not empty: table {table} has {found[0]} rows")
            for table, (columns, values) in tables.items():
                copy_sql = sql.SQL("COPY {} ({}) FROM STDIN").format(
                    sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
                )
                async with conn.cursor().copy(copy_sql) as copy:
                    for row in values:
                        await copy.write_row(row)
            for table, column in (("events", "id"), ("notifications", "seq"), ("status_intervals", "id")):
                await conn.execute(
                    sql.SQL(
                        "SELECT setval(pg_get_serial_sequence(%s, %s), coalesce(max({column}), 1), "
                        "max({column}) IS NOT NULL) FROM {table}"
                    ).format(column=sql.Identifier(column), table=sql.Identifier(table)),
                    (table, column),
                )

    async def _migrate(self, migrations: Sequence[Migration]) -> None:
        """Every missing migration in one transaction with its record, under an advisory lock, so replicas
        starting together migrate once and a failed upgrade leaves the database as it was."""
        latest = migrations[-1].version if migrations else 0
        async with self._transaction() as conn:
            await conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
            await conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
                "name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
            )
            cursor = await conn.execute("SELECT coalesce(max(version), 0) FROM schema_migrations")
            row = await cursor.fetchone()
            current = int(row[0]) if row else 0
            refuse_newer(current, latest)
            missing = [m for m in migrations if m.version > current]
            for migration in missing:
                await conn.execute(migration.sql.encode())
                await conn.execute(
                    "INSERT INTO schema_migrations (version, name) VALUES (%s, %s)",
                    (migration.version, migration.name),
                )
        if missing:
            log.info(
                "schema_migrated",
                from_version=current,
                to_version=latest,
                applied=[m.name for m in missing],
            )

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[psycopg.AsyncConnection[Any]]:
        """One pooled connection, one transaction: committed on success, rolled back on any error.
        Integrity errors come out as _Rejected (the caller words them), the server's absence as
        StoreUnavailable."""
        if self._pool is None:
            raise RuntimeError(f"{self!r} is not open")
        try:
            async with self._pool.connection() as conn, conn.transaction():
                yield conn
        except psycopg.IntegrityError as exc:
            raise _Rejected() from exc
        except (psycopg.OperationalError, psycopg.InterfaceError, PoolTimeout) as exc:
            raise StoreUnavailable(f"{self._display}: {type(exc).__name__}: {exc}") from exc


class _Rejected(StoreError):
    """A constraint refused the transaction (a notification id enqueued twice)."""


async def _record_history(conn: AsyncConnection[Any], state: ProviderState, at: datetime) -> None:
    """The status intervals and incident timelines this state changes (monitor/history.py)."""
    when = codec.format_time(at)
    cursor = await conn.execute(
        "SELECT component, name, status FROM status_intervals WHERE provider = %s AND ended_at IS NULL",
        (state.provider,),
    )
    open_now = {c: history.OpenStatus(n, st) for c, n, st in await cursor.fetchall()}
    ended, begun = history.status_changes(open_now, state)
    async with conn.cursor() as cur:
        await rows.write_rows(
            cur.executemany,
            "UPDATE status_intervals SET ended_at = %s "
            "WHERE provider = %s AND component = %s AND ended_at IS NULL",
            [(when, state.provider, component) for component in ended],
        )
        await rows.write_rows(
            cur.executemany,
            "INSERT INTO status_intervals (provider, component, name, status, started_at) "
            "VALUES (%s, %s, %s, %s, %s)",
            [(state.provider, component, st.name, st.status, when) for component, st in begun.items()],
        )
    await _upsert_incidents(conn, state.provider, list(state.incidents.values()), at)
    if history.settled_incidents(state):
        cursor = await conn.execute(
            "SELECT incident_id FROM incident_history WHERE provider = %s AND resolved_at IS NULL",
            (state.provider,),
        )
        gone = [
            incident_id for (incident_id,) in await cursor.fetchall() if incident_id not in state.incidents
        ]
        async with conn.cursor() as cur:
            await rows.write_rows(
                cur.executemany,
                "UPDATE incident_history SET resolved_at = %s, status = %s "
                "WHERE provider = %s AND incident_id = %s",
                [(when, IncidentStatus.RESOLVED.value, state.provider, incident_id) for incident_id in gone],
            )


async def _upsert_incidents(
    conn: AsyncConnection[Any], provider: str, incidents: Sequence[Incident], at: datetime
) -> None:
    """Insert or refresh each incident, its stored timeline united with the updates seen now."""
    for incident in incidents:
        cursor = await conn.execute(
            "SELECT updates_json FROM incident_history WHERE provider = %s AND incident_id = %s",
            (provider, incident.id),
        )
        row = await cursor.fetchone()
        await conn.execute(
            "INSERT INTO incident_history (provider, incident_id, name, status, impact, url, started_at, "
            "resolved_at, updates_json) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) "
            "ON CONFLICT (provider, incident_id) DO UPDATE SET name = excluded.name, "
            "status = excluded.status, impact = excluded.impact, url = excluded.url, "
            "resolved_at = excluded.resolved_at, updates_json = excluded.updates_json",
            rows.incident_row(provider, incident, row[0] if row else None, at),
        )
