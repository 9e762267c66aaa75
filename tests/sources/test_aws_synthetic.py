"""parse_aws on synthetic events built from the documented shape: open/closed, statuses, garbage."""

from __future__ import annotations

from typing import Any

import pytest

from monitor.errors import ParseError
from monitor.model import Impact, IncidentStatus
from monitor.sources.aws import parse_aws

PAGE = "https://health.aws.amazon.com"


def synthetic_event(status: Any = "2", **extra: Any) -> dict[str, Any]:
    return {
        "date": "1700000000",
        "arn": "arn:aws:health:us-east-1::event/EC2/AWS_EC2_OPERATIONAL_ISSUE/AWS_EC2_OPERATIONAL_ISSUE_X",
        "region_name": "N. Virginia",
        "status": status,
        "service": "ec2-us-east-1",
        "service_name": "Amazon Elastic Compute Cloud",
        "summary": "Increased API Error Rates",
        "event_log": [
            {"summary": "s", "message": "<b>Second</b> update", "status": 1, "timestamp": 1700000600},
            {"summary": "s", "message": "First update", "status": 1, "timestamp": 1700000000},
        ],
    } | extra


def test_synthetic_healthy_feed_is_empty_and_operational() -> None:
    snapshot = parse_aws([], PAGE)
    assert (snapshot.components, snapshot.incidents, snapshot.indicator) == ((), (), Impact.NONE)


@pytest.mark.parametrize(
    ("status", "impact"),
    [("1", Impact.MINOR), ("2", Impact.MAJOR), ("3", Impact.CRITICAL), (3, Impact.CRITICAL)],
)
def test_synthetic_status_maps_to_impact(status: Any, impact: Impact) -> None:
    (incident,) = parse_aws([synthetic_event(status)], PAGE).incidents
    assert incident.impact is impact
    assert incident.status is IncidentStatus.INVESTIGATING


def test_synthetic_event_without_impacted_services_names_its_own_service() -> None:
    (incident,) = parse_aws([synthetic_event()], PAGE).incidents
    assert incident.name == "Amazon Elastic Compute Cloud (N. Virginia): Increased API Error Rates"
    assert incident.component_ids == ("ec2-us-east-1",)
    assert incident.latest_update == "Second update"  # newest by timestamp, tags dropped
    assert parse_aws([synthetic_event()], PAGE, services=["ec2"]).incidents != ()


def test_synthetic_end_time_closes_an_event_whatever_its_status() -> None:
    assert parse_aws([synthetic_event("3", end_time="1700009999")], PAGE).incidents == ()


def test_synthetic_status_zero_without_end_time_reads_resolved() -> None:
    (incident,) = parse_aws([synthetic_event("0")], PAGE).incidents
    assert (incident.status, incident.impact) == (IncidentStatus.RESOLVED, Impact.NONE)


def test_synthetic_unknown_status_is_unknown_and_warned() -> None:
    snapshot = parse_aws([synthetic_event("9")], PAGE)
    assert snapshot.incidents[0].impact is Impact.UNKNOWN
    assert snapshot.warnings == (
        "event 'Amazon Elastic Compute Cloud (N. Virginia): Increased API Error Rates'"
        " has unknown status '9'",
    )


def test_synthetic_open_event_without_arn_fails_the_page() -> None:
    event = synthetic_event()
    del event["arn"]
    with pytest.raises(ParseError, match="unreadable entry in 'events'"):
        parse_aws([event], PAGE)


@pytest.mark.parametrize(
    ("doc", "message"),
    [({"events": []}, "got an object"), ("[]", "got a string"), (["x"], "unreadable entry")],
)
def test_synthetic_not_currentevents(doc: Any, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        parse_aws(doc, PAGE)
