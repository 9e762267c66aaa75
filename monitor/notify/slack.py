"""Slack incoming webhook: a Block Kit message with a plain-text fallback. SKELETON."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr

from monitor.durations import Duration
from monitor.model import Notification
from monitor.notify.base import Delivery, Notifier, NotifierConfig


class SlackConfig(NotifierConfig):
    type: Literal["slack"]
    webhook_url: SecretStr
    timeout: Duration = Field(default=10.0)


class SlackNotifier(Notifier):
    type_name = "slack"
    Config = SlackConfig
    min_interval = 1.0  # Slack allows about one message per second per webhook

    async def send(self, notification: Notification) -> Delivery:
        raise NotImplementedError
