"""`outage-monitor run` as a process: refuses a bad config or an unusable address with one clear line,
and on SIGTERM lets a poll in flight finish and commit before it exits. Loopback only."""

from __future__ import annotations

import asyncio
import json
import signal
import socket
import sqlite3
from pathlib import Path
from typing import Any

from tests.cli.cli_process import finish, run_cli, start_cli
from tests.poller.page_double import PageDouble, serving


def log_lines(stderr: str) -> list[dict[str, Any]]:
    """The daemon's JSON log lines; anything else (a traceback) fails the test."""
    lines = [json.loads(line) for line in stderr.splitlines() if line.strip()]
    assert all(isinstance(line, dict) for line in lines)
    return lines


def json_lines(stderr: str) -> list[dict[str, Any]]:
    """The JSON log lines only: when connecting fails, aiosqlite's worker thread may print a traceback
    of its own as the process exits (it posts to the closed event loop), which is not ours to judge."""
    return [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]


def config(state: str, listen: str, providers: str = "[]") -> str:
    return f"""settings:
  state: {state}
  listen: "{listen}"
  log_format: json
providers: {providers}
"""


async def test_run_with_an_invalid_config_exits_1_with_the_errors(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("settings:\n  interval: soon\n")

    finished = await run_cli("run", "-c", "bad.yaml", cwd=tmp_path, timeout=15)

    assert finished.code == 1
    [line] = log_lines(finished.stderr)
    assert line["event"] == "config_invalid" and line["level"] == "error"
    assert any(e.startswith("bad.yaml:2: settings.interval: ") for e in line["errors"])
    assert not (tmp_path / "outage-monitor.db").exists()


async def test_run_exits_1_when_its_address_is_taken_instead_of_hanging(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        (tmp_path / "providers.yaml").write_text(config("sqlite://state.db", f"127.0.0.1:{port}"))

        finished = await run_cli("run", "-c", "providers.yaml", cwd=tmp_path, timeout=15)

    assert finished.code == 1
    failed = [line for line in log_lines(finished.stderr) if line["event"] == "startup_failed"]
    assert len(failed) == 1
    assert "address already in use" in failed[0]["error"]
    assert failed[0]["listen"] == f"127.0.0.1:{port}"


async def test_run_exits_1_when_its_state_file_cannot_be_opened(tmp_path: Path) -> None:
    (tmp_path / "state.db").mkdir()  # a directory where the database file should be
    (tmp_path / "providers.yaml").write_text(config("sqlite://state.db", "127.0.0.1:0"))

    finished = await run_cli("run", "-c", "providers.yaml", cwd=tmp_path, timeout=15)

    assert finished.code == 1
    [failed] = [line for line in json_lines(finished.stderr) if line["event"] == "startup_failed"]
    assert failed["state"] == "sqlite://state.db"
    assert "unable to open database file" in failed["error"]


async def test_sigterm_lets_the_poll_in_flight_commit_before_exiting(tmp_path: Path) -> None:
    async with serving(PageDouble(delay=1.0)) as page:
        providers = f'[{{name: slowpoke, type: statuspage, url: "{page.url}"}}]'
        (tmp_path / "providers.yaml").write_text(config("sqlite://state.db", "127.0.0.1:0", providers))
        process = await start_cli("run", "-c", "providers.yaml", cwd=tmp_path)
        try:
            await asyncio.wait_for(page.arrived.wait(), 15)  # the first poll is waiting for the page
            process.send_signal(signal.SIGTERM)
            finished = await finish(process, timeout=15)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()

    assert finished.code == 0, finished.stderr
    with sqlite3.connect(tmp_path / "state.db") as db:
        stored = db.execute("SELECT state_json FROM provider_state WHERE provider = 'slowpoke'").fetchone()
    assert stored is not None, "the poll in flight at SIGTERM was cancelled, not drained"
    assert json.loads(stored[0])["baselined"] is True
    events = [line["event"] for line in log_lines(finished.stderr)]
    # the drained poll finishes its first sight (its history backfill) between the two
    assert events[-1] == "stopped" and "stopping" in events
