"""Alert groups in the real daemon over loopback: one notification per (group, notifier) for a whole
outage, its resolution on the same group key, silences (CLI and API), repeat_interval, a muted route,
provider dependencies, and Slack threads through the bot-token mode.

GitHub's and Claude's pages are served from real Statuspage captures; their outages are synthetic
documents built here from those captures (the files on disk are never edited). Other providers are
StatusPage doubles whose components a test sets.
"""

from __future__ import annotations

import asyncio
import copy
import json
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.cli.cli_process import clean_env, run_cli
from tests.e2e.documents import DocumentServer
from tests.e2e.harness import (
    E2E_ENV,
    DaemonProcess,
    Receiver,
    StatusPage,
    alert_keys,
    daemon_yaml,
    eventually,
    notifiers_yaml,
    running,
)
from tests.notify.slack_api import FakeSlack

pytestmark = pytest.mark.e2e

FIXTURES = Path(__file__).resolve().parents[1] / "sources" / "fixtures" / "statuspage" / "summary"
GITHUB_OK = json.loads((FIXTURES / "github-2019-12-30-operational.json").read_bytes())
GITHUB_INCIDENT = json.loads((FIXTURES / "github-2022-11-25-active-incident-minor.json").read_bytes())
CLAUDE_OK = json.loads((FIXTURES / "claude-anthropic-2026-09-03-operational.json").read_bytes())
SUMMARY = "/api/v2/summary.json"
API_TOKEN = "e2e-api-token-0123456789abcdef"
BOT_TOKEN = "xoxb-e2e-0000-bot-token"

PAGE_AND_TELL = """
  - {notify: [pagerduty], min_severity: major}
  - {notify: [oncall-slack, audit]}"""

GITHUB_BROKEN = {  # component id -> status in the synthetic outage
    "8l4ygp009s5s": "major_outage",  # Git Operations
    "brv1bkgrwx7q": "partial_outage",  # API Requests
    "4230lsnqdsld": "degraded_performance",  # Webhooks
}
GITHUB_INCIDENT_ID = GITHUB_INCIDENT["incidents"][0]["id"]
GITHUB_ALERTS = {f"github/component/{c}" for c in GITHUB_BROKEN} | {f"github/incident/{GITHUB_INCIDENT_ID}"}
CLAUDE_API = "k8w3r06qmzrp"  # Claude API (api.anthropic.com)


def synthetic_github_outage() -> bytes:
    """The operational capture with three components broken and the 2022 capture's open incident."""
    doc = copy.deepcopy(GITHUB_OK)
    for component in doc["components"]:
        component["status"] = GITHUB_BROKEN.get(component["id"], component["status"])
    doc["incidents"] = copy.deepcopy(GITHUB_INCIDENT["incidents"][:1])
    doc["status"] = {"indicator": "major", "description": "Partial System Outage"}
    return json.dumps(doc).encode()


def synthetic_claude_outage() -> bytes:
    doc = copy.deepcopy(CLAUDE_OK)
    for component in doc["components"]:
        if component["id"] == CLAUDE_API:
            component["status"] = "major_outage"
    return json.dumps(doc).encode()


