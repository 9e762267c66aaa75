"""The persistence contract. SQLite implements it today; PostgreSQL will, behind the same contract.

The outbox rule: `commit()` writes a provider's new state, its events and their notifications in
ONE transaction, so a notification exists durably before anyone tries to send it, and a crash
between detecting and delivering loses nothing and re-pages nothing.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from monitor.model import Event, Notification, ProviderState


@dataclass(frozen=True, slots=True)
class StoredEvent:
    id: int
    event: Event


class Store(ABC):
    @abstractmethod
    async def open(self) -> None:
        """Connect and migrate the schema to the current version."""

    @abstractmethod
    async def close(self) -> None: ...

    @abstractmethod
    async def load_states(self) -> dict[str, ProviderState]:
        """Every provider's last committed state, keyed by provider name."""

    @abstractmethod
    async def open_alerts(self, provider: str) -> dict[str, set[str]]:
        """dedup_key -> names of notifiers that were sent an alert on that key not yet resolved."""

    @abstractmethod
    async def commit(
        self, state: ProviderState, events: Sequence[Event], notifications: Sequence[Notification]
    ) -> None:
        """Atomically: upsert `state`, append `events`, enqueue `notifications`, update open alerts
        (a notification of a non-resolving event opens (dedup_key, notifier); a resolving one closes it)."""

    @abstractmethod
    async def claim_due(self, now: datetime, limit: int, lease_seconds: float) -> list[Notification]:
        """Pending notifications whose next attempt is due and that no earlier pending notification
        for the same (notifier, dedup_key) precedes; leases them so no other dispatcher takes them."""

    @abstractmethod
    async def mark_delivered(self, notification_id: str, now: datetime) -> None: ...

    @abstractmethod
    async def mark_retry(self, notification_id: str, next_attempt_at: datetime, error: str) -> None:
        """Count one more attempt, release the lease, schedule the next try."""

    @abstractmethod
    async def mark_dead(self, notification_id: str, now: datetime, reason: str) -> None:
        """Dead-letter: never tried again, never deleted."""

    @abstractmethod
    async def recent_events(self, limit: int) -> list[StoredEvent]:
        """Newest first."""

    @abstractmethod
    async def pending_count(self) -> int: ...
