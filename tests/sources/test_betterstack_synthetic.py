"""Better Stack pages during an incident and a maintenance (the capture has neither open), synthetic."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from monitor.config import ConfigError, parse_config
from monitor.errors import ParseError
from monitor.model import ComponentStatus, Impact, IncidentStatus, MaintenanceStatus
from monitor.sources.betterstack import parse_betterstack

PAGE = "https://status.example.com"


def resource(rid: str, status: str, section: int = 1) -> dict[str, Any]:
    attributes = {"public_name": f"R{rid}", "status": status, "status_page_section_id": section}
    return {"id": rid, "type": "status_page_resource", "attributes": attributes}


def report(rid: str, kind: str, state: str, updates: list[str], **attributes: Any) -> dict[str, Any]:
    return {
        "id": rid,
        "type": "status_report",
        "attributes": {"title": f"Report {rid}", "report_type": kind, "aggregate_state": state, **attributes},
        "relationships": {"status_updates": {"data": [{"id": u, "type": "status_update"} for u in updates]}},
    }


def update(uid: str, message: str, at: str) -> dict[str, Any]:
    return {"id": uid, "type": "status_update", "attributes": {"message": message, "published_at": at}}


def index(state: str, *included: dict[str, Any]) -> dict[str, Any]:
    section = {"id": "1", "type": "status_page_section", "attributes": {"name": "Core"}}
    return {
        "data": {"id": "9", "type": "status_page", "attributes": {"aggregate_state": state}},
        "included": [section, *included],
    }


def test_synthetic_resource_states() -> None:
    words = ["operational", "degraded", "downtime", "maintenance", "exploded"]
    snapshot = parse_betterstack(index("downtime", *(resource(str(i), w) for i, w in enumerate(words))), PAGE)
    assert [c.status for c in snapshot.components] == [
        ComponentStatus.OPERATIONAL,
        ComponentStatus.DEGRADED_PERFORMANCE,
        ComponentStatus.MAJOR_OUTAGE,
        ComponentStatus.UNDER_MAINTENANCE,
        ComponentStatus.UNKNOWN,
    ]
    assert {c.group for c in snapshot.components} == {"Core"}
    assert snapshot.indicator is Impact.MAJOR
    assert snapshot.warnings == ("resource 'R4' has unknown status 'exploded'",)


def test_synthetic_open_incident_with_updates() -> None:
    doc = index(
        "downtime",
        resource("10", "downtime"),
        report(
            "77",
            "manual",
            "downtime",
            ["1", "2"],
            starts_at="2026-05-01T10:00:00.000Z",
            affected_resources=[{"status_page_resource_id": "10", "status": "downtime"}],
        ),
        update("1", "<b>Investigating</b> API errors", "2026-05-01T10:01:00.000Z"),
        update("2", "Fix deployed,\n monitoring", "2026-05-01T10:30:00.000Z"),
        report("78", "manual", "resolved", []),
    )
    snapshot = parse_betterstack(doc, PAGE)
    (incident,) = snapshot.incidents
    assert (incident.id, incident.name) == ("77", "Report 77")
    assert (incident.status, incident.impact) == (IncidentStatus.INVESTIGATING, Impact.MAJOR)
    assert incident.started_at == datetime(2026, 5, 1, 10, tzinfo=UTC)
    assert incident.updated_at == datetime(2026, 5, 1, 10, 30, tzinfo=UTC)
    assert incident.latest_update == "Fix deployed, monitoring"
    assert incident.component_ids == ("10",)
    assert snapshot.warnings == ()


def test_synthetic_maintenance_in_progress_and_scheduled() -> None:
    doc = index(
        "maintenance",
        resource("10", "maintenance"),
        report(
            "80",
            "maintenance",
            "maintenance",
            [],
            starts_at="2026-05-01T10:00:00Z",
            ends_at="2026-05-01T12:00:00Z",
        ),
        report("81", "maintenance", "operational", [], starts_at="2026-06-01T10:00:00Z"),
    )
    snapshot = parse_betterstack(doc, PAGE)
    assert snapshot.indicator is Impact.MAINTENANCE and snapshot.incidents == ()
    now, later = snapshot.maintenances
    assert (now.id, now.status, now.scheduled_until) == (
        "80",
        MaintenanceStatus.IN_PROGRESS,
        datetime(2026, 5, 1, 12, tzinfo=UTC),
    )
    assert (later.id, later.status) == ("81", MaintenanceStatus.SCHEDULED)


def test_synthetic_an_open_report_without_id_fails_the_page() -> None:
    broken = report("x", "manual", "degraded", [])
    del broken["id"]
    with pytest.raises(ParseError, match="unreadable entry in 'status reports'"):
        parse_betterstack(index("degraded", broken), PAGE)


def test_config_url_must_be_http() -> None:
    text = "providers:\n  - {name: together, type: betterstack, url: ftp://status.together.ai}\n"
    with pytest.raises(ConfigError) as caught:
        parse_config(text, "providers.yaml", env={})
    assert caught.value.errors == [
        "providers.yaml:2: providers[0].url: String should match pattern '^https?://'"
    ]
