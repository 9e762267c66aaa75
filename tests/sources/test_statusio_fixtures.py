"""parse_statusio on the real Status.io captures, and on mutated and random documents."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings

from monitor.errors import ParseError
from monitor.model import ComponentStatus, Impact, IncidentStatus, MaintenanceStatus, Snapshot
from monitor.sources.statusio import parse_statusio

from .conftest import FIXTURES
from .fuzzing import check_not_operational, check_parser, mutations, random_json

PAGE = "https://status.gitlab.com"


def load(name: str) -> Any:
    return json.loads((FIXTURES / "statusio" / name).read_bytes())


def parse(name: str) -> Snapshot:
    return parse_statusio(load(name), PAGE)


def not_operational(snapshot: Snapshot) -> dict[str, ComponentStatus]:
    return {c.name: c.status for c in snapshot.components if c.status is not ComponentStatus.OPERATIONAL}


def test_docker_partial_service_disruption() -> None:
    snapshot = parse("docker-2020-07-16-partial-service-disruption-400.json")
    assert snapshot.warnings == ()
    assert (snapshot.indicator, snapshot.description) == (Impact.MAJOR, "Partial Service Disruption")
    assert len(snapshot.components) == 8
    assert not_operational(snapshot) == {"Docker Hub Automated Builds": ComponentStatus.PARTIAL_OUTAGE}
    (incident,) = snapshot.incidents
    assert incident.id == "5f108cc06e9c9104c0553a46"
    assert incident.name == "Docker Hub automated builds issue"
    assert (incident.status, incident.impact) == (IncidentStatus.INVESTIGATING, Impact.MAJOR)
    assert incident.started_at == datetime(2020, 7, 16, 17, 22, 8, 325000, tzinfo=UTC)
    assert incident.updated_at == datetime(2020, 7, 16, 17, 22, 8, 369000, tzinfo=UTC)
    assert incident.component_ids == ("5342bc9420974b775d000008",)
    assert incident.latest_update == (
        "We are investigating reports of automated builds getting stuck or not getting triggered."
    )
    assert incident.url == PAGE
    assert snapshot.maintenances == ()


def test_gitlab_planned_maintenance_with_an_identified_incident() -> None:
    snapshot = parse("gitlab-2020-09-05-planned-maintenance-200.json")
    assert snapshot.warnings == ()
    assert (snapshot.indicator, snapshot.description) == (Impact.MAINTENANCE, "Planned Maintenance")
    assert len(snapshot.components) == 15
    assert not_operational(snapshot) == {"dashboards.gitlab.com": ComponentStatus.UNDER_MAINTENANCE}
    (maintenance,) = snapshot.maintenances
    assert maintenance.id == "5f4e8b7f2250a004bc3453da"
    assert maintenance.status is MaintenanceStatus.IN_PROGRESS
    assert maintenance.scheduled_for == datetime(2020, 9, 2, 17, 55, tzinfo=UTC)
    assert maintenance.scheduled_until == datetime(2020, 9, 7, 17, 55, tzinfo=UTC)
    assert maintenance.component_ids == ("5f4e8819413cdd04b6882c94",)
    assert maintenance.latest_update is not None
    assert maintenance.latest_update.startswith(
        "We are currently performing maintenance on dashboards.gitlab.com. The"
    )
    (incident,) = snapshot.incidents
    assert incident.id == "5f52b8074ef75804bc7d2c3e"
    assert (incident.status, incident.impact) == (IncidentStatus.IDENTIFIED, Impact.MAJOR)
    assert incident.updated_at == datetime(2020, 9, 5, 9, 23, 23, 591000, tzinfo=UTC)
    assert incident.latest_update is not None and "next window on 2020-09-07" in incident.latest_update
    assert incident.component_ids == ("5b36dc6502d06804c0834a07",)


def test_gitlab_2026_all_operational() -> None:
    snapshot = parse("gitlab-2026-api.status.io-1.0-status.json")
    assert snapshot.warnings == ()
    assert (snapshot.indicator, snapshot.description) == (Impact.NONE, "Operational")
    assert len(snapshot.components) == 23
    assert not_operational(snapshot) == {}
    assert snapshot.components[2].name == "Git Operations"
    assert snapshot.components[2].id == "5d2f74932676bc45e4927ead"
    assert (snapshot.incidents, snapshot.maintenances) == ((), ())


@pytest.mark.parametrize(
    "doc, message",
    [
        ([], "not a Status.io status: expected a JSON object, got a list"),
        ({"status": {}}, "not a Status.io status result: expected a JSON object, got null"),
        ({"result": {"status": [], "maintenance": {}}}, "not a Status.io status: 'result.incidents' is null"),
        ({"result": {"status": [], "incidents": []}}, "not a Status.io status: 'result.maintenance' is null"),
    ],
)
def test_documents_that_are_not_a_status_are_refused(doc: Any, message: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_statusio(doc, PAGE)
    assert str(caught.value) == message


@settings(max_examples=200)
@given(doc=mutations(load("docker-2020-07-16-partial-service-disruption-400.json")))
def test_a_mutated_capture_is_read_or_refused(doc: Any) -> None:
    check_parser(lambda d: parse_statusio(d, PAGE), doc)


@settings(max_examples=200)
@given(doc=random_json())
def test_random_json_never_reads_operational(doc: Any) -> None:
    check_not_operational(lambda d: parse_statusio(d, PAGE), doc)
