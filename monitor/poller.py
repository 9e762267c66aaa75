"""One poll of one provider, end to end: fetch -> engine -> alerting and one store commit -> wake delivery.

The poller keeps each provider's last snapshot and state in memory so that a 304 costs no parse,
and writes to the store only when the state changed in substance (or events were emitted): a
quiet poll costs no database work. So that `status` and other replicas see recent poll times, each
provider's state is also written every `HEARTBEAT_SECONDS`, as a heartbeat: queued, and written with
every other provider's queued heartbeats in one transaction at most every `BEAT_BATCH_SECONDS`
(a commit per heartbeat was 33 commits a second at 10,000 providers).

Fetch slots are fair to healthy providers: at most `max_concurrent` fetches are in flight, and a
provider whose last poll failed (consecutive_failures > 0, whether in backoff or not) also needs one
of the few failing slots (`failing_slots`, a quarter of the cap). Pages that never answer then hold
at most a quarter of the cap for their whole timeout, and a healthy provider's poll finds a slot at
once instead of queueing behind them (with 1,000 dead pages and a cap of 50, an outage on a healthy
page took 81 s to be seen). Failing providers are polled more slowly in exchange, which their backoff
does anyway. A provider not yet known to fail (its first poll, no stored state) counts as healthy;
with a cap of 1 there is nothing to split.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, get_args

from monitor import metrics
from monitor.engine import diff, scheduled
from monitor.errors import PollOutcome
from monitor.fetch import HttpClient, NotModified
from monitor.logging import get_logger
from monitor.model import Event, PollFailure, ProviderState, Snapshot
from monitor.plan import ProviderPlan
from monitor.recorder import Recorder
from monitor.sources import Source, build_source
from monitor.sources.read import read_page
from monitor.store.base import Store

if TYPE_CHECKING:
    from monitor.evaluator import Evaluator

log = get_logger(__name__)

_OUTCOMES = ("ok", "not_modified", *get_args(PollOutcome))  # every value of polls_total's outcome label
MAX_BACKOFF_SECONDS = 3600.0
HEARTBEAT_SECONDS = 300.0  # persist last-poll times at least this often, so `status` is never far behind
BEAT_BATCH_SECONDS = 10.0  # heartbeats are written together, in one transaction at most this often
FAILING_SHARE = 0.25  # of the fetch slots that providers whose last poll failed may hold at once
VANISHED_COMPONENTS_MIN = 3  # a page that had at least this many components and now has none is warned about


_NO_GATE = contextlib.nullcontext()  # a healthy provider's fetch needs no failing slot


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(slots=True)
class _Runtime:
    plan: ProviderPlan
    source: Source
    state: ProviderState | None = None
    snapshot: Snapshot | None = None
    state_from: Snapshot | None = None  # the snapshot `state` was derived from, once committed
    calm: bool = False  # `settled(state)`, kept as long as only poll times change
    persisted_at: float = 0.0
    unsaved: bool = False  # the last commit failed: commit at the next poll, news or not
    not_before: float = 0.0  # monotonic time before which ticks are skipped (backoff)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    # every outcome present from the start: a scrape in another thread iterates it while polls count
    polls: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_OUTCOMES, 0))
    parse_warnings: int = 0


class Poller:
    def __init__(
        self,
        http: HttpClient,
        store: Store,
        evaluator: Evaluator,
        *,
        max_concurrent: int,
        clock: Callable[[], datetime] = utcnow,
        recorder: Recorder | None = None,
    ) -> None:
        self._http = http
        self._recorder = recorder  # told which provider each fetch is for (settings.record)
        self._store = store
        self._evaluator = evaluator
        self._clock = clock
        self._gate = asyncio.Semaphore(max_concurrent)
        self._failing_gate = asyncio.Semaphore(failing_slots(max_concurrent))
        self._providers: dict[str, _Runtime] = {}
        self._beats: dict[str, ProviderState] = {}  # heartbeats not yet written, the newest per provider
        self._beats_since = 0.0  # monotonic time the oldest of them was taken
        self._in_flight: set[asyncio.Task[None]] = set()
        metrics.provider_series.attach(self)

    def configure(self, plans: Sequence[ProviderPlan], states: dict[str, ProviderState]) -> None:
        """Apply a (re)loaded config; `states` seeds providers new to this poller.

        A provider keeps its runtime (state, lock, backoff) across reloads, so a poll in flight during
        a reload is neither lost nor run twice at once. Its source, with the snapshot and validators
        it learned, is rebuilt only when the provider's own entry changed.
        """
        current: dict[str, _Runtime] = {}
        for plan in plans:
            name = plan.config.name
            runtime = self._providers.get(name)
            if runtime is None:
                runtime = _Runtime(plan, build_source(plan.config), state=states.get(name))
            elif runtime.plan.config != plan.config:
                runtime.source = build_source(plan.config)
                runtime.snapshot = runtime.state_from = None
                runtime.not_before = 0.0
            runtime.plan = plan
            current[name] = runtime
        self._providers = current  # replaced whole, never mutated: a scrape may be iterating the old one

    @property
    def plans(self) -> list[ProviderPlan]:
        return [r.plan for r in self._providers.values()]

    def states(self) -> list[tuple[ProviderPlan, ProviderState | None]]:
        return [(r.plan, r.state) for r in self._providers.values()]

    def readings(self) -> list[metrics.ProviderReading]:
        """For the metrics, at scrape time; safe from another thread (see `_Runtime.polls`)."""
        return [
            metrics.ProviderReading(name, r.state, r.polls, r.parse_warnings)
            for name, r in self._providers.items()
        ]

    async def poll(self, name: str) -> None:
        """The scheduler's job for one provider. Never raises: a bug in one poll must not stop the rest."""
        runtime = self._providers.get(name)
        if runtime is None or time.monotonic() < runtime.not_before or runtime.lock.locked():
            return
        task = asyncio.current_task()
        if task is not None:
            self._in_flight.add(task)
        try:
            async with runtime.lock:
                await self._poll(runtime)
        except Exception:
            log.exception("poll_crashed", provider=name)
        finally:
            if task is not None:
                self._in_flight.discard(task)

    async def drain(self, timeout: float) -> None:
        """Let polls in flight finish (their commit is atomic either way), cancel what is left, then write
        the heartbeats still queued."""
        if self._in_flight:
            _, pending = await asyncio.wait(set(self._in_flight), timeout=timeout)
            for task in pending:
                task.cancel()
        await self._write_beats()

    async def _poll(self, runtime: _Runtime) -> None:
        plan = runtime.plan
        name = plan.config.name
        result, outcome = await self._fetch(runtime)
        if isinstance(result, Snapshot) and result is not runtime.state_from:  # a page not yet announced
            self._evaluator.announce(name, scheduled(result, plan.policy))
        now = self._clock()
        previous = runtime.state
        state: ProviderState
        events: list[Event]
        quiet = result is runtime.state_from and previous is not None and runtime.calm
        if quiet and previous is not None:  # what diff() returns for a snapshot it has seen, but cheaper
            state, events = previous.read_again(now), []
        else:
            state, events = diff(previous, name, result, now, plan.policy)
            runtime.calm = settled(state)
        runtime.polls[outcome] += 1
        if isinstance(result, PollFailure):
            log.warning("poll_failed", provider=name, outcome=result.outcome, error=result.message)
        if events or runtime.unsaved or _changed(previous, state, quiet):
            self._beats.pop(name, None)  # the commit carries newer poll times than the beat
            saved = await self._evaluator.commit(state, events)
            runtime.unsaved = not saved
            if saved:
                runtime.persisted_at = time.monotonic()
        elif time.monotonic() - runtime.persisted_at > HEARTBEAT_SECONDS:
            self._beat(runtime, state)
        runtime.state = state  # what was read, committed or not: the next poll diffs against it
        runtime.state_from = result if isinstance(result, Snapshot) else runtime.state_from
        _record(events)
        if isinstance(result, Snapshot) and (previous is None or not previous.baselined):
            await self._backfill(runtime, state)  # the first successful read: the baseline
        if self._beats and time.monotonic() - self._beats_since >= BEAT_BATCH_SECONDS:
            await self._write_beats()

    def _beat(self, runtime: _Runtime, state: ProviderState) -> None:
        """Queue a heartbeat: a state whose substance is stored, kept for its newer poll times."""
        if not self._beats:
            self._beats_since = time.monotonic()
        self._beats[state.provider] = state
        runtime.persisted_at = time.monotonic()

    async def _write_beats(self) -> None:
        """Write the queued heartbeats in one transaction."""
        if self._beats:
            await self._evaluator.touch(self._beats)

    async def _backfill(self, runtime: _Runtime, state: ProviderState) -> None:
        """A first sight: the page's recent history into the store, silently (no event, no page). Open
        incidents the engine does not track (another component's) are left out: nothing would close them."""
        name = runtime.plan.config.name
        try:
            async with self._gate:
                incidents = await runtime.source.history(self._http, runtime.plan.timeout)
            kept = [i for i in incidents if i.status.is_closed or i.id in state.incidents]
            await self._store.add_history(name, kept)
        except Exception as error:  # the history is a nicety: a failure must not fail the poll
            log.warning("history_backfill_failed", provider=name, error=f"{type(error).__name__}: {error}")
            return
        log.info("history_backfilled", provider=name, incidents=len(kept))

    async def _fetch(self, runtime: _Runtime) -> tuple[Snapshot | PollFailure, str]:
        plan = runtime.plan
        name = plan.config.name
        started = time.perf_counter()
        failing = runtime.state is not None and runtime.state.consecutive_failures > 0
        async with self._failing_gate if failing else _NO_GATE, self._gate:
            if self._recorder is None:
                fetched = await read_page(name, runtime.source, self._http, plan.timeout)
            else:
                with self._recorder.reading(name):
                    fetched = await read_page(name, runtime.source, self._http, plan.timeout)
        metrics.poll_duration_seconds.observe(time.perf_counter() - started)
        if isinstance(fetched, PollFailure):
            runtime.not_before = time.monotonic() + _backoff(
                plan.interval, runtime.state, fetched.retry_after
            )
            return fetched, fetched.outcome
        runtime.not_before = 0.0
        if isinstance(fetched, NotModified):
            if runtime.snapshot is None:  # cannot happen unless a source misbehaves; never guess
                return PollFailure("parse_error", "304 Not Modified with no earlier page"), "parse_error"
            return runtime.snapshot, "not_modified"
        fetched = _flag_vanished_components(runtime.snapshot, fetched)
        _log_changed_warnings(name, runtime.snapshot, fetched)
        runtime.snapshot = fetched
        runtime.parse_warnings += len(fetched.warnings)
        return fetched, "ok"


