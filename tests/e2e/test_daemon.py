"""The real daemon (`python -m monitor run`) over loopback sockets: a status page the test changes,
and receivers playing Slack, PagerDuty and a webhook endpoint."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import signal
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

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

SOURCE = "acme/source"  # the alert of an unreachable page


@dataclass
class World:
    page: StatusPage
    slack: Receiver
    pd: Receiver
    hook: Receiver
    daemon: DaemonProcess

    def counts(self) -> tuple[int, int, int]:
        return len(self.slack.requests), len(self.pd.requests), len(self.hook.requests)


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    page, slack, pd, hook = StatusPage(), Receiver(), Receiver(default=202), Receiver()
    async with running(page, slack, pd, hook):
        daemon = DaemonProcess(tmp_path, config_yaml(page, slack, pd, hook), env=E2E_ENV)
        try:
            yield World(page, slack, pd, hook, daemon)
        finally:
            daemon.cleanup()


async def baseline(w: World) -> None:
    await w.daemon.start()
    await eventually(lambda: w.page.hits >= 2, what="baseline polls")


async def quiet_for(w: World, seconds: float) -> tuple[int, int, int]:
    before = w.counts()
    await asyncio.sleep(seconds)
    assert w.counts() == before, "something was sent while nothing changed"
    return before


def verify_signature(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """An independent Standard Webhooks check, written from the spec, not from our signer."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    offered = [s.split(",", 1)[1] for s in headers["webhook-signature"].split() if s.startswith("v1,")]
    return any(hmac.compare_digest(expected, o) for o in offered)


async def test_one_change_pages_once_resolve_pairs_and_restart_repages_nothing(world: World) -> None:
    w = world
    await baseline(w)
    await quiet_for(w, 1.0)  # first sight is a silent baseline

    w.page.components["API"] = "major_outage"
    await eventually(lambda: w.counts() == (1, 1, 1), what="one delivery per routed notifier")
    await quiet_for(w, 1.5)  # the same outage keeps being polled: nothing more is sent

    trigger = w.pd.requests[0].json()
    assert trigger["event_action"] == "trigger"
    assert trigger["payload"]["severity"] == "critical"
    assert trigger["routing_key"] == E2E_ENV["PD_KEY"]
    hook = w.hook.requests[0]
    assert verify_signature(E2E_ENV["HOOK_SECRET"], hook.headers, hook.body)
    assert trigger["dedup_key"] == "route=0|provider=acme"  # the paging route's group
    assert hook.json()["group_key"] == "route=1|provider=acme"
    assert alert_keys(hook.json()) == {"acme/component/c-api"}
    assert "API" in w.slack.requests[0].json()["text"]

    w.page.components["API"] = "operational"
    await eventually(lambda: w.counts() == (2, 2, 2), what="the resolution")
    resolve = w.pd.requests[1].json()
    assert resolve["event_action"] == "resolve" and resolve["dedup_key"] == trigger["dedup_key"]
    resolved = w.hook.requests[1].json()
    assert resolved["status"] == "resolved" and resolved["group_key"] == hook.json()["group_key"]
    assert alert_keys(resolved, "resolved") == {"acme/component/c-api"}

    code, took = w.daemon.terminate()
    assert code == 0 and took < 5
    await w.daemon.start()
    await eventually(lambda: w.page.hits >= 12, what="polls after restart")
    await quiet_for(w, 1.0)
    assert w.counts() == (2, 2, 2)
    events = await w.daemon.get_json("/api/v1/events?limit=10")
    assert [e["kind"] for e in events["events"]] == ["component_changed", "component_changed"]


async def test_minor_change_skips_the_paging_route_but_its_resolution_does_not(world: World) -> None:
    w = world
    await baseline(w)
    w.page.components["Web"] = "degraded_performance"
    await eventually(lambda: w.counts() == (1, 0, 1), what="slack and webhook only")
    w.page.components["Web"] = "major_outage"  # escalates: now PagerDuty is paged on the same key
    await eventually(lambda: w.counts() == (2, 1, 2), what="escalation")
    w.page.components["Web"] = "operational"  # info severity, but PagerDuty holds the alert
    await eventually(lambda: w.counts() == (3, 2, 3), what="resolution to every holder")
    assert [r.json()["event_action"] for r in w.pd.requests] == ["trigger", "resolve"]


async def test_receiver_failing_three_times_gets_it_once_it_recovers(world: World) -> None:
    w = world
    w.hook.script = [(500, {}), (500, {}), (500, {})]
    await baseline(w)
    w.page.components["API"] = "partial_outage"
    await eventually(lambda: len(w.hook.requests) == 4, timeout=20, what="three failures then success")
    await quiet_for(w, 1.5)
    ids = {r.headers["webhook-id"] for r in w.hook.requests}
    assert len(ids) == 1, "webhook-id must be stable across retries"
    notified = "outage_monitor_notifications_total"
    assert await w.daemon.metric(notified, notifier="audit", outcome="retried") == 3
    assert await w.daemon.metric(notified, notifier="audit", outcome="delivered") == 1


