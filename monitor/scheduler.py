"""Ticks: deadlines on the event loop's monotonic clock, first runs spread over the interval.

Ticks are deadlines on `loop.time()` (the monotonic clock), never on wall time: a wall clock stepped
back an hour (NTP, a VM resumed, an operator's `date -s`) must not stop polling for that hour, and one
stepped forward must not fire a burst. Wall time is only for what people read (the poller's timestamps).

A provider's nominal ticks are `start + k * interval`; each fires `uniform(0, jitter)` after its
nominal time, so jitter spreads polls without lowering the rate. A tick that finds the provider's
previous poll still running is skipped with a `tick_skipped` warning (never two polls of one provider
at once), and ticks missed while the loop was stalled coalesce into one poll. The global cap on
concurrent fetches is the poller's.

The ticks of every provider wait in one heap of plain tuples, with one loop timer armed for the
earliest: 10,000 providers would otherwise put 10,000 handles in the event loop's own heap, whose
ordering is Python code, and every timer of every request would pay to sift through them.
"""

from __future__ import annotations

import asyncio
import heapq
import math
import random
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from itertools import count
from typing import Any

from monitor.logging import get_logger
from monitor.plan import ProviderPlan

log = get_logger(__name__)

_EARLY = 0.001  # seconds a tick may fire before its time: a timer is run up to the clock's resolution early


def first_run_offset(index: int, count: int, interval: float) -> float:
    """Spread n providers evenly over one interval, so 1,000 providers never fire in one burst."""
    return interval * index / max(count, 1)


@dataclass(slots=True)
class _Schedule:
    interval: float
    jitter: float  # at most half the interval
    deadline: float  # loop time of the next nominal tick
    at: float | None = None  # loop time the next tick fires (deadline plus jitter); None: not armed
    armed: int = 0  # the heap entry that is this schedule's current tick; any other is stale
    poll: asyncio.Task[None] | None = None  # the last poll started, to skip a tick while it runs


class Ticker:
    def __init__(
        self,
        job: Callable[[str], Coroutine[Any, Any, None]],
        *,
        uniform: Callable[[float, float], float] = random.uniform,
    ) -> None:
        self._job = job
        self._uniform = uniform
        self._schedules: dict[str, _Schedule] = {}
        self._ticks: list[tuple[float, int, str]] = []  # (fires at, entry number, provider), a heap
        self._entries = count(1)
        self._timer: asyncio.TimerHandle | None = None  # armed for the heap's earliest tick
        self._firing = False  # in `_due`, which arms the timer itself once the due ticks have fired
        self._polls: set[asyncio.Task[None]] = set()  # strong references until each poll ends
        self._running = False

    @property
    def running(self) -> bool:
        """Started and ticking: false again from `stop()` on."""
        return self._running

    def start(self, plans: Sequence[ProviderPlan]) -> None:
        self._running = True
        self.apply(plans)

    def apply(self, plans: Sequence[ProviderPlan]) -> None:
        """(Re)schedule: new providers are added, removed ones dropped, changed timings replaced.

        A provider whose timing changed keeps its running poll, so it is still never polled twice at once.
        """
        wanted = {p.config.name: (p.interval, min(p.jitter, p.interval / 2)) for p in plans}
        for name in self._schedules.keys() - wanted.keys():
            self._cancel(self._schedules.pop(name))
        now = asyncio.get_running_loop().time()
        ordered = sorted(wanted)
        for index, name in enumerate(ordered):
            interval, jitter = wanted[name]
            old = self._schedules.get(name)
            if old is not None and (old.interval, old.jitter) == (interval, jitter):
                continue
            if old is not None:
                self._cancel(old)
            start = now + first_run_offset(index, len(ordered), interval)
            schedule = _Schedule(interval, jitter, start, poll=old.poll if old else None)
            self._schedules[name] = schedule
            if self._running:
                self._arm(name, schedule, at=start)  # the first poll comes on time, unjittered

    def stop(self) -> None:
        """No new ticks from now on; polls already running go on, for the poller to drain."""
        self._running = False
        for schedule in self._schedules.values():
            self._cancel(schedule)
        self._ticks.clear()
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def shutdown(self) -> None:
        """Release everything: cancels the polls still running, so `stop()` and drain first."""
        self.stop()
        for task in self._polls:
            task.cancel()

    def _arm(self, name: str, schedule: _Schedule, at: float) -> None:
        schedule.at, schedule.armed = at, next(self._entries)
        heapq.heappush(self._ticks, (at, schedule.armed, name))
        if not self._firing and (self._timer is None or at < self._timer.when()):
            self._wake_at(at)

    @staticmethod
    def _cancel(schedule: _Schedule) -> None:
        """Its heap entry goes stale; it is dropped when it comes up."""
        schedule.at, schedule.armed = None, 0

    def _wake_at(self, at: float) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer = asyncio.get_running_loop().call_at(at, self._due)

    def _due(self) -> None:
        """Fire every tick whose time has come (the loop may run a timer up to its clock's resolution
        early: `_EARLY`), then sleep until the next one."""
        self._timer = None
        ticks, until = self._ticks, asyncio.get_running_loop().time() + _EARLY
        self._firing = True
        try:
            while ticks and ticks[0][0] <= until:
                _, entry, name = heapq.heappop(ticks)
                schedule = self._schedules.get(name)
                if schedule is not None and schedule.armed == entry:
                    self._fire(name, schedule)
        finally:
            self._firing = False
        if ticks and self._running:
            self._wake_at(ticks[0][0])

    def _fire(self, name: str, schedule: _Schedule) -> None:
        if schedule.poll is not None and not schedule.poll.done():
            log.warning("tick_skipped", provider=name, reason="the previous poll is still running")
        else:
            schedule.poll = asyncio.get_running_loop().create_task(self._job(name), name=f"poll:{name}")
            self._polls.add(schedule.poll)
            schedule.poll.add_done_callback(self._polls.discard)
        now = asyncio.get_running_loop().time()
        schedule.deadline += schedule.interval
        if schedule.deadline <= now:  # the loop stalled past whole intervals: one poll, not a burst
            schedule.deadline += schedule.interval * (
                1 + math.floor((now - schedule.deadline) / schedule.interval)
            )
        self._arm(name, schedule, at=schedule.deadline + self._uniform(0.0, schedule.jitter))
