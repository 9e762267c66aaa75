"""A Statuspage summary that cannot say which incidents are open resolves none of them."""

from __future__ import annotations

from monitor.config import RouteConfig
from monitor.model import EventKind
from tests.poller.conftest import Rig
from tests.poller.metrics_reading import count
from tests.poller.page_double import incident


async def test_a_null_incident_list_fails_the_poll_and_keeps_the_open_incident(rig: Rig, name: str) -> None:
    rig.configure([rig.plan(name)], [RouteConfig(notify=["oncall"])], {})
    await rig.poller.poll(name)
    rig.page.incidents.append(incident("i1", "Outage", impact="critical"))
    await rig.poller.poll(name)
    assert [s.event.kind for s in await rig.store.recent_events(10)] == [EventKind.INCIDENT_OPENED]

    rig.page.null_incidents = True
    await rig.poller.poll(name)

    assert [s.event.kind for s in await rig.store.recent_events(10)] == [EventKind.INCIDENT_OPENED]
    assert count("outage_monitor_polls_total", provider=name, outcome="parse_error") == 1
    stored = (await rig.store.load_states())[name]
    assert set(stored.incidents) == {"i1"}
    assert stored.last_error is not None and "'incidents' is null" in stored.last_error
