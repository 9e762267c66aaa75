"""The real daemon watching two loopback pages, one in a partial outage with an open incident and one
answering 500, with Slack and PagerDuty doubles that accept and a webhook receiver that rejects (so
notifications are delivered and dead-lettered): every family the daemon exports then has series."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import aiohttp

from tests.e2e.harness import DaemonProcess, Receiver, StatusPage, eventually

INCIDENT = {
    "id": "inc1",
    "name": "API errors",
    "status": "investigating",
    "impact": "major",
    "shortlink": "https://stspg.io/x",
    "created_at": "2026-11-23T11:00:00Z",
    "updated_at": "2026-11-23T11:00:00Z",
    "incident_updates": [],
    "components": [],
}
NOTIFICATIONS = "outage_monitor_notifications_total"


@dataclass
class Scene:
    acme: StatusPage
    flaky: StatusPage
    slack: Receiver
    pd: Receiver
    hook: Receiver
    daemon: DaemonProcess

    async def play(self, before_change: Callable[[], Awaitable[None]] | None = None) -> None:
        """Start the daemon; after the baseline (and `before_change`) acme goes partial_outage with an
        incident (one alert group: one notification per notifier); return once Slack and PagerDuty got it,
        the webhook's was dead-lettered, and flaky failed."""
        await self.daemon.start()
        await eventually(lambda: self.acme.hits >= 2, what="acme baseline")
        if before_change is not None:
            await before_change()
        self.acme.components["API"] = "partial_outage"
        self.acme.incidents = [INCIDENT]
        await eventually(
            lambda: len(self.slack.requests) >= 1 and len(self.pd.requests) >= 1, what="deliveries"
        )
        await eventually(self._dead_lettered, what="the webhook's notifications dead-lettered")
        await eventually(lambda: self.flaky.hits >= 3, what="flaky polled")

    async def _dead_lettered(self) -> bool:
        return await self.daemon.metric(NOTIFICATIONS, notifier="audit", outcome="dead") == 1

    async def metrics_text(self) -> str:
        async with aiohttp.ClientSession() as s, s.get(f"{self.daemon.base}/metrics") as r:
            assert r.status == 200
            return await r.text()
