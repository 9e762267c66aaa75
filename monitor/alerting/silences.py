"""Silences: a person's "I know, stop paging me about this" for a while, in Alertmanager's terms.

Pure: the clock comes in as `now` (UTC-aware). A silence is a set of label matchers and a time window;
it holds back an alert whose labels all its matchers match while it is active. The API and the CLI
send requests in Alertmanager's shape; the store keeps `to_json()` and reads it back with `from_json`.

| case                                 | rule                                                              |
|--------------------------------------|-------------------------------------------------------------------|
| no matcher                           | error: at least one matcher                                       |
| every matcher matches ""             | error: it would silence every alert (`component=~".*"` alone)     |
| blank createdBy or comment           | error: both required, as in Alertmanager                          |
| naive datetime                       | error: times must carry a zone                                    |
| endsAt before startsAt               | error (equal is allowed: what expiring a pending one leaves)      |
| now < startsAt                       | state "pending"                                                   |
| startsAt <= now < endsAt             | state "active" (the end is exclusive: expired now means over now) |
| endsAt <= now                        | state "expired"                                                   |
| expire(now) of an active one         | a copy ending now                                                 |
| expire(now) of a pending one         | a copy starting and ending now (never active)                     |
| expire(now) of an expired one        | itself, unchanged                                                 |
| silencing(labels, silences, now)     | ids of the active silences whose matchers all match, given order  |
| request matchers                     | `provider="github"` strings or `{name, value, isRegex, isEqual}`  |
| request without startsAt             | starts now                                                        |
| request end                          | exactly one of endsAt or duration (`2h`, monitor.durations)       |
| request end not after start, or past | error                                                             |
| request with an unknown key          | error naming it; every problem is listed at once                  |
| to_json / from_json                  | API field names, times as fixed-width ISO UTC; round-trips        |
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal
from uuid import uuid4

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, PlainValidator, ValidationError

from monitor.alerting.matchers import Matcher, parse_matcher
from monitor.durations import Duration
from monitor.store.codec import format_time, parse_time

SilenceState = Literal["pending", "active", "expired"]


class SilenceError(ValueError):
    """A silence (or a request for one) that cannot be kept; the message says why."""


def new_silence_id() -> str:
    return str(uuid4())


@dataclass(frozen=True, slots=True)
class Silence:
    """Constructing one validates it (raises `SilenceError`)."""

    id: str
    matchers: tuple[Matcher, ...]
    starts_at: datetime
    ends_at: datetime
    created_by: str
    comment: str
    created_at: datetime

    def __post_init__(self) -> None:
        if not self.id:
            raise SilenceError("a silence needs an id")
        if not self.matchers:
            raise SilenceError("a silence needs at least one matcher")
        if all(m.matches_empty for m in self.matchers):
            raise SilenceError(
                "at least one matcher must not match the empty string, or every alert is silenced"
            )
        if not self.created_by.strip() or not self.comment.strip():
            raise SilenceError("createdBy and comment are required")
        if any(t.tzinfo is None for t in (self.starts_at, self.ends_at, self.created_at)):
            raise SilenceError("silence times must carry a time zone")
        if self.ends_at < self.starts_at:
            raise SilenceError("endsAt must not be before startsAt")

    def state(self, now: datetime) -> SilenceState:
        if now < self.starts_at:
            return "pending"
        return "active" if now < self.ends_at else "expired"

    def expire(self, now: datetime) -> Silence:
        state = self.state(now)
        if state == "expired":
            return self
        return replace(self, starts_at=now if state == "pending" else self.starts_at, ends_at=now)

    def matches(self, labels: Mapping[str, str]) -> bool:
        return all(m.matches(labels) for m in self.matchers)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "matchers": [m.to_json() for m in self.matchers],
            "startsAt": format_time(self.starts_at),
            "endsAt": format_time(self.ends_at),
            "createdBy": self.created_by,
            "comment": self.comment,
            "createdAt": format_time(self.created_at),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Silence:
        try:
            return cls(
                id=data["id"],
                matchers=tuple(Matcher.from_json(m) for m in data["matchers"]),
                starts_at=parse_time(data["startsAt"]),
                ends_at=parse_time(data["endsAt"]),
                created_by=data["createdBy"],
                comment=data["comment"],
                created_at=parse_time(data["createdAt"]),
            )
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            raise SilenceError(f"unreadable silence: {exc!r}") from None


def silencing(labels: Mapping[str, str], silences: Iterable[Silence], now: datetime) -> list[str]:
    """Ids of the silences holding back an alert with these labels at `now`."""
    return [s.id for s in silences if s.state(now) == "active" and s.matches(labels)]


def _to_matcher(value: object) -> Matcher:
    if isinstance(value, str):
        return parse_matcher(value)
    if isinstance(value, Mapping):
        return Matcher.from_json(value)
    raise ValueError(
        'a matcher is a string like provider="github" or {"name", "value", "isRegex", "isEqual"}'
    )


class _Request(BaseModel):
    """The body of `POST /api/v1/silences` and of the CLI's silence command."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    matchers: list[Annotated[Matcher, PlainValidator(_to_matcher)]] = Field(min_length=1)
    starts_at: AwareDatetime | None = Field(None, alias="startsAt")
    ends_at: AwareDatetime | None = Field(None, alias="endsAt")
    duration: Duration | None = None
    created_by: str = Field(alias="createdBy")
    comment: str


def parse_silence_request(body: object, now: datetime, new_id: Callable[[], str] = new_silence_id) -> Silence:
    """A new silence from a request, or `SilenceError` listing every problem as `field: message`."""
    try:
        request = _Request.model_validate(body)
    except ValidationError as exc:
        raise SilenceError("; ".join(_problem(e) for e in exc.errors())) from None
    if (request.ends_at is None) == (request.duration is None):
        raise SilenceError("give exactly one of endsAt or duration")
    try:  # in UTC, as kept; near year 1 or 9999 that (or adding the duration) leaves datetime's range
        starts_at = request.starts_at.astimezone(UTC) if request.starts_at else now
        ends_at = (
            request.ends_at.astimezone(UTC)
            if request.ends_at
            else starts_at + timedelta(seconds=request.duration or 0)
        )
    except OverflowError:
        raise SilenceError("startsAt or endsAt is out of range") from None
    if ends_at <= starts_at:
        raise SilenceError("endsAt must be after startsAt")
    if ends_at <= now:
        raise SilenceError("endsAt is in the past")
    return Silence(
        id=new_id(),
        matchers=tuple(request.matchers),
        starts_at=starts_at,
        ends_at=ends_at,
        created_by=request.created_by,
        comment=request.comment,
        created_at=now,
    )


def _problem(error: Any) -> str:
    where = ".".join(str(part) for part in error["loc"]) or "body"
    if error["type"] == "extra_forbidden":
        return f"unknown field {where!r}"
    if error["type"] == "missing":
        return f"{where}: required"
    return f"{where}: {error['msg'].removeprefix('Value error, ')}"
