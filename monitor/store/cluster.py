"""What a store shared by several replicas adds to the Store contract: a leader lease with a fencing token,
and the replicas' heartbeats. PostgreSQL implements it; a SQLite file serves one daemon, which always leads.

The lease lives in the database and is judged by the database's clock, the one clock every replica shares.
The token grows by one at every change of holder, and every state commit of a fenced store checks, inside
its own transaction, that the lease is still held by this replica with this token: a replica that was
paused or cut off while another took over writes nothing (FencedError), however late it wakes up.
"""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass
from datetime import datetime

from monitor.store.base import Store


@dataclass(frozen=True, slots=True)
class Replica:
    id: str
    host: str
    started_at: datetime
    heartbeat_at: datetime
    leader: bool
    token: int | None  # the lease's fencing token, on the leader's row


class ClusterStore(Store):
    @abstractmethod
    async def acquire_lease(self, replica_id: str, host: str, lease_seconds: float) -> int | None:
        """Record this replica's heartbeat, then take or renew the leader lease for `lease_seconds` if it is
        free, expired or already ours. The fencing token when this replica leads, else None."""

    @abstractmethod
    async def release_lease(self, replica_id: str) -> None:
        """Give the lease up now (a clean stop), so another replica takes over at its next try."""

    @abstractmethod
    async def replicas(self) -> list[Replica]:
        """The replicas seen lately, by id."""

    @abstractmethod
    def fence(self, replica_id: str | None, token: int | None) -> None:
        """Check every later state commit against this lease (None: commit unchecked, for tools)."""
