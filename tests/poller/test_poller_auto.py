"""`type: auto` through the real poller: discovery on the first poll, then the detected format with its
validators on every later poll; while nothing reads the page the provider is unknown, never operational."""

from __future__ import annotations

from datetime import UTC, datetime

from structlog.testing import capture_logs

from monitor.engine import Policy
from monitor.model import ComponentStatus, EventKind, IncidentStatus
from monitor.plan import ProviderPlan
from monitor.sources.auto import AutoConfig
from tests.poller.conftest import Rig
from tests.poller.metrics_reading import count
from tests.poller.page_double import incident

POLLS = "outage_monitor_polls_total"


def auto_plan(rig: Rig, name: str) -> ProviderPlan:
    config = AutoConfig(name=name, type="auto", url=rig.page.url)
    policy = Policy(confirm=1, failure_threshold=3, components=None)
    return ProviderPlan(config=config, interval=60.0, timeout=2.0, jitter=0.0, policy=policy)


async def test_auto_detects_the_format_once_then_polls_it_conditionally(rig: Rig, name: str) -> None:
    rig.configure([auto_plan(rig, name)], [], {})

    with capture_logs() as logs:
        await rig.poller.poll(name)
        await rig.poller.poll(name)
        rig.page.set_status("c-db", "major_outage")
        await rig.poller.poll(name)

    detected = [line for line in logs if line["event"] == "format_detected"]
    assert detected == [
        {
            "event": "format_detected",
            "log_level": "info",
            "provider": name,
            "format": "statuspage",
            "url": rig.page.url,
        }
    ]
    assert rig.page.not_modified == 1  # the second poll sent the ETag the discovery fetch received
    assert count(POLLS, provider=name, outcome="ok") == 2
    assert count(POLLS, provider=name, outcome="not_modified") == 1
    baseline, change = rig.store.commits  # the 304 changed nothing, so it committed nothing
    assert baseline[0].baselined and baseline[1] == []
    assert set(baseline[0].components) == {"c-api", "c-db"}
    assert [e.kind for e in change[1]] == [EventKind.COMPONENT_CHANGED]
    assert change[0].components["c-db"].status is ComponentStatus.MAJOR_OUTAGE


async def test_while_no_format_reads_the_page_each_poll_fails_and_the_provider_stays_unknown(
    rig: Rig, name: str
) -> None:
    rig.page.mode = "html"
    rig.configure([auto_plan(rig, name)], [], {})

    with capture_logs() as logs:
        await rig.poller.poll(name)

    [state] = [s for _, s in rig.poller.states()]
    assert state is not None and not state.baselined and state.components == {}
    assert state.consecutive_failures == 1
    assert state.last_error is not None
    assert state.last_error.startswith(f"no known status-page format reads {rig.page.url} (tried: ")
    assert "statuspage" in state.last_error
    assert count(POLLS, provider=name, outcome="parse_error") == 1
    assert not [line for line in logs if line["event"] == "format_detected"]

    rig.page.mode = "json"
    await rig.poller.poll(name)

    [state] = [s for _, s in rig.poller.states()]
    assert state is not None and state.baselined and state.consecutive_failures == 0
    assert count(POLLS, provider=name, outcome="ok") == 1


async def test_the_first_sight_backfills_the_detected_formats_history(rig: Rig, name: str) -> None:
    rig.page.history = [incident("old1", "Last week's outage", status="resolved")]
    rig.configure([auto_plan(rig, name)], [], {})

    await rig.poller.poll(name)

    assert rig.page.history_hits == 1
    stored = await rig.store.incident_history(name, datetime(2000, 1, 1, tzinfo=UTC), 10)
    assert [(i.id, i.status) for i in stored] == [("old1", IncidentStatus.RESOLVED)]
