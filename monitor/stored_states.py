"""A follower's view of the provider states: read from the shared store, so a load balancer may send a
request for `/` or `/api/v1/providers` to any replica and see what the leader committed.

Read on request and kept `ttl` seconds, so a busy page costs one query every few seconds and an idle
follower none; concurrent requests share one read. When the database cannot be reached, the last states
read are served (a page of what was known, never a page sent: followers send nothing).
"""

from __future__ import annotations

import asyncio
import contextlib
import time

from monitor.model import ProviderState
from monitor.store.base import Store
from monitor.store.health import WRITE_ERRORS

REFRESH_SECONDS = 2.0


class StoredStates:
    def __init__(self, store: Store, ttl: float = REFRESH_SECONDS) -> None:
        self._store = store
        self._ttl = ttl
        self._states: dict[str, ProviderState] = {}
        self._read_at: float | None = None
        self._lock = asyncio.Lock()

    async def get(self) -> dict[str, ProviderState]:
        async with self._lock:
            now = time.monotonic()
            if self._read_at is None or now - self._read_at >= self._ttl:
                # The leadership loop logs a lost database; meanwhile serve what was read last.
                with contextlib.suppress(*WRITE_ERRORS):
                    self._states = await self._store.load_states()
                self._read_at = now
        return self._states
