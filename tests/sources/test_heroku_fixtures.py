"""parse_heroku on the real captures (an open yellow incident; a blue maintenance), and property checks."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from hypothesis import given, settings

from monitor.model import ComponentStatus, Impact, IncidentStatus, MaintenanceStatus
from monitor.sources.heroku import parse_heroku

from .conftest import FIXTURES
from .fuzzing import check_not_operational, check_parser, mutations, random_json

PAGE = "https://status.heroku.com"


def load(name: str) -> Any:
    return json.loads(
        (FIXTURES / "heroku" / f"status.heroku.com-api-v4-current-status-{name}.json").read_bytes()
    )


INCIDENT = load("2019-10-24-incident")
MAINTENANCE = load("2020-11-09-maintenance")


def test_yellow_incident() -> None:
    snapshot = parse_heroku(INCIDENT, PAGE)
    assert snapshot.warnings == ()
    assert [(c.id, c.name, c.status) for c in snapshot.components] == [
        ("apps", "Apps", ComponentStatus.DEGRADED_PERFORMANCE),
        ("data", "Data", ComponentStatus.DEGRADED_PERFORMANCE),
        ("tools", "Tools", ComponentStatus.DEGRADED_PERFORMANCE),
    ]
    (incident,) = snapshot.incidents
    assert (incident.id, incident.name) == ("1918", "Connection timeouts to applications and Heroku Postgres")
    assert (incident.status, incident.impact) == (IncidentStatus.IDENTIFIED, Impact.MINOR)  # newest: "issue"
    assert incident.url == "https://status.heroku.com/incidents/1918"
    assert incident.started_at == datetime(2019, 10, 24, 18, 39, 30, 231000, tzinfo=UTC)
    assert incident.latest_update is not None
    assert incident.latest_update.startswith("Due to connection timeouts there is a disruption")
    assert "\r" not in incident.latest_update
    assert incident.component_ids == ()
    assert snapshot.maintenances == ()
    assert snapshot.indicator is Impact.MINOR


def test_blue_maintenance() -> None:
    snapshot = parse_heroku(MAINTENANCE, PAGE)
    assert snapshot.warnings == ()
    assert {c.name: c.status for c in snapshot.components} == {
        "Apps": ComponentStatus.OPERATIONAL,
        "Data": ComponentStatus.UNDER_MAINTENANCE,
        "Tools": ComponentStatus.OPERATIONAL,
    }
    (maintenance,) = snapshot.maintenances
    assert maintenance.id == "2120"
    assert maintenance.status is MaintenanceStatus.COMPLETED  # `resolved: true` while Data is still blue
    assert maintenance.latest_update == (
        "This service update has been completed. All platform functionality has returned to normal."
    )
    assert snapshot.incidents == ()
    assert snapshot.indicator is Impact.MAINTENANCE


@settings(max_examples=150)
@given(doc=mutations(INCIDENT))
def test_a_mutated_incident_capture_is_read_or_refused(doc: Any) -> None:
    check_parser(lambda d: parse_heroku(d, PAGE), doc)


@settings(max_examples=150)
@given(doc=mutations(MAINTENANCE))
def test_a_mutated_maintenance_capture_is_read_or_refused(doc: Any) -> None:
    check_parser(lambda d: parse_heroku(d, PAGE), doc)


@settings(max_examples=200)
@given(doc=random_json())
def test_random_json_never_reads_operational(doc: Any) -> None:
    check_not_operational(lambda d: parse_heroku(d, PAGE), doc)