def _changed(previous: ProviderState | None, state: ProviderState, quiet: bool) -> bool:
    """Whether `state` differs from the stored one in more than poll times: a commit, not a heartbeat."""
    return previous is None or (not quiet and _substance(previous) != _substance(state))


def failing_slots(max_concurrent: int) -> int:
    """How many fetches of failing providers may be in flight at once (see the module docstring)."""
    return max(1, int(max_concurrent * FAILING_SHARE))


def _flag_vanished_components(previous: Snapshot | None, snapshot: Snapshot) -> Snapshot:
    """A page that suddenly lists no components after listing several has most likely changed its
    format under us: a warning, so it shows on the parse-warnings dashboard instead of passing quietly."""
    if previous is None or len(previous.components) < VANISHED_COMPONENTS_MIN or snapshot.components:
        return snapshot
    warning = f"the page lists no components; the last reading listed {len(previous.components)}"
    return snapshot._replace(warnings=(*snapshot.warnings, warning))


def _log_changed_warnings(name: str, previous: Snapshot | None, snapshot: Snapshot) -> None:
    """Log a page's warnings when they differ from the last parse's, not on every poll: the same
    unreadable value would otherwise repeat every interval. The counter still counts each parse's
    warnings, so its rate shows for as long as the page cannot be read, not just when that began."""
    before = set(previous.warnings) if previous is not None else set()
    if set(snapshot.warnings) == before:
        return
    if snapshot.warnings:
        log.warning("parse_warnings", provider=name, warnings=list(snapshot.warnings[:20]))
    else:
        log.info("parse_warnings_cleared", provider=name)


