"""The dispatcher against a real SQLite outbox and scripted notifiers (defined here, no network)."""

from __future__ import annotations

import asyncio
import inspect
import itertools
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
from structlog.testing import capture_logs

from monitor.dispatch import Dispatcher
from monitor.metrics import REGISTRY
from monitor.model import Event, EventKind, Notification, ProviderState, Severity, Told
from monitor.notify.base import Delivery, Notifier, NotifierConfig, Outcome
from monitor.store import NotificationStatus, SqliteStore, Store, codec
from monitor.store.base import AlertingChange
from tests.store.store_builders import make_notification

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
DELIVERED = Delivery(Outcome.DELIVERED, "HTTP 200")


class ScriptedNotifier(Notifier):
    """Answers each send with the next scripted step (a Delivery, or an exception to raise), then
    DELIVERED; records when and what it was asked to send. With `gate`, each send waits for it."""

    type_name = "scripted"
    Config = NotifierConfig

    def __init__(
        self,
        name: str,
        session: aiohttp.ClientSession,
        script: Iterable[Delivery | Exception] = (),
        gate: asyncio.Event | None = None,
    ) -> None:
        super().__init__(NotifierConfig(name=name, type="scripted"), session)
        self.script = list(script)
        self.gate = gate
        self.sent: list[tuple[float, Notification]] = []

    @property
    def sent_ids(self) -> list[str]:
        return [notification.id for _, notification in self.sent]

    async def send(self, notification: Notification) -> Delivery:
        self.sent.append((time.monotonic(), notification))
        if self.gate is not None:
            await self.gate.wait()
        step = self.script.pop(0) if self.script else DELIVERED
        if isinstance(step, Exception):
            raise step
        return step


class PacedNotifier(ScriptedNotifier):
    min_interval = 0.2


def make_event(key: str, *, resolves: bool = False, at: datetime = T0) -> Event:
    return Event(
        kind=EventKind.COMPONENT_CHANGED,
        provider="github",
        severity=Severity.INFO if resolves else Severity.MAJOR,
        dedup_key=key,
        title=f"{key} {'recovered' if resolves else 'down'}",
        occurred_at=at,
        resolves=resolves,
    )


async def enqueue(store: Store, *items: tuple[str, str, Event], created_at: datetime | None = None) -> None:
    """Commit (notification id, notifier, event) triples the way the evaluator does: one transaction, each
    notification (the event's one-alert group) with its notification log entry, which keeps the receipts.
    Created now by default, as the dispatcher's real clock expects."""
    created_at = created_at or datetime.now(UTC)
    events = list({id(event): event for _, _, event in items}.values())
    notifications = [make_notification(nid, notifier, event, created_at) for nid, notifier, event in items]
    told = {
        (n.message.group_key, n.notifier): Told(n.message.alert_keys, n.message.severity, created_at)
        for n in notifications
    }
    await store.commit(
        ProviderState("github", baselined=True), events, notifications, AlertingChange(told=told)
    )


async def eventually(check: Callable[[], bool | Awaitable[bool]], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not await _holds(check):
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.005)


async def _holds(check: Callable[[], bool | Awaitable[bool]]) -> bool:
    result = check()
    return await result if inspect.isawaitable(result) else result


async def counts_are(
    store: Store, *, pending: int | None = None, delivered: int | None = None, dead: int | None = None
) -> bool:
    counts = await store.notification_counts()
    expected: dict[NotificationStatus, int | None] = {
        "pending": pending,
        "delivered": delivered,
        "dead": dead,
    }
    return all(n is None or counts[status] == n for status, n in expected.items())


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def outcomes(notifier: str) -> dict[str, float]:
    return {
        outcome: sample("outage_monitor_notifications_total", notifier=notifier, outcome=outcome)
        for outcome in ("delivered", "retried", "dead")
    }


@asynccontextmanager
async def running(dispatcher: Dispatcher, stop_timeout: float = 2.0) -> AsyncIterator[asyncio.Task[None]]:
    task = asyncio.create_task(dispatcher.run())
    try:
        yield task
    finally:
        await dispatcher.stop(stop_timeout)
        await asyncio.wait_for(task, 5)


def clock_at(moment: datetime) -> Callable[[], datetime]:
    return lambda: moment


