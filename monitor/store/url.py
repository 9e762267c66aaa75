"""Store URLs: which schemes this build has and which file a URL names, so nothing outside the store
package needs to know that the state is a SQLite file.

`sqlite://<path>` is the one scheme: the text after `sqlite://` is the path, so `sqlite:///var/x.db` is
/var/x.db and `sqlite://x.db` is ./x.db.
"""

from __future__ import annotations

from pathlib import Path

DEFAULT_URL = "sqlite://outage-monitor.db"
SCHEMES = ("sqlite",)
_EXAMPLE = "sqlite:///var/lib/outage-monitor/state.db"


def check_store_url(url: str) -> str:
    """`url` when it names a store this build has; otherwise a ValueError saying what to write."""
    scheme, sep, path = url.partition("://")
    if not sep:
        raise ValueError(f"expected a URL like {_EXAMPLE}")
    if scheme not in SCHEMES:
        supported = ", ".join(f"{known}://<path>" for known in SCHEMES)
        raise ValueError(f"unsupported state store {scheme!r}: only {supported} is supported")
    if not path:
        raise ValueError(f"{scheme}:// needs a file path, e.g. {_EXAMPLE}")
    return url


def store_path(url_or_path: str) -> Path:
    """The file a store URL names; a bare file path names itself. ValueError for anything else."""
    scheme, sep, path = url_or_path.partition("://")
    if not sep:
        path = url_or_path
    elif scheme not in SCHEMES:
        raise ValueError(f"unsupported store URL scheme {scheme!r}: expected sqlite://<path>")
    if not path:
        raise ValueError("store URL names no file: expected sqlite://<path>")
    return Path(path)


def store_exists(url: str) -> bool:
    """Whether the store has been created: opening a missing one would create it empty."""
    return store_path(url).exists()


def describe_store(url: str) -> str:
    """Where the store is, for messages and log lines."""
    return str(store_path(url))
