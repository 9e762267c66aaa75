"""Silences: one test per row of the rule table in monitor/alerting/silences.py."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from monitor.alerting.matchers import Matcher, MatchOp, parse_matcher
from monitor.alerting.silences import (
    Silence,
    SilenceError,
    SilenceState,
    new_silence_id,
    parse_silence_request,
    silencing,
)

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
GITHUB = parse_matcher('provider="github"')
GITHUB_API = {"provider": "github", "kind": "component", "component": "API Requests", "severity": "major"}


def silence(**changes: Any) -> Silence:
    base = Silence(
        id="s1",
        matchers=(GITHUB,),
        starts_at=NOW,
        ends_at=NOW + timedelta(hours=2),
        created_by="ana",
        comment="GitHub is down, we know",
        created_at=NOW,
    )
    return replace(base, **changes)


def request(**fields: Any) -> dict[str, Any]:
    return {
        "matchers": ['provider="github"'],
        "duration": "2h",
        "createdBy": "ana",
        "comment": "known",
    } | fields


def test_no_matcher_is_an_error() -> None:
    with pytest.raises(SilenceError, match="at least one matcher"):
        silence(matchers=())


@pytest.mark.parametrize("texts", [['component=~".*"'], ['component=""', 'provider!="x"'], ["component!~.+"]])
def test_matchers_that_all_match_the_empty_string_are_an_error(texts: list[str]) -> None:
    with pytest.raises(SilenceError, match="must not match the empty string"):
        silence(matchers=tuple(parse_matcher(t) for t in texts))


def test_one_matcher_not_matching_empty_is_enough() -> None:
    assert silence(matchers=(parse_matcher('component=~".*"'), GITHUB)).matchers[1] == GITHUB


@pytest.mark.parametrize("changes", [{"created_by": " "}, {"comment": ""}])
def test_created_by_and_comment_are_required(changes: dict[str, str]) -> None:
    with pytest.raises(SilenceError, match="createdBy and comment are required"):
        silence(**changes)


@pytest.mark.parametrize("field", ["starts_at", "ends_at", "created_at"])
def test_naive_times_are_an_error(field: str) -> None:
    naive = datetime(2026, 3, 2, 13, 0)
    with pytest.raises(SilenceError, match="must carry a time zone"):
        silence(**{field: naive})


def test_end_before_start_is_an_error_but_equal_is_allowed() -> None:
    with pytest.raises(SilenceError, match="endsAt must not be before startsAt"):
        silence(ends_at=NOW - timedelta(seconds=1))
    assert silence(ends_at=NOW).state(NOW) == "expired"


@pytest.mark.parametrize(
    ("now", "state"),
    [
        (NOW - timedelta(microseconds=1), "pending"),
        (NOW, "active"),
        (NOW + timedelta(hours=1), "active"),
        (NOW + timedelta(hours=2) - timedelta(microseconds=1), "active"),
        (NOW + timedelta(hours=2), "expired"),
        (NOW + timedelta(days=30), "expired"),
    ],
)
def test_state_by_time(now: datetime, state: SilenceState) -> None:
    assert silence().state(now) == state


def test_expiring_an_active_silence_ends_it_now() -> None:
    later = NOW + timedelta(minutes=30)
    expired = silence().expire(later)
    assert (expired.starts_at, expired.ends_at, expired.state(later)) == (NOW, later, "expired")
    assert replace(expired, ends_at=NOW + timedelta(hours=2)) == silence()


def test_expiring_a_pending_silence_makes_it_never_active() -> None:
    pending = silence(starts_at=NOW + timedelta(hours=1), ends_at=NOW + timedelta(hours=3))
    expired = pending.expire(NOW)
    assert (expired.starts_at, expired.ends_at, expired.state(NOW)) == (NOW, NOW, "expired")


def test_expiring_an_expired_silence_changes_nothing() -> None:
    done = silence()
    assert done.expire(NOW + timedelta(hours=5)) is done


def test_silencing_lists_the_active_silences_whose_matchers_all_match() -> None:
    api_major = silence(
        id="api-major", matchers=(parse_matcher("component=~API.*"), parse_matcher("severity=major"))
    )
    silences = [
        silence(id="all-github"),
        silence(id="other", matchers=(parse_matcher("provider=stripe"),)),
        silence(id="pending", starts_at=NOW + timedelta(hours=1), ends_at=NOW + timedelta(hours=3)),
        silence(id="expired", ends_at=NOW + timedelta(minutes=1)),
        silence(id="critical-only", matchers=(GITHUB, parse_matcher("severity=critical"))),
        api_major,
    ]
    at = NOW + timedelta(minutes=5)
    assert silencing(GITHUB_API, silences, at) == ["all-github", "api-major"]
    assert silencing({"provider": "stripe", "kind": "source", "severity": "major"}, silences, at) == ["other"]


@pytest.mark.parametrize(
    "matchers",
    [
        ['provider="github"', "severity!=info"],
        [{"name": "provider", "value": "github"}, {"name": "severity", "value": "info", "isEqual": False}],
    ],
)
def test_request_matchers_as_text_or_api_objects(matchers: list[object]) -> None:
    made = parse_silence_request(request(matchers=matchers), NOW, new_id=lambda: "s9")
    assert made.matchers == (GITHUB, Matcher("severity", MatchOp.NOT_EQUAL, "info"))
    assert made.id == "s9"


def test_request_without_start_starts_now() -> None:
    made = parse_silence_request(request(), NOW)
    assert (made.starts_at, made.ends_at, made.created_at) == (NOW, NOW + timedelta(hours=2), NOW)
    assert made.state(NOW) == "active"
    assert (made.created_by, made.comment) == ("ana", "known")


def test_request_with_start_and_end() -> None:
    made = parse_silence_request(
        request(duration=None, startsAt="2026-03-02T14:00:00+01:00", endsAt="2026-03-02T15:30:00Z"), NOW
    )
    assert (made.starts_at, made.ends_at) == (NOW + timedelta(hours=1), NOW + timedelta(hours=3, minutes=30))
    assert made.state(NOW) == "pending"


def test_request_duration_counts_from_start() -> None:
    made = parse_silence_request(request(startsAt="2026-03-02T13:00:00Z", duration="1h30m"), NOW)
    assert made.ends_at == NOW + timedelta(hours=2, minutes=30)


def test_a_new_silence_gets_a_fresh_uuid() -> None:
    first, second = parse_silence_request(request(), NOW), parse_silence_request(request(), NOW)
    assert first.id != second.id
    assert len(new_silence_id()) == 36


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"duration": None}, "give exactly one of endsAt or duration"),
        ({"endsAt": "2026-03-02T15:00:00Z"}, "give exactly one of endsAt or duration"),
        ({"duration": None, "endsAt": "2026-03-02T12:00:00Z"}, "endsAt must be after startsAt"),
        (
            {"duration": None, "startsAt": "2026-03-01T10:00:00Z", "endsAt": "2026-03-01T11:00:00Z"},
            "endsAt is in the past",
        ),
        ({"duration": "soon"}, "duration: invalid duration 'soon'"),
        ({"duration": "0s"}, "duration: duration must be positive"),
        ({"duration": None, "endsAt": "2026-03-02T15:00:00"}, "endsAt: Input should have timezone info"),
    ],
)
def test_request_end_errors(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(SilenceError, match=message):
        parse_silence_request({k: v for k, v in request(**fields).items() if v is not None}, NOW)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (request(matchers=[]), "matchers: List should have at least 1 item"),
        (
            request(matchers=["provder=github"]),
            "matchers.0: unknown label 'provder'; did you mean 'provider'",
        ),
        (request(matchers=[42]), 'matchers.0: a matcher is a string like provider="github"'),
        (request(matchers=["component=~.*"]), "must not match the empty string"),
        (request(createdBy="  "), "createdBy and comment are required"),
        ({"matchers": ['provider="github"'], "duration": "2h"}, "createdBy: required; comment: required"),
        (request(id="abc", status="active"), "unknown field 'id'; unknown field 'status'"),
        ([1, 2], "body: Input should be a valid dictionary"),
    ],
)
def test_request_errors_name_the_field(body: object, message: str) -> None:
    with pytest.raises(SilenceError, match=message):
        parse_silence_request(body, NOW)


def test_json_round_trips_through_text() -> None:
    original = silence(
        matchers=(GITHUB, Matcher("component", MatchOp.NOT_REGEX, 'say "hi".*')),
        starts_at=datetime(2026, 3, 2, 12, 0, 0, 123456, tzinfo=UTC),
    )
    stored = json.dumps(original.to_json())
    assert Silence.from_json(json.loads(stored)) == original


def test_json_uses_api_names_and_utc_times() -> None:
    made = parse_silence_request(request(startsAt="2026-03-02T14:00:00+01:00"), NOW, new_id=lambda: "s1")
    assert made.to_json() == {
        "id": "s1",
        "matchers": [{"name": "provider", "value": "github", "isRegex": False, "isEqual": True}],
        "startsAt": "2026-03-02T13:00:00.000000Z",
        "endsAt": "2026-03-02T15:00:00.000000Z",
        "createdBy": "ana",
        "comment": "known",
        "createdAt": "2026-03-02T12:00:00.000000Z",
    }


@pytest.mark.parametrize(
    "damage",
    [{"startsAt": None}, {"matchers": [{"name": "team", "value": "x"}]}, {"comment": 3}, {"endsAt": "never"}],
)
def test_unreadable_stored_json_is_a_silence_error(damage: dict[str, Any]) -> None:
    data = silence().to_json() | damage
    with pytest.raises(SilenceError, match="unreadable silence"):
        Silence.from_json({k: v for k, v in data.items() if v is not None})