@dataclass
class World:
    workdir: Path
    docs: DocumentServer
    slack: Receiver
    pd: Receiver
    hook: Receiver
    pages: dict[str, StatusPage] = field(default_factory=dict)  # acme, cloudflare, courier
    daemon: DaemonProcess | None = None

    def provider(self, name: str, options: str = "") -> str:
        """A provider entry: github and claude read their captures, the others their StatusPage."""
        url = f"{self.docs.url}/{name}" if name in ("github", "claude") else self.pages[name].url
        return f'  - {{name: {name}, type: statuspage, url: "{url}"{options}}}'

    async def start(
        self,
        providers: list[str],
        routes: str = PAGE_AND_TELL,
        *,
        options: dict[str, str] | None = None,
        notifiers: str | None = None,
        extra: str = "",
        tail: str = "",
    ) -> DaemonProcess:
        """The daemon watching `providers` (each with its `options`, e.g. `, depends_on: [x]`), started and
        past the silent baseline of every provider; the three receivers are the notifiers by default."""
        entries = "\n".join(self.provider(name, (options or {}).get(name, "")) for name in providers)
        notifiers = notifiers or notifiers_yaml(self.slack, self.pd, self.hook)
        self.daemon = DaemonProcess(
            self.workdir, daemon_yaml(entries, notifiers, routes, extra, tail), env=E2E_ENV
        )
        await self.daemon.start()
        for name in providers:
            await eventually(
                partial(self.daemon.metric, "outage_monitor_provider_up", provider=name), what=f"{name} read"
            )
        return self.daemon

    def counts(self) -> tuple[int, int, int]:
        return len(self.slack.requests), len(self.pd.requests), len(self.hook.requests)

    def hooks(self) -> list[dict[str, Any]]:
        return [r.json() for r in self.hook.requests]

    def pd_events(self) -> list[dict[str, Any]]:
        return [r.json() for r in self.pd.requests]

    async def quiet_for(self, seconds: float) -> None:
        before = self.counts()
        await asyncio.sleep(seconds)
        assert self.counts() == before, "something was sent while nothing changed"


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    docs, slack, pd, hook = DocumentServer(), Receiver(), Receiver(default=202), Receiver()
    docs.set("/github" + SUMMARY, json.dumps(GITHUB_OK).encode())
    docs.set("/claude" + SUMMARY, json.dumps(CLAUDE_OK).encode())
    pages = {name: StatusPage() for name in ("acme", "cloudflare", "courier")}
    async with running(docs, slack, pd, hook, *pages.values()):
        w = World(tmp_path, docs, slack, pd, hook, pages)
        try:
            yield w
        finally:
            if w.daemon is not None:
                w.daemon.cleanup()


async def alerts_in(daemon: DaemonProcess, state: str) -> bool:
    """The daemon counts at least one firing alert as `state` (silenced, muted, folded)."""
    return (await daemon.metric("outage_monitor_alerts", state=state) or 0) >= 1


async def test_an_outage_in_one_poll_is_one_page_per_notifier_and_its_recovery_one_resolve(
    world: World,
) -> None:
    w = world
    await w.start(["github", "claude"])
    await w.quiet_for(1.0)  # the baseline is silent

    w.docs.set("/github" + SUMMARY, synthetic_github_outage())  # both fail at once: two groups
    w.docs.set("/claude" + SUMMARY, synthetic_claude_outage())
    await eventually(lambda: w.counts() == (2, 2, 2), what="one notification per group and notifier")
    await w.quiet_for(2.0)  # the outage keeps being polled: nothing more

    triggers = {e["dedup_key"]: e for e in w.pd_events()}
    assert set(triggers) == {"route=0|provider=github", "route=0|provider=claude"}
    github = triggers["route=0|provider=github"]
    assert github["event_action"] == "trigger" and github["payload"]["severity"] == "critical"
    incident = f'incident "{GITHUB_INCIDENT["incidents"][0]["name"]}"'
    assert (
        github["payload"]["summary"] == f"github: major outage — Git Operations and API Requests; {incident}"
    )
    paged = {a["key"] for a in github["payload"]["custom_details"]["firing"]}
    assert paged == GITHUB_ALERTS - {"github/component/4230lsnqdsld"}  # Webhooks is only minor
    hooks = {b["group_key"]: b for b in w.hooks()}
    assert set(hooks) == {"route=1|provider=github", "route=1|provider=claude"}
    assert alert_keys(hooks["route=1|provider=github"]) == GITHUB_ALERTS
    assert alert_keys(hooks["route=1|provider=claude"]) == {f"claude/component/{CLAUDE_API}"}
    assert hooks["route=1|provider=github"]["title"] == (
        f"github: major outage — Git Operations, API Requests and 1 more; {incident}"
    )
    slack_texts = [r.json()["text"] for r in w.slack.requests]
    assert sorted(t.split(" — ")[0].split(" ", 1)[1] for t in slack_texts) == [
        "claude: major outage",
        "github: major outage",
    ]

    w.docs.set("/github" + SUMMARY, json.dumps(GITHUB_OK).encode())
    w.docs.set("/claude" + SUMMARY, json.dumps(CLAUDE_OK).encode())
    await eventually(lambda: w.counts() == (4, 4, 4), what="one resolution per group and notifier")
    await w.quiet_for(1.5)
    resolves = w.pd_events()[2:]
    assert {(e["event_action"], e["dedup_key"]) for e in resolves} == {
        ("resolve", "route=0|provider=github"),
        ("resolve", "route=0|provider=claude"),
    }
    resolved = {b["group_key"]: b for b in w.hooks()[2:]}
    assert {b["status"] for b in resolved.values()} == {"resolved"}
    assert alert_keys(resolved["route=1|provider=github"], "resolved") == GITHUB_ALERTS


