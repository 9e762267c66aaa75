"""A commit that fails (full disk, read-only file) is never silent: the poller keeps what it read, the
evaluator hands the notifications to memory, counts and logs the failure once, and commits it all on
recovery."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import UTC, datetime

import pytest
from structlog.testing import capture_logs

from monitor.alerting.stage import AlertingStage, Rules
from monitor.config import RouteConfig
from monitor.evaluator import Evaluator
from monitor.held import HeldNotifications
from monitor.model import ComponentStatus, Event, Notification, ProviderState
from monitor.poller import Poller
from monitor.store.base import AlertingChange, AlertingMemory, Settled
from monitor.store.health import StoreHealth
from tests.poller.conftest import CountingStore, Rig
from tests.poller.metrics_reading import count

ERRORS = "outage_monitor_store_errors_total"
LATER = datetime(2100, 1, 1, tzinfo=UTC)  # every held notification is due by then


class FullDiskStore(CountingStore):
    """A real SQLite store whose commits fail as on a full disk while `full` is set."""

    full = False

    async def commit(
        self,
        state: ProviderState | None,
        events: Sequence[Event],
        notifications: Sequence[Notification],
        change: AlertingChange | None = None,
        settled: Mapping[str, Settled] | None = None,
    ) -> None:
        if self.full:
            raise sqlite3.OperationalError("database or disk is full")
        await super().commit(state, events, notifications, change, settled)


def poller_on(
    rig: Rig, store: FullDiskStore, held: HeldNotifications, health: StoreHealth | None = None
) -> Poller:
    """A poller committing through an evaluator on `store`, with one route to `oncall`."""
    rules = Rules(routes=[RouteConfig(notify=["oncall"]).spec(0)])
    stage = AlertingStage(AlertingMemory(), rules)
    evaluator = Evaluator(store, stage, on_queued=rig.wakes, health=health, held=held)
    return Poller(rig.http, store, evaluator, max_concurrent=2)


def held_ids(held: HeldNotifications, notifier: str) -> list[str]:
    taken = []
    while (notification := held.take_due(notifier, LATER)) is not None:
        taken.append(notification.id)
    return taken


@pytest.fixture
async def full_disk(rig: Rig) -> AsyncIterator[FullDiskStore]:
    async with FullDiskStore(rig.store.path.with_name("full.db")) as store:
        yield store


async def test_a_failed_commit_keeps_the_reading_sends_from_memory_and_recovers_without_repaging(
    rig: Rig, name: str, full_disk: FullDiskStore
) -> None:
    health, held = StoreHealth(), HeldNotifications()
    poller = poller_on(rig, full_disk, held, health)
    poller.configure([rig.plan(name)], {})
    await poller.poll(name)  # baseline, committed
    errors = count(ERRORS, operation="commit")

    full_disk.full = True
    rig.page.set_status("c-db", "major_outage")
    with capture_logs() as logs:
        for _ in range(3):
            await poller.poll(name)

    [(_, state)] = poller.states()
    assert state is not None and state.components["c-db"].status is ComponentStatus.MAJOR_OUTAGE
    assert health.commit_error == "OperationalError: database or disk is full"
    assert count(ERRORS, operation="commit") == errors + 3
    assert [line["event"] for line in logs if line["log_level"] in ("error", "warning")] == [
        "store_write_failed"
    ]
    [paged] = held_ids(held, "oncall")  # one page, not one per poll
    assert rig.wakes.count == 1
    await held.mark_delivered(paged, LATER)

    full_disk.full = False
    with capture_logs() as logs:
        await poller.poll(name)
    assert health.commit_error is None
    assert [line["event"] for line in logs if line["event"].startswith("store_")] == ["store_recovered"]
    state_committed, events, notifications = full_disk.commits[-1]
    assert state_committed.components["c-db"].status is ComponentStatus.MAJOR_OUTAGE
    assert [n.id for n in notifications] == [paged] and len(events) == 1
    assert await full_disk.pending_count() == 0  # sent from memory: recorded delivered, not sent again
    assert await full_disk.notification_counts() == {"pending": 0, "delivered": 1, "dead": 0}
    assert (await full_disk.load_states())[name].components["c-db"].status is ComponentStatus.MAJOR_OUTAGE


async def test_notifications_not_yet_sent_from_memory_move_to_the_outbox_on_recovery(
    rig: Rig, name: str, full_disk: FullDiskStore
) -> None:
    held = HeldNotifications()
    poller = poller_on(rig, full_disk, held)
    poller.configure([rig.plan(name)], {})
    await poller.poll(name)
    full_disk.full = True
    rig.page.set_status("c-db", "major_outage")
    await poller.poll(name)
    full_disk.full = False
    await poller.poll(name)

    assert await full_disk.pending_count() == 1
    assert held_ids(held, "oncall") == []  # the store has it now: not sent from memory as well
    assert rig.wakes.count == 2  # held, then moved to the outbox