def fast(store: Store, notifiers: dict[str, Notifier]) -> Dispatcher:
    """Real clock, tiny delays: a retry is due again within tens of milliseconds."""
    return Dispatcher(store, notifiers, base_delay=0.01, max_delay=0.02, poll_interval=0.01)


async def test_delivers_once_and_keeps_the_metrics(
    store: SqliteStore, session: aiohttp.ClientSession
) -> None:
    pager = ScriptedNotifier("once-pager", session)
    before = outcomes("once-pager")
    latency_count = sample("outage_monitor_notification_latency_seconds_count")
    event = make_event("github/component/api", at=datetime.now(UTC) - timedelta(seconds=3))
    await enqueue(store, ("n1", "once-pager", event), ("n2", "unconfigured", event))

    async with running(fast(store, {"once-pager": pager})):
        await eventually(lambda: counts_are(store, delivered=1))
        await asyncio.sleep(0.1)  # several more polls: nothing is sent twice

    assert pager.sent_ids == ["n1"]
    assert pager.sent[0][1].message == codec.legacy_message(event, "once-pager")
    assert outcomes("once-pager") == {**before, "delivered": before["delivered"] + 1}
    assert sample("outage_monitor_notification_latency_seconds_count") == latency_count + 1
    # the unconfigured notifier's notification is untouched, and counted as pending
    assert await store.notification_counts() == {"pending": 1, "delivered": 1, "dead": 0}
    assert sample("outage_monitor_outbox_pending") == 1


async def test_each_notifier_starts_its_outcome_series_at_zero(
    store: SqliteStore, session: aiohttp.ClientSession
) -> None:
    """So Prometheus sees the first dead letter as an increase from 0 (the dead-letter alert needs it)."""
    name, total = "fresh-pager", "outage_monitor_notifications_total"
    outcomes = ("delivered", "retried", "dead")
    assert [REGISTRY.get_sample_value(total, {"notifier": name, "outcome": o}) for o in outcomes] == [
        None
    ] * 3
    async with running(fast(store, {name: ScriptedNotifier(name, session)})):
        await eventually(lambda: REGISTRY.get_sample_value(total, {"notifier": name, "outcome": "dead"}) == 0)
        values = [REGISTRY.get_sample_value(total, {"notifier": name, "outcome": o}) for o in outcomes]
    assert values == [0.0] * 3


async def test_retries_server_errors_until_delivered(
    store: SqliteStore, session: aiohttp.ClientSession
) -> None:
    http_500 = Delivery(Outcome.RETRY, "HTTP 500")
    pager = ScriptedNotifier("retry-pager", session, [http_500, http_500, http_500, DELIVERED])
    before = outcomes("retry-pager")
    await enqueue(store, ("n1", "retry-pager", make_event("github/component/api")))

    async with running(fast(store, {"retry-pager": pager})):
        await eventually(lambda: counts_are(store, delivered=1))

    assert pager.sent_ids == ["n1"] * 4
    assert [notification.attempts for _, notification in pager.sent] == [0, 1, 2, 3]
    gaps = [b - a for (a, _), (b, _) in itertools.pairwise(pager.sent)]
    assert all(gap >= 0.01 for gap in gaps), gaps  # base_delay between tries
    after = outcomes("retry-pager")
    assert after["retried"] - before["retried"] == 3
    assert after["delivered"] - before["delivered"] == 1


async def test_retry_after_is_honoured(store: SqliteStore, session: aiohttp.ClientSession) -> None:
    pager = ScriptedNotifier("ra-pager", session, [Delivery(Outcome.RETRY, "HTTP 429", retry_after=120.0)])
    before = outcomes("ra-pager")
    await enqueue(store, ("n1", "ra-pager", make_event("github/component/api")), created_at=T0)
    dispatcher = Dispatcher(
        store, {"ra-pager": pager}, base_delay=1.0, max_delay=2.0, poll_interval=0.01, clock=clock_at(T0)
    )

    async with running(dispatcher):
        await eventually(lambda: outcomes("ra-pager")["retried"] > before["retried"])

    assert pager.sent_ids == ["n1"]
    assert await store.claim_due(T0 + timedelta(seconds=119.999), 10, 60) == []
    [again] = await store.claim_due(T0 + timedelta(seconds=120), 10, 60)
    assert (again.id, again.attempts) == ("n1", 1)