async def test_429_retry_after_is_respected(world: World) -> None:
    w = world
    w.slack.script = [(429, {"Retry-After": "2"})]
    await baseline(w)
    w.page.components["API"] = "major_outage"
    await eventually(lambda: len(w.slack.requests) == 2, timeout=20, what="retry after 429")
    gap = w.slack.requests[1].at - w.slack.requests[0].at
    assert gap >= 1.9, f"retried after {gap:.2f}s despite Retry-After: 2"


async def test_killed_after_commit_before_delivery_still_delivers_after_restart(world: World) -> None:
    w = world
    w.hook.hang_first = True  # the first delivery is in flight when the process dies
    await baseline(w)
    w.page.components["API"] = "major_outage"
    await eventually(lambda: len(w.hook.requests) == 1, what="the delivery in flight")
    await eventually(lambda: len(w.pd.requests) == 1 and len(w.slack.requests) == 1, what="other notifiers")
    w.daemon.kill()  # SIGKILL: no chance to clean up
    db = sqlite3.connect(w.daemon.workdir / "state.db")
    pending = db.execute("select count(*) from notifications where status = 'pending'").fetchone()[0]
    db.close()
    assert pending == 1, "the webhook notification is committed and undelivered"

    await w.daemon.start()
    await eventually(lambda: len(w.hook.requests) == 2, what="redelivery after restart")
    first, second = w.hook.requests
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert first.body == second.body
    await quiet_for(w, 1.5)
    assert w.counts() == (1, 1, 2), "nobody else is paged twice"


@pytest.mark.parametrize("mode", ["html", "garbage", "wrong-shape", "500", "timeout"])
async def test_a_broken_page_never_resolves_or_reads_operational(world: World, mode: str) -> None:
    w = world
    w.page.components["API"] = "major_outage"
    w.page.incidents = [
        {
            "id": "inc1",
            "name": "API down",
            "status": "investigating",
            "impact": "critical",
            "shortlink": "https://stspg.io/x",
            "created_at": "2026-11-23T11:00:00Z",
            "updated_at": "2026-11-23T11:00:00Z",
            "incident_updates": [],
            "components": [],
        }
    ]
    await baseline(w)
    w.page.mode = mode
    hits = w.page.hits
    await eventually(lambda: w.page.hits >= hits + 4, timeout=20, what="failing polls")

    providers = (await w.daemon.get_json("/api/v1/providers"))["providers"]
    (acme,) = providers
    assert acme["status"] == "unknown" and acme["up"] is False
    assert acme["last_known_status"] == "major_outage"
    assert [i["id"] for i in acme["incidents"]] == ["inc1"]
    assert await w.daemon.metric("outage_monitor_provider_up", provider="acme") == 0
    assert await w.daemon.metric("outage_monitor_component_status", provider="acme", component="API") == 4
    told = [
        (r.json()["status"], alert_keys(r.json()), alert_keys(r.json(), "resolved")) for r in w.hook.requests
    ]
    assert told in ([], [("firing", {SOURCE}, set())]), f"unexpected news from a broken page: {told}"
    assert w.pd.requests == [], "a broken page must never page or resolve"

    w.page.mode = "json"  # back, still in the same outage: only the source recovers
    await eventually(lambda: len(w.hook.requests) == 2, what="the source's recovery")
    await quiet_for(w, 1.0)
    told = [
        (r.json()["status"], alert_keys(r.json()), alert_keys(r.json(), "resolved")) for r in w.hook.requests
    ]
    assert told == [("firing", {SOURCE}, set()), ("resolved", set(), {SOURCE})]


async def test_sighup_reload_keeps_the_old_config_when_the_new_one_is_invalid(world: World) -> None:
    w = world
    await baseline(w)
    good = w.daemon.config_path.read_text()
    w.daemon.config_path.write_text(good + "\nbogus_key: 1\n")
    w.daemon.signal(signal.SIGHUP)
    await eventually(lambda: "config_reload_failed" in w.daemon.log.read_text(), what="reload refused")
    w.page.components["API"] = "major_outage"
    await eventually(lambda: w.counts() == (1, 1, 1), what="still paging with the old config")
    w.daemon.config_path.write_text(good.replace("min_severity: major", "min_severity: critical"))
    w.daemon.signal(signal.SIGHUP)
    await eventually(lambda: "config_reloaded" in w.daemon.log.read_text(), what="valid reload")
    code, _ = w.daemon.terminate()
    assert code == 0
