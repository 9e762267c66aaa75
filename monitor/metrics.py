"""Every Prometheus metric the daemon exports, in one registry.

Labels are bounded: provider and component names come from the config or the page's component
list, notifier names from the config, kinds/severities/outcomes from enums. Never incident ids or
free text.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from monitor import __version__

REGISTRY = CollectorRegistry(auto_describe=True)

build_info = Gauge("outage_monitor_build_info", "Build of the running daemon", ["version"], registry=REGISTRY)
build_info.labels(version=__version__).set(1)

provider_up = Gauge(
    "outage_monitor_provider_up", "1 when the last fetch and parse succeeded", ["provider"], registry=REGISTRY
)
provider_status = Gauge(
    "outage_monitor_provider_status",
    "0 operational, 1 under_maintenance, 2 degraded_performance, 3 partial_outage, 4 major_outage",
    ["provider"],
    registry=REGISTRY,
)
component_status = Gauge(
    "outage_monitor_component_status",
    "0 operational, 1 under_maintenance, 2 degraded_performance, 3 partial_outage, 4 major_outage",
    ["provider", "component"],
    registry=REGISTRY,
)
active_incidents = Gauge(
    "outage_monitor_active_incidents",
    "Open incidents on the provider's page",
    ["provider"],
    registry=REGISTRY,
)
polls_total = Counter(
    "outage_monitor_polls_total",
    "Polls by outcome: ok, not_modified, timeout, connect_error, http_error, rate_limited, too_large,"
    " parse_error",
    ["provider", "outcome"],
    registry=REGISTRY,
)
poll_duration_seconds = Histogram(
    "outage_monitor_poll_duration_seconds",
    "Time to fetch and parse one provider's page",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
    registry=REGISTRY,
)
last_success_timestamp_seconds = Gauge(
    "outage_monitor_last_success_timestamp_seconds",
    "Unix time of the last successful poll",
    ["provider"],
    registry=REGISTRY,
)
parse_warnings_total = Counter(
    "outage_monitor_parse_warnings_total",
    "Values a parser could not read (unknown enum values, missing fields)",
    ["provider"],
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
outbox_pending = Gauge(
    "outage_monitor_outbox_pending", "Notifications waiting to be delivered", registry=REGISTRY
)
notification_latency_seconds = Histogram(
    "outage_monitor_notification_latency_seconds",
    "From event detected to notification delivered",
    buckets=(0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600),
    registry=REGISTRY,
)
