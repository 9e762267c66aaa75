"""Named time intervals (quiet hours, business hours), exactly as Alertmanager's `time_intervals` block.

Pure pydantic models for the config: `TimeInterval` is `{name, time_intervals: [TimeRange, ...]}`,
and a moment is in the interval when any of its time ranges contains it. Within one `TimeRange`,
every field given must contain the moment (AND); within one field, any entry may (OR). Every
invalid value is a pydantic `ValidationError` whose message says what to write instead.

| field / case                   | rule                                                                    |
|--------------------------------|-------------------------------------------------------------------------|
| a field omitted or `[]`        | any: it does not restrict                                               |
| `times`                        | `{start_time: "HH:MM", end_time: "HH:MM"}`, 00:00..24:00, end exclusive |
| times not HH:MM, or missing    | error (two-digit hours, as Alertmanager)                                |
| start_time >= end_time         | error: a range cannot cross midnight; use two ranges                    |
| `weekdays`                     | `monday` or `monday:friday`, any case; the week starts on sunday        |
| weekday range backwards        | error (`saturday:sunday` is two entries: `saturday`, `sunday`)          |
| `days_of_month`                | `1`, `1:5`, `-1` = the last day, `-3:-1`, `1:-1`; 1..31 or -31..-1      |
| a day that a month lacks       | `31`, `-31` match nothing in april; `30:31` keeps the 30th of april     |
| day 0, beyond 31, `-3:5`       | error                                                                   |
| a day range empty every month  | error (`5:1`, `-1:-3`, `31:-5`)                                         |
| `months`                       | `january`, `1:3`, `january:march`, any case                             |
| `years`                        | `2024`, `2024:2026`                                                     |
| `location`                     | an IANA zone (default UTC); fields read in its local time, DST included |
| unknown zone                   | error, with "did you mean" when close                                   |
| unknown key, weekday or month  | error (extra="forbid"; "did you mean" for weekday and month names)      |
| active(names, by_name, now)    | the names whose interval contains now; an unknown name is a KeyError    |
"""

from __future__ import annotations

import calendar
import re
import zoneinfo
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Annotated, NamedTuple, Self

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from monitor.alerting.matchers import did_you_mean

_WEEKDAYS = ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")
_MONTHS = tuple(name.lower() for name in calendar.month_name[1:])
_CLOCK = re.compile(r"(?:[01]\d|2[0-3]):[0-5]\d|24:00")


class Span(NamedTuple):
    """An inclusive range of weekdays (0 = sunday), days of the month, months (1 = january) or years."""

    begin: int
    end: int

    def __contains__(self, value: object) -> bool:
        return isinstance(value, int) and self.begin <= value <= self.end


