"""Every Prometheus metric the daemon exports, in one registry.

Labels are bounded: provider and component names come from the config or the page's component
list, notifier names from the config, kinds/severities/outcomes from enums. Never incident ids or
free text.

The per-provider series are not kept as prometheus_client objects: they are computed at scrape time
from what the poller already holds in memory (`ProviderSeries`). At 10,000 providers that is about
180,000 series, which as client objects cost ~150 MB and seconds of CPU per scrape.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Protocol
from weakref import WeakSet

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.metrics_core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from monitor import __version__
from monitor.model import ProviderState

REGISTRY = CollectorRegistry(auto_describe=True)

build_info = Gauge("outage_monitor_build_info", "Build of the running daemon", ["version"], registry=REGISTRY)
build_info.labels(version=__version__).set(1)

poll_duration_seconds = Histogram(
    "outage_monitor_poll_duration_seconds",
    "Time to fetch and parse one provider's page",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
    registry=REGISTRY,
)
events_total = Counter(
    "outage_monitor_events_total", "Events the engine emitted", ["kind", "severity"], registry=REGISTRY
)
notifications_total = Counter(
    "outage_monitor_notifications_total",
    "Delivery attempts by outcome (delivered, retried, dead)",
    ["notifier", "outcome"],
    registry=REGISTRY,
)


@dataclass(frozen=True, slots=True)
class ProviderReading:
    """What the metrics need of one provider. `state` is never mutated once published."""

    provider: str
    state: ProviderState | None
    polls: Mapping[str, int]  # outcome -> polls so far
    parse_warnings: int


class ReadingSource(Protocol):
    def readings(self) -> Iterable[ProviderReading]: ...


STATUS_HELP = "0 operational, 1 under_maintenance, 2 degraded_performance, 3 partial_outage, 4 major_outage"


def component_label(name: str, group: str | None) -> str:
    return f"{group} / {name}" if group else name


class ProviderSeries(Collector):
    """The per-provider series, read from every live poller at scrape time. Status gauges keep the
    last known value while a page cannot be read (`provider_up` says so)."""

    def __init__(self) -> None:
        self._sources: WeakSet[ReadingSource] = WeakSet()

    def attach(self, source: ReadingSource) -> None:
        self._sources.add(source)

    def describe(self) -> Iterable[Metric]:
        return list(self._families())

    def collect(self) -> Iterator[Metric]:
        up, status, components, incidents, polls, last_success, warnings = families = self._families()
        for source in list(self._sources):
            for r in source.readings():
                name, state = r.provider, r.state
                for outcome, count in r.polls.items():
                    if count:
                        polls.add_metric([name, outcome], count)
                warnings.add_metric([name], r.parse_warnings)
                if state is None:
                    continue
                up.add_metric([name], 1 if state.up else 0)
                if state.last_success_at is not None:
                    last_success.add_metric([name], state.last_success_at.timestamp())
                if not state.baselined:
                    continue
                status.add_metric([name], state.overall_status().level or 0)
                incidents.add_metric([name], len(state.incidents))
                for c in state.components.values():
                    level = c.status.level
                    if level is not None:
                        components.add_metric([name, component_label(c.name, c.group)], level)
        yield from families

    @staticmethod
    def _families() -> tuple[
        GaugeMetricFamily,
        GaugeMetricFamily,
        GaugeMetricFamily,
        GaugeMetricFamily,
        CounterMetricFamily,
        GaugeMetricFamily,
        CounterMetricFamily,
    ]:
        return (
            GaugeMetricFamily(
                "outage_monitor_provider_up", "1 when the last fetch and parse succeeded", labels=["provider"]
            ),
            GaugeMetricFamily("outage_monitor_provider_status", STATUS_HELP, labels=["provider"]),
            GaugeMetricFamily(
                "outage_monitor_component_status", STATUS_HELP, labels=["provider", "component"]
            ),
            GaugeMetricFamily(
                "outage_monitor_active_incidents",
                "Open incidents on the provider's page",
                labels=["provider"],
            ),
            CounterMetricFamily(
                "outage_monitor_polls",
                "Polls by outcome: ok, not_modified, timeout, connect_error, http_error, rate_limited,"
                " too_large, parse_error",
                labels=["provider", "outcome"],
            ),
            GaugeMetricFamily(
                "outage_monitor_last_success_timestamp_seconds",
                "Unix time of the last successful poll",
                labels=["provider"],
            ),
            CounterMetricFamily(
                "outage_monitor_parse_warnings",
                "Values a parser could not read (unknown enum values, missing fields)",
                labels=["provider"],
            ),
        )


provider_series = ProviderSeries()
REGISTRY.register(provider_series)

outbox_pending = Gauge(
    "outage_monitor_outbox_pending", "Notifications waiting to be delivered", registry=REGISTRY
)
notification_latency_seconds = Histogram(
    "outage_monitor_notification_latency_seconds",
    "From event detected to notification delivered",
    buckets=(0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600),
    registry=REGISTRY,
)
