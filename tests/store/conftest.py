"""The contract fixture: every Store implementation runs the same tests on a fresh database.

`store_factory` makes new Store objects over ONE backing database, so a test can close a store and
open another on the same data (durability). Add a backend by adding a param.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from monitor.store import SqliteStore, Store

StoreFactory = Callable[[], Store]


@pytest.fixture(params=["sqlite"])
def store_factory(request: pytest.FixtureRequest, tmp_path: Path) -> StoreFactory:
    if request.param == "sqlite":
        return lambda: SqliteStore(tmp_path / "monitor.db")
    raise AssertionError(f"unknown backend {request.param}")


@pytest.fixture
async def store(store_factory: StoreFactory) -> AsyncIterator[Store]:
    async with store_factory() as opened:
        yield opened
