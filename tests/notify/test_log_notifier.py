"""The log notifier: one structured `notification` line per group notification, always delivered."""

from __future__ import annotations

import aiohttp
from structlog.testing import capture_logs

from monitor.model import Severity
from monitor.notify import NOTIFIERS, build_notifier
from monitor.notify.base import Outcome
from monitor.notify.log import LogConfig, LogNotifier
from tests.notify.conftest import make_alert, make_message, make_notification_for


async def test_writes_one_structured_line_per_group(session: aiohttp.ClientSession) -> None:
    notifier = LogNotifier(LogConfig(name="audit", type="log"), session)
    message = make_message(
        firing=(make_alert("Git Operations", severity=Severity.CRITICAL),),
        resolved=(make_alert("API Requests", resolved_after=5),),
        related=(make_alert("Payments", provider="stripe"),),
        reason="changed",
        firing_total=25,  # 24 more than listed: only the listed keys are logged
    )
    with capture_logs() as logs:
        delivery = await notifier.send(make_notification_for(message, id="n-42"))

    assert delivery.outcome is Outcome.DELIVERED
    assert logs == [
        {
            "event": "notification",
            "log_level": "info",
            "notifier": "audit",
            "id": "n-42",
            "group_key": "route=0|provider=github",
            "status": "firing",
            "reason": "changed",
            "severity": "critical",
            "title": "github: major outage — Git Operations, API Requests",
            "firing_total": 25,
            "resolved_total": 1,
            "related_total": 1,
            "firing": ["github/component/git-operations"],
            "resolved": ["github/component/api-requests"],
            "related": ["stripe/component/payments"],
        }
    ]


async def test_registered_under_its_type_name(session: aiohttp.ClientSession) -> None:
    assert NOTIFIERS.load("log") is LogNotifier
    assert isinstance(build_notifier(LogConfig(name="audit", type="log"), session), LogNotifier)
