"""What only the SQLite store does: its file settings, schema versions, crash survival, and its URL."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from contextlib import closing
from pathlib import Path

import aiosqlite
import pytest
from structlog.testing import capture_logs

from monitor.model import Notification
from monitor.store import SchemaVersionError, SqliteStore, codec, open_store
from monitor.store.schema import Migration, load_migrations, migrate

from .store_builders import T0, later, make_event, make_notification, make_state

REPO = Path(__file__).resolve().parents[2]


def user_version(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])


def run_and_get_killed(code: str, db: Path) -> None:
    """Run `code` in a fresh interpreter that SIGKILLs itself at the end: no close, no cleanup."""
    script = textwrap.dedent(code) + "\nimport os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n"
    env = {**os.environ, "PYTHONPATH": str(REPO), "DB": str(db)}
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == -signal.SIGKILL, result.stderr


def test_packaged_migrations_are_numbered_from_one() -> None:
    migrations = load_migrations()
    assert [m.version for m in migrations] == list(range(1, len(migrations) + 1))
    assert migrations[0].name == "0001_initial.sql"
    assert "CREATE TABLE notifications" in migrations[0].sql


async def test_open_sets_wal_and_the_current_schema_version(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "dir" / "monitor.db"
    async with SqliteStore(path):
        pass
    assert user_version(path) == len(load_migrations())
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"  # persistent, unlike the others
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"provider_state", "events", "notifications", "alerts", "group_log", "silences"} <= tables
    assert "open_alerts" not in tables


async def test_reopening_migrates_nothing_and_keeps_data(tmp_path: Path) -> None:
    path = tmp_path / "monitor.db"
    event = make_event()
    async with SqliteStore(path) as store:
        await store.commit(make_state(), [event], [make_notification("n1", "pager", event)])
    with capture_logs() as logs:
        async with SqliteStore(path) as store:
            assert await store.pending_count() == 1
    assert [entry for entry in logs if entry["event"] == "schema_migrated"] == []
    assert user_version(path) == len(load_migrations())


async def test_a_version_one_database_is_migrated_keeping_its_data_and_its_pending_notification(
    tmp_path: Path,
) -> None:
    """A database written before alert groups: its per-event notification goes out as a one-alert group."""
    path = tmp_path / "monitor.db"
    state, event = make_state(description="Partial outage"), make_event()
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.executescript((REPO / "monitor/store/migrations/0001_initial.sql").read_text(encoding="utf-8"))
        conn.execute(
            "INSERT INTO provider_state VALUES (?, ?, ?)",
            ("github", codec.state_to_json(state), codec.format_time(T0)),
        )
        conn.execute(
            "INSERT INTO events (id, provider, kind, severity, dedup_key, occurred_at, body_json) "
            "VALUES (7, 'github', ?, 'major', ?, ?, ?)",
            (event.kind.value, event.dedup_key, codec.format_time(T0), codec.event_to_json(event)),
        )
        conn.executemany(
            "INSERT INTO notifications (id, notifier, dedup_key, event_id, status, attempts, created_at, "
            "next_attempt_at) VALUES (?, ?, ?, 7, ?, ?, ?, ?)",
            [
                (
                    "old-slack",
                    "slack",
                    event.dedup_key,
                    "delivered",
                    1,
                    codec.format_time(T0),
                    codec.format_time(T0),
                ),
                (
                    "old-pager",
                    "pager",
                    event.dedup_key,
                    "pending",
                    2,
                    codec.format_time(T0),
                    codec.format_time(T0),
                ),
            ],
        )
        conn.execute(
            "INSERT INTO open_alerts VALUES ('github', ?, 'slack', ?)",
            (event.dedup_key, codec.format_time(T0)),
        )
        conn.execute("PRAGMA user_version = 1")

    async with SqliteStore(path) as store:
        assert user_version(path) == len(load_migrations())
        assert await store.load_states() == {"github": state}
        assert [(stored.id, stored.event) for stored in await store.recent_events(10)] == [(7, event)]
        assert await store.notification_counts() == {"pending": 1, "delivered": 1, "dead": 0}
        legacy = Notification("old-pager", "pager", codec.legacy_message(event, "pager"), T0, attempts=2)
        assert await store.claim_due(T0, 10, 3600) == [legacy]
        assert legacy.message.group_key == event.dedup_key

        # Queued after the upgrade for the same key: it waits for the one queued before it.
        resolve = make_event(resolves=True, at=later(60))
        await store.commit(None, [resolve], [make_notification("new-pager", "pager", resolve, later(60))])
        assert await store.claim_due(later(60), 10, 60) == []
        await store.mark_delivered("old-pager", later(60))
        assert [n.id for n in await store.claim_due(later(60), 10, 60)] == ["new-pager"]
    with closing(sqlite3.connect(path)) as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "open_alerts" not in tables


@pytest.mark.parametrize("version", [len(load_migrations()) + 1, 999])
async def test_a_database_from_a_newer_version_is_refused_untouched(tmp_path: Path, version: int) -> None:
    path = tmp_path / "monitor.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE from_the_future (x)")
        conn.execute(f"PRAGMA user_version = {version}")
    store = SqliteStore(path)
    with pytest.raises(SchemaVersionError, match=str(version)):
        await store.open()
    assert user_version(path) == version
    with pytest.raises(RuntimeError, match="not open"):
        await store.pending_count()


async def test_a_failing_migration_rolls_back_every_migration_of_the_run(tmp_path: Path) -> None:
    """synthetic migrations: the second one fails, so neither is applied."""
    good = Migration(1, "0001_a.sql", "CREATE TABLE a (x);")
    bad = Migration(2, "0002_b.sql", "CREATE TABLE b (x);\nINSERT INTO missing_table VALUES (1);")
    path = tmp_path / "migrate.db"
    async with aiosqlite.connect(path, isolation_level=None) as conn:
        with pytest.raises(sqlite3.OperationalError, match="missing_table"):
            await migrate(conn, [good, bad])
        assert not conn.in_transaction
        assert await migrate(conn, [good]) == 1
        fixed = Migration(2, "0002_b.sql", "CREATE TABLE b (x);")
        assert await migrate(conn, [good, fixed]) == 2
        assert await migrate(conn, [good, fixed]) == 2
    with sqlite3.connect(path) as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables == {"a", "b"}
    assert user_version(path) == 2


async def test_a_committed_notification_survives_sigkill(tmp_path: Path) -> None:
    db = tmp_path / "monitor.db"
    run_and_get_killed(
        """
        import asyncio, os
        from datetime import UTC, datetime
        from monitor.model import Event, EventKind, Notification, ProviderState, Severity
        from monitor.store import SqliteStore, codec

        async def main():
            store = SqliteStore(os.environ["DB"])
            await store.open()
            event = Event(EventKind.INCIDENT_OPENED, "github", Severity.CRITICAL, "github/incident/x",
                          "GitHub: outage", datetime(2024, 5, 1, 12, tzinfo=UTC))
            message = codec.legacy_message(event, "pager")
            note = Notification("n1", "pager", message, datetime(2024, 5, 1, 12, tzinfo=UTC))
            await store.commit(ProviderState("github", baselined=True), [event], [note])

        asyncio.run(main())
        """,
        db,
    )
    async with SqliteStore(db) as store:
        assert await store.notification_counts() == {"pending": 1, "delivered": 0, "dead": 0}
        claimed = await store.claim_due(T0, 10, 60)
        assert [(n.id, n.message.title) for n in claimed] == [("n1", "GitHub: outage")]
        assert (await store.load_states())["github"].baselined


async def test_a_notification_claimed_by_a_killed_process_is_due_at_once(tmp_path: Path) -> None:
    db = tmp_path / "monitor.db"
    event = make_event()
    async with SqliteStore(db) as store:
        await store.commit(make_state(), [event], [make_notification("n1", "pager", event)])
    run_and_get_killed(
        """
        import asyncio, os
        from datetime import UTC, datetime
        from monitor.store import SqliteStore

        async def main():
            store = SqliteStore(os.environ["DB"])
            await store.open()
            claimed = await store.claim_due(datetime(2024, 5, 1, 12, tzinfo=UTC), 10, 3600)
            assert [n.id for n in claimed] == ["n1"], claimed

        asyncio.run(main())
        """,
        db,
    )
    with sqlite3.connect(db) as conn:  # the killed process did hold the lease
        assert conn.execute("SELECT lease_until FROM notifications").fetchone()[0] is not None
    async with SqliteStore(db) as store:
        assert await store.release_leases() == 1
        assert [n.id for n in await store.claim_due(T0, 10, 60)] == ["n1"]


async def test_an_unreadable_state_row_is_skipped_not_fatal(tmp_path: Path) -> None:
    """synthetic: a row damaged outside the daemon."""
    path = tmp_path / "monitor.db"
    async with SqliteStore(path) as store:
        await store.commit(make_state("github"), [], [])
        await store.commit(make_state("slack"), [], [])
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE provider_state SET state_json = '{}' WHERE provider = 'slack'")
    with capture_logs() as logs:
        async with SqliteStore(path) as store:
            assert list(await store.load_states()) == ["github"]
    assert [(e["event"], e["provider"]) for e in logs if e["log_level"] == "warning"] == [
        ("state_unreadable", "slack")
    ]


async def test_lone_surrogates_survive_the_database(tmp_path: Path) -> None:
    """synthetic: a page's JSON escape decoded to a lone surrogate must not make the commit fail."""
    event = make_event(title="broken \udc80 escape")
    async with SqliteStore(tmp_path / "monitor.db") as store:
        await store.commit(make_state(), [event], [make_notification("n1", "pager", event)])
        assert await store.claim_due(T0, 1, 60) == [make_notification("n1", "pager", event)]
        assert [stored.event for stored in await store.recent_events(1)] == [event]


