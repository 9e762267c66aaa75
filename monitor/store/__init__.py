"""Persistence: the `Store` contract and its backends, chosen by URL."""

from __future__ import annotations

from monitor.store.base import NotificationStatus, SchemaVersionError, Store, StoredEvent, StoreError
from monitor.store.postgres import PostgresStore
from monitor.store.sqlite import SqliteStore
from monitor.store.url import (
    DEFAULT_URL,
    check_store_url,
    describe_store,
    is_server,
    store_exists,
    store_path,
)


def open_store(url_or_path: str, *, password: str | None = None) -> Store:
    """The store a config names: a SQLite file (see `store_path`) or a PostgreSQL database
    (`postgresql://user@host:5432/db`; the password from the URL, `password`, or libpq's PGPASSWORD and
    ~/.pgpass). Not yet connected: `await store.open()` or `async with open_store(...) as store:`."""
    if is_server(url_or_path):
        return PostgresStore(url_or_path, password=password)
    return SqliteStore(store_path(url_or_path))


__all__ = [
    "DEFAULT_URL",
    "NotificationStatus",
    "PostgresStore",
    "SchemaVersionError",
    "SqliteStore",
    "Store",
    "StoreError",
    "StoredEvent",
    "check_store_url",
    "describe_store",
    "is_server",
    "open_store",
    "store_exists",
    "store_path",
]
