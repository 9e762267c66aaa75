"""`settings.record` with the real daemon over loopback: each changed answer is kept once (never on a
304), an HTTP error with its status, a page of two documents each with its URL, a probe at every poll,
the directory stays within `record_max_bytes`, and what was recorded replays to the pages sent."""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path

import pytest

from monitor.timeline import META, read_timeline
from tests.cli.cli_process import clean_env, run_cli
from tests.e2e.documents import running_fleet
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
from tests.replay import corpus

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


async def test_a_page_of_two_documents_and_a_probe_replay_to_the_notifications_sent(tmp_path: Path) -> None:
    """Perplexity's Instatus page (the real captures; its documents served with ETags, so an unchanged one
    answers 304 and is not recorded) and a probe of an endpoint: the API's outage is recorded from
    components.json alone, the endpoint's 404s and its recovery at every poll, and the recording replays
    to the notifications the daemon sent."""
    summary, components = corpus.PERPLEXITY_SUMMARY.read_bytes(), corpus.PERPLEXITY_COMPONENTS.read_bytes()
    api_down = corpus.synthetic(
        corpus.load(corpus.PERPLEXITY_COMPONENTS),
        corpus.instatus_component(corpus.PERPLEXITY_API, "MAJOROUTAGE"),
    )

    def providers(url: str) -> list[str]:
        return [
            f'{{name: perplexity, type: instatus, url: "{url}/instatus"}}',
            f'{{name: api, type: probe, url: "{url}/health"}}',
        ]

    async with running_fleet(tmp_path, providers, settings="  record: rec") as fleet:
        pages, hook = fleet.pages, fleet.hook
        pages.set("/instatus/summary.json", summary)
        pages.set("/instatus/v2/components.json", components)
        pages.set("/health", b'{"status": "ok"}')
        await fleet.daemon.start()
        await eventually(lambda: pages.hits["/instatus/summary.json"] >= 3, what="polls answered 304")
        pages.set("/instatus/v2/components.json", json.dumps(api_down).encode())
        await eventually(lambda: len(hook.requests) == 1, what="the API's outage")
        del pages.documents["/health"]  # answered 404 from now on
        await eventually(lambda: len(hook.requests) == 2, what="the endpoint's outage")
        pages.set("/instatus/v2/components.json", components)
        pages.set("/health", b'{"status": "ok"}')
        await eventually(lambda: len(hook.requests) == 4, what="both resolved")
        sent = [
            (b["group_key"], b["reason"], sorted(alert_keys(b)), sorted(alert_keys(b, "resolved")))
            for b in fleet.deliveries()
        ]

    recorded = read_timeline(tmp_path / "rec")
    page = [(c.url or "").rsplit("/instatus", 1)[-1] for c in recorded if c.provider == "perplexity"]
    assert page == ["/summary.json", "/v2/components.json", "/v2/components.json", "/v2/components.json"]
    probed = [c.status for c in recorded if c.provider == "api"]
    assert 404 in probed and probed[-1] == 200
    assert all(c.elapsed is not None for c in recorded if c.provider == "api")

    replayed = await run_cli("replay", "rec", "-c", "providers.yaml", "--json", cwd=tmp_path, env=clean_env())
    assert replayed.code == 0, replayed.stderr
    shown = [json.loads(line) for line in replayed.stdout.splitlines()]
    assert sorted((s["group_key"], s["reason"], s["firing"], s["resolved"]) for s in shown) == sorted(sent)
    assert [s["reason"] for s in shown].count("firing") == 2


def _newest_web_is(root: Path, status: str) -> bool:
    """The newest capture shows the Web component with `status`."""
    kept = captures(root / "acme")
    return bool(kept) and json.loads(kept[-1].read_bytes())["components"][1]["status"] == status