async def test_killed_between_detection_and_delivery_delivers_each_once_after_restart(world: World) -> None:
    w = world
    w.hook.hang_first = True  # the webhook delivery is in flight when the process dies
    daemon = await w.start(["github"])
    w.docs.set("/github" + SUMMARY, synthetic_github_outage())
    await eventually(lambda: w.counts() == (1, 1, 1), what="every delivery under way")
    daemon.kill()  # SIGKILL: no chance to clean up
    db = sqlite3.connect(daemon.workdir / "state.db")
    pending = db.execute("select count(*) from notifications where status = 'pending'").fetchone()[0]
    db.close()
    assert pending == 1, "the webhook's group notification is committed and undelivered"

    await daemon.start()  # the same receiver answers at once from now on
    await eventually(lambda: len(w.hook.requests) == 2, what="redelivery after restart")
    await w.quiet_for(2.0)
    assert w.counts() == (1, 1, 2), "nobody is told twice, nothing is re-sent as new"
    first, second = w.hook.requests
    assert first.headers["webhook-id"] == second.headers["webhook-id"] and first.body == second.body
    assert alert_keys(second.json()) == GITHUB_ALERTS


async def cli_silence(w: World) -> str:
    assert w.daemon is not None
    added = await run_cli(
        "silence", "add", "provider=acme", "--for", "1h", "--comment", "planned work",
        "-c", str(w.daemon.config_path), cwd=w.workdir, env=clean_env(**E2E_ENV),
    )  # fmt: skip
    assert added.code == 0, added.stderr
    return added.stdout.strip()


async def cli_expire(w: World, silence_id: str) -> None:
    assert w.daemon is not None
    expired = await run_cli(
        "silence",
        "-c",
        str(w.daemon.config_path),
        "expire",
        silence_id,
        cwd=w.workdir,
        env=clean_env(**E2E_ENV),
    )
    assert expired.code == 0, expired.stderr


async def api_silence(w: World) -> str:
    assert w.daemon is not None
    request = {"matchers": ["provider=acme"], "duration": "1h", "createdBy": "e2e", "comment": "planned work"}
    async with aiohttp.ClientSession() as s:
        async with s.post(f"{w.daemon.base}/api/v1/silences", json=request) as refused:
            assert refused.status == 401  # a token is configured, and this request has none
        auth = {"Authorization": f"Bearer {API_TOKEN}"}
        async with s.post(f"{w.daemon.base}/api/v1/silences", json=request, headers=auth) as r:
            assert r.status == 201, await r.text()
            silence_id: str = (await r.json())["silenceID"]
    return silence_id


async def api_expire(w: World, silence_id: str) -> None:
    assert w.daemon is not None
    auth = {"Authorization": f"Bearer {API_TOKEN}"}
    async with (
        aiohttp.ClientSession() as s,
        s.delete(f"{w.daemon.base}/api/v1/silences/{silence_id}", headers=auth) as r,
    ):
        assert r.status == 200, await r.text()


