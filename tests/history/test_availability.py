"""Availability from our own observations: time not operational over time observed, unread time apart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from monitor.availability import Availability, availability
from monitor.history import PAGE, READABLE, UNREADABLE, StatusInterval

NOW = datetime(2026, 7, 16, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)
HOUR = timedelta(hours=1)


def interval(status: str, start: timedelta, end: timedelta | None, component: str = "api") -> StatusInterval:
    """From `start` before NOW to `end` before NOW (None: still so)."""
    return StatusInterval(component, component, status, NOW - start, None if end is None else NOW - end)


def test_time_not_operational_counts_against_the_observed_time() -> None:
    intervals = [
        interval("operational", 2 * DAY, 6 * HOUR),
        interval("major_outage", 6 * HOUR, 3 * HOUR),
        interval("operational", 3 * HOUR, None),
    ]
    day = availability(intervals, NOW, DAY)["api"]
    assert day == Availability(observed_seconds=24 * 3600, down_seconds=3 * 3600, unread_seconds=0)
    assert day.ratio == pytest.approx(21 / 24)


def test_time_before_the_first_look_is_not_observed() -> None:
    week = availability([interval("operational", 2 * DAY, None)], NOW, 7 * DAY)["api"]
    assert (week.observed_seconds, week.ratio) == (2 * 86400, 1.0)


def test_an_unreadable_page_is_shown_apart_and_never_counted_as_up() -> None:
    intervals = [
        interval("operational", DAY, None),
        interval(READABLE, DAY, 4 * HOUR, component=PAGE),
        interval(UNREADABLE, 4 * HOUR, 2 * HOUR, component=PAGE),
        interval(READABLE, 2 * HOUR, None, component=PAGE),
    ]
    result = availability(intervals, NOW, DAY)
    assert set(result) == {"api"}
    assert result["api"] == Availability(22 * 3600, 0, 2 * 3600)


def test_an_unknown_status_is_unread_and_nothing_observed_has_no_ratio() -> None:
    result = availability([interval("unknown", 5 * HOUR, None)], NOW, DAY)["api"]
    assert result == Availability(0, 0, 5 * 3600)
    assert result.ratio is None


def test_maintenance_is_not_operational() -> None:
    intervals = [interval("under_maintenance", 2 * HOUR, HOUR), interval("operational", HOUR, None)]
    assert availability(intervals, NOW, DAY)["api"].ratio == pytest.approx(0.5)
