"""Store URLs: which schemes this build has and what a URL names, so nothing outside the store package
needs to know whether the state is a SQLite file or a PostgreSQL database.

`sqlite://<path>`: the text after `sqlite://` is the path, so `sqlite:///var/x.db` is /var/x.db and
`sqlite://x.db` is ./x.db. `postgresql://user@host:5432/db` (or `postgres://`): a server, parsed by libpq
when the store opens (the password from the URL, `settings.state_password_file` or PGPASSWORD).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

DEFAULT_URL = "sqlite://outage-monitor.db"
SERVER_SCHEMES = ("postgresql", "postgres")
SCHEMES = ("sqlite", *SERVER_SCHEMES)
_EXAMPLE = "sqlite:///var/lib/outage-monitor/state.db"


def is_server(url: str) -> bool:
    """Whether the store is a database server (shared by replicas) rather than a file."""
    return url.partition("://")[0] in SERVER_SCHEMES


def check_store_url(url: str) -> str:
    """`url` when it names a store this build has; otherwise a ValueError saying what to write."""
    scheme, sep, path = url.partition("://")
    if not sep:
        raise ValueError(f"expected a URL like {_EXAMPLE}")
    if scheme in SERVER_SCHEMES:
        return url
    if scheme not in SCHEMES:
        raise ValueError(
            f"unsupported state store {scheme!r}: expected sqlite://<path> or postgresql://user@host/db"
        )
    if not path:
        raise ValueError(f"{scheme}:// needs a file path, e.g. {_EXAMPLE}")
    return url


def store_path(url_or_path: str) -> Path:
    """The file a store URL names; a bare file path names itself. ValueError for anything else."""
    scheme, sep, path = url_or_path.partition("://")
    if not sep:
        path = url_or_path
    elif scheme != "sqlite":
        raise ValueError(f"store URL scheme {scheme!r} names no file: expected sqlite://<path>")
    if not path:
        raise ValueError("store URL names no file: expected sqlite://<path>")
    return Path(path)


def store_exists(url: str) -> bool:
    """Whether the store has been created: opening a missing file would create it empty. A server's
    database is taken to exist (opening it says if it does not)."""
    return is_server(url) or store_path(url).exists()


def describe_store(url: str) -> str:
    """Where the store is, for messages and log lines: the file, or the server URL without its password."""
    if not is_server(url):
        return str(store_path(url))
    parts = urlsplit(url)
    host = parts.hostname or ""
    user = f"{parts.username}@" if parts.username else ""
    port = f":{parts.port}" if parts.port else ""
    return urlunsplit((parts.scheme, f"{user}{host}{port}", parts.path, "", ""))
