"""Persistence: the `Store` contract and its backends, chosen by URL."""

from __future__ import annotations

from monitor.store.base import NotificationStatus, SchemaVersionError, Store, StoredEvent, StoreError
from monitor.store.sqlite import SqliteStore
from monitor.store.url import DEFAULT_URL, check_store_url, describe_store, store_exists, store_path


def open_store(url_or_path: str) -> Store:
    """The store a config names (see `store_path`). Not yet connected: `await store.open()` or
    `async with open_store(...) as store:`."""
    return SqliteStore(store_path(url_or_path))


__all__ = [
    "DEFAULT_URL",
    "NotificationStatus",
    "SchemaVersionError",
    "SqliteStore",
    "Store",
    "StoreError",
    "StoredEvent",
    "check_store_url",
    "describe_store",
    "open_store",
    "store_exists",
    "store_path",
]
