"""The gauges mirror each provider's state, and series of what is gone are dropped, not left stale."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from monitor.poller import Poller
from tests.poller.conftest import Rig
from tests.poller.metrics_reading import component_labels, counted_series, sample
from tests.poller.page_double import incident

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


async def test_gauges_mirror_the_state(rig: Rig, name: str) -> None:
    poller = Poller(rig.http, rig.store, rig.evaluator, max_concurrent=1, clock=lambda: NOW)
    poller.configure([rig.plan(name)], {})

    await poller.poll(name)
    assert sample("outage_monitor_provider_up", provider=name) == 1
    assert sample("outage_monitor_provider_status", provider=name) == 0
    assert sample("outage_monitor_active_incidents", provider=name) == 0
    assert sample("outage_monitor_last_success_timestamp_seconds", provider=name) == NOW.timestamp()
    assert component_labels(name) == {"API", "Infra / Database"}

    rig.page.set_status("c-db", "partial_outage")
    rig.page.incidents = [incident("inc-1", "Everything is on fire", impact="critical")]
    await poller.poll(name)

    state = (await rig.store.load_states())[name]
    assert len(state.incidents) == 1
    assert sample("outage_monitor_component_status", provider=name, component="Infra / Database") == 3
    assert sample("outage_monitor_component_status", provider=name, component="API") == 0
    assert sample("outage_monitor_active_incidents", provider=name) == 1
    assert sample("outage_monitor_provider_status", provider=name) == state.overall_status().level == 4


async def test_a_provider_that_never_succeeded_is_down_with_no_status(rig: Rig, name: str) -> None:
    rig.page.mode = "html"
    rig.configure([rig.plan(name)], [], {})
    await rig.poller.poll(name)
    assert sample("outage_monitor_provider_up", provider=name) == 0
    assert sample("outage_monitor_provider_status", provider=name) is None
    assert sample("outage_monitor_last_success_timestamp_seconds", provider=name) is None


async def test_a_component_gone_from_the_page_drops_its_series(rig: Rig, name: str) -> None:
    rig.configure([rig.plan(name)], [], {})
    await rig.poller.poll(name)
    del rig.page.components["c-api"]
    await rig.poller.poll(name)
    assert component_labels(name) == {"Infra / Database"}


async def test_a_renamed_or_regrouped_component_drops_its_old_series(rig: Rig, name: str) -> None:
    rig.configure([rig.plan(name)], [], {})
    await rig.poller.poll(name)

    rig.page.components["c-db"] = ("Database", "operational", "Storage")
    rig.page.components["c-api"] = ("Public API", "operational", None)
    await rig.poller.poll(name)

    assert component_labels(name) == {"Public API", "Storage / Database"}


async def test_a_component_filtered_out_by_a_reload_drops_its_series(rig: Rig, name: str) -> None:
    rig.configure([rig.plan(name)], [], {})
    await rig.poller.poll(name)
    rig.configure([rig.plan(name, components=["API"])], [], {})
    await rig.poller.poll(name)
    assert component_labels(name) == {"API"}


async def test_a_provider_removed_by_configure_drops_all_its_series(rig: Rig, name: str) -> None:
    other = name + "-other"
    rig.configure([rig.plan(name), rig.plan(other)], [], {})
    await rig.poller.poll(name)
    await rig.poller.poll(other)
    assert sample("outage_monitor_provider_up", provider=other) == 1

    rig.configure([rig.plan(name)], [], {})

    for gauge in (
        "outage_monitor_provider_up",
        "outage_monitor_provider_status",
        "outage_monitor_active_incidents",
        "outage_monitor_last_success_timestamp_seconds",
    ):
        assert sample(gauge, provider=other) is None, gauge
        assert sample(gauge, provider=name) is not None, gauge
    assert component_labels(other) == set()
    assert component_labels(name) == {"API", "Infra / Database"}
    assert sample("outage_monitor_polls_total", provider=other, outcome="ok") is None
    assert sample("outage_monitor_polls_total", provider=name, outcome="ok") == 1


async def test_a_removed_providers_counters_are_dropped_for_every_outcome(rig: Rig, name: str) -> None:
    rig.page.set_status("c-api", "on_fire")  # one parse warning
    rig.configure([rig.plan(name, interval=0.01)], [], {})
    await rig.poller.poll(name)  # ok
    await rig.poller.poll(name)  # not_modified
    rig.page.mode = "html"
    await rig.poller.poll(name)  # parse_error
    assert counted_series(name) == {
        ("outage_monitor_polls_total", "ok"),
        ("outage_monitor_polls_total", "not_modified"),
        ("outage_monitor_polls_total", "parse_error"),
        ("outage_monitor_parse_warnings_total", ""),
    }

    rig.configure([], [], {})

    assert counted_series(name) == set()


async def test_a_poll_in_flight_when_its_provider_is_removed_does_not_bring_its_series_back(
    rig: Rig, name: str
) -> None:
    rig.configure([rig.plan(name)], [], {})
    rig.page.delay = 0.3
    rig.page.arrived.clear()
    in_flight = asyncio.create_task(rig.poller.poll(name))
    await asyncio.wait_for(rig.page.arrived.wait(), 5)

    rig.configure([], [], {})
    await in_flight

    assert sample("outage_monitor_provider_up", provider=name) is None
    assert component_labels(name) == set()


async def test_configure_publishes_the_stored_state_before_the_first_poll(rig: Rig, name: str) -> None:
    rig.configure([rig.plan(name)], [], {})
    rig.page.set_status("c-api", "major_outage")
    await rig.poller.poll(name)
    stored = await rig.store.load_states()
    rig.configure([], [], {})
    assert sample("outage_monitor_provider_status", provider=name) is None

    restarted = Poller(rig.http, rig.store, rig.evaluator, max_concurrent=1)
    restarted.configure([rig.plan(name)], stored)

    assert sample("outage_monitor_provider_status", provider=name) == 4
    assert sample("outage_monitor_component_status", provider=name, component="API") == 4
