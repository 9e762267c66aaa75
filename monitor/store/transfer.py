"""`outage-monitor migrate --from sqlite:///path/state.db --to postgresql://...`: move one daemon's SQLite
store into the PostgreSQL database replicas share, so going HA loses no state, no pending page, no receipt.

Every table (provider state, events, alerts, the group log with its receipts, silences, the outbox with its
pending notifications) is copied in ONE PostgreSQL transaction, row for row: both schemas hold the same
columns and the same text encodings (monitor/store/codec.py). A target holding any of that data is refused,
so a migration can neither merge two histories nor run twice. Stop the daemon first: a commit it makes
during the copy would not be copied.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

from monitor.store import PostgresStore, SqliteStore, is_server, open_store

# Parents before children (notifications reference events); the columns both schemas share.
TABLES: dict[str, tuple[str, ...]] = {
    "provider_state": ("provider", "state_json", "updated_at"),
    "events": ("id", "provider", "kind", "severity", "dedup_key", "occurred_at", "body_json"),
    "alerts": ("key", "provider", "body_json", "updated_at"),
    "group_log": ("group_key", "notifier", "told_json", "receipt_json"),
    "silences": ("id", "body_json", "ends_at"),
    "notifications": (
        "seq", "id", "notifier", "dedup_key", "event_id", "body_json", "priority", "status", "attempts",
        "created_at", "next_attempt_at", "lease_until", "delivered_at", "dead_at", "last_error",
    ),
    "incident_history": (
        "provider", "incident_id", "name", "status", "impact", "url", "started_at", "resolved_at",
        "updates_json",
    ),
    "status_intervals": ("id", "provider", "component", "name", "status", "started_at", "ended_at"),
}  # fmt: skip

Rows = list[tuple[Any, ...]]


async def migrate(source: str, target: str, *, password: str | None = None) -> dict[str, int]:
    """Copy every table of the SQLite store `source` into the empty PostgreSQL store `target`; the rows
    copied per table. Raises StoreError (target not empty, unreachable) or ValueError (wrong kinds of URL)."""
    sqlite_store = open_store(source)
    if not isinstance(sqlite_store, SqliteStore):
        raise ValueError(f"--from must be a SQLite store (sqlite:///path/state.db), not {source!r}")
    if not is_server(target):
        raise ValueError("--to must be a PostgreSQL URL (postgresql://user@host:5432/db)")
    if not sqlite_store.path.is_file():
        raise ValueError(f"--from: no such file {sqlite_store.path}")
    async with sqlite_store:  # brings an older file's schema up to the one both backends share
        pass
    tables = await asyncio.to_thread(_read, sqlite_store.path)
    async with PostgresStore(target, password=password) as postgres:
        await postgres.import_tables({name: (TABLES[name], rows) for name, rows in tables.items()})
    return {name: len(rows) for name, rows in tables.items()}


def _read(path: Path) -> dict[str, Rows]:
    """Every table's rows in one read transaction (a consistent snapshot), read-only."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        conn.execute("BEGIN")
        return {
            name: conn.execute(f"SELECT {', '.join(columns)} FROM {name} ORDER BY 1").fetchall()
            for name, columns in TABLES.items()
        }
