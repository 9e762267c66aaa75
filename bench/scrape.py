"""Reading the daemon and the fleet over loopback: /readyz, /stats, and the few /metrics series we need."""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

# No proxy, whatever the environment says: every request of the benchmark goes to 127.0.0.1.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))
_LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


def get(url: str, timeout: float = 30.0) -> tuple[int, bytes]:
    try:
        with _OPENER.open(url, timeout=timeout) as response:
            return int(response.status), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def get_json(url: str) -> Any:
    status, body = get(url)
    if status != 200:
        raise RuntimeError(f"GET {url}: HTTP {status}")
    return json.loads(body)


def ready(url: str) -> bool:
    try:
        return get(url, timeout=2.0)[0] == 200
    except OSError:
        return False


@dataclass(frozen=True, slots=True)
class MetricsSample:
    """The daemon's counters at one moment (the middle of the scrape), summed over providers."""

    at: float  # time.monotonic()
    polls: dict[str, float]  # outcome -> polls
    poll_seconds_sum: float
    poll_seconds_count: float
    events: float
    notifications: dict[str, float] = field(default_factory=dict)  # outcome -> attempts
    outbox_pending: float = 0.0
    series: int = 0  # samples in the exposition: what a Prometheus server stores per scrape
    body_bytes: int = 0
    scrape_seconds: float = 0.0


def scrape(url: str) -> MetricsSample:
    started = time.monotonic()
    status, body = get(url, timeout=120.0)
    finished = time.monotonic()
    if status != 200:
        raise RuntimeError(f"GET {url}: HTTP {status}")
    polls: defaultdict[str, float] = defaultdict(float)
    notifications: defaultdict[str, float] = defaultdict(float)
    sums = {"duration_sum": 0.0, "duration_count": 0.0, "events": 0.0, "pending": 0.0}
    series = 0
    for line in body.decode().splitlines():
        if not line or line.startswith("#"):
            continue
        series += 1
        head, _, number = line.rpartition(" ")  # label values may hold spaces; the value never does
        name, _, rest = head.partition("{")
        value = float(number)
        if name == "outage_monitor_polls_total":
            polls[_labels(rest)["outcome"]] += value
        elif name == "outage_monitor_notifications_total":
            notifications[_labels(rest)["outcome"]] += value
        elif name == "outage_monitor_poll_duration_seconds_sum":
            sums["duration_sum"] = value
        elif name == "outage_monitor_poll_duration_seconds_count":
            sums["duration_count"] = value
        elif name == "outage_monitor_events_total":
            sums["events"] += value
        elif name == "outage_monitor_outbox_pending":
            sums["pending"] = value
    return MetricsSample(
        at=(started + finished) / 2,
        polls=dict(polls),
        poll_seconds_sum=sums["duration_sum"],
        poll_seconds_count=sums["duration_count"],
        events=sums["events"],
        notifications=dict(notifications),
        outbox_pending=sums["pending"],
        series=series,
        body_bytes=len(body),
        scrape_seconds=finished - started,
    )


def delta(later: dict[str, float], earlier: dict[str, float]) -> dict[str, float]:
    """Counter increases between two samples, by label value; a label seen only later counts from zero."""
    return {
        key: value - earlier.get(key, 0.0) for key, value in later.items() if value != earlier.get(key, 0.0)
    }


def _labels(text: str) -> dict[str, str]:
    return dict(_LABEL.findall(text))
