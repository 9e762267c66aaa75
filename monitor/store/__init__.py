"""Persistence: the `Store` contract and its backends, chosen by URL. A backend's module (and its driver:
aiosqlite, psycopg) is imported when a store of its kind is opened or its class is first named; the
contract (`monitor.store.base`) when one of its names is, so what only reads a store URL (validating a
config, `poll`) does not pay for either."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from monitor.store.url import (
    DEFAULT_URL,
    check_store_url,
    describe_store,
    is_server,
    store_exists,
    store_path,
)

if TYPE_CHECKING:
    from monitor.store.base import NotificationStatus, SchemaVersionError, Store, StoredEvent, StoreError
    from monitor.store.postgres import PostgresStore
    from monitor.store.sqlite import SqliteStore

_CONTRACT = ("NotificationStatus", "SchemaVersionError", "Store", "StoredEvent", "StoreError")
_MODULE_OF = {
    "PostgresStore": "monitor.store.postgres",
    "SqliteStore": "monitor.store.sqlite",
    **dict.fromkeys(_CONTRACT, "monitor.store.base"),
}


def open_store(url_or_path: str, *, password: str | None = None) -> Store:
    """The store a config names: a SQLite file (see `store_path`) or a PostgreSQL database
    (`postgresql://user@host:5432/db`; the password from the URL, `password`, or libpq's PGPASSWORD and
    ~/.pgpass). Not yet connected: `await store.open()` or `async with open_store(...) as store:`."""
    if is_server(url_or_path):
        from monitor.store.postgres import PostgresStore

        return PostgresStore(url_or_path, password=password)
    from monitor.store.sqlite import SqliteStore

    return SqliteStore(store_path(url_or_path))


if not TYPE_CHECKING:  # mypy sees the imports above; a __getattr__ would let it accept any name

    def __getattr__(name: str) -> object:
        """`from monitor.store import PostgresStore` imports that module then (PEP 562)."""
        if name in _MODULE_OF:
            return getattr(import_module(_MODULE_OF[name]), name)
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
