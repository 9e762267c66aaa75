"""Why an alert is held back from notifiers: the suppression stages of Alertmanager's pipeline, pure.

Each stage is a callable `(alert labels, now) -> reason | None`; the first that answers wins, so
the recorded reason is the one a person would look for first (their own silence before the route's
quiet hours). "folded" is the grouping stage's reason (an alert that joined an open group) and is
named here only so all reasons share one type.

| case                                                   | reason     |
|--------------------------------------------------------|------------|
| an active silence matches the alert                    | "silenced" |
| a matching silence that is pending or expired          | none       |
| silenced and inside a mute interval                    | "silenced" |
| now inside any of the route's mute intervals           | "muted"    |
| the route has active intervals and now is in none      | "muted"    |
| the route has active intervals and now is in one       | none       |
| neither silences nor intervals apply                   | none       |
| an interval name missing from intervals_by_name        | KeyError   |
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Literal

from monitor.alerting.intervals import TimeInterval, active
from monitor.alerting.silences import Silence, silencing

Suppressed = Literal["silenced", "muted", "folded"]
Stage = Callable[[Mapping[str, str], datetime], Suppressed | None]


def silence_stage(silences: Iterable[Silence]) -> Stage:
    kept = tuple(silences)

    def stage(labels: Mapping[str, str], now: datetime) -> Suppressed | None:
        return "silenced" if silencing(labels, kept, now) else None

    return stage


def time_stage(
    mute_intervals: Sequence[str],
    active_intervals: Sequence[str],
    intervals_by_name: Mapping[str, TimeInterval],
) -> Stage:
    def stage(labels: Mapping[str, str], now: datetime) -> Suppressed | None:
        if active(mute_intervals, intervals_by_name, now):
            return "muted"
        if active_intervals and not active(active_intervals, intervals_by_name, now):
            return "muted"
        return None

    return stage


def mute_reasons(
    alert_labels: Mapping[str, str],
    silences: Iterable[Silence],
    route_mute_intervals: Sequence[str],
    route_active_intervals: Sequence[str],
    intervals_by_name: Mapping[str, TimeInterval],
    now: datetime,
) -> Suppressed | None:
    """Why this route holds the alert back at `now`, or None when it goes out."""
    stages = (
        silence_stage(silences),
        time_stage(route_mute_intervals, route_active_intervals, intervals_by_name),
    )
    for stage in stages:
        reason = stage(alert_labels, now)
        if reason is not None:
            return reason
    return None
