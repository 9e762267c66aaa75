"""`check` and a SIGHUP reload on hostile or broken configs (issue 9): a `file:line` error, quickly, and a
running daemon that keeps its old config whole. Real subprocesses, loopback only."""

from __future__ import annotations

import os
import re
import signal
import time
from pathlib import Path

import pytest

from tests.cli.cli_process import run_cli
from tests.config.test_config_limits import LAUGHS
from tests.e2e.harness import DaemonProcess, StatusPage, eventually, pages_yaml, running

CASES = {
    "laughs": (LAUGHS, r"laughs\.yaml:6: YAML aliases would expand to more than 10,000 values"),
    "digits": (
        "settings:\n  failure_threshold: " + "7" * 5000 + "\n",
        r"digits\.yaml:2: settings\.failure_threshold: number too long",
    ),
    "nan": ("settings:\n  interval: nan\n", r"nan\.yaml:2: settings\.interval: invalid duration 'nan'"),
    "fast": ("settings:\n  interval: 1ms\n", r"fast\.yaml:2: settings\.interval: must be at least 1s"),
    "secret": (
        "notifiers: [{name: s, type: slack, webhook_url_file: /dev/zero}]\n",
        r"secret\.yaml:1: notifiers\[0\]\.webhook_url_file: cannot read secret file /dev/zero: not a regular",
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
async def test_check_turns_each_case_into_one_file_line_error(tmp_path: Path, name: str) -> None:
    text, expected = CASES[name]
    (tmp_path / f"{name}.yaml").write_text(text)
    started = time.monotonic()
    finished = await run_cli("check", "-c", f"{name}.yaml", cwd=tmp_path, timeout=20)
    assert finished.code == 1
    assert re.fullmatch(expected + r".*\n", finished.stderr), finished.stderr
    assert time.monotonic() - started < 10  # generous: the process start; these took 20 s to forever


async def test_check_refuses_a_fifo_config_instead_of_hanging(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "fifo.yaml")
    finished = await run_cli("check", "-c", "fifo.yaml", cwd=tmp_path, timeout=20)
    assert (finished.code, finished.stderr) == (
        1,
        "fifo.yaml: cannot read the config file: not a regular file\n",
    )


@pytest.mark.parametrize("interval", ["1.0e+300", "nan"])
async def test_a_sighup_to_a_config_that_cannot_run_keeps_the_old_one_and_says_so(
    tmp_path: Path, interval: str
) -> None:
    """These once validated, then half-applied (the poller swapped, the scheduler crashed) with no log."""
    page = StatusPage()
    async with running(page):
        daemon = DaemonProcess(tmp_path, pages_yaml({"acme": page}))
        try:
            await daemon.start()
            good = daemon.config_path.read_text()
            daemon.config_path.write_text(
                good.replace(
                    "providers:\n", f"providers:\n  - {{name: more, type: statuspage, url: '{page.url}'}}\n"
                ).replace("interval: 1s", f"interval: {interval}")
            )
            daemon.signal(signal.SIGHUP)
            await eventually(lambda: "config_reload_failed" in daemon.log.read_text(), timeout=10)
            assert "config_reloaded" not in daemon.log.read_text()
            providers = await daemon.get_json("/api/v1/providers")
            assert [p["name"] for p in providers["providers"]] == ["acme"]
            hits = page.hits
            await eventually(lambda: page.hits >= hits + 2, timeout=10, what="still polling every second")
            code, _ = daemon.terminate()
            assert code == 0
        finally:
            daemon.cleanup()
