"""Which replica leads: only the leader polls, evaluates and delivers (the others serve HTTP).

On a shared store (monitor/store/cluster.py) every replica tries to take or renew the database lease every
third of `lease` seconds. Winning it gives a fencing token that the store then checks in every state
commit, so a replica that was paused or cut off past its lease writes nothing once another took over.
Delivery is by the leader too: the simplest rule that keeps one sender per notification, with the outbox's
claim leases (a new leader frees the old one's claims and sends what it had claimed but not sent).

A replica that cannot reach the database cannot know it still leads: it stops its term at once (no
polling, no sending, nothing from memory), says so once (`database_lost`), reports not ready, and retries
with backoff until the database answers (`database_recovered`), then runs for the lease again. A clean stop
releases the lease so another replica takes over at its next try. A store that is not shared (SQLite)
always leads.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import uuid
from collections.abc import Awaitable, Callable

from monitor import metrics
from monitor.logging import get_logger
from monitor.store.base import Store
from monitor.store.cluster import ClusterStore
from monitor.store.health import WRITE_ERRORS

log = get_logger(__name__)

MAX_BACKOFF_SECONDS = 30.0


def new_replica_id() -> str:
    return f"{socket.gethostname()}-{uuid.uuid4().hex[:8]}"


class Leadership:
    def __init__(
        self,
        store: Store,
        lease: float,
        *,
        on_elected: Callable[[], Awaitable[None]],
        on_deposed: Callable[[], Awaitable[None]],
        replica_id: str | None = None,
    ) -> None:
        self._store = store
        self._lease = lease
        self._on_elected = on_elected
        self._on_deposed = on_deposed
        self.replica_id = replica_id or new_replica_id()
        self.host = socket.gethostname()
        self.token: int | None = None
        self.lost: str | None = None  # why the database cannot be reached, while it cannot
        self._stopping = asyncio.Event()
        self._nudge = asyncio.Event()

    @property
    def shared(self) -> bool:
        return isinstance(self._store, ClusterStore)

    @property
    def leading(self) -> bool:
        return self.token is not None

    def step_down(self) -> None:
        """A commit failed: this replica no longer knows it leads. The loop ends the term at once."""
        self._nudge.set()

    async def start(self) -> None:
        """A store of its own (SQLite): lead now, so a failure to start is the start's failure."""
        if not self.shared:
            self.token = 0
            metrics.leader.set(1)
            await self._on_elected()

    async def run(self) -> None:
        """Lead, or follow, until `stop()`."""
        store = self._store
        if not isinstance(store, ClusterStore):
            await self._stopping.wait()
            return
        backoff = 1.0
        while not self._stopping.is_set():
            delay = self._lease / 3
            nudged = self._nudge.is_set()
            self._nudge.clear()
            if nudged and self.leading:
                await self._depose("commit_failed")
                with contextlib.suppress(*WRITE_ERRORS):
                    await store.release_lease(self.replica_id)
            try:
                token = await store.acquire_lease(self.replica_id, self.host, self._lease)
            except WRITE_ERRORS as error:
                if self.leading:
                    await self._depose("database_lost")
                if self.lost is None:
                    self.lost = f"{type(error).__name__}: {error}"
                    log.error("database_lost", error=self.lost, replica=self.replica_id)
                delay, backoff = backoff, min(backoff * 2, MAX_BACKOFF_SECONDS)
            else:
                backoff = 1.0
                if self.lost is not None:
                    log.info("database_recovered", replica=self.replica_id)
                    self.lost = None
                if token is not None and token != self.token:
                    if self.leading:
                        await self._depose("token_changed")
                    await self._elect(store, token)
                elif token is None and self.leading:
                    await self._depose("lease_lost")
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(delay):
                    await self._wait_for_stop_or_nudge()

    async def stop(self) -> None:
        """End the term and give the lease up, so another replica need not wait for it to expire."""
        self._stopping.set()
        if not self.leading:
            return
        if not isinstance(self._store, ClusterStore):  # nobody to hand over to: just stop
            self.token = None
            await self._on_deposed()
            return
        await self._depose("stopping")
        with contextlib.suppress(*WRITE_ERRORS):
            await self._store.release_lease(self.replica_id)
            log.info("leader_lease_released", replica=self.replica_id)

    async def _elect(self, store: ClusterStore, token: int) -> None:
        store.fence(self.replica_id, token)
        self.token = token
        metrics.leader.set(1)
        metrics.leader_changes_total.inc()
        log.info("leader_elected", replica=self.replica_id, token=token)
        await self._on_elected()

    async def _depose(self, reason: str) -> None:
        token, self.token = self.token, None
        metrics.leader.set(0)
        metrics.leader_changes_total.inc()
        log.warning("leader_stepped_down", replica=self.replica_id, token=token, reason=reason)
        await self._on_deposed()

    async def _wait_for_stop_or_nudge(self) -> None:
        stop = asyncio.ensure_future(self._stopping.wait())
        nudge = asyncio.ensure_future(self._nudge.wait())
        try:
            await asyncio.wait({stop, nudge}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stop.cancel()
            nudge.cancel()