def settled(state: ProviderState) -> bool:
    """Nothing in flight: baselined, reading fine, no component change awaiting confirmation. The
    engine, given again the snapshot it last saw, then changes nothing but the poll timestamps."""
    return (
        state.baselined
        and state.consecutive_failures == 0
        and not state.unreachable
        and all(c.pending is None for c in state.components.values())
    )


def _substance(state: ProviderState) -> ProviderState:
    """The state without the timestamps that change on every poll."""
    return replace(state, last_poll_at=None, last_success_at=None)


def _backoff(interval: float, state: ProviderState | None, retry_after: float | None) -> float:
    """Seconds to skip after a failure: doubling per consecutive failure, Retry-After when longer."""
    failures = (state.consecutive_failures if state else 0) + 1
    doublings = min(failures - 2, 64)  # bounded: a page dead for weeks must not overflow the float
    delay = 0.0 if failures < 2 else min(interval * 2.0**doublings, MAX_BACKOFF_SECONDS)
    return max(delay, min(retry_after or 0.0, MAX_BACKOFF_SECONDS))


def _record(events: list[Event]) -> None:
    for event in events:
        metrics.events_total.labels(kind=event.kind.value, severity=event.severity.label).inc()
        log.info(
            "event",
            provider=event.provider,
            kind=event.kind.value,
            severity=event.severity.label,
            dedup_key=event.dedup_key,
            title=event.title,
        )
