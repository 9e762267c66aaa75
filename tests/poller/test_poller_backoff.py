"""Failure backoff: ticks are skipped after repeated failures, and a 429's Retry-After is honoured."""

from __future__ import annotations

import asyncio

import pytest

from monitor.model import ProviderState
from monitor.poller import MAX_BACKOFF_SECONDS, _backoff
from tests.poller.conftest import Rig
from tests.poller.metrics_reading import count

POLLS = "outage_monitor_polls_total"


@pytest.mark.parametrize(
    ("interval", "failures_before", "retry_after", "expected"),
    [
        (60.0, None, None, 0.0),  # no state yet: a first failure skips nothing
        (60.0, 0, None, 0.0),  # one failure may be a blip: the next tick tries again
        (60.0, 1, None, 60.0),  # second failure in a row: skip one interval
        (60.0, 2, None, 120.0),
        (60.0, 3, None, 240.0),
        (60.0, 7, None, 3600.0),  # 60 * 2**6 = 3840, capped
        (60.0, 5000, None, MAX_BACKOFF_SECONDS),  # a page dead for months: still capped, no overflow
        (60.0, 0, 90.0, 90.0),  # Retry-After counts from the first failure
        (60.0, 2, 30.0, 120.0),  # a longer backoff wins over a shorter Retry-After
        (60.0, 1, 7200.0, MAX_BACKOFF_SECONDS),  # Retry-After is capped too
        (0.5, 1, 0.0, 0.5),
    ],
)
def test_backoff_table(
    interval: float, failures_before: int | None, retry_after: float | None, expected: float
) -> None:
    state = None if failures_before is None else ProviderState("p", consecutive_failures=failures_before)
    assert _backoff(interval, state, retry_after) == expected


async def test_repeated_failures_skip_ticks_until_the_backoff_has_passed(rig: Rig, name: str) -> None:
    interval = 0.3
    rig.configure([rig.plan(name, interval=interval)], [], {})
    rig.page.mode = "html"

    await rig.poller.poll(name)
    await rig.poller.poll(name)  # a first failure skips nothing
    assert rig.page.hits == 2
    for _ in range(3):  # the second failure in a row backs off one interval
        await rig.poller.poll(name)
    assert rig.page.hits == 2
    assert count(POLLS, provider=name, outcome="parse_error") == 2

    await asyncio.sleep(interval + 0.05)
    rig.page.mode = "json"
    await rig.poller.poll(name)
    assert rig.page.hits == 3
    assert count(POLLS, provider=name, outcome="ok") == 1
    await rig.poller.poll(name)  # success clears the backoff at once
    assert rig.page.hits == 4


async def test_retry_after_of_a_429_is_respected_from_the_first_failure(rig: Rig, name: str) -> None:
    rig.configure([rig.plan(name, interval=0.05)], [], {})
    rig.page.mode, rig.page.retry_after = "429", "1"

    await rig.poller.poll(name)
    assert count(POLLS, provider=name, outcome="rate_limited") == 1
    await asyncio.sleep(0.2)  # several intervals, well inside Retry-After
    await rig.poller.poll(name)
    assert rig.page.hits == 1

    await asyncio.sleep(0.9)
    rig.page.mode = "json"
    await rig.poller.poll(name)
    assert rig.page.hits == 2
    assert count(POLLS, provider=name, outcome="ok") == 1
