"""Fetch slots: pages that never answer must not make a healthy provider's poll wait behind them."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from monitor.model import ComponentStatus, ProviderState
from monitor.poller import Poller, failing_slots
from monitor.scheduler import Ticker
from tests.e2e.harness import eventually
from tests.poller.conftest import Rig

HANGING = 60
CAP = 10
INTERVAL = 1.0


@pytest.fixture
async def hanging_url() -> AsyncIterator[str]:
    """A page that accepts every request and never answers, until the test ends."""
    release = asyncio.Event()

    async def never(request: web.Request) -> web.StreamResponse:
        await release.wait()
        return web.Response(status=504)

    app = web.Application()
    app.router.add_get("/api/v2/summary.json", never)
    server = TestServer(app, host="127.0.0.1", port=0)
    await server.start_server()
    yield str(server.make_url("")).rstrip("/")
    release.set()
    await server.close()


@pytest.mark.parametrize(("cap", "slots"), [(1, 1), (2, 1), (10, 2), (50, 12)])
def test_failing_providers_get_a_quarter_of_the_slots_and_at_least_one(cap: int, slots: int) -> None:
    assert failing_slots(cap) == slots


async def test_an_outage_is_seen_within_an_interval_while_dead_pages_hold_the_fetch_slots(
    rig: Rig, name: str, hanging_url: str
) -> None:
    """60 failing pages that never answer (2 s timeout) and a cap of 10: on a shared pool they keep
    about 50 fetches queued, and the healthy page's poll waits its turn for ~10 s."""
    dead = [
        rig.plan(f"{name}-dead-{i:02d}", interval=INTERVAL, url=hanging_url)._replace(timeout=2.0)
        for i in range(HANGING)
    ]
    healthy = rig.plan(name, interval=INTERVAL)
    already_failing = {p.config.name: ProviderState(p.config.name, consecutive_failures=1) for p in dead}
    poller = Poller(rig.http, rig.store, rig.evaluator, max_concurrent=CAP)
    poller.configure([*dead, healthy], already_failing)
    ticker = Ticker(poller.poll)
    ticker.start(poller.plans)
    try:
        await eventually(lambda: baselined(poller, name), timeout=10 * INTERVAL, interval=0.02)
        rig.page.set_status("c-api", "major_outage")
        flipped = time.monotonic()

        await eventually(
            lambda: api_status(poller, name) is ComponentStatus.MAJOR_OUTAGE, timeout=20.0, interval=0.02
        )

        seen_after = time.monotonic() - flipped
        assert seen_after < 2.5 * INTERVAL, f"the outage was seen after {seen_after:.1f} s"
    finally:
        ticker.stop()
        ticker.shutdown()
        await poller.drain(0)


def baselined(poller: Poller, name: str) -> bool:
    return any(plan.config.name == name and state and state.baselined for plan, state in poller.states())


def api_status(poller: Poller, name: str) -> ComponentStatus | None:
    for plan, state in poller.states():
        if plan.config.name == name and state is not None and "c-api" in state.components:
            return state.components["c-api"].status
    return None
