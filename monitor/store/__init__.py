"""Persistence: the `Store` contract and its backends, chosen by URL."""

from __future__ import annotations

from monitor.store.base import NotificationStatus, SchemaVersionError, Store, StoredEvent, StoreError
from monitor.store.sqlite import SqliteStore

_SQLITE = "sqlite://"


def open_store(url_or_path: str) -> Store:
    """The store a config names: `sqlite://<path>` (`sqlite:///var/lib/x.db` is absolute,
    `sqlite://x.db` relative) or a bare file path. Not yet connected: `await store.open()` or
    `async with open_store(...) as store:`."""
    if url_or_path.startswith(_SQLITE):
        path = url_or_path[len(_SQLITE) :]
    elif "://" in url_or_path:
        scheme = url_or_path.split("://", 1)[0]
        raise ValueError(f"unsupported store URL scheme {scheme!r}: expected sqlite://<path>")
    else:
        path = url_or_path
    if not path:
        raise ValueError("store URL names no file: expected sqlite://<path>")
    return SqliteStore(path)


__all__ = [
    "NotificationStatus",
    "SchemaVersionError",
    "SqliteStore",
    "Store",
    "StoreError",
    "StoredEvent",
    "open_store",
]
