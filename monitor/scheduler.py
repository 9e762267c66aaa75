"""Ticks: one APScheduler job per provider, first runs spread over the interval, with jitter.

`max_instances=1` means a provider is never polled twice at once (a tick that finds the previous
poll still running is skipped); `coalesce` means a stalled loop catches up with one poll, not many.
The global cap on concurrent fetches is the poller's semaphore.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta

from apscheduler.events import EVENT_JOB_MAX_INSTANCES, JobSubmissionEvent
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.schedulers.base import STATE_RUNNING
from apscheduler.triggers.interval import IntervalTrigger

from monitor.logging import get_logger
from monitor.plan import ProviderPlan

log = get_logger(__name__)

# APScheduler logs through the standard library in plain text, which would break a stream of JSON log
# lines; its one warning worth keeping, a skipped tick, is logged by `Ticker` itself instead.
logging.getLogger("apscheduler").setLevel(logging.ERROR)


def first_run_offset(index: int, count: int, interval: float) -> float:
    """Spread n providers evenly over one interval, so 1,000 providers never fire in one burst."""
    return interval * index / max(count, 1)


class Ticker:
    def __init__(self, job: Callable[[str], Awaitable[None]]) -> None:
        self._job = job
        self._scheduler = AsyncIOScheduler(
            timezone=UTC,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )
        self._scheduler.add_listener(_skipped, EVENT_JOB_MAX_INSTANCES)
        self._plans: dict[str, tuple[float, float]] = {}  # name -> (interval, jitter) as scheduled

    @property
    def running(self) -> bool:
        """Started and ticking: false again from `stop()` on."""
        return bool(self._scheduler.state == STATE_RUNNING)

    def start(self, plans: Sequence[ProviderPlan]) -> None:
        self.apply(plans)
        self._scheduler.start()

    def apply(self, plans: Sequence[ProviderPlan]) -> None:
        """(Re)schedule: new providers are added, removed ones dropped, changed timings replaced."""
        wanted = {p.config.name: (p.interval, p.jitter) for p in plans}
        for name in self._plans.keys() - wanted.keys():
            self._scheduler.remove_job(name)
        now = datetime.now(UTC)
        ordered = sorted(wanted)
        for index, name in enumerate(ordered):
            if self._plans.get(name) == wanted[name]:
                continue
            interval, jitter = wanted[name]
            start = now + timedelta(seconds=first_run_offset(index, len(ordered), interval))
            jitter = min(jitter, interval / 2)
            # APScheduler adds uniform(0, jitter) to each run and counts the next interval from there,
            # so the trigger's period is shortened by the mean jitter to keep the wanted poll rate.
            period = interval - jitter / 2
            self._scheduler.add_job(
                self._tick,
                IntervalTrigger(seconds=period, start_date=start, jitter=jitter or None, timezone=UTC),
                next_run_time=start,  # else a start_date of "now" is rounded up by a whole interval
                args=[name],
                id=name,
                name=f"poll {name}",
                replace_existing=True,
            )
        self._plans = wanted

    def stop(self) -> None:
        """No new ticks from now on; polls already running go on, for the poller to drain."""
        if self.running:
            self._scheduler.pause()

    def shutdown(self) -> None:
        """Release the scheduler. It cancels the polls still running, so `stop()` and drain first."""
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)

    async def _tick(self, name: str) -> None:
        """The job APScheduler runs: always a coroutine function, so it runs on the loop, never in a
        thread (APScheduler would hand any other callable, even one returning a coroutine, to a thread)."""
        await self._job(name)


def _skipped(event: JobSubmissionEvent) -> None:
    log.warning("tick_skipped", provider=event.job_id, reason="the previous poll is still running")
