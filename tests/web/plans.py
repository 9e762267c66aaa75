"""A provider plan as the daemon builds it from config, for tests of the web layer."""

from __future__ import annotations

from monitor.engine import Policy
from monitor.plan import ProviderPlan
from monitor.sources.statuspage import StatuspageConfig


def plan(name: str, category: str | None = None) -> ProviderPlan:
    config = StatuspageConfig(
        name=name, type="statuspage", url=f"https://{name}.example.com", category=category
    )
    return ProviderPlan(config=config, interval=60.0, timeout=10.0, jitter=6.0, policy=Policy())
