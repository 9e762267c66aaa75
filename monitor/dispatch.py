"""Drains the outbox: the ONLY place that knows retries, backoff, Retry-After, rate limits and dead letters.

One worker per configured notifier, so a slow or failing service never delays another's pages.
A worker claims its due notifications (the store keeps them in enqueue order per alert group, so a
resolve never overtakes its trigger, and each send gets the receipt its predecessor returned), sends
them one at a time at least `min_interval` apart, and records each outcome. Delivery is at least
once: a send cut short by a crash or a stop timeout stays pending and goes out again.

Clocks. The outbox's times (created, next attempt) are wall time, for people and across restarts;
the wall clock can be stepped (NTP, a resumed VM, `date -s`), so the dispatcher never lets a step
decide anything on its own:
- Due times are compared with a wall clock that never goes back in this process (`_outbox_now`):
  after a backward step it goes on from where it was, by the monotonic clock, so notifications
  committed before the step, and retries scheduled before it, are not held back by the step.
- Age (for `max_age`) is measured on the monotonic clock from the moment this process first claims
  a notification, plus the age its wall times gave at that moment. That wall age is never negative
  (a clock stepped back makes nothing younger than new) and, for a notification created since this
  dispatcher started (created_at not before the start's wall time), never more than the time since
  the start (a forward step cannot make it older than the process). A notification from before the
  start (a restart) can only be aged by wall time; it is dead-lettered for age only after this
  process tried it once and failed, like any other.
"""

from __future__ import annotations

import asyncio
import random
import time
import traceback
from collections.abc import Callable, Mapping
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Protocol

from monitor import metrics
from monitor.held import HeldNotifications
from monitor.logging import get_logger
from monitor.model import Notification
from monitor.notify.base import Delivery, Notifier, Outcome
from monitor.store.base import Store
from monitor.store.health import WRITE_ERRORS, StoreHealth

log = get_logger(__name__)


def utc_now() -> datetime:
    return datetime.now(UTC)


def retry_delay(
    failures: int,
    retry_after: float | None,
    *,
    base_delay: float,
    max_delay: float,
    uniform: Callable[[float, float], float] = random.uniform,
) -> float:
    """Seconds to wait after the `failures`-th failed attempt (1 for the first).

    Jittered exponential backoff, `uniform(base_delay, cap)` with `cap = min(max_delay,
    base_delay * 2**failures)` (never below base_delay), so retries of many notifications spread
    out instead of hitting a recovering service together; then never sooner than `retry_after`,
    which the service asked for (and which may exceed max_delay).
    """
    cap = max(base_delay, min(max_delay, base_delay * 2 ** min(failures, 32)))
    return max(uniform(base_delay, cap), retry_after or 0.0)


class Ledger(Protocol):
    """Where a delivery attempt's outcome is recorded: the store, or memory for held notifications."""

    async def mark_delivered(
        self, notification_id: str, now: datetime, receipt: Mapping[str, str] | None = None
    ) -> None: ...

    async def mark_retry(self, notification_id: str, next_attempt_at: datetime, error: str) -> None: ...

    async def mark_dead(self, notification_id: str, now: datetime, reason: str) -> None: ...


@dataclass(frozen=True, slots=True)
class _Worker:
    task: asyncio.Task[None]
    wake: asyncio.Event  # set by wake() and stop(): claim now instead of after poll_interval


