"""PagerDuty Events API v2: trigger and resolve with the event's dedup key. SKELETON."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr

from monitor.durations import Duration
from monitor.model import Notification
from monitor.notify.base import Delivery, Notifier, NotifierConfig

EVENTS_API_V2 = "https://events.pagerduty.com/v2/enqueue"


class PagerDutyConfig(NotifierConfig):
    type: Literal["pagerduty"]
    routing_key: SecretStr
    url: str = Field(default=EVENTS_API_V2, pattern=r"^https?://")
    timeout: Duration = Field(default=10.0)


class PagerDutyNotifier(Notifier):
    type_name = "pagerduty"
    Config = PagerDutyConfig

    async def send(self, notification: Notification) -> Delivery:
        raise NotImplementedError
