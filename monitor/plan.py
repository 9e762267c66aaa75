"""What a config runs: each provider with the settings' defaults resolved, and the alerting rules."""

from __future__ import annotations

from datetime import timedelta
from functools import cache
from typing import TYPE_CHECKING, NamedTuple

from monitor.config import Config
from monitor.engine import Policy
from monitor.sources import SOURCES, SourceConfig

if TYPE_CHECKING:
    from monitor.alerting.stage import Rules


class ProviderPlan(NamedTuple):
    """A provider's config with the settings defaults resolved (a named tuple, as the page records in
    monitor.model: one is built per provider)."""

    config: SourceConfig
    interval: float
    timeout: float
    jitter: float  # seconds added at random to each tick
    policy: Policy


def plans_for(config: Config) -> list[ProviderPlan]:
    """Each provider with the settings' defaults filled in; no interval below its format's `min_interval`."""
    return [
        ProviderPlan(
            config=p,
            interval=max(config.effective_interval(p), SOURCES.load(p.type).min_interval),
            timeout=config.effective_timeout(p),
            jitter=config.effective_jitter(p),
            policy=_policy(p.confirm, p.failure_threshold, frozenset(p.components) if p.components else None),
        )
        for p in config.providers
    ]


@cache
def _policy(confirm: int, failure_threshold: int, components: frozenset[str] | None) -> Policy:
    """One `Policy` for the providers that set the same rules (most keep the defaults)."""
    return Policy(confirm=confirm, failure_threshold=failure_threshold, components=components)


def rules_for(config: Config) -> Rules:
    """The alerting rules of a config: its routes in order, dependencies, named time intervals, and the
    notifiers that must hear of firing groups at least so often (`NotifierConfig.repeat_every`)."""
    from monitor.alerting.stage import Rules  # stage and silences: not for `poll` (1.5% of its instructions)

    return Rules(
        routes=[route.spec(index) for index, route in enumerate(config.routes)],
        depends_on={p.name: list(p.depends_on) for p in config.providers if p.depends_on},
        intervals={interval.name: interval for interval in config.time_intervals},
        repeat_every={
            n.name: timedelta(seconds=seconds)
            for n in config.notifiers
            if (seconds := n.repeat_every) is not None
        },
    )
