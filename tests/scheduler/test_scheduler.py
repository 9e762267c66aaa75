"""Ticks: first runs spread over the interval, jitter that keeps the wanted rate, one poll per provider at
a time, reloads that add, drop and reschedule jobs, and a stop that lets running polls finish."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from itertools import pairwise

import pytest
from structlog.testing import capture_logs

from monitor.engine import Policy
from monitor.plan import ProviderPlan
from monitor.scheduler import Ticker, first_run_offset
from monitor.sources.statuspage import StatuspageConfig


def plan(name: str, interval: float, jitter: float = 0.0) -> ProviderPlan:
    config = StatuspageConfig(name=name, type="statuspage", url="http://127.0.0.1:9")
    return ProviderPlan(config=config, interval=interval, timeout=1.0, jitter=jitter, policy=Policy())


def first_ticks(ticker: Ticker) -> dict[str, float]:
    """Loop time of each provider's next tick, as armed."""
    return {n: s.at for n, s in ticker._schedules.items() if s.at is not None}


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
    now = asyncio.get_running_loop().time()
    ticker.start([plan(f"p{i:04d}", 60.0) for i in range(1000)])
    try:
        timers = first_ticks(ticker)
        assert len(timers) == 1000
        assert -0.5 <= min(timers.values()) - now < 0.5  # the first provider is polled at once
        first = min(timers.values())
        delays = [when - first for when in timers.values()]  # spread from the first tick, however late
        assert max(delays) < 60.0  # start itself took, under load
        per_second = Counter(int(d) for d in delays)
        assert len(per_second) >= 59  # every second of the minute has its share
        assert max(per_second.values()) <= 20  # 1000 / 60 is 16.7
    finally:
        ticker.shutdown()


async def test_a_thousand_providers_hold_one_timer_of_the_event_loop() -> None:
    """Their ticks wait in the ticker's own heap: the loop's heap, which every request's timeout
    sifts through, stays small."""
    loop = asyncio.get_running_loop()
    armed_before = sum(not h.cancelled() for h in vars(loop)["_scheduled"])
    ticker = Ticker(noop)
    ticker.start([plan(f"p{i:04d}", 60.0) for i in range(1000)])
    try:
        await asyncio.sleep(0.2)  # the first ticks fire and re-arm
        assert sum(not h.cancelled() for h in vars(loop)["_scheduled"]) - armed_before == 1
    finally:
        ticker.shutdown()
    assert sum(not h.cancelled() for h in vars(loop)["_scheduled"]) == armed_before


async def test_a_dropped_or_rescheduled_provider_leaves_no_tick_behind() -> None:
    recorder = Recorder()
    ticker = Ticker(recorder)
    ticker.start([plan("kept", 0.1), plan("dropped", 0.1), plan("slower", 0.1)])
    ticker.apply([plan("kept", 0.1), plan("slower", 0.25)])  # before "dropped" and "slower" first fire
    try:
        await asyncio.sleep(1.02)
    finally:
        ticker.shutdown()
    assert recorder.calls["dropped"] == 0
    assert recorder.calls["kept"] in (9, 10, 11)
    assert recorder.calls["slower"] in (4, 5)  # its old 0.1 s ticks are gone, not running beside


async def test_jitter_delays_each_tick_but_keeps_the_rate() -> None:
    """Each tick fires up to `jitter` after its nominal time and the next one counts from the nominal
    time, so even the latest possible jitter on every tick polls once per interval."""
    recorder = Recorder()
    ticker = Ticker(recorder, uniform=lambda low, high: high)  # always the latest moment
    ticker.start([plan("steady", 0.1), plan("jittery", 0.1, jitter=0.04), plan("wild", 0.1, jitter=0.5)])
    try:
        assert ticker._schedules["wild"].jitter == 0.05  # at most half the interval
        await asyncio.sleep(1.03)
    finally:
        ticker.shutdown()

    # 10 nominal ticks in 1.03 s (one fewer when a loaded machine delays the last past the window); a
    # period of interval + jitter (the drift this avoids) would give 7 for "wild"
    assert recorder.calls["steady"] in (9, 10, 11)
    assert recorder.calls["jittery"] in (9, 10, 11)
    assert recorder.calls["wild"] in (9, 10, 11)


async def test_apply_adds_drops_and_reschedules_only_what_changed() -> None:
    ticker = Ticker(noop)
    ticker.start([plan("a", 30.0), plan("b", 30.0), plan("c", 30.0)])
    try:
        before = first_ticks(ticker)

        ticker.apply([plan("b", 30.0), plan("c", 20.0), plan("d", 30.0)])

        after = first_ticks(ticker)
        assert set(after) == {"b", "c", "d"}
        assert after["b"] == before["b"]  # unchanged: left alone
        assert [ticker._schedules[n].interval for n in "bcd"] == [30.0, 20.0, 30.0]
        assert after["c"] != before["c"]

        ticker.apply([])
        assert first_ticks(ticker) == {}
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


REAL_DATETIME = datetime


class SteppedDatetime(datetime):
    """`datetime` whose `now()` is the real one plus `offset`: the wall clock of a host whose clock is
    stepped (NTP, a resumed VM, `date -s`), while the monotonic clock runs on untouched."""

    offset = timedelta(0)

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
        return REAL_DATETIME.now(tz) + cls.offset


@pytest.fixture
def wall_clock(monkeypatch: pytest.MonkeyPatch) -> type[SteppedDatetime]:
    """Step the wall clock of every loaded module that reads it through `datetime.now()`."""
    monkeypatch.setattr(SteppedDatetime, "offset", timedelta(0))
    for module in list(sys.modules.values()):
        if getattr(module, "datetime", None) is REAL_DATETIME:
            monkeypatch.setattr(module, "datetime", SteppedDatetime)
    return SteppedDatetime


async def test_polling_keeps_its_pace_when_the_wall_clock_steps_back_an_hour_or_ahead_a_day(
    wall_clock: type[SteppedDatetime],
) -> None:
    recorder = Recorder()
    ticker = Ticker(recorder)
    ticker.start([plan("a", 0.1)])
    try:
        await asyncio.sleep(0.35)
        calls = recorder.calls["a"]
        assert calls >= 1

        wall_clock.offset = timedelta(hours=-1)
        await asyncio.sleep(0.5)
        after_back = recorder.calls["a"]
        assert after_back - calls >= 4, "polling stopped when the wall clock stepped back"

        wall_clock.offset = timedelta(hours=24)  # +25 h from the step back
        await asyncio.sleep(0.5)
        assert 4 <= recorder.calls["a"] - after_back <= 6, "no pause and no burst of missed ticks"
    finally:
        ticker.shutdown()
