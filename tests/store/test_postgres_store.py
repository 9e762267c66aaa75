"""What the PostgreSQL store adds to the contract: migrations, the leader lease and fencing, errors."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import psycopg
import pytest

from monitor.store import PostgresStore, SchemaVersionError, open_store
from monitor.store.base import FencedError, StoreUnavailable
from tests.postgres_server import empty

from .store_builders import later, make_event, make_notification, make_state

LEASE = 30.0


@pytest.fixture
def url(postgres_database: str) -> str:
    empty(postgres_database)
    return postgres_database


@pytest.fixture
async def pair(url: str) -> AsyncIterator[tuple[PostgresStore, PostgresStore]]:
    async with PostgresStore(url) as a, PostgresStore(url) as b:
        yield a, b


def test_open_store_chooses_postgres_by_scheme() -> None:
    for url in ("postgresql://u@h:5432/db", "postgres://u@h/db"):
        assert isinstance(open_store(url), PostgresStore)


def test_the_password_never_shows() -> None:
    store = PostgresStore("postgresql://om:hunter2-secret@db.example:5433/om", password="file-secret")
    assert "hunter2" not in repr(store) and "file-secret" not in repr(store)
    assert repr(store) == "PostgresStore('postgresql://om@db.example:5433/om')"


async def test_a_schema_newer_than_the_code_is_refused(url: str) -> None:
    async with PostgresStore(url):
        pass
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("INSERT INTO schema_migrations (version, name) VALUES (99, '0099_future.sql')")
    with pytest.raises(SchemaVersionError, match="newer"):
        await PostgresStore(url).open()


async def test_an_unreachable_server_is_a_store_error() -> None:
    with pytest.raises(StoreUnavailable, match="cannot connect"):
        await PostgresStore("postgresql://postgres@127.0.0.1:1/none").open()


async def test_one_leader_at_a_time_and_a_new_token_at_each_takeover(
    pair: tuple[PostgresStore, PostgresStore],
) -> None:
    a, b = pair
    first = await a.acquire_lease("a", "host-a", LEASE)
    assert first is not None
    assert await b.acquire_lease("b", "host-b", LEASE) is None
    assert await a.acquire_lease("a", "host-a", LEASE) == first  # renewing keeps the token
    await a.release_lease("a")
    assert await b.acquire_lease("b", "host-b", LEASE) == first + 1
    assert await a.acquire_lease("a", "host-a", LEASE) is None
    seen = {r.id: (r.host, r.leader, r.token) for r in await a.replicas()}
    assert seen == {"a": ("host-a", False, None), "b": ("host-b", True, first + 1)}


async def test_an_expired_lease_is_taken_over(pair: tuple[PostgresStore, PostgresStore]) -> None:
    a, b = pair
    token = await a.acquire_lease("a", "host-a", 0.2)
    await asyncio.sleep(0.3)
    assert token is not None and await b.acquire_lease("b", "host-b", LEASE) == token + 1


async def test_replicas_starting_together_elect_one(url: str) -> None:
    stores = [PostgresStore(url) for _ in range(4)]
    await asyncio.gather(*(s.open() for s in stores))  # migrations serialised by the advisory lock
    try:
        tokens = await asyncio.gather(*(s.acquire_lease(f"r{i}", "h", LEASE) for i, s in enumerate(stores)))
    finally:
        await asyncio.gather(*(s.close() for s in stores))
    assert sum(t is not None for t in tokens) == 1


async def test_a_stale_leader_commits_nothing(pair: tuple[PostgresStore, PostgresStore]) -> None:
    a, b = pair
    token = await a.acquire_lease("a", "host-a", 0.2)
    a.fence("a", token)
    await a.commit(make_state("github"), [], [])  # still the leader: written
    await asyncio.sleep(0.3)
    new = await b.acquire_lease("b", "host-b", LEASE)
    b.fence("b", new)
    event = make_event()
    with pytest.raises(FencedError):
        await a.commit(make_state("statuspage"), [event], [make_notification("n1", "log", event)])
    with pytest.raises(FencedError):
        await a.touch([make_state("github", last_poll_at=later(600))])
    assert set(await b.load_states()) == {"github"}
    assert (await b.load_states())["github"].last_poll_at is None
    assert await b.recent_events(10) == [] and await b.pending_count() == 0
    await b.commit(make_state("statuspage"), [event], [make_notification("n1", "log", event)])
    assert await b.pending_count() == 1
