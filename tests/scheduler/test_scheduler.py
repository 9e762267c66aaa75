"""Ticks: first runs spread over the interval, jitter that keeps the wanted rate, one poll per provider at
a time, reloads that add, drop and reschedule jobs, and a stop that lets running polls finish."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest
from apscheduler.job import Job
from structlog.testing import capture_logs

from monitor.engine import Policy
from monitor.plan import ProviderPlan
from monitor.scheduler import Ticker, first_run_offset
from monitor.sources.statuspage import StatuspageConfig


def plan(name: str, interval: float, jitter: float = 0.0) -> ProviderPlan:
    config = StatuspageConfig(name=name, type="statuspage", url="http://127.0.0.1:9")
    return ProviderPlan(config=config, interval=interval, timeout=1.0, jitter=jitter, policy=Policy())


def jobs(ticker: Ticker) -> dict[str, Job]:
    return {job.id: job for job in ticker._scheduler.get_jobs()}


@dataclass
class Recorder:
    """An async job that records each call, how many ran at once per provider, and which finished."""

    sleep: dict[str, float] = field(default_factory=dict)
    calls: Counter[str] = field(default_factory=Counter)
    finished: Counter[str] = field(default_factory=Counter)
    running: Counter[str] = field(default_factory=Counter)
    most_at_once: Counter[str] = field(default_factory=Counter)
    started: defaultdict[str, asyncio.Event] = field(default_factory=lambda: defaultdict(asyncio.Event))

    async def __call__(self, name: str) -> None:
        self.calls[name] += 1
        self.started[name].set()
        self.running[name] += 1
        self.most_at_once[name] = max(self.most_at_once[name], self.running[name])
        try:
            await asyncio.sleep(self.sleep.get(name, 0.0))
            self.finished[name] += 1
        finally:
            self.running[name] -= 1


async def noop(name: str) -> None:
    return None


@pytest.mark.parametrize("count", [1, 7, 60, 1000])
def test_first_run_offsets_are_evenly_spread_over_one_interval(count: int) -> None:
    interval = 60.0
    offsets = [first_run_offset(i, count, interval) for i in range(count)]
    assert offsets[0] == 0.0
    assert all(0.0 <= o < interval for o in offsets)
    gaps = {round(b - a, 9) for a, b in pairwise(offsets)}
    assert gaps <= {round(interval / count, 9)}
    per_second = Counter(int(o) for o in offsets)
    assert max(per_second.values()) <= -(-count // int(interval))  # ceil(count / 60): no burst


async def test_a_thousand_providers_start_spread_over_the_interval_without_a_burst() -> None:
    ticker = Ticker(noop)
    now = datetime.now(UTC)
    ticker.start([plan(f"p{i:04d}", 60.0) for i in range(1000)])
    try:
        scheduled = jobs(ticker)
        assert len(scheduled) == 1000
        delays = [(j.next_run_time - now).total_seconds() for j in scheduled.values()]
        assert -0.5 <= min(delays) < 0.5  # the first provider is polled at once
        assert max(delays) < 60.0
        per_second = Counter(int(d) for d in delays)
        assert len(per_second) >= 59  # every second of the minute has its share
        assert max(per_second.values()) <= 20  # 1000 / 60 is 16.7
    finally:
        ticker.shutdown()


async def test_jobs_run_one_at_a_time_coalesce_and_keep_the_rate_under_jitter() -> None:
    ticker = Ticker(noop)
    ticker.start([plan("steady", 10.0), plan("jittery", 10.0, jitter=2.0), plan("wild", 10.0, jitter=8.0)])
    try:
        scheduled = jobs(ticker)
        for job in scheduled.values():
            assert job.max_instances == 1
            assert job.coalesce is True
            assert job.misfire_grace_time is None
            assert job.args == (job.id,)
        assert scheduled["steady"].trigger.interval == timedelta(seconds=10)
        assert scheduled["steady"].trigger.jitter is None
        # uniform(0, j) is added to each run and the next one counts from there: mean period = interval
        assert scheduled["jittery"].trigger.interval == timedelta(seconds=9)
        assert scheduled["jittery"].trigger.jitter == 2.0
        assert scheduled["wild"].trigger.jitter == 5.0  # at most half the interval
        assert scheduled["wild"].trigger.interval == timedelta(seconds=7.5)
    finally:
        ticker.shutdown()


async def test_apply_adds_drops_and_reschedules_only_what_changed() -> None:
    ticker = Ticker(noop)
    ticker.start([plan("a", 30.0), plan("b", 30.0), plan("c", 30.0)])
    try:
        before = jobs(ticker)

        ticker.apply([plan("b", 30.0), plan("c", 20.0), plan("d", 30.0)])

        after = jobs(ticker)
        assert set(after) == {"b", "c", "d"}
        assert after["b"].next_run_time == before["b"].next_run_time  # unchanged: left alone
        assert after["b"].trigger.interval == timedelta(seconds=30)
        assert after["c"].trigger.interval == timedelta(seconds=20)
        assert after["d"].trigger.interval == timedelta(seconds=30)

        ticker.apply([])
        assert jobs(ticker) == {}
    finally:
        ticker.shutdown()


async def test_a_short_run_polls_each_provider_repeatedly_never_twice_at_once() -> None:
    recorder = Recorder(sleep={"slow": 0.5})  # takes longer than its interval
    ticker = Ticker(recorder)
    ticker.start([plan("fast-1", 0.2), plan("fast-2", 0.2, jitter=0.04), plan("slow", 0.2)])
    try:
        await asyncio.sleep(1.3)
    finally:
        ticker.stop()

    assert recorder.calls["fast-1"] >= 5
    assert recorder.calls["fast-2"] >= 5
    assert 2 <= recorder.calls["slow"] <= 3
    assert set(recorder.most_at_once.values()) == {1}
    ticker.shutdown()


async def test_a_skipped_tick_is_one_structured_warning_not_plain_text(
    caplog: pytest.LogCaptureFixture,
) -> None:
    recorder = Recorder(sleep={"slow": 0.35})
    ticker = Ticker(recorder.__call__)
    with capture_logs() as logged, caplog.at_level(logging.DEBUG):
        ticker.start([plan("slow", 0.1)])
        await asyncio.sleep(0.5)
        ticker.stop()
    ticker.shutdown()

    skipped = [entry for entry in logged if entry["event"] == "tick_skipped"]
    assert skipped and all(entry["provider"] == "slow" for entry in skipped)
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


async def test_stop_ends_the_ticks_and_lets_a_running_poll_finish() -> None:
    recorder = Recorder(sleep={"a": 0.3})
    ticker = Ticker(recorder)
    ticker.start([plan("a", 0.1), plan("b", 0.1)])
    await asyncio.wait_for(recorder.started["a"].wait(), 5)

    ticker.stop()
    assert not ticker.running
    calls = recorder.calls.copy()
    await asyncio.sleep(0.5)

    assert recorder.calls == calls, "ticked after stop()"
    assert recorder.finished["a"] == calls["a"], "the running poll was cancelled"
    ticker.shutdown()
    await asyncio.sleep(0.3)
    assert recorder.calls == calls
