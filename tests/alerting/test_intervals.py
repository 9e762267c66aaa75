"""Time intervals: one test per row of the rule table in monitor/alerting/intervals.py."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from monitor.alerting.intervals import TimeInterval, TimeRange, active


def at(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def within(**fields: Any) -> TimeRange:
    return TimeRange.model_validate(fields)


def error_of(**fields: Any) -> str:
    with pytest.raises(ValidationError) as caught:
        TimeRange.model_validate(fields)
    return str(caught.value)


MONDAY = at(2026, 3, 2)


@pytest.mark.parametrize("fields", [{}, {"times": [], "weekdays": [], "days_of_month": [], "months": []}])
@pytest.mark.parametrize("moment", [MONDAY, at(2024, 2, 29, 23, 59), at(1999, 12, 31, 0, 0)])
def test_omitted_or_empty_fields_mean_any(fields: dict[str, Any], moment: datetime) -> None:
    assert within(**fields).contains(moment)


@pytest.mark.parametrize(
    ("times", "moment", "expected"),
    [
        ([{"start_time": "09:00", "end_time": "17:00"}], at(2026, 3, 2, 9, 0), True),
        ([{"start_time": "09:00", "end_time": "17:00"}], at(2026, 3, 2, 16, 59), True),
        ([{"start_time": "09:00", "end_time": "17:00"}], at(2026, 3, 2, 17, 0), False),  # end exclusive
        ([{"start_time": "09:00", "end_time": "17:00"}], at(2026, 3, 2, 8, 59), False),
        ([{"start_time": "00:00", "end_time": "24:00"}], at(2026, 3, 2, 23, 59), True),
        (
            [{"start_time": "22:00", "end_time": "24:00"}, {"start_time": "00:00", "end_time": "06:00"}],
            at(2026, 3, 2, 3, 0),
            True,
        ),
    ],
)
def test_times_are_minutes_of_the_day_end_exclusive(
    times: list[dict[str, str]], moment: datetime, expected: bool
) -> None:
    assert within(times=times).contains(moment) is expected


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("9:00", "17:00", "invalid time '9:00': expected HH:MM between 00:00 and 24:00"),
        ("09:00", "24:01", "invalid time '24:01'"),
        ("09:60", "17:00", "invalid time '09:60'"),
        ("nine", "17:00", "invalid time 'nine'"),
    ],
)
def test_times_must_be_hh_mm(start: str, end: str, message: str) -> None:
    assert message in error_of(times=[{"start_time": start, "end_time": end}])


def test_times_need_both_ends() -> None:
    assert "times.0.end_time\n  Field required" in error_of(times=[{"start_time": "09:00"}])


@pytest.mark.parametrize(("start", "end"), [("22:00", "06:00"), ("09:00", "09:00")])
def test_a_time_range_cannot_cross_midnight_or_be_empty(start: str, end: str) -> None:
    message = error_of(times=[{"start_time": start, "end_time": end}])
    assert f"start_time {start} must be before end_time {end}; to cross midnight use two ranges" in message


@pytest.mark.parametrize(
    ("weekdays", "moment", "expected"),
    [
        (["monday:friday"], MONDAY, True),
        (["monday:friday"], at(2026, 3, 6), True),  # friday
        (["monday:friday"], at(2026, 3, 7), False),  # saturday
        (["Saturday", "SUNDAY"], at(2026, 3, 1), True),
        (["sunday:saturday"], at(2026, 3, 4), True),
        (["wednesday"], MONDAY, False),
    ],
)
def test_weekdays(weekdays: list[str], moment: datetime, expected: bool) -> None:
    assert within(weekdays=weekdays).contains(moment) is expected


@pytest.mark.parametrize(
    ("weekdays", "message"),
    [
        (["saturday:sunday"], "invalid range 'saturday:sunday': its end is before its start"),
        (["mondy"], "invalid weekday 'mondy'; did you mean 'monday'?"),
        (["1"], "invalid weekday '1'; known: sunday, monday"),
        (["monday:"], "invalid range 'monday:': expected a weekday or weekday:weekday"),
        (["monday:tuesday:friday"], "expected a weekday or weekday:weekday"),
        ([True], "expected a weekday or a range like weekday:weekday, got True"),
    ],
)
def test_weekday_errors(weekdays: list[object], message: str) -> None:
    assert message in error_of(weekdays=weekdays)


@pytest.mark.parametrize(
    ("days", "moment", "expected"),
    [
        (["1:5"], at(2026, 3, 5), True),
        (["1:5"], at(2026, 3, 6), False),
        ([1], at(2026, 3, 1), True),  # YAML gives a number
        (["-1"], at(2026, 1, 31), True),  # 31-day month
        (["-1"], at(2026, 1, 30), False),
        (["-1"], at(2026, 4, 30), True),  # 30-day month
        (["-1"], at(2024, 2, 29), True),  # 29-day february
        (["-1"], at(2024, 2, 28), False),
        (["-1"], at(2026, 2, 28), True),  # 28-day february
        (["-3:-1"], at(2026, 2, 26), True),
        (["-3:-1"], at(2026, 2, 25), False),
        (["-3:-1"], at(2026, 1, 29), True),
        (["-3:-1"], at(2026, 1, 28), False),
        (["1:-1"], at(2026, 4, 30), True),
        (["25:-2"], at(2026, 2, 27), True),
        (["25:-2"], at(2026, 2, 28), False),
    ],
)
def test_days_of_month_count_negative_days_from_the_months_end(
    days: list[object], moment: datetime, expected: bool
) -> None:
    assert within(days_of_month=days).contains(moment) is expected


@pytest.mark.parametrize(
    ("days", "moment", "expected"),
    [
        (["31"], at(2026, 4, 30), False),  # april has no 31st
        (["30:31"], at(2026, 2, 28), False),
        (["-31"], at(2026, 4, 1), False),  # april has no 31st-last day either
        (["30:31"], at(2026, 4, 30), True),
        (["-31:-28"], at(2026, 2, 1), True),
        (["-31:-28"], at(2026, 3, 1), True),
        (["-31:-28"], at(2026, 3, 5), False),
    ],
)
def test_days_a_month_lacks(days: list[str], moment: datetime, expected: bool) -> None:
    assert within(days_of_month=days).contains(moment) is expected


@pytest.mark.parametrize(
    ("days", "message"),
    [
        (["0"], "day 0 is not a day of the month: use 1 for the first, -1 for the last"),
        (["32"], "invalid day of the month '32': expected a number from -31 to 31"),
        (["-32"], "invalid day of the month '-32'"),
        (["first"], "invalid day of the month 'first'"),
        (["-3:5"], "invalid range '-3:5': a range from a negative day must end on a negative day"),
        (["5:1"], "invalid range '5:1': its end is before its start"),
        (["-1:-3"], "invalid range '-1:-3': its end is before its start"),
        (["31:-5"], "invalid range '31:-5': it is empty in every month"),
    ],
)
def test_day_of_month_errors(days: list[str], message: str) -> None:
    assert message in error_of(days_of_month=days)


@pytest.mark.parametrize(
    ("months", "moment", "expected"),
    [
        (["january:march"], at(2026, 3, 31), True),
        (["january:march"], at(2026, 4, 1), False),
        (["1:3"], at(2026, 2, 10), True),
        (["December"], at(2026, 12, 24), True),
        ([12], at(2026, 11, 24), False),
    ],
)
def test_months(months: list[object], moment: datetime, expected: bool) -> None:
    assert within(months=months).contains(moment) is expected


@pytest.mark.parametrize(
    ("months", "message"),
    [
        (["janury"], "invalid month 'janury'; did you mean 'january'?"),
        (["13"], "invalid month '13': expected a number from 1 to 12"),
        (["march:january"], "invalid range 'march:january': its end is before its start"),
    ],
)
def test_month_errors(months: list[str], message: str) -> None:
    assert message in error_of(months=months)


@pytest.mark.parametrize(
    ("years", "moment", "expected"),
    [
        (["2024:2026"], at(2026, 12, 31, 23, 59), True),
        (["2024:2026"], at(2027, 1, 1, 0, 0), False),
        ([2025], at(2025, 6, 1), True),
    ],
)
def test_years(years: list[object], moment: datetime, expected: bool) -> None:
    assert within(years=years).contains(moment) is expected


def test_year_errors() -> None:
    assert "invalid range '2026:2024': its end is before its start" in error_of(years=["2026:2024"])
    assert "invalid year 'soon'" in error_of(years=["soon"])


def test_every_given_field_must_contain_the_moment() -> None:
    business = within(
        times=[{"start_time": "09:00", "end_time": "17:00"}], weekdays=["monday:friday"], months=["march"]
    )
    assert business.contains(at(2026, 3, 2, 10))
    assert not business.contains(at(2026, 3, 7, 10))  # saturday
    assert not business.contains(at(2026, 3, 2, 18))  # evening
    assert not business.contains(at(2026, 4, 6, 10))  # april


BERLIN_OFFICE = {"times": [{"start_time": "09:00", "end_time": "17:00"}], "location": "Europe/Berlin"}


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (at(2026, 3, 27, 8, 0), True),  # 09:00 CET (UTC+1), friday before the change
        (at(2026, 3, 27, 7, 30), False),  # 08:30 CET
        (at(2026, 3, 30, 7, 0), True),  # 09:00 CEST (UTC+2), monday after
        (at(2026, 3, 30, 15, 0), False),  # 17:00 CEST
        (at(2026, 3, 30, 15, 30), False),  # would be 16:30 in CET
    ],
)
def test_location_reads_the_fields_in_local_time_across_dst(moment: datetime, expected: bool) -> None:
    assert within(**BERLIN_OFFICE).contains(moment) is expected


def test_local_times_skipped_by_dst_never_match_and_repeated_ones_match_twice() -> None:
    two_am = within(times=[{"start_time": "02:00", "end_time": "03:00"}], location="Europe/Berlin")
    spring = [at(2026, 3, 29, h, m) for h in range(24) for m in (0, 30)]
    autumn = [at(2026, 10, 25, h, m) for h in range(24) for m in (0, 30)]
    assert [t for t in spring if two_am.contains(t)] == []  # 02:00 CET jumps to 03:00 CEST
    assert [t for t in autumn if two_am.contains(t)] == [
        at(2026, 10, 25, h, m) for h in (0, 1) for m in (0, 30)
    ]


def test_location_decides_the_weekday_and_day() -> None:
    sunday_in_tokyo = at(2026, 3, 1, 20, 0)  # 2026-03-02 05:00 monday in Tokyo
    assert within(weekdays=["monday"], location="Asia/Tokyo").contains(sunday_in_tokyo)
    assert not within(weekdays=["monday"]).contains(sunday_in_tokyo)
    assert within(days_of_month=["-1"], location="America/Los_Angeles").contains(at(2026, 3, 1, 3, 0))


def test_a_non_utc_moment_is_the_same_instant() -> None:
    berlin = zoneinfo.ZoneInfo("Europe/Berlin")
    assert within(**BERLIN_OFFICE).contains(datetime(2026, 3, 30, 9, 0, tzinfo=berlin))


def test_a_naive_moment_is_refused() -> None:
    with pytest.raises(ValueError, match="needs an aware datetime"):
        within().contains(datetime(2026, 3, 2, 12, 0))


@pytest.mark.parametrize(
    ("location", "message"),
    [
        ("europe/berlin", "unknown time zone 'europe/berlin'; did you mean 'Europe/Berlin'?"),
        ("Europe/Berln", "did you mean 'Europe/Berlin'?"),
        ("Mars/Olympus", "unknown time zone 'Mars/Olympus'"),
        ("Europe", "unknown time zone 'Europe'"),
        ("../etc/passwd", "unknown time zone '../etc/passwd'"),
        ("", "unknown time zone ''; expected an IANA name such as Europe/Berlin"),
    ],
)
def test_unknown_zones_are_errors(location: str, message: str) -> None:
    assert message in error_of(location=location)


def test_unknown_keys_are_errors() -> None:
    assert "weekday\n  Extra inputs are not permitted" in error_of(weekday=["monday"])
    with pytest.raises(ValidationError, match="time_interval\n  Extra inputs are not permitted"):
        TimeInterval.model_validate({"name": "x", "time_interval": []})


def test_error_locations_point_at_the_entry() -> None:
    with pytest.raises(ValidationError) as caught:
        TimeInterval.model_validate(
            {
                "name": "office",
                "time_intervals": [{"weekdays": ["monday"]}, {"weekdays": ["monday", "fryday"]}],
            }
        )
    assert [e["loc"] for e in caught.value.errors()] == [("time_intervals", 1, "weekdays", 1)]


OFFICE = TimeInterval.model_validate(
    {
        "name": "office",
        "time_intervals": [
            {"weekdays": ["monday:friday"], "times": [{"start_time": "09:00", "end_time": "17:00"}]},
            {"weekdays": ["saturday"], "times": [{"start_time": "10:00", "end_time": "12:00"}]},
        ],
    }
)
NIGHTS = TimeInterval.model_validate(
    {"name": "nights", "time_intervals": [{"times": [{"start_time": "00:00", "end_time": "06:00"}]}]}
)
BY_NAME = {i.name: i for i in (OFFICE, NIGHTS)}


@pytest.mark.parametrize(
    ("moment", "expected"),
    [(at(2026, 3, 2, 10), True), (at(2026, 3, 7, 11), True), (at(2026, 3, 7, 13), False)],
)
def test_an_interval_contains_what_any_of_its_ranges_does(moment: datetime, expected: bool) -> None:
    assert OFFICE.contains(moment) is expected


def test_an_interval_without_ranges_contains_nothing() -> None:
    assert not TimeInterval(name="never").contains(MONDAY)


def test_active_names_the_given_intervals_containing_now() -> None:
    assert active(["nights", "office"], BY_NAME, at(2026, 3, 2, 3)) == ["nights"]
    assert active(["nights", "office"], BY_NAME, at(2026, 3, 2, 10)) == ["office"]
    assert active([], BY_NAME, at(2026, 3, 2, 10)) == []
    with pytest.raises(KeyError, match="unknown time interval 'weekend'"):
        active(["office", "weekend"], BY_NAME, at(2026, 3, 2, 10))
