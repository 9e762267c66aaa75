"""Maintenance reminders through the real poller and evaluator: a page announcing a maintenance that starts
within a route's `remind_before` queues one `maintenance_scheduled` notification per notifier, and a restart
on the same SQLite file queues none again."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from monitor.alerting.stage import AlertingStage, Rules
from monitor.config import RouteConfig
from monitor.evaluator import Evaluator
from monitor.fetch import HttpClient
from monitor.model import Notification
from monitor.poller import Poller
from monitor.store import SqliteStore
from tests.poller.conftest import Rig
from tests.poller.page_double import PageDouble

HOUR = 3600.0


def maintenance(maintenance_id: str, name: str, starts_in: timedelta) -> dict[str, Any]:
    """A summary.json scheduled maintenance starting `starts_in` from now, for two hours."""
    start = datetime.now(UTC) + starts_in
    return {
        "id": maintenance_id,
        "name": name,
        "status": "scheduled",
        "impact": "maintenance",
        "shortlink": f"https://stspg.io/{maintenance_id}",
        "scheduled_for": start.isoformat(),
        "scheduled_until": (start + timedelta(hours=2)).isoformat(),
        "incident_updates": [{"body": "We will upgrade the database.", "created_at": "2026-11-23T10:00:00Z"}],
        "components": [],
    }


async def poll_and_evaluate(store: SqliteStore, http: HttpClient, rig: Rig, name: str, rules: Rules) -> None:
    """What the daemon does at start and on its timer: load the alerting memory, poll, evaluate."""
    evaluator = Evaluator(store, AlertingStage(await store.load_alerting(), rules), on_queued=lambda: None)
    poller = Poller(http, store, evaluator, max_concurrent=1)
    poller.configure([rig.plan(name)], await store.load_states())
    await poller.poll(name)
    await evaluator.commit(None, (), evaluate=True)


def outbox_size(path: Path) -> int:
    """Every notification ever queued, whatever its state, straight from the file."""
    with sqlite3.connect(path) as conn:
        count: int = conn.execute("SELECT count(*) FROM notifications").fetchone()[0]
    return count


async def queued(store: SqliteStore) -> list[Notification]:
    return await store.claim_due(datetime.now(UTC) + timedelta(days=1), 100, 60.0)


async def test_a_maintenance_within_remind_before_is_reminded_once_across_restarts(
    rig: Rig, page: PageDouble, http: HttpClient, tmp_path: Path, name: str
) -> None:
    page.maintenances = [
        maintenance("m-soon", "Database upgrade", timedelta(minutes=30)),
        maintenance("m-later", "Network work", timedelta(hours=5)),
    ]
    routes = [RouteConfig(notify=["slack", "log"], remind_before=HOUR), RouteConfig(notify=["pagerduty"])]
    rules = Rules(routes=[route.spec(index) for index, route in enumerate(routes)])
    path = tmp_path / "reminders.db"
    async with SqliteStore(path) as store:
        await poll_and_evaluate(store, http, rig, name, rules)
        first = await queued(store)
    assert sorted(n.notifier for n in first) == ["log", "slack"]
    message = first[0].message
    assert (message.reason, message.status, message.severity.label) == (
        "maintenance_scheduled",
        "firing",
        "info",
    )
    assert message.group_key == f"remind=0|maintenance={name}/maintenance/m-soon"
    [alert] = message.firing
    assert alert.summary == "Database upgrade" and alert.url == "https://stspg.io/m-soon"
    assert message.title.startswith(f'{name}: maintenance "Database upgrade" scheduled for ')

    async with SqliteStore(path) as store:  # a restart: memory from the file, the page read again
        await poll_and_evaluate(store, http, rig, name, rules)
    assert outbox_size(path) == 2
