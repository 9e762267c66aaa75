"""High availability end to end: real daemons sharing the machine's PostgreSQL over loopback (README "High
availability"). Two replicas page once; a killed leader is replaced within the lease and the survivor sends
the resolve once; a leader paused past its lease is fenced when it wakes and pages nothing."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from tests.e2e.harness import DaemonProcess, Receiver, StatusPage, eventually, free_port, running
from tests.e2e.test_store_failure import log_events, readyz
from tests.postgres_server import as_url, private_cluster, require_postgres, throwaway_database

pytestmark = pytest.mark.e2e

LEASE = 3.0  # the shortest settings.leader_lease


@pytest.fixture
def database() -> Iterator[str]:
    with throwaway_database(require_postgres()) as url:
        yield as_url(url)


def config(database: str, page: StatusPage, pd: Receiver, notifier: str | None = None) -> str:
    """Paging PagerDuty at `pd`, or through the one `notifier` given (a YAML flow mapping named `hook`)."""
    if notifier is not None:
        return (
            config(database, page, pd).split("notifiers:")[0]
            + f"""notifiers:
  - {notifier}
routes:
  - {{notify: [hook]}}
"""
        )
    return f"""
settings:
  state: "{database}"
  leader_lease: {LEASE:g}s
  listen: "{{LISTEN}}"
  interval: 1s
  timeout: 1s
  log_format: json
  retry_initial_delay: 0.2s
  retry_max_delay: 1s
providers:
  - {{name: acme, type: statuspage, url: "{page.url}"}}
notifiers:
  - name: pagerduty
    type: pagerduty
    routing_key: "0123456789abcdef0123456789abcdef"
    url: "{pd.url}/v2/enqueue"
routes:
  - {{notify: [pagerduty]}}
