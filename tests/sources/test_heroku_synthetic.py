"""parse_heroku on synthetic documents of the documented shape: colours, update types, broken lists."""

from __future__ import annotations

from typing import Any

import pytest

from monitor.errors import ParseError
from monitor.model import ComponentStatus, Impact, IncidentStatus, MaintenanceStatus
from monitor.sources.heroku import parse_heroku

PAGE = "https://status.heroku.com"


def synthetic(apps: str = "green", incidents: Any = (), scheduled: Any = ()) -> dict[str, Any]:
    status = [{"system": "Apps", "status": apps}, {"system": "Data", "status": "green"}]
    return {"status": status, "incidents": list(incidents), "scheduled": list(scheduled)}


def synthetic_update(created_at: str, update_type: str, prod: str, dev: str = "green") -> dict[str, Any]:
    return {
        "contents": f"<p>{update_type}</p>",
        "created_at": created_at,
        "update_type": update_type,
        "status_prod": prod,
        "status_dev": dev,
    }


def synthetic_incident(*updates: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "id": 7,
        "title": "Router errors",
        "resolved": False,
        "full_url": "https://status.heroku.com/incidents/7",
        "created_at": "2024-01-02T10:00:00Z",
        "updates": list(updates),
    } | extra


@pytest.mark.parametrize(
    ("color", "status", "impact"),
    [
        ("green", ComponentStatus.OPERATIONAL, Impact.NONE),
        ("yellow", ComponentStatus.DEGRADED_PERFORMANCE, Impact.MINOR),
        ("red", ComponentStatus.MAJOR_OUTAGE, Impact.CRITICAL),
        ("blue", ComponentStatus.UNDER_MAINTENANCE, Impact.MAINTENANCE),
        ("RED", ComponentStatus.MAJOR_OUTAGE, Impact.CRITICAL),
    ],
)
def test_synthetic_colors(color: str, status: ComponentStatus, impact: Impact) -> None:
    snapshot = parse_heroku(synthetic(apps=color), PAGE)
    assert snapshot.components[0].status is status
    assert snapshot.indicator is impact


def test_synthetic_unknown_color_is_unknown_and_warned() -> None:
    snapshot = parse_heroku(synthetic(apps="purple"), PAGE)
    assert snapshot.components[0].status is ComponentStatus.UNKNOWN
    assert "system 'Apps' has unknown status 'purple'" in snapshot.warnings


def test_synthetic_newest_update_sets_status_and_impact_whatever_the_order() -> None:
    incident = synthetic_incident(
        synthetic_update("2024-01-02T10:00:00Z", "investigating", "yellow"),
        synthetic_update("2024-01-02T11:00:00Z", "monitoring", "yellow", dev="red"),
    )
    (read,) = parse_heroku(synthetic(apps="red", incidents=[incident]), PAGE).incidents
    assert (read.status, read.impact, read.latest_update) == (
        IncidentStatus.MONITORING,
        Impact.CRITICAL,
        "monitoring",
    )


def test_synthetic_resolved_flag_wins() -> None:
    incident = synthetic_incident(
        synthetic_update("2024-01-02T10:00:00Z", "investigating", "red"), resolved=True
    )
    assert parse_heroku(synthetic(incidents=[incident]), PAGE).incidents[0].status is IncidentStatus.RESOLVED


def test_synthetic_incident_without_updates_has_unknown_impact() -> None:
    snapshot = parse_heroku(synthetic(incidents=[synthetic_incident()]), PAGE)
    read = snapshot.incidents[0]
    assert (read.status, read.impact) == (IncidentStatus.INVESTIGATING, Impact.UNKNOWN)
    assert snapshot.warnings == ("incident 'Router errors' has no updates to read its impact from",)


@pytest.mark.parametrize(
    ("flags", "status"),
    [
        ({"resolved": False, "upcoming": True}, MaintenanceStatus.SCHEDULED),
        ({"resolved": False, "upcoming": False}, MaintenanceStatus.IN_PROGRESS),
        ({"resolved": True, "upcoming": False}, MaintenanceStatus.COMPLETED),
    ],
)
def test_synthetic_maintenance_status(flags: dict[str, bool], status: MaintenanceStatus) -> None:
    planned = {"id": 9, "title": "Data update", "updates": []} | flags
    assert parse_heroku(synthetic(scheduled=[planned]), PAGE).maintenances[0].status is status


def test_synthetic_incident_without_id_fails_the_page() -> None:
    incident = synthetic_incident()
    del incident["id"]
    with pytest.raises(ParseError, match="unreadable entry in 'incidents'"):
        parse_heroku(synthetic(incidents=[incident]), PAGE)


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ([], "expected a JSON object, got a list"),
        ({"status": [], "incidents": []}, "'scheduled' is null, not a list"),
        ({"status": {}, "incidents": [], "scheduled": []}, "'status' is an object, not a list"),
        ({"status": [], "incidents": [], "scheduled": []}, "no readable system"),
        ({"status": [{"status": "green"}], "incidents": [], "scheduled": []}, "no readable system"),
    ],
)
def test_synthetic_not_a_current_status_document(doc: Any, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        parse_heroku(doc, PAGE)


def test_synthetic_update_with_an_unreadable_time_and_type_warns_once_each() -> None:
    incident = synthetic_incident(
        synthetic_update("2024-01-02T10:00:00Z", "investigating", "yellow"),
        synthetic_update("soon", "escalated", "red"),
    )
    snapshot = parse_heroku(synthetic("yellow", incidents=[incident]), PAGE)
    assert snapshot.warnings == (
        "incident 'Router errors' update has unparseable created_at 'soon'",
        "incident 'Router errors' update has unknown update_type 'escalated'",
    )
    (read,) = snapshot.incidents
    assert read.status is IncidentStatus.INVESTIGATING  # the update with a readable time is the newest
    assert [u.status for u in read.updates] == [IncidentStatus.UNKNOWN, IncidentStatus.INVESTIGATING]
