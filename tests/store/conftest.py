"""The contract fixture: every Store implementation runs the same tests on a fresh database.

`store_factory` makes new Store objects over ONE backing database, so a test can close a store and
open another on the same data (durability). Add a backend by adding a param. PostgreSQL runs against the
machine's server in one throwaway database per session, emptied before each test (tests/postgres_server.py).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest

from monitor.store import PostgresStore, SqliteStore, Store
from tests.postgres_server import empty, require_postgres, throwaway_database

StoreFactory = Callable[[], Store]


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    with throwaway_database(require_postgres()) as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def store_factory(request: pytest.FixtureRequest, tmp_path: Path) -> StoreFactory:
    if request.param == "sqlite":
        return lambda: SqliteStore(tmp_path / "monitor.db")
    if request.param == "postgresql":
        url: str = request.getfixturevalue("postgres_database")
        empty(url)
        return lambda: PostgresStore(url)
    raise AssertionError(f"unknown backend {request.param}")


@pytest.fixture
async def store(store_factory: StoreFactory) -> AsyncIterator[Store]:
    async with store_factory() as opened:
        yield opened
