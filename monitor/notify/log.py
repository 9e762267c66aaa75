"""Writes each notification as a structured log line. SKELETON."""

from __future__ import annotations

from typing import Literal

from monitor.model import Notification
from monitor.notify.base import Delivery, Notifier, NotifierConfig


class LogConfig(NotifierConfig):
    type: Literal["log"]


class LogNotifier(Notifier):
    type_name = "log"
    Config = LogConfig

    async def send(self, notification: Notification) -> Delivery:
        raise NotImplementedError
