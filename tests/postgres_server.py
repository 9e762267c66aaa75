"""The machine's PostgreSQL for tests (127.0.0.1:5432, trust auth, user postgres, database test; another with
OUTAGE_MONITOR_TEST_POSTGRES): each test session works in a throwaway database `om_test_<random>`, dropped
at the end. CI (.ci/run) waits for the server and must run these tests; elsewhere an unreachable server is
a skip that says so."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

ADMIN_URL = os.environ.get("OUTAGE_MONITOR_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


def require_postgres() -> str:
    """The admin URL once the server answers; unreachable, a failure when CI=true, else a skip."""
    try:
        with psycopg.connect(ADMIN_URL, connect_timeout=3):
            return ADMIN_URL
    except psycopg.OperationalError as exc:
        reason = f"PostgreSQL at {ADMIN_URL} is unreachable ({exc}); .ci/run waits for it"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)


@contextmanager
def throwaway_database(admin_url: str) -> Iterator[str]:
    """A new empty database; its URL. Dropped afterwards, connections and all."""
    name = f"om_test_{secrets.token_hex(6)}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield make_conninfo(admin_url, dbname=name)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def empty(url: str) -> None:
    """Drop every table of the database at `url` (a fresh store for the next test)."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")


def as_url(conninfo: str) -> str:
    """A `postgresql://` URL for a conninfo string (what a config file's settings.state holds)."""
    params = conninfo_to_dict(conninfo)
    user = params.get("user", "postgres")
    return (
        f"postgresql://{user}@{params.get('host', '127.0.0.1')}:{params.get('port', 5432)}/{params['dbname']}"
    )
