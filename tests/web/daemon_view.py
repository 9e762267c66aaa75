"""The daemon as the web layer sees it (monitor.web.DaemonView), for tests of the web layer."""

from __future__ import annotations

from dataclasses import dataclass, field

from aiohttp import web
from aiohttp.test_utils import TestClient

from monitor.model import ProviderState
from monitor.plan import ProviderPlan
from monitor.store import Store

Client = TestClient[web.Request, web.Application]


@dataclass
class FakeDaemon:
    """monitor.web.DaemonView: what the tests set is what the web layer reads."""

    store: Store
    ready: bool = False
    store_error: str | None = None
    entries: list[tuple[ProviderPlan, ProviderState | None]] = field(default_factory=list)
    api_token: str | None = None
    changes: int = 0  # calls of silences_changed

    async def provider_states(self) -> list[tuple[ProviderPlan, ProviderState | None]]:
        return list(self.entries)

    def silences_changed(self) -> None:
        self.changes += 1
