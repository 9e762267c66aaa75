"""parse_firehydrant on synthetic payloads derived from the redis capture: open incidents, conditions."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings

from monitor.errors import ParseError
from monitor.model import ComponentStatus, Impact, IncidentStatus, MaintenanceStatus
from monitor.sources.firehydrant import parse_firehydrant

from .fuzzing import check_parser, mutations
from .test_firehydrant_fixtures import PAGE, READ_PART, REDIS

NETWORK = "e192b971-a298-45cd-b574-627923f0170b"  # "Network Issues": no components, SEV4, milestones
TRANSITION = "79a12500-5452-4148-a0e1-d3cbce47dbb1"  # five components "Degraded", severity MAINTENANCE
AWS = "2f3423b7-2311-4f64-a6fa-297daaff63e4"  # SEV2, no components
ADMIN, REST, LANGCACHE = (
    "38b0dea6-11f5-4c11-9705-1ded7fa68e33",
    "4c9d20f7-9257-46be-b188-923a0177b5f1",
    "43ea3816-2e73-454f-8cda-6472ade0744e",
)


def synthetic(incident_id: str, **changes: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """The capture with one incident reopened (no `resolved`), its other keys replaced by `changes`."""
    doc = copy.deepcopy(REDIS)
    (incident,) = [i for i in doc["incidents"] if i["id"] == incident_id]
    del incident["timestamps"]["resolved"]
    incident.update(changes)
    return doc, incident


def test_synthetic_open_incident_without_components() -> None:
    doc, incident = synthetic(NETWORK)
    incident["timestamps"].pop("investigating")
    incident["timestamps"]["identified"] = "2026-03-26T19:48:00Z"
    snapshot = parse_firehydrant(doc, PAGE)
    assert snapshot.warnings == ()
    (opened,) = snapshot.incidents
    assert (opened.id, opened.name) == (NETWORK, "Network Issues")
    assert (opened.status, opened.impact) == (IncidentStatus.IDENTIFIED, Impact.MINOR)  # SEV4
    assert opened.started_at == datetime(2026, 3, 26, 19, 46, 58, tzinfo=UTC)
    assert opened.updated_at == datetime(2026, 3, 26, 19, 49, 16, 68351, tzinfo=UTC)
    assert opened.latest_update == "Resolved - Incident has been resolved."  # nested bulk-update note
    assert opened.component_ids == ()
    assert {c.status for c in snapshot.components} == {ComponentStatus.OPERATIONAL}
    assert snapshot.indicator is Impact.MINOR and snapshot.description is None


def test_synthetic_open_incident_puts_its_conditions_on_components() -> None:
    components = [
        {"name": "Admin Console", "id": ADMIN, "condition": "Unavailable"},
        {"name": "REST API", "id": REST, "condition": "Degraded"},
    ]
    doc, _ = synthetic(TRANSITION, severitySlug="SEV3", components=components)
    snapshot = parse_firehydrant(doc, PAGE)
    assert snapshot.warnings == ()
    statuses = {c.id: c.status for c in snapshot.components}
    assert statuses[ADMIN] is ComponentStatus.MAJOR_OUTAGE  # "Unavailable" -> OFFLINE on this page
    assert statuses[REST] is ComponentStatus.DEGRADED_PERFORMANCE
    assert statuses[LANGCACHE] is ComponentStatus.OPERATIONAL
    # the three named only in componentConditions ("Degraded") are degraded too, by name
    assert {c.name for c in snapshot.components if c.status is ComponentStatus.DEGRADED_PERFORMANCE} == {
        "REST API",
        "Support Site",
        "Heroku Integration",
        "DNS Resolvers",
    }
    (opened,) = snapshot.incidents
    assert opened.status is IncidentStatus.INVESTIGATING  # no milestone timestamp yet
    assert opened.impact is Impact.CRITICAL  # the gravest condition, not the severity
    assert opened.component_ids[:2] == (ADMIN, REST)
    assert opened.latest_update is not None and opened.latest_update.startswith(
        "➡️ **Resolved** — Dear customer"
    )
    assert snapshot.indicator is Impact.CRITICAL


def test_synthetic_open_maintenance_puts_components_under_maintenance() -> None:
    doc, _ = synthetic(TRANSITION)  # severitySlug MAINTENANCE, conditions "Degraded"
    snapshot = parse_firehydrant(doc, PAGE)
    assert snapshot.incidents == ()
    (maintenance,) = snapshot.maintenances
    assert (maintenance.id, maintenance.status) == (TRANSITION, MaintenanceStatus.IN_PROGRESS)
    assert maintenance.scheduled_for == datetime(2026, 2, 24, 4, 52, 19, tzinfo=UTC)
    assert {c.status for c in snapshot.components if c.id != LANGCACHE} == {ComponentStatus.UNDER_MAINTENANCE}
    assert snapshot.indicator is Impact.MAINTENANCE


def test_synthetic_unknown_condition_and_severity_are_unknown_and_warned() -> None:
    doc, _ = synthetic(AWS, severitySlug="SEV9", components=[{"id": ADMIN, "condition": "Melting"}])
    snapshot = parse_firehydrant(doc, PAGE)
    assert {c.id: c.status for c in snapshot.components}[ADMIN] is ComponentStatus.UNKNOWN
    assert snapshot.incidents[0].impact is Impact.UNKNOWN
    assert snapshot.warnings == ("incident 'AWS me-central-1 Zone Issue' has unknown condition 'Melting'",)
    doc, _ = synthetic(AWS, severitySlug="SEV9")
    assert parse_firehydrant(doc, PAGE).warnings == (
        "incident 'AWS me-central-1 Zone Issue' has unknown severitySlug 'SEV9'",
    )
    assert parse_firehydrant(synthetic(AWS)[0], PAGE).incidents[0].impact is Impact.MAJOR  # SEV2


def test_synthetic_an_open_incident_without_id_fails_the_page() -> None:
    doc, incident = synthetic(AWS)
    del incident["id"]
    with pytest.raises(ParseError, match="unreadable entry in 'incidents'"):
        parse_firehydrant(doc, PAGE)


def test_synthetic_a_malformed_resolved_history_entry_is_skipped_unread() -> None:
    doc = copy.deepcopy(REDIS)
    del doc["incidents"][0]["id"]
    doc["incidents"][1]["timeline"] = "garbled"
    snapshot = parse_firehydrant(doc, PAGE)
    assert snapshot.warnings == () and snapshot.incidents == ()


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ([], "not a FireHydrant status payload: expected a JSON object, got a list"),
        ({k: v for k, v in REDIS.items() if k != "incidents"}, "'incidents' is null"),
        (REDIS | {"conditions": []}, "'conditions' is a list"),
        (REDIS | {"components": []}, "no readable component"),
    ],
)
def test_synthetic_wrong_shapes_are_parse_errors(doc: Any, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        parse_firehydrant(doc, PAGE)


def _reopened() -> dict[str, Any]:
    doc: dict[str, Any] = copy.deepcopy(READ_PART)
    for incident in doc["incidents"]:
        del incident["timestamps"]["resolved"]
    return doc


@settings(max_examples=200)
@given(doc=mutations(_reopened()))
def test_synthetic_mutated_open_incidents_are_read_or_refused(doc: Any) -> None:
    check_parser(lambda d: parse_firehydrant(d, PAGE), doc)
