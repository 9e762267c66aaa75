"""Versioned SQLite schema: `migrations/NNNN_name.sql` files applied in order, tracked by PRAGMA user_version.
(PostgreSQL has its own folder, `migrations_postgres/`, read by the same loader: monitor/store/postgres.py.)

All missing migrations run in one transaction with the version bump, so a failed upgrade leaves the
database exactly as it was. A migration file holds plain DDL/DML: no BEGIN/COMMIT of its own.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources

import aiosqlite

from monitor.logging import get_logger
from monitor.store.base import SchemaVersionError

log = get_logger(__name__)

_NAME = re.compile(r"(\d{4})_[a-z0-9_]+\.sql")


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str


def load_migrations(folder_name: str = "migrations") -> list[Migration]:
    """The packaged migrations, checked: numbered 0001 upwards without gaps, each complete SQL."""
    folder = resources.files("monitor.store").joinpath(folder_name)
    migrations = []
    for entry in folder.iterdir():
        match = _NAME.fullmatch(entry.name)
        if match is None:
            continue
        sql = entry.read_text(encoding="utf-8")
        if not sqlite3.complete_statement(sql):
            raise RuntimeError(f"migration {entry.name} does not end with a complete SQL statement")
        migrations.append(Migration(int(match[1]), entry.name, sql))
    migrations.sort(key=lambda m: m.version)
    versions = [m.version for m in migrations]
    if versions != list(range(1, len(migrations) + 1)):
        raise RuntimeError(f"migrations must be numbered 0001, 0002, ... without gaps; found {versions}")
    return migrations


def refuse_newer(current: int, latest: int) -> None:
    if current > latest:
        raise SchemaVersionError(
            f"database schema version {current} is newer than this outage-monitor supports ({latest}): "
            "upgrade outage-monitor or point it at another database"
        )


async def migrate(conn: aiosqlite.Connection, migrations: Sequence[Migration]) -> int:
    """Bring the database to the newest version in `migrations`; return that version."""
    rows = list(await conn.execute_fetchall("PRAGMA user_version"))
    current = int(rows[0][0])
    latest = migrations[-1].version if migrations else 0
    refuse_newer(current, latest)
    missing = [m for m in migrations if m.version > current]
    if not missing:
        return current
    script = "".join(f"{m.sql}\nPRAGMA user_version = {m.version};\n" for m in missing)
    try:
        await conn.executescript(f"BEGIN IMMEDIATE;\n{script}COMMIT;")
    except BaseException:
        if conn.in_transaction:
            await conn.execute("ROLLBACK")
        raise
    log.info("schema_migrated", from_version=current, to_version=latest, applied=[m.name for m in missing])
    return latest
