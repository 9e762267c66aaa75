"""`outage-monitor migrate`: a real SQLite store holding data of every kind, copied by the real command into
a PostgreSQL database, then read back through the PostgreSQL store as a new leader would."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.store import PostgresStore, SqliteStore
from monitor.store.base import AlertingChange, StoredSilence
from tests.cli.cli_process import run_cli
from tests.postgres_server import as_url, empty

from .store_builders import later, make_alert, make_event, make_notification, make_state, make_told

GROUP = "route=0|provider=github"
LEASE = 60.0
THREAD = {"channel": "C1", "ts": "1714564800.000100"}


@pytest.fixture
def url(postgres_database: str) -> str:
    empty(postgres_database)
    return postgres_database


async def filled_sqlite(path: Path) -> None:
    """State, events, alerts, a group log entry whose delivery left a receipt, a silence, and the outbox:
    one notification delivered, one dead, one still pending."""
    api, web = make_event("github/component/api"), make_event("github/component/web", at=later(5))
    async with SqliteStore(path) as store:
        await store.commit(
            make_state(description="partial outage"),
            [api, web],
            [
                make_notification("sent", "slack", api, group=GROUP),
                make_notification("pending", "slack", web, later(5), group=GROUP),
                make_notification("dead", "pager", api, group=GROUP),
            ],
            AlertingChange(
                alerts=[make_alert(api.dedup_key), make_alert(web.dedup_key, at=later(5))],
                told={(GROUP, "slack"): make_told(api.dedup_key, web.dedup_key)},
            ),
        )
        assert [n.id for n in await store.claim_due(later(10), 10, LEASE)] == ["sent", "dead"]
        await store.mark_delivered("sent", later(10), THREAD)
        await store.mark_dead("dead", later(10), "HTTP 400")
        await store.put_silence(StoredSilence("s1", '{"id":"s1","comment":"maintenance"}', later(3600)))


async def test_migrate_copies_every_table_and_the_new_leader_sends_the_pending_one_with_its_receipt(
    tmp_path: Path, url: str
) -> None:
    path = tmp_path / "state.db"
    await filled_sqlite(path)
    async with SqliteStore(path) as sqlite:
        before = (await sqlite.load_states(), await sqlite.load_alerting(), await sqlite.silences())
        events = await sqlite.recent_events(10)
        counts = await sqlite.notification_counts()

    done = await run_cli("migrate", "--from", f"sqlite://{path}", "--to", as_url(url), cwd=tmp_path)

    assert done.code == 0, done.stderr
    for line in ("provider_state: 1 rows", "events: 2 rows", "alerts: 2 rows", "group_log: 1 rows"):
        assert line in done.stdout
    assert "silences: 1 rows" in done.stdout and "notifications: 3 rows" in done.stdout
    async with PostgresStore(url) as postgres:
        assert (
            await postgres.load_states(),
            await postgres.load_alerting(),
            await postgres.silences(),
        ) == before
        assert await postgres.recent_events(10) == events
        assert await postgres.notification_counts() == counts
        [pending] = await postgres.claim_due(later(20), 10, LEASE)
        assert (pending.id, pending.receipt) == ("pending", THREAD)
        # The identity counters go on after the copied rows: the next commit is event 3.
        await postgres.commit(make_state(), [make_event("github/component/db", at=later(30))], [])
        assert [stored.id for stored in await postgres.recent_events(1)] == [3]


async def test_migrate_refuses_a_target_that_holds_data_and_copies_nothing(tmp_path: Path, url: str) -> None:
    path = tmp_path / "state.db"
    await filled_sqlite(path)
    async with PostgresStore(url) as postgres:
        await postgres.commit(make_state("statuspage"), [], [])

    done = await run_cli("migrate", "--from", f"sqlite://{path}", "--to", as_url(url), cwd=tmp_path)

    assert done.code == 1
    assert "not empty: table provider_state has 1 rows" in done.stderr and done.stdout == ""
    async with PostgresStore(url) as postgres:
        assert list(await postgres.load_states()) == ["statuspage"]
        assert await postgres.silences() == []
