"""The daemon's one committer: runs the alerting stage after each poll that brought events, and on its own
when a held group, a silence or a time interval is due to change what goes out; every state commit goes
through here too.

Each evaluation reads the silences from the store (the CLI and the API write them there, so a silence takes
effect at the next evaluation, whoever added it), steps the stage, and commits the provider's state, its
events, the notifications and the stage's change in ONE store transaction (see monitor/alerting/stage.py).

When the store cannot be written (a full disk, a read-only directory), nothing is silent and the outage
still reaches people: the failure counts in the store health (/readyz, a metric, one log line per streak),
the stage's memory moves on anyway (what was read is what is acted on, so the same news is not evaluated
again), the notifications are sent from memory (monitor/held.py) with the ids they would have had, and
the events, notifications and alerting change are kept and committed with the next commit that
succeeds, those already sent recorded as delivered or dead so nobody is paged twice.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from uuid import uuid4

from monitor import metrics
from monitor.alerting.silences import Silence
from monitor.alerting.stage import AlertingStage, Rules
from monitor.held import HeldNotifications
from monitor.logging import get_logger
from monitor.model import Event, Maintenance, Notification, ProviderState
from monitor.silencing import all_silences
from monitor.store.base import AlertingChange, FencedError, Store
from monitor.store.health import WRITE_ERRORS, StoreHealth

log = get_logger(__name__)

MAX_IDLE_SECONDS = 30.0  # evaluate at least this often: a silence added elsewhere may end before then


def new_notification_id() -> str:
    """Unique per notification and kept across retries: receivers use it as an idempotency key."""
    return f"msg_{uuid4().hex}"


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class _Unsaved:
    """What commits that failed would have written: committed with the next one that succeeds."""

    events: list[Event] = field(default_factory=list)
    notifications: list[Notification] = field(default_factory=list)
    change: AlertingChange = field(default_factory=AlertingChange)


class Evaluator:
    def __init__(
        self,
        store: Store,
        stage: AlertingStage,
        *,
        on_queued: Callable[[], None],
        clock: Callable[[], datetime] = utcnow,
        health: StoreHealth | None = None,
        held: HeldNotifications | None = None,
        on_unsaved: Callable[[], None] | None = None,
    ) -> None:
        self._store = store
        self._stage = stage
        self._on_queued = on_queued
        self._clock = clock
        self._health = health or StoreHealth()
        self._held = held or HeldNotifications()
        # A replica of a shared store (monitor/leadership.py): a commit that fails may mean another replica
        # leads now, so nothing is kept or sent from memory; the term ends and the next starts from the store.
        self._on_unsaved = on_unsaved
        self._unsaved = _Unsaved()
        self._silences: list[Silence] = []
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

    def announce(self, provider: str, maintenances: tuple[Maintenance, ...]) -> None:
        """A provider's scheduled maintenances, from each poll that read its page: reminders are due
        from them, and evaluated at once when they changed."""
        if self._stage.announce(provider, maintenances, self._clock()):
            self._wake.set()

    def wake(self) -> None:
        """Evaluate now (a silence was added or expired)."""
        self._asked = True
        self._wake.set()

    async def commit(
        self, state: ProviderState | None, events: Sequence[Event], *, evaluate: bool | None = None
    ) -> bool:
        """Commit `state` (when given) and `events` with what evaluating them queues, atomically; whether
        it was written. Evaluates when there are events (or `evaluate` says so: the timer)."""
        evaluating = bool(events) if evaluate is None else evaluate
        async with self._stage.lock:
            now = self._clock()
            done = None
            if evaluating:
                done = self._stage.step(events, await self._read_silences(), now, new_notification_id)
            notifications = done.notifications if done else []
            change = done.change if done else AlertingChange()
            unsaved = self._unsaved
            try:
                await self._store.commit(
                    state,
                    [*unsaved.events, *events],
                    [*unsaved.notifications, *notifications],
                    unsaved.change.then(change),
                    self._held.settled(n.id for n in unsaved.notifications),
                )
            except WRITE_ERRORS as error:
                if isinstance(error, FencedError):
                    log.warning("commit_fenced", error=str(error))
                else:
                    self._health.failed("commit", error)
                if self._on_unsaved is not None:
                    self._on_unsaved()
                    notifications = []
                else:
                    self._unsaved = _Unsaved(
                        [*unsaved.events, *events],
                        [*unsaved.notifications, *notifications],
                        unsaved.change.then(change),
                    )
                    self._held.hold(notifications)
                saved = False
            else:
                self._health.succeeded("commit")
                self._held.forget({n.id for n in unsaved.notifications})
                self._unsaved = _Unsaved()
                saved = True
            if done is not None:
                self._stage.apply(done)
        if done is not None:
            metrics.record_alerts(done.counts, self._silences, now)
            if done.next_wakeup is not None:
                self._wake.set()  # the timer loop recomputes how long to sleep
        if notifications or (saved and unsaved.notifications):
            self._on_queued()  # to the outbox or to memory: the dispatcher has work
        return saved

    async def touch(self, beats: dict[str, ProviderState]) -> bool:
        """Write the poller's batched heartbeats (`Store.touch`), taking (and emptying) `beats` under the
        commit lock: a provider's beat taken before its commit is written before it, never over it.
        Whether it was written; a failure loses only poll times, the next beats carry newer ones."""
        async with self._stage.lock:
            states = list(beats.values())
            beats.clear()
            try:
                await self._store.touch(states)
            except WRITE_ERRORS as error:
                if isinstance(error, FencedError):
                    log.warning("touch_fenced", error=str(error))
                else:
                    self._health.failed("commit", error)
                return False
        self._health.succeeded("commit")
        return True

    async def _read_silences(self) -> list[Silence]:
        """The silences in the store; the last ones read when the store cannot be read."""
        try:
            self._silences = await all_silences(self._store)
        except WRITE_ERRORS as error:
            log.warning("silences_unreadable", error=str(error))
        return self._silences

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
                await self.commit(None, (), evaluate=True)
            except Exception:  # a bug, not the store (that is handled): keep evaluating
                log.exception("evaluation_crashed")

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()

    def _due(self) -> bool:
        wakeup = self._stage.next_wakeup
        return wakeup is not None and wakeup <= self._clock()
