"""Notifications whose commit failed, held in memory and sent from there: an outage still reaches
people while the store cannot be written (full disk, read-only state directory).

Not durable: a restart loses them. Bounded per notifier (the oldest is dropped, with a warning).
They keep the ids a stored notification would have, so receivers dedupe a resend. When the store
takes writes again the poller commits them, those already sent recorded as settled, the rest as
pending in the durable outbox, and forgets them here.

It keeps the dispatcher's ledger interface (`mark_delivered`, `mark_retry`, `mark_dead`), so one
delivery path serves both. Per notifier, first in first out: a retry waits at the head, so a
resolve never overtakes its trigger.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import datetime

from monitor.logging import get_logger
from monitor.model import Notification
from monitor.store.base import Settled

log = get_logger(__name__)

HELD_PER_NOTIFIER = 1000


class HeldNotifications:
    def __init__(self, limit: int = HELD_PER_NOTIFIER) -> None:
        self._limit = limit
        self._queues: dict[str, deque[tuple[datetime | None, Notification]]] = {}
        self._taken: dict[str, Notification] = {}  # handed to the dispatcher, outcome not yet marked
        self._settled: dict[str, Settled] = {}

    def hold(self, notifications: Sequence[Notification]) -> None:
        for notification in notifications:
            queue = self._queues.setdefault(notification.notifier, deque())
            if len(queue) >= self._limit:
                _, dropped = queue.popleft()
                log.warning(
                    "held_notification_dropped",
                    notifier=dropped.notifier,
                    id=dropped.id,
                    group=dropped.message.group_key,
                    limit=self._limit,
                )
            queue.append((None, notification))

    def take_due(self, notifier: str, now: datetime) -> Notification | None:
        queue = self._queues.get(notifier)
        if not queue or (queue[0][0] is not None and queue[0][0] > now):
            return None
        _, notification = queue.popleft()
        self._taken[notification.id] = notification
        return notification

    def settled(self, ids: Iterable[str]) -> dict[str, Settled]:
        """Which of these were delivered or dead-lettered from memory."""
        return {i: self._settled[i] for i in ids if i in self._settled}

    def forget(self, ids: Collection[str]) -> None:
        """They are in the store now: not to be sent from here any more."""
        for notifier, queue in self._queues.items():
            self._queues[notifier] = deque(item for item in queue if item[1].id not in ids)
        for notification_id in ids:
            self._taken.pop(notification_id, None)
            self._settled.pop(notification_id, None)

    async def mark_delivered(
        self, notification_id: str, now: datetime, receipt: Mapping[str, str] | None = None
    ) -> None:
        """The receipt of a send from memory is not kept: the group's next send starts afresh (a new
        Slack thread) rather than carry on one the store never heard of."""
        if self._taken.pop(notification_id, None) is not None:
            self._settled[notification_id] = "delivered"

    async def mark_dead(self, notification_id: str, now: datetime, reason: str) -> None:
        if self._taken.pop(notification_id, None) is not None:
            self._settled[notification_id] = "dead"

    async def mark_retry(self, notification_id: str, next_attempt_at: datetime, error: str) -> None:
        notification = self._taken.pop(notification_id, None)
        if notification is not None:  # else forgotten meanwhile: the store has it now
            retry = notification._replace(attempts=notification.attempts + 1)
            self._queues[notification.notifier].appendleft((next_attempt_at, retry))
