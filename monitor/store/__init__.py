"""Persistence: the `Store` contract and its backends, chosen by URL."""

from __future__ import annotations

from monitor.store.base import NotificationStatus, SchemaVersionError, Store, StoredEvent, StoreError
from monitor.store.postgres import PostgresStore
from monitor.store.sqlite import SqliteStore

_SQLITE = "sqlite://"
POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def open_store(url_or_path: str, *, password: str | None = None) -> Store:
    """The store a config names: `sqlite://<path>` (`sqlite:///var/lib/x.db` is absolute,
    `sqlite://x.db` relative), a bare file path, or `postgresql://user@host:5432/db` (also `postgres://`;
    the password from the URL, `password`, or libpq's PGPASSWORD and ~/.pgpass). Not yet connected:
    `await store.open()` or `async with open_store(...) as store:`."""
    if url_or_path.startswith(POSTGRES_SCHEMES):
        return PostgresStore(url_or_path, password=password)
    if url_or_path.startswith(_SQLITE):
        path = url_or_path[len(_SQLITE) :]
    elif "://" in url_or_path:
        scheme = url_or_path.split("://", 1)[0]
        raise ValueError(
            f"unsupported store URL scheme {scheme!r}: expected sqlite://<path> or postgresql://..."
        )
    else:
        path = url_or_path
    if not path:
        raise ValueError("store URL names no file: expected sqlite://<path>")
    return SqliteStore(path)


__all__ = [
    "NotificationStatus",
    "PostgresStore",
    "SchemaVersionError",
    "SqliteStore",
    "Store",
    "StoreError",
    "StoredEvent",
    "open_store",
]
