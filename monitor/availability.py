"""Each component's availability over a window, from our own observations (monitor/history.py intervals).

Availability is the share of the observed time the component was operational: time in any other known
status (maintenance included) counts against it, and time we could not read the page (or the page said
"unknown") is reported apart as `unread`, never counted as up. Time before we first looked is not
observed at all. Pure: the intervals and `now` in, numbers out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from monitor.history import PAGE, UNREADABLE, StatusInterval
from monitor.model import ComponentStatus

WINDOWS = {"24h": timedelta(hours=24), "7d": timedelta(days=7), "30d": timedelta(days=30)}


@dataclass(frozen=True, slots=True)
class Availability:
    observed_seconds: float  # readable time in the window: up + down
    down_seconds: float  # of it, not operational
    unread_seconds: float  # the page unreadable or the status unknown: neither up nor down

    @property
    def ratio(self) -> float | None:
        """Up over observed; None when nothing was observed."""
        if self.observed_seconds <= 0:
            return None
        return (self.observed_seconds - self.down_seconds) / self.observed_seconds


Span = tuple[datetime, datetime]


def availability(
    intervals: Sequence[StatusInterval], now: datetime, window: timedelta
) -> dict[str, Availability]:
    """Per component id (the page's own readability rows excluded), over [now - window, now]."""
    start = now - window
    unreadable = [
        span
        for i in intervals
        if i.component == PAGE and i.status == UNREADABLE
        for span in _clip(i, start, now)
    ]
    totals: dict[str, list[float]] = {}
    for interval in intervals:
        if interval.component == PAGE:
            continue
        observed, down, unread = totals.setdefault(interval.component, [0.0, 0.0, 0.0])
        for a, b in _clip(interval, start, now):
            length = (b - a).total_seconds()
            blind = sum(_overlap((a, b), span) for span in unreadable)
            if interval.status == ComponentStatus.UNKNOWN.value:
                unread += length
                continue
            unread += blind
            observed += length - blind
            if interval.status != ComponentStatus.OPERATIONAL.value:
                down += length - blind
        totals[interval.component] = [observed, down, unread]
    return {component: Availability(*values) for component, values in totals.items()}


def _clip(interval: StatusInterval, start: datetime, end: datetime) -> list[Span]:
    a = max(interval.started_at, start)
    b = min(interval.ended_at or end, end)
    return [(a, b)] if a < b else []


def _overlap(one: Span, other: Span) -> float:
    return max((min(one[1], other[1]) - max(one[0], other[0])).total_seconds(), 0.0)