"""


def actions(pd: Receiver, action: str) -> int:
    return sum(r.json()["event_action"] == action for r in pd.requests)


async def delivered(replica: DaemonProcess) -> bool:
    """A send the receiver saw may not be recorded yet: a crash then re-sends it (same dedup key)."""
    labels = {"notifier": "pagerduty", "outcome": "delivered"}
    return await replica.metric("outage_monitor_notifications_total", **labels) == 1.0


async def follower_sees_outage(follower: DaemonProcess) -> bool:
    """What a load balancer may show from any replica: the provider states the leader committed."""
    [acme] = (await follower.get_json("/api/v1/providers"))["providers"]
    return bool(acme["components"]) and acme["components"][0]["status"] == "major_outage"


async def leader_of(replicas: list[DaemonProcess]) -> DaemonProcess | None:
    for replica in replicas:
        if (
            replica.proc is not None
            and replica.proc.poll() is None
            and await replica.metric("outage_monitor_leader") == 1.0
        ):
            return replica
    return None


async def start_replicas(tmp_path: Path, text: str) -> list[DaemonProcess]:
    replicas = []
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        replicas.append(DaemonProcess(tmp_path / name, text))
    for replica in replicas:
        await replica.start()
    return replicas


async def test_two_replicas_page_once_both_show_it_and_the_survivor_of_a_killed_leader_resolves_once(
    tmp_path: Path, database: str
) -> None:
    page, pd = StatusPage(), Receiver(default=202)
    async with running(page, pd):
        replicas = await start_replicas(tmp_path, config(database, page, pd))
        try:
            await eventually(lambda: leader_of(replicas), what="a leader")
            leader = await leader_of(replicas)
            assert leader is not None
            [follower] = [r for r in replicas if r is not leader]
            cluster = (await follower.get_json("/api/v1/cluster"))["replicas"]
            assert len(cluster) == 2 and sum(r["leader"] for r in cluster) == 1
            assert await follower.metric("outage_monitor_provider_up", provider="acme") is None
            page.components["API"] = "major_outage"
            await eventually(lambda: actions(pd, "trigger") == 1, what="the page")
            await eventually(lambda: delivered(leader), what="the page recorded as delivered")
            await eventually(lambda: follower_sees_outage(follower), what="the outage on the follower")
            async with aiohttp.ClientSession() as http, http.get(follower.base + "/") as page_html:
                shown = await page_html.text()
            assert 'data-provider="acme" data-status="major_outage"' in shown
            assert shown.count('class="replica') == 2 and shown.count('class="replica leader"') == 1
            leader.kill()
            await eventually(lambda: leader_of([follower]), timeout=LEASE + 20, what="the takeover")
            page.components["API"] = "operational"
            await eventually(lambda: actions(pd, "resolve") == 1, what="the resolve")
            assert (actions(pd, "trigger"), actions(pd, "resolve")) == (1, 1)
        finally:
            for replica in replicas:
                replica.cleanup()


async def test_a_leader_paused_past_its_lease_is_fenced_and_pages_nothing(
    tmp_path: Path, database: str
) -> None:
    page, pd = StatusPage(), Receiver(default=202)
    async with running(page, pd):
        replicas = await start_replicas(tmp_path, config(database, page, pd))
        try:
            await eventually(lambda: leader_of(replicas), what="a leader")
            paused = await leader_of(replicas)
            assert paused is not None
            [other] = [r for r in replicas if r is not paused]
            paused.signal(signal.SIGSTOP)
            await eventually(lambda: leader_of([other]), timeout=LEASE + 20, what="the takeover")
            page.components["API"] = "major_outage"
            await eventually(lambda: actions(pd, "trigger") == 1, what="the new leader's page")
            paused.signal(signal.SIGCONT)
            await eventually(
                lambda: "leader_stepped_down" in paused.log.read_text(), timeout=LEASE + 20, what="step down"
            )
            assert await paused.metric("outage_monitor_leader") == 0.0
            assert await leader_of(replicas) is other
            assert actions(pd, "trigger") == 1
        finally:
            for replica in replicas:
                replica.cleanup()


async def test_a_replica_that_loses_the_database_stops_pages_nothing_stale_and_rejoins(
    tmp_path: Path,
) -> None:
    """A private server stopped under the running daemon: it stays up, stops polling, answers 503, logs it
    once; an outage that came and went meanwhile is never paged; when the server is back it leads again."""
    with private_cluster(free_port()) as cluster:
        page, pd = StatusPage(), Receiver(default=202)
        async with running(page, pd):
            daemon = DaemonProcess(tmp_path, config(cluster.url, page, pd))
            await daemon.start()
            try:
                await eventually(lambda: leader_of([daemon]), what="the only replica leads")
                await eventually(lambda: page.hits >= 2, what="polling")
                cluster.stop()
                await eventually(
                    lambda: _status(daemon, 503), timeout=LEASE + 10, what="/readyz 503 without the database"
                )
                hits = page.hits
                page.components["API"] = "major_outage"
                await asyncio.sleep(3.0)  # three poll intervals: nobody polls, nothing is paged
                page.components["API"] = "operational"
                assert page.hits <= hits + 1, "a replica without its database stopped polling"
                assert daemon.proc is not None and daemon.proc.poll() is None
                cluster.start()
                await eventually(lambda: _status(daemon, 200), timeout=45, what="/readyz 200 again")
                await eventually(lambda: page.hits >= hits + 3, what="polling resumed")
                assert pd.requests == [], "the outage seen by nobody is paged by nobody"
                page.components["API"] = "major_outage"
                await eventually(lambda: actions(pd, "trigger") == 1, what="a page after rejoining")
                assert len(log_events(daemon, "database_lost")) == 1
                assert len(log_events(daemon, "database_recovered")) == 1
            finally:
                daemon.cleanup()


async def _status(daemon: DaemonProcess, expected: int) -> bool:
    return (await readyz(daemon))[0] == expected


async def test_a_leader_killed_during_a_hung_send_is_replaced_and_the_survivor_delivers_it_once(
    tmp_path: Path, database: str
) -> None:
    """The claim of a dead leader is freed by the next one, which sends it with the same webhook-id."""
    page, hook = StatusPage(), Receiver(hang_first=True)
    async with running(page, hook):
        notifier = f'{{name: hook, type: webhook, url: "{hook.url}/outages", timeout: 60s}}'
        replicas = await start_replicas(tmp_path, config(database, page, hook, notifier))
        try:
            await eventually(lambda: leader_of(replicas), what="a leader")
            leader = await leader_of(replicas)
            assert leader is not None
            [survivor] = [r for r in replicas if r is not leader]
            page.components["API"] = "major_outage"
            await eventually(lambda: len(hook.requests) == 1, what="the send that hangs")
            leader.kill()
            await eventually(lambda: leader_of([survivor]), timeout=LEASE + 20, what="the takeover")
            labels = {"notifier": "hook", "outcome": "delivered"}
            await eventually(
                lambda: survivor.metric("outage_monitor_notifications_total", **labels),
                what="the survivor's delivery",
            )
            hung, sent = hook.requests
            assert hung.headers["webhook-id"] == sent.headers["webhook-id"]
            assert hung.json() == sent.json()
            assert await survivor.metric("outage_monitor_notifications_total", **labels) == 1.0
        finally:
            for replica in replicas:
                replica.cleanup()


async def test_replicas_started_at_the_same_instant_elect_one_leader(tmp_path: Path, database: str) -> None:
    """Both migrate the empty database and race for the lease: one wins, and it stays so."""
    page, pd = StatusPage(), Receiver(default=202)
    async with running(page, pd):
        replicas = []
        for name in ("a", "b"):
            (tmp_path / name).mkdir()
            replicas.append(DaemonProcess(tmp_path / name, config(database, page, pd)))
        try:
            await asyncio.gather(*(replica.start() for replica in replicas))
            await eventually(lambda: leader_of(replicas), what="a leader")
            await asyncio.sleep(LEASE)  # renewals by both: still one leader, never a change
            leaders = {await r.metric("outage_monitor_leader") for r in replicas}
            changes = {await r.metric("outage_monitor_leader_changes_total") for r in replicas}
            assert leaders == changes == {0.0, 1.0}
            cluster = (await replicas[0].get_json("/api/v1/cluster"))["replicas"]
            assert len(cluster) == 2 and sum(r["leader"] for r in cluster) == 1
            assert not any("leader_stepped_down" in r.log.read_text() for r in replicas)
        finally:
            for replica in replicas:
                replica.cleanup()
