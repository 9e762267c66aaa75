"""Reloads: unchanged providers keep what they learned, changed ones start their source afresh, and a
reload in the middle of a poll loses neither that poll's state nor the one-poll-at-a-time rule."""

from __future__ import annotations

import asyncio

from monitor.model import EventKind
from tests.poller.conftest import Rig


async def test_an_unchanged_provider_keeps_its_validators_and_snapshot(rig: Rig, name: str) -> None:
    rig.configure([rig.plan(name)], [], {})
    await rig.poller.poll(name)

    rig.configure([rig.plan(name)], [], {})  # an equal plan, freshly built as a reload does
    await rig.poller.poll(name)

    assert rig.page.not_modified == 1
    assert rig.parses.calls == 1


async def test_a_new_interval_keeps_the_source_and_its_validators(rig: Rig, name: str) -> None:
    rig.configure([rig.plan(name, interval=60.0)], [], {})
    await rig.poller.poll(name)

    rig.configure([rig.plan(name, interval=30.0)], [], {})
    await rig.poller.poll(name)

    assert [p.interval for p in rig.poller.plans] == [30.0]
    assert rig.page.not_modified == 1


async def test_a_changed_provider_refetches_in_full_keeps_its_state_and_applies_the_new_rules(
    rig: Rig, name: str
) -> None:
    rig.configure([rig.plan(name)], [], {})
    await rig.poller.poll(name)
    rig.page.set_status("c-api", "major_outage")

    rig.configure([rig.plan(name, confirm=2)], [], {})
    await rig.poller.poll(name)

    assert rig.page.conditional_hits == 0  # a new source: no validators, a full GET
    assert rig.parses.calls == 2
    assert await rig.store.recent_events(10) == []  # confirm=2: one reading is not yet news
    await rig.poller.poll(name)
    # the second reading confirms: the provider was not re-baselined, the change was seen
    assert [s.event.kind for s in await rig.store.recent_events(10)] == [EventKind.COMPONENT_CHANGED]


async def test_a_provider_added_by_a_reload_starts_from_its_stored_state(rig: Rig, name: str) -> None:
    rig.configure([rig.plan(name)], [], {})
    await rig.poller.poll(name)
    stored = await rig.store.load_states()
    rig.configure([], [], {})
    rig.page.set_status("c-api", "major_outage")

    rig.configure([rig.plan(name)], [], stored)
    await rig.poller.poll(name)

    assert [s.event.subject_id for s in await rig.store.recent_events(10)] == ["c-api"]


async def test_a_reload_during_a_poll_keeps_that_polls_state_and_never_polls_twice_at_once(
    rig: Rig, name: str
) -> None:
    rig.configure([rig.plan(name)], [], {})
    await rig.poller.poll(name)
    rig.page.set_status("c-api", "major_outage")
    rig.page.delay = 0.3
    rig.page.arrived.clear()

    in_flight = asyncio.create_task(rig.poller.poll(name))
    await asyncio.wait_for(rig.page.arrived.wait(), 5)
    rig.configure([rig.plan(name, failure_threshold=5)], [], await rig.store.load_states())
    await rig.poller.poll(name)  # the poll before the reload still runs: this tick is skipped
    assert rig.page.hits == 2
    await in_flight

    rig.page.delay = 0.0
    await rig.poller.poll(name)

    events = await rig.store.recent_events(10)
    assert [s.event.subject_id for s in events] == ["c-api"], "the outage was announced twice"
