"""`settings.record` with the real daemon over loopback: each changed answer is kept once (never on a
304), an HTTP error with its status, the directory stays within `record_max_bytes`, and what was recorded
replays to the pages sent."""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path

import pytest

from monitor.timeline import META, read_timeline
from tests.cli.cli_process import clean_env, run_cli
from tests.e2e.harness import E2E_ENV, DaemonProcess, Receiver, StatusPage, config_yaml, eventually, running

pytestmark = pytest.mark.e2e


def captures(folder: Path) -> list[Path]:
    """The capture files of a provider's folder, without their sidecars."""
    return sorted(p for p in folder.glob("*") if p.suffix != META) if folder.is_dir() else []


async def test_records_each_changed_document_once_and_replays_to_the_same_pages(tmp_path: Path) -> None:
    page, slack, pd, hook = StatusPage(), Receiver(), Receiver(default=202), Receiver()
    recorded = tmp_path / "rec" / "acme"
    async with running(page, slack, pd, hook):
        daemon = DaemonProcess(
            tmp_path, config_yaml(page, slack, pd, hook, extra="  record: rec"), env=E2E_ENV
        )
        try:
            await daemon.start()
            await eventually(lambda: page.hits >= 4, what="polls answered 304")
            assert len(captures(recorded)) == 1  # the first answer; the 304s after it are not documents

            page.components["API"] = "major_outage"
            await eventually(lambda: len(captures(recorded)) == 2, what="the outage recorded")
            await eventually(lambda: len(pd.requests) == 1, what="the page")
            page.mode = "html"  # a CDN's error page, served without validators: the same body every poll
            hits = page.hits
            await eventually(lambda: page.hits >= hits + 2, what="polls of the error page")
            page.mode = "500"
            hits = page.hits
            await eventually(lambda: page.hits >= hits + 1, what="a poll answered 500")
            page.mode = "json"
            page.components["API"] = "operational"
            await eventually(lambda: len(captures(recorded)) == 5, what="the recovery recorded")
            await eventually(lambda: len(pd.requests) == 2, what="the resolve")
        finally:
            daemon.cleanup()
    assert [p.suffix for p in captures(recorded)] == [".json", ".json", ".html", ".txt", ".json"]
    statuses = [json.loads(p.read_bytes())["components"][0]["status"] for p in captures(recorded)[::4]]
    assert statuses == ["operational", "operational"]
    timeline = read_timeline(tmp_path / "rec")
    assert [c.status for c in timeline] == [200, 200, 200, 500, 200]
    assert {c.url for c in timeline} == {page.url + "/api/v2/summary.json"}

    replayed = await run_cli(
        "replay", "rec", "-c", "providers.yaml", "--json", cwd=tmp_path, env=clean_env(**E2E_ENV)
    )
    assert replayed.code == 0, replayed.stderr
    sent = [json.loads(line) for line in replayed.stdout.splitlines()]
    to_pd = [(s["reason"], s["firing"], s["resolved"]) for s in sent if s["notifier"] == "pagerduty"]
    assert to_pd == [
        ("firing", ["acme/component/c-api"], []),
        ("resolved", [], ["acme/component/c-api"]),
    ]


async def test_the_directory_stays_within_its_bound_oldest_deleted_first(tmp_path: Path) -> None:
    page, slack, pd, hook = StatusPage(), Receiver(), Receiver(default=202), Receiver()
    bound = 1500  # about three of this page's summaries
    root = tmp_path / "rec"
    async with running(page, slack, pd, hook):
        extra = f"  record: rec\n  record_max_bytes: {bound}"
        daemon = DaemonProcess(tmp_path, config_yaml(page, slack, pd, hook, extra=extra), env=E2E_ENV)
        try:
            await daemon.start()
            await eventually(lambda: len(captures(root / "acme")) == 1, what="the first document")
            first = captures(root / "acme")[0].name
            for status in ["degraded_performance", "partial_outage", "major_outage"] * 2:
                page.components["Web"] = status
                await eventually(partial(_newest_web_is, root, status), what=f"Web {status} recorded")
        finally:
            daemon.cleanup()
    kept = captures(root / "acme")
    assert sum(p.stat().st_size for p in kept) <= bound
    assert 1 < len(kept) < 7
    assert first not in {p.name for p in kept}
    assert json.loads(kept[-1].read_bytes())["components"][1]["status"] == "major_outage"


def _newest_web_is(root: Path, status: str) -> bool:
    """The newest capture shows the Web component with `status`."""
    kept = captures(root / "acme")
    return bool(kept) and json.loads(kept[-1].read_bytes())["components"][1]["status"] == status
