"""One poll end to end: fetch over loopback, engine, routing, one SQLite commit, wake the dispatcher."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest

import monitor.poller as poller_module
import monitor.sources.statuspage as statuspage
from monitor.config import RouteConfig
from monitor.model import ComponentStatus, EventKind, Severity
from tests.poller.conftest import Rig
from tests.poller.metrics_reading import count, sample
from tests.poller.page_double import incident

POLLS = "outage_monitor_polls_total"


def state_row(rig: Rig, name: str) -> tuple[str, str] | None:
    """(state_json, updated_at) straight from the file, through a separate connection."""
    with sqlite3.connect(rig.store.path) as conn:
        row = conn.execute(
            "SELECT state_json, updated_at FROM provider_state WHERE provider = ?", (name,)
        ).fetchone()
    return None if row is None else (row[0], row[1])


async def test_baseline_commits_once_and_a_304_costs_no_commit_and_no_parse(rig: Rig, name: str) -> None:
    rig.configure([rig.plan(name)], [RouteConfig(notify=["log"])], {})

    await rig.poller.poll(name)
    assert len(rig.store.commits) == 1
    state, events, notifications = rig.store.commits[0]
    assert state.baselined and events == [] and notifications == []
    assert rig.parses.calls == 1 and rig.wakes.count == 0
    assert count(POLLS, provider=name, outcome="ok") == 1
    row = state_row(rig, name)
    assert row is not None

    for polls in (1, 2):
        await rig.poller.poll(name)
        assert rig.page.not_modified == polls  # the server answered 304 to our validator
        assert count(POLLS, provider=name, outcome="not_modified") == polls
    assert len(rig.store.commits) == 1
    assert rig.parses.calls == 1
    assert state_row(rig, name) == row  # not even updated_at moved


async def test_quiet_polls_heartbeats_are_written_together_once_the_batch_is_due(
    rig: Rig, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = [f"beat-{i}" for i in range(3)]
    rig.configure([rig.plan(n) for n in names], [], {})
    for n in names:
        await rig.poller.poll(n)  # baselines: one commit each
    baselines = {n: state_row(rig, n) for n in names}
    monkeypatch.setattr(poller_module, "HEARTBEAT_SECONDS", 0.0)
    for n in names[:2]:
        await rig.poller.poll(n)  # heartbeats due, queued: the batch is not due yet
    assert rig.store.touches == [] and {n: state_row(rig, n) for n in names} == baselines
    monkeypatch.setattr(poller_module, "BEAT_BATCH_SECONDS", 0.0)
    await rig.poller.poll(names[2])

    assert rig.page.not_modified == 3
    assert len(rig.store.commits) == 3  # the baselines only: heartbeats are no commits
    assert [sorted(s.provider for s in batch) for batch in rig.store.touches] == [names]
    stored = await rig.store.load_states()
    assert {s.provider: s for s in rig.store.touches[0]} == {n: stored[n] for n in names}
    assert all(state_row(rig, n) != baselines[n] for n in names)  # the newer poll times are stored


async def test_a_queued_heartbeat_never_overwrites_the_providers_later_commit(
    rig: Rig, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    rig.configure([rig.plan(name)], [], {})
    await rig.poller.poll(name)
    monkeypatch.setattr(poller_module, "HEARTBEAT_SECONDS", 0.0)
    await rig.poller.poll(name)  # a heartbeat queued
    rig.page.set_status("c-db", "major_outage")
    await rig.poller.poll(name)  # a change: committed
    monkeypatch.setattr(poller_module, "BEAT_BATCH_SECONDS", 0.0)
    await rig.poller.drain(1.0)  # writes what is still queued

    committed = rig.store.commits[-1][0]
    assert committed.components["c-db"].status is ComponentStatus.MAJOR_OUTAGE
    assert rig.store.touches == []  # the queued beat was dropped for the commit
    assert (await rig.store.load_states())[name] == committed


async def test_draining_writes_the_heartbeats_still_queued(
    rig: Rig, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    rig.configure([rig.plan(name)], [], {})
    await rig.poller.poll(name)
    monkeypatch.setattr(poller_module, "HEARTBEAT_SECONDS", 0.0)
    await rig.poller.poll(name)
    assert rig.store.touches == []
    await rig.poller.drain(1.0)
    assert [[s.provider for s in batch] for batch in rig.store.touches] == [[name]]
    assert (await rig.store.load_states())[name] == rig.store.touches[0][0]


async def test_a_change_commits_state_events_and_notifications_together_and_wakes(
    rig: Rig, name: str
) -> None:
    routes = [RouteConfig(notify=["oncall"]), RouteConfig(notify=["audit"], min_severity=Severity.CRITICAL)]
    rig.configure([rig.plan(name)], routes, {})
    await rig.poller.poll(name)

    rig.page.set_status("c-db", "major_outage")
    await rig.poller.poll(name)

    assert len(rig.store.commits) == 2
    state, events, notifications = rig.store.commits[1]
    assert [e.kind for e in events] == [EventKind.COMPONENT_CHANGED]
    assert events[0].subject_name == "Database" and events[0].group == "Infra"
    assert sorted(n.notifier for n in notifications) == ["audit", "oncall"]
    assert all([a.key for a in n.message.firing] == [events[0].dedup_key] for n in notifications)
    assert state.components["c-db"].status is ComponentStatus.MAJOR_OUTAGE
    assert rig.wakes.count == 1
    # what the commit wrote is what a fresh reader of the file sees
    stored = await rig.store.load_states()
    assert stored[name].components["c-db"].status is ComponentStatus.MAJOR_OUTAGE
    assert [s.event.dedup_key for s in await rig.store.recent_events(10)] == [f"{name}/component/c-db"]
    assert await rig.store.pending_count() == 2
    told = (await rig.store.load_alerting()).told
    assert {key: entry.firing for key, entry in told.items()} == {
        (f"route=0|provider={name}", "oncall"): {f"{name}/component/c-db"},
        (f"route=1|provider={name}", "audit"): {f"{name}/component/c-db"},
    }


async def test_events_without_a_route_are_committed_without_waking_anyone(rig: Rig, name: str) -> None:
    rig.configure([rig.plan(name)], [], {})
    await rig.poller.poll(name)
    rig.page.set_status("c-api", "partial_outage")
    await rig.poller.poll(name)
    assert len(rig.store.commits) == 2 and len(rig.store.commits[1][1]) == 1
    assert rig.wakes.count == 0


async def test_an_html_error_page_is_a_parse_failure_that_resolves_nothing(rig: Rig, name: str) -> None:
    rig.configure([rig.plan(name)], [RouteConfig(notify=["oncall"])], {})
    await rig.poller.poll(name)
    rig.page.set_status("c-api", "major_outage")
    await rig.poller.poll(name)
    assert sample("outage_monitor_provider_up", provider=name) == 1
    events_before = len(await rig.store.recent_events(100))
    failures_before = count(POLLS, provider=name, outcome="parse_error")

    rig.page.mode = "html"
    await rig.poller.poll(name)

    assert count(POLLS, provider=name, outcome="parse_error") == failures_before + 1
    assert sample("outage_monitor_provider_up", provider=name) == 0
    assert sample("outage_monitor_provider_status", provider=name) == 4  # last known, not "resolved"
    assert len(await rig.store.recent_events(100)) == events_before
    stored = (await rig.store.load_states())[name]
    assert stored.components["c-api"].status is ComponentStatus.MAJOR_OUTAGE
    assert stored.consecutive_failures == 1
    assert stored.last_error is not None and "text/html" in stored.last_error
    assert rig.wakes.count == 1  # only the outage itself woke the dispatcher


async def test_a_source_that_raises_does_not_crash_poll(
    rig: Rig, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    rig.configure([rig.plan(name)], [], {})

    def broken(doc: object, page_url: str) -> None:
        raise RuntimeError("parser bug")

    monkeypatch.setattr(statuspage, "parse_summary", broken)
    await rig.poller.poll(name)  # must not raise

    assert count(POLLS, provider=name, outcome="parse_error") == 1
    stored = (await rig.store.load_states())[name]
    assert stored.last_error == "internal error parsing the page: RuntimeError"
    assert not stored.baselined


async def test_a_change_whose_commit_failed_is_committed_by_the_next_poll(rig: Rig, name: str) -> None:
    rig.configure([rig.plan(name)], [RouteConfig(notify=["oncall"])], {})
    await rig.poller.poll(name)
    rig.page.set_status("c-api", "major_outage")
    await rig.store.close()

    await rig.poller.poll(name)  # the store raises inside: logged, not propagated

    assert rig.wakes.count == 0
    await rig.store.open()
    assert await rig.store.recent_events(10) == []
    await rig.poller.poll(name)  # a 304: the page has not changed since, the news is still news
    assert rig.page.not_modified == 1
    assert [s.event.subject_id for s in await rig.store.recent_events(10)] == ["c-api"]
    assert rig.wakes.count == 1


async def test_two_concurrent_polls_of_one_provider_fetch_once(rig: Rig, name: str) -> None:
    rig.configure([rig.plan(name)], [], {})
    rig.page.delay = 0.2
    await asyncio.gather(rig.poller.poll(name), rig.poller.poll(name), rig.poller.poll(name))
    assert rig.page.hits == 1
    assert len(rig.store.commits) == 1


async def test_parse_warnings_are_counted_once_per_fresh_parse_not_per_304(rig: Rig, name: str) -> None:
    rig.page.set_status("c-api", "on_fire")  # not a Statuspage status: one warning per parse
    rig.configure([rig.plan(name)], [], {})
    warnings = "outage_monitor_parse_warnings_total"

    await rig.poller.poll(name)
    assert count(warnings, provider=name) == 1
    await rig.poller.poll(name)
    assert rig.page.not_modified == 1
    assert count(warnings, provider=name) == 1

    rig.page.set_status("c-db", "degraded_performance")  # a new body, parsed afresh
    await rig.poller.poll(name)
    assert rig.parses.calls == 2
    assert count(warnings, provider=name) == 2


async def test_polling_an_unconfigured_provider_does_nothing(rig: Rig, name: str) -> None:
    rig.configure([], [], {})
    await rig.poller.poll(name)
    assert rig.page.hits == 0 and rig.store.commits == []


async def test_a_page_that_suddenly_lists_no_components_is_a_warning_once(rig: Rig, name: str) -> None:
    rig.page.components["c-web"] = ("Web", "operational", None)  # three components
    rig.configure([rig.plan(name)], [], {})
    warnings = "outage_monitor_parse_warnings_total"
    await rig.poller.poll(name)
    assert count(warnings, provider=name) == 0

    rig.page.components.clear()  # the vendor changed its format: a valid summary, but empty
    await rig.poller.poll(name)
    assert count(warnings, provider=name) == 1
    rig.page.incidents.append(incident("i1", "Errors"))  # still empty: no second warning
    await rig.poller.poll(name)
    assert count(warnings, provider=name) == 1
