"""The persistence contract: SQLite (one daemon) and PostgreSQL (replicas sharing one database) implement it.

The outbox rule: `commit()` writes a provider's new state, its events and their notifications in
ONE transaction, so a notification exists durably before anyone tries to send it, and a crash
between detecting and delivering loses nothing and re-pages nothing.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import TracebackType
from typing import Literal, Self

from monitor.history import StatusInterval
from monitor.model import Alert, Event, Incident, Notification, ProviderState, Told

NotificationStatus = Literal["pending", "delivered", "dead"]
Settled = Literal["delivered", "dead"]  # a notification sent from memory while the store failed


class StoreError(Exception):
    """The store refused an operation (a notification id enqueued twice, ...); nothing was written."""


class StoreUnavailable(StoreError):
    """The database server could not be reached or did not answer in time; nothing was written."""


class FencedError(StoreError):
    """Another replica took the leader lease: this one's fencing token is stale, so it wrote nothing."""


class SchemaVersionError(StoreError):
    """The database was written by a newer outage-monitor: refuse it rather than corrupt it."""


@dataclass(frozen=True, slots=True)
class StoredEvent:
    id: int
    event: Event


@dataclass(frozen=True)
class AlertingMemory:
    """What the alerting stage remembers between evaluations and across restarts."""

    alerts: dict[str, Alert] = field(default_factory=dict)
    told: dict[tuple[str, str], Told] = field(default_factory=dict)  # (group key, notifier) -> last queued


@dataclass(frozen=True)
class AlertingChange:
    """What one evaluation changed in that memory; committed with the notifications it queued."""

    alerts: Sequence[Alert] = ()  # new or changed
    forgotten: Collection[str] = ()  # keys of resolved alerts nobody needs to hear of any more
    told: Mapping[tuple[str, str], Told] = field(default_factory=dict)  # receipts are not written here

    def __bool__(self) -> bool:
        return bool(self.alerts or self.forgotten or self.told)

    def then(self, later: AlertingChange) -> AlertingChange:
        """This change followed by `later`, as one: what two commits would have written."""
        alerts = {a.key: a for a in self.alerts}
        alerts.update((a.key, a) for a in later.alerts)
        for key in later.forgotten:
            alerts.pop(key, None)
        forgotten = (set(self.forgotten) - {a.key for a in later.alerts}) | set(later.forgotten)
        return AlertingChange(
            alerts=list(alerts.values()), forgotten=sorted(forgotten), told={**self.told, **later.told}
        )


@dataclass(frozen=True, slots=True)
class StoredSilence:
    id: str
    body_json: str  # the silence's own JSON (monitor.alerting.silences)
    ends_at: datetime


class Store(ABC):
    """Use as `async with store:` or call `open()` / `close()` yourself."""

    async def __aenter__(self) -> Self:
        await self.open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    @abstractmethod
    async def open(self) -> None:
        """Connect and migrate the schema to the current version. Changes no data, so a reader such as
        `outage-monitor status` may open the store of a running daemon."""

    @abstractmethod
    async def probe_write(self) -> None:
        """Write one transaction that changes nothing, to prove at start-up that the store takes
        writes: a read-only directory or a full disk is an error then, not a silent failure later."""

    @abstractmethod
    async def release_leases(self) -> int:
        """Called by the dispatcher as it starts: free claims that no live dispatcher holds, so what a
        killed process was sending goes out at once. Returns how many were released."""

    @abstractmethod
    async def close(self) -> None: ...

    @abstractmethod
    async def load_states(self) -> dict[str, ProviderState]:
        """Every provider's last committed state, keyed by provider name."""

    @abstractmethod
    async def load_alerting(self) -> AlertingMemory:
        """The alerts and the notification log, with each entry's latest receipt."""

    @abstractmethod
    async def commit(
        self,
        state: ProviderState | None,
        events: Sequence[Event],
        notifications: Sequence[Notification],
        change: AlertingChange | None = None,
        settled: Mapping[str, Settled] | None = None,
    ) -> None:
        """Atomically: upsert `state` (when given), append `events`, enqueue `notifications` and apply
        `change` to the alerting memory. A notification whose id is in `settled` was sent from memory while
        the store failed: it is written delivered or dead, not pending, so it is not sent again. A
        notification id already enqueued raises StoreError; nothing is written then."""

    @abstractmethod
    async def touch(self, states: Sequence[ProviderState]) -> None:
        """Write the newer poll times (`last_poll_at`, `last_success_at`) of states whose substance is
        already stored (the poller's heartbeats, batched): one transaction; only those two fields change
        in the stored state (the rest of it is not re-encoded); no history, no event. A provider with no
        stored state is left alone."""

    @abstractmethod
    async def add_history(self, provider: str, incidents: Sequence[Incident]) -> None:
        """Record incidents read from a page's history document (a first sight's backfill): merged with
        what is stored, timelines united; no state, no event."""

    @abstractmethod
    async def incident_history(self, provider: str, since: datetime, limit: int) -> list[Incident]:
        """The provider's incidents open now or started since `since`, newest first, each with its
        timeline and `resolved_at` (None while open)."""

    @abstractmethod
    async def status_intervals(self, provider: str, since: datetime) -> list[StatusInterval]:
        """The provider's status intervals that end after `since` or have not ended, oldest first."""

    @abstractmethod
    async def prune(self, before: datetime) -> int:
        """Delete what ended before `before`: events no remaining notification refers to, delivered and
        dead notifications, resolved incidents, ended status intervals. Never a pending notification,
        never an open incident. Returns how many rows went."""

    @abstractmethod
    async def put_silence(self, silence: StoredSilence) -> None:
        """Create or replace a silence (expiring one is replacing it with an earlier end)."""

    @abstractmethod
    async def silences(self) -> list[StoredSilence]:
        """Every silence, expired ones included, oldest end first."""

    @abstractmethod
    async def claim_due(
        self, now: datetime, limit: int, lease_seconds: float, notifiers: Collection[str] | None = None
    ) -> list[Notification]:
        """Pending notifications whose next attempt is due and that no earlier pending notification
        for the same (notifier, group) precedes; leases them so no other dispatcher takes them. Each
        carries the group's current receipt for its notifier.

        Only for the named `notifiers` when given. Oldest first (enqueue order)."""

    @abstractmethod
    async def mark_delivered(
        self, notification_id: str, now: datetime, receipt: Mapping[str, str] | None = None
    ) -> None:
        """Record a successful attempt (attempts + 1); never tried again. A `receipt` becomes the group's
        receipt for this notifier, handed to its next send for the same group."""

    @abstractmethod
    async def mark_retry(self, notification_id: str, next_attempt_at: datetime, error: str) -> None:
        """Count one more attempt, release the lease, schedule the next try."""

    @abstractmethod
    async def mark_dead(self, notification_id: str, now: datetime, reason: str) -> None:
        """Dead-letter after a failed attempt (attempts + 1): never tried again, never deleted."""

    @abstractmethod
    async def recent_events(self, limit: int) -> list[StoredEvent]:
        """Newest first."""

    @abstractmethod
    async def pending_count(self) -> int: ...

    @abstractmethod
    async def pending_by_notifier(self) -> dict[str, int]:
        """Pending notifications per notifier name (names with none are absent)."""

    @abstractmethod
    async def notification_counts(self) -> dict[NotificationStatus, int]:
        """How many notifications are in each status (every status present, zero included)."""
