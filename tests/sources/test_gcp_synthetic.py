"""parse_gcp on synthetic documents: capture incidents reopened (no `end`), filters, broken shapes."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from monitor.errors import ParseError
from monitor.model import ComponentStatus, Impact, IncidentStatus
from monitor.sources.gcp import parse_gcp

from .conftest import FIXTURES

PAGE = "https://status.cloud.google.com"
CAPTURE: list[dict[str, Any]] = json.loads(
    (FIXTURES / "gcp/status.cloud.google.com-incidents-2022-07.json").read_bytes()
)
DISK = "4Qvmd4q81VnA9RirCMqV"  # high / SERVICE_OUTAGE: 14 products (Persistent Disk...) in us-central1
READ_API = "TaA75H7XA1DQyM2ReK2f"  # low / SERVICE_INFORMATION: BigQuery


def synthetic_reopened(*ids: str, **changes: Any) -> list[dict[str, Any]]:
    """The capture with the given incidents made open again: no `end`, located where they were."""
    doc = copy.deepcopy(CAPTURE)
    for incident in doc:
        if incident["id"] in ids:
            del incident["end"]
            incident["currently_affected_locations"] = incident["previously_affected_locations"]
            incident["most_recent_update"]["status"] = incident["status_impact"]
            incident.update(changes)
    return doc


def statuses(doc: list[dict[str, Any]], **filters: Any) -> dict[str, ComponentStatus]:
    snapshot = parse_gcp(doc, PAGE, **filters)
    return {c.name: c.status for c in snapshot.components if c.status is not ComponentStatus.OPERATIONAL}


def test_synthetic_open_outage_marks_its_products() -> None:
    snapshot = parse_gcp(synthetic_reopened(DISK), PAGE)
    assert snapshot.warnings == ()
    (incident,) = snapshot.incidents
    assert incident.id == DISK
    assert incident.name.startswith("We are experiencing an issue with Persistent Disk")
    assert incident.status is IncidentStatus.INVESTIGATING
    assert incident.impact is Impact.CRITICAL
    assert incident.url == f"{PAGE}/incidents/{DISK}"
    assert incident.started_at is not None and incident.started_at.tzinfo is UTC
    assert incident.latest_update is not None and "\n" not in incident.latest_update
    assert snapshot.indicator is Impact.CRITICAL
    troubled = statuses(synthetic_reopened(DISK))
    assert len(troubled) == 14 and set(troubled.values()) == {ComponentStatus.MAJOR_OUTAGE}
    assert {"Apigee", "Persistent Disk", "Google Kubernetes Engine"} <= set(troubled)
    assert set(incident.component_ids) == {
        c.id for c in snapshot.components if c.status is ComponentStatus.MAJOR_OUTAGE
    }


def test_synthetic_informational_incident_leaves_products_operational() -> None:
    snapshot = parse_gcp(synthetic_reopened(READ_API), PAGE)
    (incident,) = snapshot.incidents
    assert (incident.impact, incident.status) == (Impact.MINOR, IncidentStatus.INVESTIGATING)
    assert statuses(synthetic_reopened(READ_API)) == {}


def test_synthetic_available_update_reads_monitoring() -> None:
    doc = synthetic_reopened(DISK)
    next(i for i in doc if i["id"] == DISK)["most_recent_update"]["status"] = "AVAILABLE"
    assert parse_gcp(doc, PAGE).incidents[0].status is IncidentStatus.MONITORING


def test_synthetic_worst_open_incident_wins_per_product() -> None:
    doc = synthetic_reopened(DISK, READ_API)
    assert statuses(doc)["Google BigQuery"] is ComponentStatus.MAJOR_OUTAGE
    assert len(parse_gcp(doc, PAGE).incidents) == 2


@pytest.mark.parametrize(
    ("locations", "open_incidents"),
    [(["us-central1"], 1), (["Iowa (us-central1)"], 1), (["US-CENTRAL1"], 1), (["europe-west1"], 0)],
)
def test_synthetic_location_filter(locations: list[str], open_incidents: int) -> None:
    snapshot = parse_gcp(synthetic_reopened(DISK), PAGE, locations=locations)
    assert len(snapshot.incidents) == open_incidents
    assert len(snapshot.components) == 60  # products stay listed, operational when filtered out
    assert (ComponentStatus.MAJOR_OUTAGE in {c.status for c in snapshot.components}) == bool(open_incidents)


def test_synthetic_incident_without_locations_counts_everywhere() -> None:
    doc = synthetic_reopened(DISK, currently_affected_locations=[], previously_affected_locations=[])
    assert len(parse_gcp(doc, PAGE, locations=["europe-west1"]).incidents) == 1


def test_synthetic_product_filter_keeps_incidents_naming_a_watched_product() -> None:
    apigee = parse_gcp(synthetic_reopened(DISK), PAGE, products=["Apigee"])
    assert [(c.name, c.status) for c in apigee.components] == [("Apigee", ComponentStatus.MAJOR_OUTAGE)]
    assert [i.id for i in apigee.incidents] == [DISK]
    cloud_run = parse_gcp(synthetic_reopened(DISK), PAGE, products=["Cloud Run"])
    assert cloud_run.incidents == ()
    assert cloud_run.indicator is Impact.NONE


def test_synthetic_unknown_severity_and_impact_are_warned() -> None:
    doc = synthetic_reopened(DISK, severity="apocalyptic", status_impact="SERVICE_GONE")
    snapshot = parse_gcp(doc, PAGE)
    assert snapshot.incidents[0].impact is Impact.UNKNOWN
    assert ComponentStatus.UNKNOWN in {c.status for c in snapshot.components}
    assert any("unknown severity 'apocalyptic'" in w for w in snapshot.warnings)
    assert any("unknown status_impact 'SERVICE_GONE'" in w for w in snapshot.warnings)


def test_synthetic_open_incident_without_id_fails_the_page() -> None:
    doc = synthetic_reopened(DISK)
    del next(i for i in doc if i["id"] == DISK)["id"]
    with pytest.raises(ParseError, match="unreadable entry in 'incidents'"):
        parse_gcp(doc, PAGE)


def test_synthetic_ended_incident_with_bad_fields_is_ignored() -> None:
    doc = copy.deepcopy(CAPTURE)
    doc[0]["severity"] = 7
    assert parse_gcp(doc, PAGE).warnings == ()


def test_synthetic_script_link_is_dropped() -> None:
    doc = synthetic_reopened(DISK, uri="javascript:alert(1)")
    assert parse_gcp(doc, PAGE).incidents[0].url is None


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"incidents": []}, "expected a JSON array, got an object"),
        ([], "the array is empty"),
        ("<html>", "expected a JSON array, got a string"),
        ([1, 2], "unreadable entry"),
    ],
)
def test_synthetic_not_an_incidents_feed(doc: Any, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        parse_gcp(doc, PAGE)


def test_synthetic_times_are_utc() -> None:
    doc = synthetic_reopened(DISK, begin="2022-06-01T10:00:00-07:00")
    assert parse_gcp(doc, PAGE).incidents[0].started_at == datetime(2022, 6, 1, 17, tzinfo=UTC)
