"""Writes each notification as one structured log line: the zero-setup notifier, and a trail for audits."""

from __future__ import annotations

from typing import Literal

from monitor.logging import get_logger
from monitor.model import Notification
from monitor.notify.base import Delivery, Notifier, NotifierConfig, Outcome

log = get_logger(__name__)


class LogConfig(NotifierConfig):
    type: Literal["log"]


class LogNotifier(Notifier):
    type_name = "log"
    Config = LogConfig

    async def send(self, notification: Notification) -> Delivery:
        event = notification.event
        log.info(
            "notification",
            notifier=self.name,
            id=notification.id,
            kind=event.kind.value,
            provider=event.provider,
            severity=event.severity.label,
            dedup_key=event.dedup_key,
            title=event.title,
            old_status=event.old_status,
            new_status=event.new_status,
            resolves=event.resolves,
            url=event.url,
        )
        return Delivery(Outcome.DELIVERED, "logged")
