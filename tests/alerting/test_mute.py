"""Mute stages: one test per row of the rule table in monitor/alerting/mute.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from monitor.alerting.intervals import TimeInterval
from monitor.alerting.matchers import parse_matcher
from monitor.alerting.mute import Suppressed, mute_reasons
from monitor.alerting.silences import Silence

MONDAY_10 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
SATURDAY_10 = datetime(2026, 3, 7, 10, 0, tzinfo=UTC)
MONDAY_03 = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
GITHUB_API = {"provider": "github", "kind": "component", "component": "API Requests", "severity": "major"}

INTERVALS = {
    i.name: i
    for i in (
        TimeInterval.model_validate(
            {"name": "weekdays", "time_intervals": [{"weekdays": ["monday:friday"]}]}
        ),
        TimeInterval.model_validate(
            {"name": "nights", "time_intervals": [{"times": [{"start_time": "00:00", "end_time": "06:00"}]}]}
        ),
    )
}


def github_silence(starts_at: datetime, hours: int = 2) -> Silence:
    return Silence(
        id="s1",
        matchers=(parse_matcher("provider=github"),),
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=hours),
        created_by="ana",
        comment="known",
        created_at=starts_at,
    )


def reason(
    silences: list[Silence],
    mute: list[str],
    active: list[str],
    now: datetime,
    labels: dict[str, str] = GITHUB_API,
) -> Suppressed | None:
    return mute_reasons(labels, silences, mute, active, INTERVALS, now)


def test_an_active_matching_silence_silences() -> None:
    assert reason([github_silence(MONDAY_10 - timedelta(hours=1))], [], [], MONDAY_10) == "silenced"


def test_a_silence_for_another_provider_does_not() -> None:
    stripe = {**GITHUB_API, "provider": "stripe"}
    assert reason([github_silence(MONDAY_10)], [], [], MONDAY_10, labels=stripe) is None


@pytest.mark.parametrize("starts_at", [MONDAY_10 + timedelta(minutes=1), MONDAY_10 - timedelta(hours=2)])
def test_pending_or_expired_silences_do_not(starts_at: datetime) -> None:
    assert reason([github_silence(starts_at)], [], [], MONDAY_10) is None


def test_a_silence_is_named_before_a_mute_interval() -> None:
    assert reason([github_silence(MONDAY_03)], ["nights"], [], MONDAY_03) == "silenced"


@pytest.mark.parametrize("mute", [["nights"], ["weekdays", "nights"]])
def test_inside_any_mute_interval_is_muted(mute: list[str]) -> None:
    assert reason([], mute, [], MONDAY_03) == "muted"


def test_outside_every_mute_interval_goes_out() -> None:
    assert reason([], ["nights"], [], MONDAY_10) is None


def test_outside_every_active_interval_is_muted() -> None:
    assert reason([], [], ["weekdays"], SATURDAY_10) == "muted"
    assert reason([], [], ["weekdays", "nights"], SATURDAY_10) == "muted"


def test_inside_an_active_interval_goes_out() -> None:
    assert reason([], [], ["weekdays"], MONDAY_10) is None
    assert reason([], [], ["nights", "weekdays"], MONDAY_10) is None


def test_a_mute_interval_wins_over_an_active_one() -> None:
    assert reason([], ["nights"], ["weekdays"], MONDAY_03) == "muted"


def test_nothing_applies() -> None:
    assert reason([], [], [], MONDAY_10) is None


@pytest.mark.parametrize(("mute", "active"), [(["holidays"], []), ([], ["office"])])
def test_an_unknown_interval_name_is_a_key_error(mute: list[str], active: list[str]) -> None:
    with pytest.raises(KeyError, match="unknown time interval"):
        reason([], mute, active, MONDAY_10)
