"""Writes each group notification as one structured log line: the zero-setup notifier, and an audit trail."""

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
        message = self.compose(notification.message)
        log.info(
            "notification",
            notifier=self.name,
            id=notification.id,
            group_key=message.group_key,
            status=message.status,
            reason=message.reason,
            severity=message.severity.label,
            title=message.title,
            **({"text": message.text} if message.text else {}),
            firing_total=message.firing_total,
            resolved_total=message.resolved_total,
            related_total=message.related_total,
            # the listed alerts only (at most MAX_LISTED each): a line stays bounded for any outage
            firing=[alert.key for alert in message.firing],
            resolved=[alert.key for alert in message.resolved],
            related=[alert.key for alert in message.related],
        )
        return Delivery(Outcome.DELIVERED, "logged")