@pytest.mark.parametrize("via", ["cli", "api"])
async def test_a_silence_holds_a_failing_provider_back_until_it_is_expired(world: World, via: str) -> None:
    w = world
    daemon = await w.start(["acme"], extra=f'  api_token: "{API_TOKEN}"')
    add, expire = (cli_silence, cli_expire) if via == "cli" else (api_silence, api_expire)
    silence_id = await add(w)

    w.pages["acme"].components["API"] = "major_outage"
    await eventually(partial(alerts_in, daemon, "silenced"), what="the alert held by the silence")
    await w.quiet_for(2.0)
    assert w.counts() == (0, 0, 0), "a silenced provider tells nobody"

    await expire(w, silence_id)
    # The API evaluates at once; the CLI writes to the store, read at the daemon's next evaluation (at
    # most evaluator.MAX_IDLE_SECONDS = 30 s later).
    waits = 10 if via == "api" else 40
    await eventually(lambda: w.counts() == (1, 1, 1), timeout=waits, what="the still-firing group, once")
    await w.quiet_for(1.5)
    assert w.hooks()[0]["reason"] == "firing"
    assert alert_keys(w.hooks()[0]) == {"acme/component/c-api"}


async def test_repeat_interval_resends_a_still_firing_group(world: World) -> None:
    w = world
    await w.start(["acme"], routes="  - {notify: [audit], repeat_interval: 2s}")
    w.pages["acme"].components["API"] = "major_outage"
    await eventually(lambda: len(w.hook.requests) == 2, timeout=10, what="the first send and one repeat")
    first, repeat = w.hook.requests
    assert [b["reason"] for b in w.hooks()] == ["firing", "repeat"]
    assert first.json()["group_key"] == repeat.json()["group_key"] == "route=0|provider=acme"
    assert alert_keys(first.json()) == alert_keys(repeat.json()) == {"acme/component/c-api"}
    assert first.headers["webhook-id"] != repeat.headers["webhook-id"], "a repeat is a new notification"
    # due 2 s after the first was queued; its delivery may have been later than the queueing, so the two
    # arrivals can be closer than 2 s, but never back to back
    assert repeat.at - first.at >= 1.0

    w.pages["acme"].components["API"] = "operational"
    await eventually(lambda: w.hooks()[-1]["status"] == "resolved", what="the resolution")
    sent = len(w.hook.requests)
    await asyncio.sleep(2.5)  # longer than repeat_interval: a resolved group is not repeated
    assert len(w.hook.requests) == sent


def mute_until_next_minute(now: datetime) -> str:
    """A time interval covering the current UTC minute, ending at the next minute boundary."""
    start = now.replace(second=0, microsecond=0)
    end = start + timedelta(minutes=1)
    end_text = "24:00" if end.day != start.day else f"{end:%H:%M}"
    return f"""
time_intervals:
  - name: maintenance-window
    time_intervals:
      - times: [{{start_time: "{start:%H:%M}", end_time: "{end_text}"}}]
"""


async def test_a_muted_route_sends_nothing_until_the_mute_ends(world: World) -> None:
    w = world
    # The mute ends at the next minute boundary (time intervals have minute granularity); when that is
    # too near to see the route stay quiet first, start in the next minute. Either way this waits < 90 s.
    now = datetime.now(UTC)
    if now.second > 35:
        await asyncio.sleep(61 - now.second)
    routes = "  - {notify: [audit], mute_time_intervals: [maintenance-window]}"
    daemon = await w.start(["acme"], routes=routes, tail=mute_until_next_minute(datetime.now(UTC)))
    w.pages["acme"].components["API"] = "major_outage"
    await eventually(partial(alerts_in, daemon, "muted"), what="the alert held by the mute")
    await w.quiet_for(1.5)
    assert w.hook.requests == [], "a muted route sends nothing"

    await eventually(lambda: len(w.hook.requests) == 1, timeout=75, what="the group once the mute ends")
    arrived = datetime.now(UTC)
    assert arrived.second < 30, f"sent at {arrived:%H:%M:%S}, not at the end of the mute"
    (body,) = w.hooks()
    assert (body["status"], alert_keys(body)) == ("firing", {"acme/component/c-api"})


