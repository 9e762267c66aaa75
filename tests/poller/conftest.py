"""The poller against real parts: a loopback Statuspage double, the real HttpClient, a SQLite file."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest

import monitor.sources.statuspage as statuspage
from monitor.alerting.stage import AlertingStage, Rules
from monitor.config import RouteConfig
from monitor.engine import Policy
from monitor.evaluator import Evaluator
from monitor.fetch import HttpClient
from monitor.model import Event, Notification, ProviderState, Snapshot
from monitor.plan import ProviderPlan
from monitor.poller import Poller
from monitor.sources.base import SourceConfig
from monitor.sources.statuspage import StatuspageConfig
from monitor.store import SqliteStore
from monitor.store.base import AlertingChange, AlertingMemory, Settled
from tests.loopback import release, serve
from tests.poller.page_double import PageDouble, serving

__all__ = ["release", "serve"]  # loopback servers for pages of other formats


class CountingStore(SqliteStore):
    """A real SQLite store that remembers every commit it was asked to make."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.commits: list[tuple[ProviderState, list[Event], list[Notification]]] = []
        self.touches: list[list[ProviderState]] = []

    async def commit(
        self,
        state: ProviderState | None,
        events: Sequence[Event],
        notifications: Sequence[Notification],
        change: AlertingChange | None = None,
        settled: Mapping[str, Settled] | None = None,
    ) -> None:
        assert state is not None, "the poller commits a provider's state (no evaluator timer runs here)"
        self.commits.append((state, list(events), list(notifications)))
        await super().commit(state, events, notifications, change, settled)

    async def touch(self, states: Sequence[ProviderState]) -> None:
        self.touches.append(list(states))
        await super().touch(states)


@dataclass
class Parses:
    """Counts calls of the Statuspage parser, so a test can tell a 304 from a fresh parse."""

    calls: int = 0


@dataclass
class Wakes:
    count: int = 0

    def __call__(self) -> None:
        self.count += 1


@dataclass
class Rig:
    page: PageDouble
    http: HttpClient
    store: CountingStore
    poller: Poller
    wakes: Wakes
    parses: Parses
    evaluator: Evaluator

    def configure(
        self, plans: Sequence[ProviderPlan], routes: Sequence[RouteConfig], states: dict[str, ProviderState]
    ) -> None:
        """A config's providers and routes, as the daemon applies them."""
        self.evaluator.configure(Rules(routes=[route.spec(i) for i, route in enumerate(routes)]))
        self.poller.configure(plans, states)

    def plan(self, name: str, *, interval: float = 60.0, **config: Any) -> ProviderPlan:
        """A plan for a provider on the double; `config` overrides fields of the provider entry."""
        source = StatuspageConfig(
            name=name, type="statuspage", url=config.pop("url", self.page.url), **config
        )
        return self.plan_for(source, interval=interval)

    @staticmethod
    def plan_for(source: SourceConfig, *, interval: float = 60.0) -> ProviderPlan:
        """A plan for a provider entry of any format."""
        policy = Policy(
            confirm=source.confirm,
            failure_threshold=source.failure_threshold,
            components=frozenset(source.components) if source.components else None,
        )
        return ProviderPlan(config=source, interval=interval, timeout=2.0, jitter=0.0, policy=policy)


@pytest.fixture
def name() -> str:
    """A provider name no other test uses: the metrics registry is global to the process."""
    return f"p-{uuid4().hex[:12]}"


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> Parses:
    counter = Parses()
    real = statuspage.parse_summary

    def counting(doc: Any, page_url: str) -> Snapshot:
        counter.calls += 1
        return real(doc, page_url)

    monkeypatch.setattr(statuspage, "parse_summary", counting)
    return counter


@pytest.fixture
async def page() -> AsyncIterator[PageDouble]:
    async with serving(PageDouble()) as served:
        yield served


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[CountingStore]:
    async with CountingStore(tmp_path / "state.db") as opened:
        yield opened


@pytest.fixture
async def http() -> AsyncIterator[HttpClient]:
    async with HttpClient() as client:
        yield client


@pytest.fixture
def rig(page: PageDouble, store: CountingStore, http: HttpClient, parses: Parses) -> Rig:
    wakes = Wakes()
    evaluator = Evaluator(store, AlertingStage(AlertingMemory(), Rules()), on_queued=wakes)
    poller = Poller(http, store, evaluator, max_concurrent=4)
    return Rig(
        page=page, http=http, store=store, poller=poller, wakes=wakes, parses=parses, evaluator=evaluator
    )
