"""A provider's first sight backfills its recent history from the page's history document, silently."""

from __future__ import annotations

from datetime import UTC, datetime

from monitor.config import RouteConfig
from monitor.model import IncidentStatus
from tests.poller.conftest import Rig
from tests.poller.page_double import incident

LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)


async def test_first_sight_backfills_history_without_an_event_and_only_once(rig: Rig, name: str) -> None:
    rig.page.incidents = [incident("open1", "Elevated errors")]
    resolved = {
        **incident("old1", "Last week's outage", status="resolved"),
        "resolved_at": "2026-11-20T10:00:00Z",
    }
    other = incident("elsewhere", "Open on a component not watched")
    other["components"] = [{"id": "c-other"}]
    rig.page.history = [resolved, rig.page.incidents[0], other]
    rig.configure([rig.plan(name, components=["c-api"])], [RouteConfig(notify=["log"])], {})

    await rig.poller.poll(name)
    await rig.poller.poll(name)

    assert rig.page.history_hits == 1
    assert all(events == [] and notifications == [] for _, events, notifications in rig.store.commits)
    stored = {i.id: i for i in await rig.store.incident_history(name, LONG_AGO, 10)}
    assert set(stored) == {"old1", "open1"}  # an open incident the engine does not track is left out
    assert stored["old1"].status is IncidentStatus.RESOLVED
    assert stored["old1"].resolved_at == datetime(2026, 11, 20, 10, tzinfo=UTC)
    assert stored["open1"].resolved_at is None
    assert [u.text for u in stored["open1"].updates] == ["We are looking into it."]


async def test_a_first_sight_that_fails_backfills_at_the_first_successful_read(rig: Rig, name: str) -> None:
    rig.page.history = [{**incident("old1", "Earlier outage", status="resolved")}]
    rig.page.mode = "html"  # a CDN error page: nothing read, nothing to backfill against
    rig.configure([rig.plan(name)], [RouteConfig(notify=["log"])], {})
    await rig.poller.poll(name)
    assert rig.page.history_hits == 0

    rig.page.mode = "json"
    await rig.poller.poll(name)
    await rig.poller.poll(name)
    assert rig.page.history_hits == 1
    assert [i.id for i in await rig.store.incident_history(name, LONG_AGO, 10)] == ["old1"]