async def test_a_dependent_provider_is_folded_into_its_cause_until_the_cause_recovers(world: World) -> None:
    w = world
    cloudflare, courier = w.pages["cloudflare"], w.pages["courier"]
    routes = """
  - {notify: [pagerduty], min_severity: major, group_interval: 1s}
  - {notify: [audit], group_interval: 1s}"""
    daemon = await w.start(
        ["cloudflare", "courier"], routes, options={"courier": ", depends_on: [cloudflare]"}
    )
    cloudflare.components["API"] = "major_outage"
    await eventually(lambda: (len(w.pd.requests), len(w.hook.requests)) == (1, 1), what="cloudflare paged")
    courier.components["API"] = "major_outage"  # after cloudflare: likely caused by it
    await eventually(partial(alerts_in, daemon, "folded"), what="courier folded under cloudflare")
    await w.quiet_for(1.5)
    assert (len(w.pd.requests), len(w.hook.requests)) == (1, 1), "courier pages nothing on its own"

    cloudflare.components["Web"] = "major_outage"  # cloudflare's page changes: courier is listed with it
    await eventually(lambda: (len(w.pd.requests), len(w.hook.requests)) == (2, 2), what="cloudflare changed")
    update, body = w.pd_events()[1], w.hooks()[1]
    assert update["dedup_key"] == "route=0|provider=cloudflare"
    related = update["payload"]["custom_details"]["related"]
    assert [(a["key"], a["likely_caused_by"]) for a in related] == [("courier/component/c-api", "cloudflare")]
    assert body["group_key"] == "route=1|provider=cloudflare"
    assert alert_keys(body, "related") == {"courier/component/c-api"}
    assert {b["group_key"] for b in w.hooks()} == {"route=1|provider=cloudflare"}

    cloudflare.components.update({"API": "operational", "Web": "operational"})  # courier still fails
    await eventually(lambda: len(w.pd.requests) == 4 and len(w.hook.requests) == 4, what="courier on its own")
    await w.quiet_for(1.5)
    assert sorted((e["event_action"], e["dedup_key"]) for e in w.pd_events()[2:]) == [
        ("resolve", "route=0|provider=cloudflare"),
        ("trigger", "route=0|provider=courier"),
    ]
    courier_body = next(b for b in w.hooks()[2:] if b["group_key"] == "route=1|provider=courier")
    assert (courier_body["status"], alert_keys(courier_body)) == ("firing", {"courier/component/c-api"})


async def test_slack_bot_token_threads_one_message_per_outage(world: World) -> None:
    w = world
    slack = FakeSlack(BOT_TOKEN)
    await slack.start()
    try:
        notifiers = (
            f'  - {{name: oncall-slack, type: slack, token: "{BOT_TOKEN}", channel: "#ops", '
            f'api_url: "{slack.api_url}"}}'
        )
        routes = "  - {notify: [oncall-slack], group_interval: 1s}"
        await w.start(["acme"], routes, notifiers=notifiers)
        acme = w.pages["acme"]

        acme.components["API"] = "major_outage"
        await eventually(lambda: len(slack.messages) == 1, what="the parent message")
        (parent,) = slack.messages.values()
        assert parent.text.endswith("acme: major outage — API")

        acme.components["Web"] = "degraded_performance"  # a change: after group_interval, in the thread
        await eventually(lambda: len(parent.replies) == 1 and parent.edits == 1, what="a reply and an edit")
        assert "Web" in parent.replies[0].text and "Web" in parent.text

        acme.components.update({"API": "operational", "Web": "operational"})
        await eventually(lambda: parent.edits == 2, what="the parent edited to resolved")
        assert "acme: resolved" in parent.text
        assert len(slack.messages) == 1, "one message per outage in the channel"
        methods = [method for method, _ in slack.calls]
        assert methods.count("chat.postMessage") == 1 + len(parent.replies)
    finally:
        await slack.close()