class Dispatcher:
    def __init__(
        self,
        store: Store,
        notifiers: Mapping[str, Notifier],
        *,
        max_age: float = 86400,
        base_delay: float = 2.0,
        max_delay: float = 600,
        lease_seconds: float = 60,
        poll_interval: float = 1.0,
        batch: int = 100,
        clock: Callable[[], datetime] = utc_now,
        monotonic: Callable[[], float] = time.monotonic,
        health: StoreHealth | None = None,
    ) -> None:
        self._store = store
        self._health = health or StoreHealth()
        self.held = HeldNotifications()  # the poller's, for notifications whose commit failed
        self._notifiers = dict(notifiers)
        self._max_age = max_age
        self._base_delay = base_delay
        self._max_delay = max_delay
        self._lease_seconds = lease_seconds
        self._poll_interval = poll_interval
        self._batch = batch
        self._clock = clock
        self._monotonic = monotonic
        self._started = (clock(), monotonic())
        self._outbox_clock = self._started  # the last (wall, monotonic) reading of `_outbox_now`
        self._births: dict[str, float] = {}  # notification id -> monotonic time it was created
        self._workers: dict[str, _Worker] = {}
        self._running = False
        self._stopping = asyncio.Event()

    async def run(self) -> None:
        """Deliver until `stop()`; cancelling run() cancels the sends in flight too."""
        if self._running:
            raise RuntimeError("dispatcher is already running")
        self._running = True
        await self._store.release_leases()
        await self.report_stranded()
        self._start_workers()
        try:
            await self._stopping.wait()
            live = [worker.task for worker in self._workers.values()]
            if live:
                await asyncio.wait(live)  # stop() bounds how long this takes
        finally:
            tasks = [worker.task for worker in self._workers.values()]  # left only if run() was cancelled
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            self._running = False

    def wake(self) -> None:
        """Look for due notifications now instead of at the next poll (call after each commit)."""
        for worker in self._workers.values():
            worker.wake.set()

    def replace_notifiers(self, notifiers: Mapping[str, Notifier]) -> None:
        """Config reload: new names get a worker, removed names stop after their current send
        (their notifications stay pending), kept names use the new instance from the next send on."""
        self._notifiers = dict(notifiers)
        if self._running and not self._stopping.is_set():
            self._start_workers()
        self.wake()

    async def report_stranded(self) -> dict[str, int]:
        """Warn about pending notifications whose notifier is no longer configured: they are kept (never
        deleted unsent) and go out if the notifier comes back, but nobody is delivering them now."""
        stranded = {
            name: count
            for name, count in (await self._store.pending_by_notifier()).items()
            if name not in self._notifiers
        }
        if stranded:
            log.warning("notifications_stranded", notifiers=stranded, configured=sorted(self._notifiers))
        return stranded

    async def stop(self, timeout: float = 10.0) -> None:
        """Claim nothing more, let the sends in flight finish for up to `timeout` seconds, cancel
        the rest. Claimed notifications not yet sent stay pending (the store frees their leases on open)."""
        self._stopping.set()
        self.wake()
        in_flight = [worker.task for worker in self._workers.values() if not worker.task.done()]
        if not in_flight:
            return
        _done, unfinished = await asyncio.wait(in_flight, timeout=timeout)
        if unfinished:
            names = sorted(task.get_name().removeprefix("dispatch:") for task in unfinished)
            log.warning("dispatch_stop_timeout", notifiers=names, timeout=timeout)
            for task in unfinished:
                task.cancel()
            await asyncio.gather(*unfinished, return_exceptions=True)

    def _start_workers(self) -> None:
        for name in self._notifiers:
            worker = self._workers.get(name)
            # A done task is a worker that saw its name removed and exited: a re-added name needs a new one.
            if worker is None or worker.task.done():
                metrics.declare_notifier(name)
                wake = asyncio.Event()
                task = asyncio.create_task(self._work(name, wake), name=f"dispatch:{name}")
                task.add_done_callback(partial(self._forget, name))
                self._workers[name] = _Worker(task, wake)

    def _forget(self, name: str, task: asyncio.Task[None]) -> None:
        worker = self._workers.get(name)
        if worker is not None and worker.task is task:
            del self._workers[name]
        if not task.cancelled() and (exc := task.exception()) is not None:
            log.error("dispatch_worker_crashed", notifier=name, error=type(exc).__name__)

    async def _work(self, name: str, wake: asyncio.Event) -> None:
        next_send = 0.0  # monotonic time before which this notifier must not send again
        while not self._stopping.is_set() and name in self._notifiers:
            wake.clear()  # before claiming: a wake() during the batch triggers the next claim
            claimed: list[Notification] = []
            try:
                while next_send >= 0 and (held := self.held.take_due(name, self._outbox_now())) is not None:
                    self._note_birth(held)
                    next_send = await self._send(name, held, next_send, self.held)
                claimed = await self._claim(name) if next_send >= 0 else []
                for notification in claimed:
                    self._note_birth(notification)
                for notification in claimed:
                    next_send = await self._send(name, notification, next_send, self._store)
                    if next_send < 0:
                        break
                metrics.outbox_pending.set(await self._store.pending_count())
            except Exception as exc:
                # A store failure: the claimed notifications stay leased and come back when the
                # lease expires. Keep going; the next poll may find the database healthy again.
                log.error("dispatch_failed", notifier=name, error=f"{type(exc).__name__}: {exc}")
                claimed = []
            if len(claimed) < self._batch:
                with suppress(TimeoutError):
                    async with asyncio.timeout(self._poll_interval):
                        await wake.wait()

    async def _claim(self, name: str) -> list[Notification]:
        try:
            claimed = await self._store.claim_due(
                self._outbox_now(), self._batch, self._lease_seconds, notifiers=(name,)
            )
        except WRITE_ERRORS as exc:
            self._health.failed("claim", exc)
            raise
        self._health.succeeded("claim")
        return claimed

    async def _send(self, name: str, notification: Notification, next_send: float, ledger: Ledger) -> float:
        """Deliver one after `next_send` (monotonic); the next send's earliest time, or -1 when
        stopping or the notifier was removed."""
        if not await self._wait_until(next_send):
            return -1.0
        notifier = self._notifiers.get(name)  # after the wait: a reload may have swapped it
        if notifier is None:
            return -1.0
        next_send = self._monotonic() + notifier.min_interval
        if ledger is self._store:
            try:
                await self._deliver(notifier, notification, ledger)
            except WRITE_ERRORS as exc:
                self._health.failed("mark", exc)
                raise
            self._health.succeeded("mark")
        else:
            await self._deliver(notifier, notification, ledger)
        return next_send

    async def _wait_until(self, deadline: float) -> bool:
        """Sleep until the monotonic `deadline`; False when stop() comes first."""
        while not self._stopping.is_set():
            remaining = deadline - self._monotonic()
            if remaining <= 0:
                return True
            with suppress(TimeoutError):
                async with asyncio.timeout(remaining):
                    await self._stopping.wait()
        return False

    async def _deliver(self, notifier: Notifier, notification: Notification, ledger: Ledger) -> None:
        try:
            delivery = await notifier.send(notification)
        except Exception as exc:
            # The message may quote a URL with a token: log the type and where it was raised.
            frame = traceback.extract_tb(exc.__traceback__)[-1]
            where = f"{Path(frame.filename).name}:{frame.lineno} in {frame.name}"
            log.error(
                "notifier_raised",
                notifier=notification.notifier,
                id=notification.id,
                error=type(exc).__name__,
                where=where,
            )
            delivery = Delivery(Outcome.RETRY, f"notifier raised {type(exc).__name__} at {where}")
        # the one gate to the stored error and the log lines, whatever a notifier put in its detail
        delivery = delivery._replace(detail=notifier.secrets.scrub(delivery.detail))
        now = self._clock()
        attempt = notification.attempts + 1
        if delivery.outcome is not Outcome.RETRY:
            self._births.pop(notification.id, None)
        if delivery.outcome is Outcome.DELIVERED:
            await ledger.mark_delivered(notification.id, now, delivery.receipt)
            metrics.notifications_total.labels(notifier=notification.notifier, outcome="delivered").inc()
            latency = (now - notification.created_at).total_seconds()
            metrics.notification_latency_seconds.observe(max(latency, 0.0))
            log.info(
                "notification_delivered",
                notifier=notification.notifier,
                id=notification.id,
                group=notification.message.group_key,
                attempt=attempt,
                durable=ledger is self._store,
            )
            return
        if delivery.outcome is Outcome.PERMANENT:
            await self._dead(notification, now, f"permanent failure: {delivery.detail}", ledger)
            return
        age = self._age(notification)
        if age > self._max_age:
            self._births.pop(notification.id, None)
            reason = (
                f"too old to retry ({age:.0f}s > max_age {self._max_age:.0f}s) "
                f"after {attempt} attempt(s): {delivery.detail}"
            )
            await self._dead(notification, now, reason, ledger)
            return
        delay = retry_delay(
            attempt, delivery.retry_after, base_delay=self._base_delay, max_delay=self._max_delay
        )
        due = self._outbox_now() + timedelta(seconds=delay)
        await ledger.mark_retry(notification.id, due, delivery.detail)
        metrics.notifications_total.labels(notifier=notification.notifier, outcome="retried").inc()
        log.info(
            "notification_retry",
            notifier=notification.notifier,
            id=notification.id,
            group=notification.message.group_key,
            attempt=attempt,
            delay=round(delay, 3),
            detail=delivery.detail,
        )

    def _outbox_now(self) -> datetime:
        """Wall time that never goes back in this process: after a backward step, where it was plus
        the monotonic time since (see the module docstring)."""
        wall, mono = self._clock(), self._monotonic()
        last_wall, last_mono = self._outbox_clock
        if wall < last_wall:
            wall = last_wall + timedelta(seconds=max(mono - last_mono, 0.0))
        self._outbox_clock = (wall, mono)
        return wall

    def _note_birth(self, notification: Notification) -> None:
        """On first claim in this process: when it was created, on the monotonic clock (module docstring)."""
        if notification.id in self._births:
            return
        mono = self._monotonic()
        age = max((self._clock() - notification.created_at).total_seconds(), 0.0)
        started_wall, started_mono = self._started
        if notification.created_at >= started_wall:
            age = min(age, mono - started_mono)
        self._births[notification.id] = mono - age

    def _age(self, notification: Notification) -> float:
        return self._monotonic() - self._births[notification.id]

    async def _dead(self, notification: Notification, now: datetime, reason: str, ledger: Ledger) -> None:
        await ledger.mark_dead(notification.id, now, reason)
        metrics.notifications_total.labels(notifier=notification.notifier, outcome="dead").inc()
        log.warning(
            "notification_dead",
            notifier=notification.notifier,
            id=notification.id,
            group=notification.message.group_key,
            attempts=notification.attempts + 1,
            reason=reason,
        )