async def test_times_are_stored_as_sortable_utc_text(tmp_path: Path) -> None:
    path = tmp_path / "monitor.db"
    event = make_event()
    async with SqliteStore(path) as store:
        await store.commit(make_state(), [event], [make_notification("n1", "pager", event)])
    with sqlite3.connect(path) as conn:
        created, due = conn.execute("SELECT created_at, next_attempt_at FROM notifications").fetchone()
        occurred = conn.execute("SELECT occurred_at FROM events").fetchone()[0]
    assert created == due == occurred == codec.format_time(T0) == "2024-05-01T12:00:00.000000Z"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite:///var/lib/outage-monitor/state.db", Path("/var/lib/outage-monitor/state.db")),
        ("sqlite://state/monitor.db", Path("state/monitor.db")),
        ("/tmp/monitor.db", Path("/tmp/monitor.db")),
    ],
)
def test_open_store_reads_the_path_after_the_scheme(url: str, expected: Path) -> None:
    store = open_store(url)
    assert isinstance(store, SqliteStore) and store.path == expected


@pytest.mark.parametrize("url", ["mysql://db/monitor", "sqlite://", ""])
def test_open_store_rejects_what_it_cannot_open(url: str) -> None:
    with pytest.raises(ValueError):
        open_store(url)