async def test_a_permanent_failure_is_dead_lettered_with_a_log_line(
    store: SqliteStore, session: aiohttp.ClientSession
) -> None:
    pager = ScriptedNotifier(
        "perm-pager", session, [Delivery(Outcome.PERMANENT, "HTTP 400: invalid routing key")]
    )
    before = outcomes("perm-pager")
    await enqueue(store, ("n1", "perm-pager", make_event("github/component/api")))

    with capture_logs() as logs:
        async with running(fast(store, {"perm-pager": pager})):
            await eventually(lambda: counts_are(store, dead=1))
            await asyncio.sleep(0.1)

    assert pager.sent_ids == ["n1"]
    dead = [entry for entry in logs if entry["event"] == "notification_dead"]
    assert len(dead) == 1
    assert dead[0]["log_level"] == "warning"
    assert (dead[0]["notifier"], dead[0]["id"], dead[0]["group"]) == (
        "perm-pager",
        "n1",
        "github/component/api",
    )
    assert "HTTP 400: invalid routing key" in dead[0]["reason"]
    assert outcomes("perm-pager") == {**before, "dead": before["dead"] + 1}


async def test_a_notification_older_than_max_age_is_dead_on_its_next_failure(
    store: SqliteStore, session: aiohttp.ClientSession
) -> None:
    http_503 = Delivery(Outcome.RETRY, "HTTP 503")
    pager = ScriptedNotifier("age-pager", session, [http_503, http_503])
    before = outcomes("age-pager")
    await enqueue(
        store, ("old", "age-pager", make_event("github/component/old")), created_at=T0 - timedelta(days=2)
    )
    await enqueue(store, ("young", "age-pager", make_event("github/component/young")), created_at=T0)
    dispatcher = Dispatcher(
        store, {"age-pager": pager}, max_age=86400, poll_interval=0.01, clock=clock_at(T0)
    )

    with capture_logs() as logs:
        async with running(dispatcher):
            await eventually(lambda: len(pager.sent) == 2)
            await eventually(lambda: counts_are(store, dead=1))

    assert pager.sent_ids == ["old", "young"]
    assert await store.notification_counts() == {"pending": 1, "delivered": 0, "dead": 1}
    [dead] = [entry for entry in logs if entry["event"] == "notification_dead"]
    assert dead["id"] == "old" and "HTTP 503" in dead["reason"] and "172800s" in dead["reason"]
    after = outcomes("age-pager")
    assert (after["dead"] - before["dead"], after["retried"] - before["retried"]) == (1, 1)


