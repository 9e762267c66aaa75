"""`outage-monitor status`: the stored state of every provider as a table, read from a SQLite file."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.alerting.matchers import parse_matcher
from monitor.alerting.silences import Silence
from monitor.cli import main
from monitor.model import (
    ComponentState,
    ComponentStatus,
    Impact,
    Incident,
    IncidentStatus,
    ProviderState,
)
from monitor.store import SqliteStore
from monitor.store.base import StoredSilence

POLLED = datetime(2026, 11, 23, 12, 5, tzinfo=UTC)
REFUSED = "cannot fetch brand-new.example.com/api/v2/summary.json: Connection refused"
BAD_GATEWAY = "HTTP 502 from flaky.example.com/api/v2/summary.json"


def states() -> list[ProviderState]:
    outage = Incident("inc-1", "Replication lag", IncidentStatus.INVESTIGATING, Impact.MAJOR)
    return [
        ProviderState(
            provider="acme",
            baselined=True,
            components={
                "c-api": ComponentState("API", ComponentStatus.OPERATIONAL),
                "c-db": ComponentState("Database", ComponentStatus.DEGRADED_PERFORMANCE, "Infra"),
            },
            incidents={"inc-1": outage},
            last_poll_at=POLLED,
            last_success_at=POLLED,
        ),
        ProviderState(
            provider="flaky",
            baselined=True,
            components={"c-web": ComponentState("Web", ComponentStatus.MAJOR_OUTAGE)},
            consecutive_failures=4,
            unreachable=True,
            last_error=BAD_GATEWAY,
            last_poll_at=POLLED,
            last_success_at=datetime(2026, 11, 23, 11, 0, tzinfo=UTC),
        ),
        ProviderState(  # never read successfully since it was added
            provider="brand-new",
            consecutive_failures=1,
            last_error=REFUSED,
            last_poll_at=POLLED,
        ),
    ]


def fill(path: Path) -> None:
    async def commit_all() -> None:
        async with SqliteStore(path) as store:
            for state in states():
                await store.commit(state, [], [])

    asyncio.run(commit_all())


def fill_quietly(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Fill a store; what opening it logged is not the command's output."""
    fill(path)
    capsys.readouterr()


def silence(matcher: str, starts: datetime, ends: datetime, comment: str) -> StoredSilence:
    kept = Silence(f"s-{comment}", (parse_matcher(matcher),), starts, ends, "alice", comment, starts)
    return StoredSilence(kept.id, json.dumps(kept.to_json()), ends)


def write_config(directory: Path, state: Path) -> Path:
    path = directory / "providers.yaml"
    path.write_text(f"settings: {{state: 'sqlite://{state}'}}\nproviders: []\n")
    return path


def cells(line: str) -> list[str]:
    return re.split(r" {2,}", line.rstrip())


def test_status_prints_every_stored_provider(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    state = tmp_path / "state.db"
    fill_quietly(state, capsys)
    config = write_config(tmp_path, state)

    assert main(["status", "-c", str(config)]) == 0

    providers, silences = capsys.readouterr().out.split("\n\n")
    assert silences == "no active silences\n"
    lines = providers.splitlines()
    assert cells(lines[0]) == [
        "PROVIDER",
        "STATUS",
        "DEGRADED",
        "INCIDENTS",
        "MAINT",
        "LAST POLL",
        "LAST ERROR",
    ]
    rows = [cells(line) for line in lines[1:]]
    when = "2026-11-23 12:05:00Z"
    assert rows == [
        ["acme", "partial_outage", "1/2", "1", "0", when],
        ["brand-new", "unknown (never read)", "0/0", "0", "0", when, REFUSED[:60]],  # errors are cut at 60
        ["flaky", "unknown (last major_outage)", "1/1", "0", "0", when, BAD_GATEWAY],
    ]


def test_status_finds_its_config_through_the_environment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    state = tmp_path / "data" / "state.db"
    fill_quietly(state, capsys)
    monkeypatch.setenv("OUTAGE_MONITOR_CONFIG", str(write_config(tmp_path, state)))
    monkeypatch.chdir(tmp_path / "data")

    assert main(["status"]) == 0
    providers = capsys.readouterr().out.split("\n\n")[0]
    assert [cells(line)[0] for line in providers.splitlines()[1:]] == [
        "acme",
        "brand-new",
        "flaky",
    ]


def test_status_without_a_state_file_says_so_and_creates_none(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path, tmp_path / "state.db")

    assert main(["status", "-c", str(config)]) == 1

    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"no state at {tmp_path / 'state.db'}" in captured.err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["providers.yaml"]


def test_status_ends_with_the_active_silences(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    state = tmp_path / "state.db"
    fill(state)
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    hour = timedelta(hours=1)

    async def add_silences() -> None:
        async with SqliteStore(state) as store:
            await store.put_silence(silence("provider=flaky", now - hour, now + 2 * hour, "flaky-known"))
            await store.put_silence(silence("provider=acme", now - 2 * hour, now - hour, "over"))
            await store.put_silence(silence("provider=acme", now + hour, now + 2 * hour, "later"))

    asyncio.run(add_silences())
    capsys.readouterr()

    assert main(["status", "-c", str(write_config(tmp_path, state))]) == 0

    providers, silences = capsys.readouterr().out.split("\n\n")
    assert [cells(line)[0] for line in providers.splitlines()[1:]] == ["acme", "brand-new", "flaky"]
    title, header, *rows = silences.splitlines()
    assert title == "active silences:"
    assert cells(header) == ["ID", "STATE", "MATCHERS", "STARTS", "ENDS", "CREATED BY", "COMMENT"]
    minute = "%Y-%m-%d %H:%M UTC"
    assert [cells(row) for row in rows] == [  # neither the expired one nor the pending one
        [
            "s-flaky-known",
            "active",
            'provider="flaky"',
            (now - hour).strftime(minute),
            (now + 2 * hour).strftime(minute),
            "alice",
            "flaky-known",
        ]
    ]
