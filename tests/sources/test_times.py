"""Every form of time a status page writes comes out as an aware UTC datetime, or None."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from monitor.sources.times import parse_time, zone

NOON = datetime(2024, 1, 2, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "value",
    [
        "2024-01-02T12:00:00Z",
        "2024-01-02T12:00:00.000Z",
        "2024-01-02T13:00:00+01:00",
        "2024-01-02T04:00:00-08:00",
        "2024-01-02 12:00:00",  # zone-less: read in the default zone, UTC
        "Tue, 02 Jan 2024 12:00:00 GMT",  # RFC 822, as RSS writes it
        "Tue, 02 Jan 2024 13:00:00 +0100",
        "2024-01-02 13:00:00 Europe/Paris",
        "2024-01-02 04:00:00 PST",
        1704196800,
        "1704196800",  # AWS: epoch seconds as a string
        "1704196800000",  # epoch milliseconds as a string
        1704196800000.0,
    ],
)
def test_every_written_form_is_utc(value: object) -> None:
    assert parse_time(value) == NOON


def test_a_zone_less_time_is_read_in_the_given_zone() -> None:
    assert parse_time("2024-01-02 13:00:00", zone("Europe/Paris")) == NOON


@pytest.mark.parametrize(
    "value", [None, "", "yesterday", True, [], {}, "2024-13-45", float("nan"), -5, "1e999"]
)
def test_what_is_no_time_is_none(value: object) -> None:
    assert parse_time(value) is None


def test_epochs_can_be_refused() -> None:
    assert parse_time(12, epochs=False) is None
    assert parse_time("1704196800", epochs=False) is None
    assert parse_time("2024-01-02T12:00:00Z", epochs=False) == NOON


def test_unknown_zone_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown time zone"):
        zone("Mars/Olympus")
