"""Runs the alerting stage for the daemon: after each poll that brought events, and on its own when a held
group, a silence or a time interval is due to change what goes out.

Each evaluation reads the silences from the store (the CLI and the API write them there, so a silence takes
effect at the next evaluation, whoever added it), steps the stage, and commits the provider's state, its
events, the notifications and the stage's change in ONE store transaction; only then does the stage's
memory move on (see monitor/alerting/stage.py).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from uuid import uuid4

from monitor import metrics
from monitor.alerting.stage import AlertingStage, Rules
from monitor.logging import get_logger
from monitor.model import Event, ProviderState
from monitor.silencing import all_silences
from monitor.store.base import Store

log = get_logger(__name__)

MAX_IDLE_SECONDS = 30.0  # evaluate at least this often: a silence added elsewhere may end before then


def new_notification_id() -> str:
    """Unique per notification and kept across retries: receivers use it as an idempotency key."""
    return f"msg_{uuid4().hex}"


def utcnow() -> datetime:
    return datetime.now(UTC)


class Evaluator:
    def __init__(
        self,
        store: Store,
        stage: AlertingStage,
        *,
        on_queued: Callable[[], None],
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._store = store
        self._stage = stage
        self._on_queued = on_queued
        self._clock = clock
        self._wake = asyncio.Event()
        self._asked = False  # wake() asked for an evaluation, not just a new look at the timer
        self._stopping = asyncio.Event()

    @property
    def stage(self) -> AlertingStage:
        return self._stage

    def configure(self, rules: Rules) -> None:
        """A reloaded config: the next evaluation uses its routes, dependencies and intervals."""
        self._stage.rules = rules
        self._wake.set()

    def wake(self) -> None:
        """Evaluate now (a silence was added or expired)."""
        self._asked = True
        self._wake.set()

    async def commit(self, state: ProviderState | None, events: Sequence[Event]) -> None:
        """Evaluate `events` and commit them with `state` (when given) and what they queue, atomically."""
        async with self._stage.lock:
            silences = await all_silences(self._store)
            done = self._stage.step(events, silences, self._clock(), new_notification_id)
            await self._store.commit(state, events, done.notifications, done.change)
            self._stage.apply(done)
        metrics.record_alerts(done.counts, silences, self._clock())
        if done.notifications:
            self._on_queued()
        if done.next_wakeup is not None:
            self._wake.set()  # the timer loop recomputes how long to sleep

    async def run(self) -> None:
        """Evaluate whenever the stage asked to be looked at again, until `stop()`."""
        while not self._stopping.is_set():
            self._wake.clear()
            wakeup = self._stage.next_wakeup
            delay = MAX_IDLE_SECONDS
            if wakeup is not None:
                delay = min(delay, max((wakeup - self._clock()).total_seconds(), 0.0))
            if delay > 0:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(delay):
                        await self._wake.wait()
                if self._stopping.is_set():
                    return
                if self._wake.is_set() and not self._due() and not self._asked:
                    continue  # woken to recompute the sleep, nothing due yet
            self._asked = False
            try:
                await self.commit(None, ())
            except Exception as error:  # a store failure: keep going, the next evaluation redoes it
                log.error("evaluation_failed", error=f"{type(error).__name__}: {error}")

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()

    def _due(self) -> bool:
        wakeup = self._stage.next_wakeup
        return wakeup is not None and wakeup <= self._clock()