def _minutes(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def _clock(text: str) -> str:
    if not _CLOCK.fullmatch(text):
        raise ValueError(f"invalid time {text!r}: expected HH:MM between 00:00 and 24:00")
    return text


def _span(value: object, member: Callable[[str], int], what: str, ordered: bool = True) -> Span:
    """`x` or `x:y`, each side read by `member`; a backwards range is an error when `ordered`."""
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise ValueError(f"expected a {what} or a range like {what}:{what}, got {value!r}")
    parts = str(value).strip().lower().split(":")
    if len(parts) > 2 or "" in parts:
        raise ValueError(f"invalid range {value!r}: expected a {what} or {what}:{what}")
    span = Span(member(parts[0]), member(parts[-1]))
    if ordered and span.begin > span.end:
        raise ValueError(f"invalid range {value!r}: its end is before its start")
    return span


def _number(text: str, what: str, low: int, high: int) -> int:
    if not re.fullmatch(r"-?\d+", text) or not low <= int(text) <= high:
        raise ValueError(f"invalid {what} {text!r}: expected a number from {low} to {high}")
    return int(text)


def _named(text: str, names: tuple[str, ...], what: str) -> int:
    if text in names:
        return names.index(text)
    raise ValueError(did_you_mean(f"invalid {what} {text!r}", text, names))


def _weekdays(value: object) -> Span:
    return _span(value, lambda t: _named(t, _WEEKDAYS, "weekday"), "weekday")


def _months(value: object) -> Span:
    def month(text: str) -> int:
        return _number(text, "month", 1, 12) if text.isdigit() else _named(text, _MONTHS, "month") + 1

    return _span(value, month, "month")


def _years(value: object) -> Span:
    return _span(value, lambda t: _number(t, "year", 1, 9999), "year")


def _days_of_month(value: object) -> Span:
    def day(text: str) -> int:
        number = _number(text, "day of the month", -31, 31)
        if number == 0:
            raise ValueError("day 0 is not a day of the month: use 1 for the first, -1 for the last")
        return number

    span = _span(value, day, "day", ordered=False)
    if (span.begin > 0) == (span.end > 0) and span.begin > span.end:
        raise ValueError(f"invalid range {value!r}: its end is before its start")
    if span.begin < 0 < span.end:
        raise ValueError(f"invalid range {value!r}: a range from a negative day must end on a negative day")
    if span.begin > 0 > span.end and span.begin > 32 + span.end:
        raise ValueError(f"invalid range {value!r}: it is empty in every month")
    return span


def _zone(name: str) -> str:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(
            did_you_mean(
                f"unknown time zone {name!r}",
                name,
                sorted(zoneinfo.available_timezones()),
                otherwise="expected an IANA name such as Europe/Berlin",
            )
        ) from None
    return name


Weekdays = Annotated[Span, BeforeValidator(_weekdays)]
DaysOfMonth = Annotated[Span, BeforeValidator(_days_of_month)]
Months = Annotated[Span, BeforeValidator(_months)]
Years = Annotated[Span, BeforeValidator(_years)]


class ClockRange(BaseModel):
    """One entry of `times`: minutes of the day from start_time up to, not including, end_time."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    start_time: Annotated[str, AfterValidator(_clock)]
    end_time: Annotated[str, AfterValidator(_clock)]

    @model_validator(mode="after")
    def _forwards(self) -> Self:
        if _minutes(self.start_time) >= _minutes(self.end_time):
            raise ValueError(
                f"start_time {self.start_time} must be before end_time {self.end_time}; "
                "to cross midnight use two ranges"
            )
        return self

    def __contains__(self, minute: object) -> bool:
        return isinstance(minute, int) and _minutes(self.start_time) <= minute < _minutes(self.end_time)


class TimeRange(BaseModel):
    """One entry of an interval's `time_intervals`: the fields given must all contain the moment."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    times: tuple[ClockRange, ...] = ()
    weekdays: tuple[Weekdays, ...] = ()
    days_of_month: tuple[DaysOfMonth, ...] = ()
    months: tuple[Months, ...] = ()
    years: tuple[Years, ...] = ()
    location: Annotated[str, AfterValidator(_zone)] = "UTC"

    def contains(self, now: datetime) -> bool:
        if now.tzinfo is None:
            raise ValueError("contains() needs an aware datetime")
        local = now.astimezone(zoneinfo.ZoneInfo(self.location))
        last_day = calendar.monthrange(local.year, local.month)[1]
        checks: list[tuple[Iterable[ClockRange | Span], int]] = [
            (self.times, local.hour * 60 + local.minute),
            (self.weekdays, local.isoweekday() % 7),
            (self.months, local.month),
            (self.years, local.year),
            ([_in_month(span, last_day) for span in self.days_of_month], local.day),
        ]
        return all(not ranges or any(value in r for r in ranges) for ranges, value in checks)


def _in_month(span: Span, last_day: int) -> Span:
    """A days-of-month span in a month of `last_day` days, negative days counted from its end."""
    begin, end = (last_day + 1 + day if day < 0 else day for day in span)
    return Span(begin, end)


class TimeInterval(BaseModel):
    """A named interval, referred to by routes' `mute_time_intervals` and `active_time_intervals`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    time_intervals: tuple[TimeRange, ...] = ()

    def contains(self, now: datetime) -> bool:
        return any(r.contains(now) for r in self.time_intervals)


def active(names: Iterable[str], intervals_by_name: Mapping[str, TimeInterval], now: datetime) -> list[str]:
    """Those of `names` whose interval contains `now`, in the given order."""
    found: list[str] = []
    for name in names:
        if name not in intervals_by_name:
            raise KeyError(f"unknown time interval {name!r}")
        if intervals_by_name[name].contains(now):
            found.append(name)
    return found
