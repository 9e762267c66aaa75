"""The real daemon on a state directory that stops taking writes: a real 3 MiB tmpfs filled to the
last byte, and a read-only remount at start-up. A failed commit must never be silent, and the outage
must still reach people."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
import subprocess
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import pytest

from tests.cli.cli_process import clean_env, run_cli
from tests.e2e.harness import (
    E2E_ENV,
    DaemonProcess,
    Receiver,
    StatusPage,
    alert_keys,
    config_yaml,
    eventually,
    running,
)

pytestmark = pytest.mark.e2e

ERRORS = "outage_monitor_store_errors_total"


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A 3 MiB tmpfs: a disk that really fills up."""
    mount = tmp_path / "state"
    mount.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)], capture_output=True, check=False
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=True)


def fill(directory: Path) -> Path:
    """Write zeros until the filesystem refuses more."""
    path = directory / "filler"
    with path.open("wb") as out, contextlib.suppress(OSError):
        while True:
            out.write(b"\0" * 65536)
            out.flush()
    return path


async def readyz(daemon: DaemonProcess) -> tuple[int, dict[str, str]]:
    async with aiohttp.ClientSession() as s, s.get(f"{daemon.base}/readyz") as r:
        return r.status, await r.json()


def log_events(daemon: DaemonProcess, event: str) -> list[dict[str, object]]:
    lines = (json.loads(line) for line in daemon.log.read_text().splitlines() if line.startswith("{"))
    return [line for line in lines if line.get("event") == event]


def committed_state(db: Path) -> str:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        (state,) = conn.execute("SELECT state_json FROM provider_state WHERE provider = 'acme'").fetchone()
    return str(state)


@contextlib.asynccontextmanager
async def world(
    workdir: Path, state: Path
) -> AsyncIterator[tuple[StatusPage, list[Receiver], DaemonProcess]]:
    page, slack, pd, hook = StatusPage(), Receiver(), Receiver(default=202), Receiver()
    async with running(page, slack, pd, hook):
        config = config_yaml(page, slack, pd, hook).replace("sqlite://state.db", f"sqlite://{state}")
        daemon = DaemonProcess(workdir, config, env=E2E_ENV)
        try:
            yield page, [slack, pd, hook], daemon
        finally:
            daemon.cleanup()


async def test_a_full_disk_is_loud_still_pages_and_recovers_without_repaging(
    tmp_path: Path, tmpfs: Path
) -> None:
    async with world(tmp_path, tmpfs / "state.db") as (page, receivers, daemon):
        _, pd, hook = receivers

        def counts() -> tuple[int, ...]:
            return tuple(len(r.requests) for r in receivers)

        await daemon.start()
        await eventually(lambda: page.hits >= 2, what="baseline polls")
        assert await daemon.metric(ERRORS, operation="commit") == 0.0  # exported from the start
        filler = fill(tmpfs)

        page.components["API"] = "major_outage"
        await eventually(lambda: counts() == (1, 1, 1), what="the outage paged from memory")
        status, body = await readyz(daemon)
        assert status == 503 and "database or disk is full" in body["reason"], body
        assert (await daemon.metric(ERRORS, operation="commit") or 0) >= 1
        assert await daemon.metric("outage_monitor_provider_status", provider="acme") == 4.0
        providers = await daemon.get_json("/api/v1/providers")
        assert providers["providers"][0]["status"] == "major_outage"
        paged = {a["key"] for a in pd.requests[0].json()["payload"]["custom_details"]["firing"]}
        assert alert_keys(hook.requests[0].json()) == paged == {"acme/component/c-api"}  # the same outage
        assert "major_outage" not in committed_state(tmpfs / "state.db")
        await asyncio.sleep(1.0)  # more polls of the same outage, all failing to commit
        assert counts() == (1, 1, 1)
        assert len(log_events(daemon, "store_write_failed")) == 1
        assert log_events(daemon, "poll_crashed") == []

        async def ready() -> bool:
            return (await readyz(daemon))[0] == 200

        filler.unlink()
        await eventually(ready, what="/readyz 200 after space was freed")
        await eventually(
            lambda: "major_outage" in committed_state(tmpfs / "state.db"), what="state committed"
        )
        assert len(log_events(daemon, "store_recovered")) >= 1
        await asyncio.sleep(1.0)
        assert counts() == (1, 1, 1)  # recovering re-pages nothing

        page.components["API"] = "operational"
        await eventually(lambda: counts() == (2, 2, 2), what="the resolution reaches whoever was paged")
        assert pd.requests[1].json()["event_action"] == "resolve"


async def test_a_read_only_state_directory_fails_start_up_with_the_reason(
    tmp_path: Path, tmpfs: Path
) -> None:
    async with world(tmp_path, tmpfs / "state.db") as (_, _, daemon):
        await daemon.start()  # creates the database, then is killed: its WAL files stay behind
        daemon.kill()
        remount = await asyncio.create_subprocess_exec("mount", "-o", "remount,ro", str(tmpfs))
        assert await remount.wait() == 0
        env = clean_env(**E2E_ENV)
        finished = await run_cli("run", "-c", str(daemon.config_path), cwd=tmp_path, env=env, timeout=20)
    assert finished.code == 1, finished
    [failed] = [json.loads(line) for line in finished.stderr.splitlines() if "startup_failed" in line]
    assert "readonly" in str(failed["error"]), finished
