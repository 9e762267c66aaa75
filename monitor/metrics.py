"""Every Prometheus metric the daemon exports, in one registry.

Labels are bounded: provider and component names come from the config or the page's component
list, notifier names from the config, kinds/severities/outcomes from enums. Never incident ids or
free text.

The per-provider series are not kept as prometheus_client objects: they are written at scrape time
from what the poller already holds in memory (`ProviderSeries`). At 10,000 providers that is about
170,000 series, which as client objects cost ~150 MB and seconds of CPU per scrape.
"""

from __future__ import annotations

from collections import Counter as Counter_
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from weakref import WeakSet

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from monitor import __version__
from monitor.alerting.silences import Silence
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
NOTIFICATION_OUTCOMES = ("delivered", "retried", "dead")


def declare_notifier(name: str) -> None:
    """Start a notifier's outcome series at 0. A counter series that first appears at 1 shows no
    increase() in Prometheus, so without this the first dead letter would never fire an alert."""
    for outcome in NOTIFICATION_OUTCOMES:
        notifications_total.labels(notifier=name, outcome=outcome)


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


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


Rows = Iterator[tuple[str, float]]  # (rendered label set, finite value: repr() is its exposition)


def _up(r: ProviderReading, p: str) -> Rows:
    if r.state is not None:
        yield f'provider="{p}"', 1.0 if r.state.up else 0.0


def _status(r: ProviderReading, p: str) -> Rows:
    level = r.state.overall_status().level if r.state is not None and r.state.baselined else None
    if level is not None:
        yield f'provider="{p}"', float(level)


def _components(r: ProviderReading, p: str) -> Rows:
    if r.state is None or not r.state.baselined:
        return
    for c in r.state.components.values():
        level = c.status.level  # None while unknown: the series keeps its last known value
        if level is not None:
            yield f'provider="{p}",component="{_escape(component_label(c.name, c.group))}"', float(level)


def _incidents(r: ProviderReading, p: str) -> Rows:
    if r.state is not None and r.state.baselined:
        yield f'provider="{p}"', float(len(r.state.incidents))


def _polls(r: ProviderReading, p: str) -> Rows:
    for outcome, count in r.polls.items():
        if count:
            yield f'provider="{p}",outcome="{outcome}"', float(count)


def _last_success(r: ProviderReading, p: str) -> Rows:
    if r.state is not None and r.state.last_success_at is not None:
        yield f'provider="{p}"', r.state.last_success_at.timestamp()


def _warnings(r: ProviderReading, p: str) -> Rows:
    yield f'provider="{p}"', float(r.parse_warnings)


PROVIDER_FAMILIES: tuple[tuple[str, str, str, Callable[[ProviderReading, str], Rows]], ...] = (
    ("outage_monitor_provider_up", "gauge", "1 when the last fetch and parse succeeded", _up),
    ("outage_monitor_provider_status", "gauge", STATUS_HELP, _status),
    ("outage_monitor_component_status", "gauge", STATUS_HELP, _components),
    ("outage_monitor_active_incidents", "gauge", "Open incidents on the provider's page", _incidents),
    (
        "outage_monitor_polls_total",
        "counter",
        "Polls by outcome: ok, not_modified, timeout, connect_error, http_error, rate_limited, too_large,"
        " parse_error",
        _polls,
    ),
    (
        "outage_monitor_last_success_timestamp_seconds",
        "gauge",
        "Unix time of the last successful poll",
        _last_success,
    ),
    (
        "outage_monitor_parse_warnings_total",
        "counter",
        "Values a parser could not read (unknown enum values, missing fields)",
        _warnings,
    ),
)


class ProviderSeries:
    """The per-provider series, read from every live poller at scrape time and written as text in
    chunks, so a scrape of 10,000 providers neither holds every sample in memory at once nor stalls
    the event loop. Status gauges keep the last known value while a page cannot be read."""

    def __init__(self) -> None:
        self._sources: WeakSet[ReadingSource] = WeakSet()

    def attach(self, source: ReadingSource) -> None:
        self._sources.add(source)

    def detach(self, source: ReadingSource) -> None:
        """A replica that stops leading exports no provider series (monitor/leadership.py)."""
        self._sources.discard(source)

    def exposition(self, chunk_lines: int = 4000) -> Iterator[str]:
        """Prometheus text format 0.0.4, one family after the other."""
        readings = [(r, _escape(r.provider)) for source in list(self._sources) for r in source.readings()]
        for name, kind, help_text, rows in PROVIDER_FAMILIES:
            lines = [f"# HELP {name} {help_text}\n# TYPE {name} {kind}\n"]
            for reading, provider in readings:
                for labels, value in rows(reading, provider):
                    lines.append(f"{name}{{{labels}}} {value!r}\n")
                if len(lines) >= chunk_lines:
                    yield "".join(lines)
                    lines = []
            yield "".join(lines)


provider_series = ProviderSeries()

outbox_pending = Gauge(
    "outage_monitor_outbox_pending", "Notifications waiting to be delivered", registry=REGISTRY
)
store_errors_total = Counter(
    "outage_monitor_store_errors_total",
    "Store writes that failed (full disk, read-only state directory), by operation: commit, claim, mark",
    ["operation"],
    registry=REGISTRY,
)
notification_latency_seconds = Histogram(
    "outage_monitor_notification_latency_seconds",
    "From event detected to notification delivered",
    buckets=(0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600),
    registry=REGISTRY,
)


alerts = Gauge(
    "outage_monitor_alerts",
    "Firing alerts by what the alerting stage does with them: firing (sent), silenced, muted, folded",
    ["state"],
    registry=REGISTRY,
)
ALERT_STATES = ("firing", "silenced", "muted", "folded")
silences = Gauge("outage_monitor_silences", "Silences by state", ["state"], registry=REGISTRY)
SILENCE_STATES = ("active", "pending", "expired")
for _state in ALERT_STATES:
    alerts.labels(state=_state)
for _state in SILENCE_STATES:
    silences.labels(state=_state)


def record_alerts(counts: Mapping[str, int], silence_list: Iterable[Silence], now: datetime) -> None:
    """After each evaluation: the alert states it counted, and the silences by state at `now`."""
    for state in ALERT_STATES:
        alerts.labels(state=state).set(counts.get(state, 0))
    by_state = Counter_(str(s.state(now)) for s in silence_list)
    for state in SILENCE_STATES:
        silences.labels(state=state).set(by_state[state])


def exposition() -> Iterator[bytes]:
    """Everything /metrics serves: the registry's metrics, then the per-provider families."""
    yield generate_latest(REGISTRY)
    for chunk in provider_series.exposition():
        yield chunk.encode()


# High availability (issue 12): a follower exports 0 and no provider series, so sum() never double counts.
leader = Gauge(
    "outage_monitor_leader", "1 on the replica that polls, evaluates and delivers", registry=REGISTRY
)
leader_changes_total = Counter(
    "outage_monitor_leader_changes_total",
    "Times this replica became or stopped being the leader",
    registry=REGISTRY,
)
