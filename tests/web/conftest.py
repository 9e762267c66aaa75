"""A FakeDaemon over a real SQLite store, and a loopback client for the web app built on it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from monitor.store import SqliteStore
from monitor.web import build_app
from tests.web.daemon_view import Client, FakeDaemon


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    async with SqliteStore(tmp_path / "state.db") as opened:
        yield opened


@pytest.fixture
def daemon(store: SqliteStore) -> FakeDaemon:
    return FakeDaemon(store)


@pytest.fixture
async def client(daemon: FakeDaemon) -> AsyncIterator[Client]:
    async with TestClient(TestServer(build_app(daemon), host="127.0.0.1", port=0)) as opened:
        yield opened
