"""parse_aws on the real currentevents capture (three events, one resolved), and property checks."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from hypothesis import assume, given, settings

from monitor.model import Impact, IncidentStatus
from monitor.sources.aws import parse_aws

from .conftest import FIXTURES
from .fuzzing import check_not_operational, check_parser, mutations, random_json

PAGE = "https://health.aws.amazon.com"
CAPTURE: list[dict[str, Any]] = json.loads(
    (FIXTURES / "aws/health.aws.amazon.com-public-currentevents-2026-09.json").read_bytes()
)
UAE = (
    "arn:aws:health:me-central-1::event/MULTIPLE_SERVICES/AWS_MULTIPLE_SERVICES_OPERATIONAL_ISSUE/"
    "AWS_MULTIPLE_SERVICES_OPERATIONAL_ISSUE_5E6B8_EF2498889B5"
)
BAHRAIN = (
    "arn:aws:health:me-south-1::event/MULTIPLE_SERVICES/AWS_MULTIPLE_SERVICES_OPERATIONAL_ISSUE/"
    "AWS_MULTIPLE_SERVICES_OPERATIONAL_ISSUE_E6426_01AD72B4E1E"
)


def test_open_events_are_incidents_and_the_resolved_one_is_left_out() -> None:
    snapshot = parse_aws(CAPTURE, PAGE)
    assert snapshot.warnings == ()
    assert snapshot.components == ()
    assert [i.id for i in snapshot.incidents] == [UAE, BAHRAIN]
    uae = snapshot.incidents[0]
    assert uae.name == "Multiple services (UAE): Increased Error Rates"
    assert (uae.status, uae.impact) == (IncidentStatus.INVESTIGATING, Impact.CRITICAL)
    assert (
        uae.started_at
        == datetime.fromtimestamp(1772369485, UTC)
        == datetime(2026, 3, 1, 12, 51, 25, tzinfo=UTC)
    )
    assert uae.updated_at == uae.started_at
    assert uae.latest_update == "We are investigating issues with AWS services in the ME-CENTRAL-1 Region."
    assert uae.component_ids == ("signin-me-central-1", "sts-me-central-1", "bedrock-me-central-1")
    assert uae.url == PAGE
    assert snapshot.indicator is Impact.CRITICAL


def test_region_filter_by_code_or_name() -> None:
    assert [i.id for i in parse_aws(CAPTURE, PAGE, regions=["me-south-1"]).incidents] == [BAHRAIN]
    assert [i.id for i in parse_aws(CAPTURE, PAGE, regions=["uae"]).incidents] == [UAE]
    only_oregon = parse_aws(CAPTURE, PAGE, regions=["us-west-2"])  # its event has ended
    assert (only_oregon.incidents, only_oregon.indicator) == ((), Impact.NONE)


def test_service_filter_by_key_code_or_name() -> None:
    for services in (["bedrock"], ["Amazon bedrock"], ["bedrock-me-south-1", "BEDROCK-me-central-1"]):
        assert [i.id for i in parse_aws(CAPTURE, PAGE, services=services).incidents] == [UAE, BAHRAIN]
    assert parse_aws(CAPTURE, PAGE, services=["ec2"]).incidents == ()
    both = parse_aws(CAPTURE, PAGE, services=["sts"], regions=["me-central-1"])
    assert [i.id for i in both.incidents] == [UAE]


def test_utf16_with_bom_as_served_decodes_to_the_same_events() -> None:
    """The capture is stored as UTF-8; the live endpoint serves UTF-16 with a byte-order mark."""
    raw = (FIXTURES / "aws/health.aws.amazon.com-public-currentevents-2026-09.json").read_bytes()
    served = raw.decode("utf-8").encode("utf-16")
    assert served.startswith(b"\xff\xfe")
    assert parse_aws(json.loads(served), PAGE) == parse_aws(CAPTURE, PAGE)


@settings(max_examples=200)
@given(doc=mutations(CAPTURE))
def test_a_mutated_capture_is_read_or_refused(doc: Any) -> None:
    check_parser(lambda d: parse_aws(d, PAGE), doc)


@settings(max_examples=200)
@given(doc=random_json())
def test_random_json_never_reads_operational(doc: Any) -> None:
    assume(doc != [])  # the empty array is the real, healthy feed
    check_not_operational(lambda d: parse_aws(d, PAGE), doc)