class SteppedWallClock:
    """The real wall clock plus `offset`, which a test steps as NTP or `date -s` would; the monotonic
    clock runs on untouched."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


async def test_a_wall_clock_stepped_a_day_ahead_does_not_age_a_young_notification_to_death(
    store: SqliteStore, session: aiohttp.ClientSession
) -> None:
    http_503 = Delivery(Outcome.RETRY, "HTTP 503")
    pager = ScriptedNotifier("step-ahead-pager", session, [http_503, http_503])
    before = outcomes("step-ahead-pager")
    wall = SteppedWallClock()
    await enqueue(store, ("n1", "step-ahead-pager", make_event("github/component/api")), created_at=wall())
    dispatcher = Dispatcher(
        store,
        {"step-ahead-pager": pager},
        max_age=86400,
        base_delay=0.01,
        max_delay=0.02,
        poll_interval=0.01,
        clock=wall,
    )

    async with running(dispatcher):
        await eventually(lambda: outcomes("step-ahead-pager")["retried"] > before["retried"])
        wall.offset = timedelta(hours=25)  # the notification is a second old, its wall age 25 h
        await eventually(lambda: counts_are(store, delivered=1))

    assert pager.sent_ids == ["n1"] * 3
    assert await store.notification_counts() == {"pending": 0, "delivered": 1, "dead": 0}
    assert outcomes("step-ahead-pager")["dead"] == before["dead"]


async def test_a_wall_clock_stepped_back_an_hour_holds_back_no_delivery(
    store: SqliteStore, session: aiohttp.ClientSession
) -> None:
    pager = ScriptedNotifier("step-back-pager", session, [Delivery(Outcome.RETRY, "HTTP 503")])
    before = outcomes("step-back-pager")
    wall = SteppedWallClock()
    await enqueue(store, ("before", "step-back-pager", make_event("github/component/a")), created_at=wall())
    dispatcher = Dispatcher(
        store, {"step-back-pager": pager}, base_delay=0.01, max_delay=0.02, poll_interval=0.01, clock=wall
    )

    async with running(dispatcher):
        await eventually(lambda: outcomes("step-back-pager")["retried"] > before["retried"])
        wall.offset = timedelta(hours=-1)  # its retry was scheduled on the clock before the step
        await enqueue(
            store, ("after", "step-back-pager", make_event("github/component/b")), created_at=wall()
        )
        dispatcher.wake()
        await eventually(lambda: counts_are(store, delivered=2))

    assert sorted(pager.sent_ids) == ["after", "before", "before"]


async def test_a_resolve_waits_for_its_trigger(store: SqliteStore, session: aiohttp.ClientSession) -> None:
    pager = ScriptedNotifier("order-pager", session, [Delivery(Outcome.RETRY, "HTTP 502")])
    trigger = make_event("github/component/api")
    resolve = make_event("github/component/api", resolves=True, at=T0 + timedelta(seconds=1))
    await enqueue(store, ("trigger", "order-pager", trigger), ("resolve", "order-pager", resolve))

    async with running(fast(store, {"order-pager": pager})):
        await eventually(lambda: counts_are(store, delivered=2))

    assert pager.sent_ids == ["trigger", "trigger", "resolve"]


async def test_sends_through_one_notifier_are_min_interval_apart(
    store: SqliteStore, session: aiohttp.ClientSession
) -> None:
    slack = PacedNotifier("paced-slack", session)
    await enqueue(store, *((f"n{i}", "paced-slack", make_event(f"github/component/c{i}")) for i in range(4)))

    # batch=2: the pace holds across claims too
    async with running(Dispatcher(store, {"paced-slack": slack}, batch=2, poll_interval=0.01)):
        await eventually(lambda: counts_are(store, delivered=4))

    assert slack.sent_ids == ["n0", "n1", "n2", "n3"]
    times = [sent_at for sent_at, _ in slack.sent]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert all(gap >= PacedNotifier.min_interval - 0.001 for gap in gaps), gaps


async def test_a_notifier_that_raises_is_retried_and_its_message_not_logged(
    store: SqliteStore, session: aiohttp.ClientSession
) -> None:
    boom = RuntimeError("cannot post to https://hooks.example/services/T0/B0/SECRET-TOKEN")
    hook = ScriptedNotifier("raising-hook", session, [boom])
    before = outcomes("raising-hook")
    await enqueue(store, ("n1", "raising-hook", make_event("github/component/api")))

    with capture_logs() as logs:
        async with running(fast(store, {"raising-hook": hook})):
            await eventually(lambda: counts_are(store, delivered=1))

    assert hook.sent_ids == ["n1", "n1"]
    [raised] = [entry for entry in logs if entry["event"] == "notifier_raised"]
    assert raised["error"] == "RuntimeError" and "test_dispatcher.py" in raised["where"]
    assert "SECRET-TOKEN" not in repr(logs)
    after = outcomes("raising-hook")
    assert (after["retried"] - before["retried"], after["delivered"] - before["delivered"]) == (1, 1)


async def test_stop_lets_the_send_in_flight_finish_and_leaves_the_rest_pending(
    store: SqliteStore, session: aiohttp.ClientSession
) -> None:
    gate = asyncio.Event()
    pager = ScriptedNotifier("graceful-pager", session, gate=gate)
    await enqueue(
        store, *((f"n{i}", "graceful-pager", make_event(f"github/component/c{i}")) for i in range(3))
    )
    dispatcher = fast(store, {"graceful-pager": pager})
    task = asyncio.create_task(dispatcher.run())
    await eventually(lambda: len(pager.sent) == 1)

    stopping = asyncio.create_task(dispatcher.stop(timeout=5))
    await asyncio.sleep(0.05)
    assert not stopping.done()  # waiting for the send in flight
    gate.set()
    await asyncio.wait_for(stopping, 5)
    await asyncio.wait_for(task, 1)

    assert pager.sent_ids == ["n0"]
    assert await store.notification_counts() == {"pending": 2, "delivered": 1, "dead": 0}


async def test_stop_timeout_cancels_a_stuck_send_which_stays_pending(
    tmp_path: Path, session: aiohttp.ClientSession
) -> None:
    path = tmp_path / "stuck.db"
    pager = ScriptedNotifier("stuck-pager", session, gate=asyncio.Event())  # never opens
    async with SqliteStore(path) as store:
        await enqueue(
            store, *((f"n{i}", "stuck-pager", make_event(f"github/component/c{i}")) for i in range(2))
        )
        dispatcher = fast(store, {"stuck-pager": pager})
        task = asyncio.create_task(dispatcher.run())
        await eventually(lambda: len(pager.sent) == 1)
        started = time.monotonic()
        await dispatcher.stop(timeout=0.1)
        assert time.monotonic() - started < 1.0
        await asyncio.wait_for(task, 1)
        assert await store.notification_counts() == {"pending": 2, "delivered": 0, "dead": 0}

    async with SqliteStore(path) as reopened:  # the next dispatcher start sends both right away
        await reopened.release_leases()
        assert [n.id for n in await reopened.claim_due(datetime.now(UTC), 10, 60)] == ["n0", "n1"]


async def test_wake_sends_without_waiting_for_the_poll(
    store: SqliteStore, session: aiohttp.ClientSession
) -> None:
    pager = ScriptedNotifier("woken-pager", session)
    dispatcher = Dispatcher(store, {"woken-pager": pager}, poll_interval=60)
    async with running(dispatcher):
        await asyncio.sleep(0.05)  # the worker has found nothing and is idle for a minute
        await enqueue(store, ("n1", "woken-pager", make_event("github/component/api")))
        dispatcher.wake()
        await eventually(lambda: counts_are(store, delivered=1), timeout=2)
    assert pager.sent_ids == ["n1"]


async def test_a_stuck_notifier_does_not_hold_up_another(
    store: SqliteStore, session: aiohttp.ClientSession
) -> None:
    stuck = ScriptedNotifier("stuck-hook", session, gate=asyncio.Event())
    pager = ScriptedNotifier("free-pager", session)
    event = make_event("github/component/api")
    await enqueue(store, ("hook", "stuck-hook", event), ("page", "free-pager", event))

    async with running(fast(store, {"stuck-hook": stuck, "free-pager": pager}), stop_timeout=0.1):
        await eventually(lambda: counts_are(store, delivered=1))
        assert stuck.sent_ids == ["hook"]
    assert pager.sent_ids == ["page"]


async def test_a_store_failure_is_logged_and_the_loop_goes_on(
    tmp_path: Path, session: aiohttp.ClientSession
) -> None:
    class FlakyStore(SqliteStore):
        failures = 2

        async def claim_due(self, *args: Any, **kwargs: Any) -> list[Notification]:
            if self.failures:
                self.failures -= 1
                raise OSError("disk I/O error")
            return await super().claim_due(*args, **kwargs)

    pager = ScriptedNotifier("flaky-pager", session)
    async with FlakyStore(tmp_path / "flaky.db") as flaky:
        await enqueue(flaky, ("n1", "flaky-pager", make_event("github/component/api")))
        with capture_logs() as logs:
            async with running(fast(flaky, {"flaky-pager": pager})):
                await eventually(lambda: counts_are(flaky, delivered=1))
    assert [entry["error"] for entry in logs if entry["event"] == "dispatch_failed"] == [
        "OSError: disk I/O error"
    ] * 2
    assert pager.sent_ids == ["n1"]


async def test_replace_notifiers_starts_swaps_and_retires_workers(
    store: SqliteStore, session: aiohttp.ClientSession
) -> None:
    first = ScriptedNotifier("swap-a", session)
    second = ScriptedNotifier("swap-a", session)
    other = ScriptedNotifier("swap-b", session)
    dispatcher = fast(store, {"swap-a": first})
    async with running(dispatcher):
        await enqueue(store, ("a1", "swap-a", make_event("github/component/one")))
        await eventually(lambda: counts_are(store, delivered=1))

        dispatcher.replace_notifiers({"swap-a": second, "swap-b": other})
        await enqueue(store, ("a2", "swap-a", make_event("github/component/two")))
        await enqueue(store, ("b1", "swap-b", make_event("github/component/three")))
        await eventually(lambda: counts_are(store, delivered=3))

        dispatcher.replace_notifiers({"swap-b": other})
        await enqueue(store, ("a3", "swap-a", make_event("github/component/four")))
        await enqueue(store, ("b2", "swap-b", make_event("github/component/five")))
        await eventually(lambda: counts_are(store, delivered=4))
        await asyncio.sleep(0.1)

        dispatcher.replace_notifiers({"swap-a": second, "swap-b": other})  # a name comes back
        await eventually(lambda: counts_are(store, delivered=5))

    assert (first.sent_ids, second.sent_ids, other.sent_ids) == (["a1"], ["a2", "a3"], ["b1", "b2"])


async def test_a_notifier_removed_mid_batch_sends_nothing_more(
    store: SqliteStore, session: aiohttp.ClientSession
) -> None:
    gate = asyncio.Event()
    hook = ScriptedNotifier("removed-hook", session, gate=gate)
    await enqueue(store, *((f"n{i}", "removed-hook", make_event(f"github/component/c{i}")) for i in range(3)))
    dispatcher = fast(store, {"removed-hook": hook})
    with capture_logs() as logs:
        async with running(dispatcher):
            await eventually(lambda: len(hook.sent) == 1)
            dispatcher.replace_notifiers({})
            gate.set()
            await eventually(lambda: counts_are(store, delivered=1))
            await asyncio.sleep(0.1)

    assert hook.sent_ids == ["n0"]
    assert await store.notification_counts() == {"pending": 2, "delivered": 1, "dead": 0}
    assert [entry for entry in logs if entry["log_level"] in ("warning", "error")] == []


async def test_notifications_of_a_notifier_no_longer_configured_are_reported_and_kept(
    store: SqliteStore, session: aiohttp.ClientSession
) -> None:
    kept = ScriptedNotifier("kept-pager", session)
    await enqueue(
        store,
        ("orphan", "removed-pager", make_event("github/component/a")),
        ("fine", "kept-pager", make_event("github/component/b")),
    )
    with capture_logs() as logs:
        async with running(fast(store, {"kept-pager": kept})):
            await eventually(lambda: counts_are(store, delivered=1))

    [stranded] = [entry for entry in logs if entry["event"] == "notifications_stranded"]
    assert stranded["notifiers"] == {"removed-pager": 1}
    assert stranded["log_level"] == "warning"
    assert await store.pending_by_notifier() == {"removed-pager": 1}, "kept, never deleted unsent"


async def test_a_delivery_receipt_is_stored_and_the_next_send_of_the_group_gets_it(
    store: SqliteStore, session: aiohttp.ClientSession
) -> None:
    thread = {"channel": "C1", "ts": "1714564800.000100"}
    slack = ScriptedNotifier("thread-slack", session, [Delivery(Outcome.DELIVERED, "posted", receipt=thread)])
    trigger = make_event("github/component/api")
    await enqueue(
        store,
        ("trigger", "thread-slack", trigger),
        ("elsewhere", "thread-slack", make_event("github/component/web")),
        ("resolve", "thread-slack", make_event("github/component/api", resolves=True)),
    )

    async with running(fast(store, {"thread-slack": slack})):
        await eventually(lambda: counts_are(store, delivered=3))

    assert [(n.id, n.receipt) for _, n in slack.sent] == [
        ("trigger", {}),
        ("elsewhere", {}),  # another group has its own receipt
        ("resolve", thread),
    ]
    # The resolve's delivery returned none: the group keeps the thread for whatever comes next.
    told = (await store.load_alerting()).told
    assert told[(trigger.dedup_key, "thread-slack")].receipt == thread


async def test_a_receipt_outlives_the_daemon(tmp_path: Path, session: aiohttp.ClientSession) -> None:
    path = tmp_path / "restart.db"
    thread = {"channel": "C1", "ts": "1714564800.000100"}
    before = ScriptedNotifier(
        "restart-slack", session, [Delivery(Outcome.DELIVERED, "posted", receipt=thread)]
    )
    after = ScriptedNotifier("restart-slack", session)
    async with SqliteStore(path) as store:
        await enqueue(store, ("trigger", "restart-slack", make_event("github/component/api")))
        async with running(fast(store, {"restart-slack": before})):
            await eventually(lambda: counts_are(store, delivered=1))

    async with SqliteStore(path) as store:
        resolve = make_event("github/component/api", resolves=True)
        await enqueue(store, ("resolve", "restart-slack", resolve))
        async with running(fast(store, {"restart-slack": after})):
            await eventually(lambda: counts_are(store, delivered=2))

    assert [(n.id, n.receipt) for _, n in after.sent] == [("resolve", thread)]
