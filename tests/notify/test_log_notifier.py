"""The log notifier: one structured `notification` line per notification, always delivered."""

from __future__ import annotations

from collections.abc import Callable

import aiohttp
from structlog.testing import capture_logs

from monitor.model import Event, EventKind, Notification, Severity
from monitor.notify import NOTIFIERS, build_notifier
from monitor.notify.base import Outcome
from monitor.notify.log import LogConfig, LogNotifier


async def test_writes_one_structured_line(
    session: aiohttp.ClientSession,
    make_event: Callable[..., Event],
    make_notification: Callable[..., Notification],
) -> None:
    notifier = LogNotifier(LogConfig(name="audit", type="log"), session)
    event = make_event(kind=EventKind.INCIDENT_RESOLVED, severity=Severity.INFO, resolves=True)
    with capture_logs() as logs:
        delivery = await notifier.send(make_notification(event, id="n-42"))

    assert delivery.outcome is Outcome.DELIVERED
    assert logs == [
        {
            "event": "notification",
            "log_level": "info",
            "notifier": "audit",
            "id": "n-42",
            "kind": "incident_resolved",
            "provider": "github",
            "severity": "info",
            "dedup_key": "github/component/8l4ygp009s5s",
            "title": "GitHub: API Requests is partial_outage",
            "old_status": "operational",
            "new_status": "partial_outage",
            "resolves": True,
            "url": "https://www.githubstatus.com/incidents/x7xqj6hdbdnk",
        }
    ]


async def test_registered_under_its_type_name(session: aiohttp.ClientSession) -> None:
    assert NOTIFIERS["log"] is LogNotifier
    assert isinstance(build_notifier(LogConfig(name="audit", type="log"), session), LogNotifier)
