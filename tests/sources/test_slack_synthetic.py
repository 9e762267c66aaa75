"""parse_slack on a synthetic 'active' document built from the real incidents of the history capture."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from monitor.errors import ParseError
from monitor.model import ComponentStatus, Impact, IncidentStatus, MaintenanceStatus
from monitor.sources.slack import parse_slack, slug

from .conftest import FIXTURES

PAGE = "https://slack-status.com"
HISTORY: list[dict[str, Any]] = json.loads(
    (FIXTURES / "slack/slack-status.com-api-v2.0.0-history-2026.json").read_bytes()
)
WORKFLOWS = HISTORY[1]  # 1568, services ["Workflows"], six notes


def synthetic_active(*incidents: dict[str, Any]) -> dict[str, Any]:
    return {
        "status": "active",
        "date_created": "2026-06-16T08:50:09-07:00",
        "date_updated": "2026-06-16T09:48:02-07:00",
        "active_incidents": list(incidents),
    }


def synthetic_open(incident: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return incident | {"status": "active"} | changes


def test_synthetic_active_incident() -> None:
    snapshot = parse_slack(synthetic_active(synthetic_open(WORKFLOWS)), PAGE)
    assert snapshot.warnings == ()
    (incident,) = snapshot.incidents
    assert incident.id == "1568"
    assert incident.name == "Trouble submitting workflow forms with file attachments on Android."
    assert (incident.status, incident.impact) == (IncidentStatus.INVESTIGATING, Impact.MAJOR)
    assert incident.started_at == datetime(2026, 6, 16, 15, 50, 9, tzinfo=UTC)
    assert incident.updated_at == datetime(2026, 6, 22, 20, 39, 26, tzinfo=UTC)
    assert incident.latest_update is not None
    assert incident.latest_update.startswith("This issue has been resolved. Android users")
    assert "<" not in incident.latest_update
    troubled = {c.id: c.status for c in snapshot.components if c.status is not ComponentStatus.OPERATIONAL}
    assert troubled == {"workflows": ComponentStatus.PARTIAL_OUTAGE}
    assert snapshot.indicator is Impact.MAJOR


@pytest.mark.parametrize(
    ("kind", "status", "impact"),
    [
        ("outage", ComponentStatus.MAJOR_OUTAGE, Impact.CRITICAL),
        ("incident", ComponentStatus.PARTIAL_OUTAGE, Impact.MAJOR),
        ("notice", ComponentStatus.DEGRADED_PERFORMANCE, Impact.MINOR),
        ("Outage", ComponentStatus.MAJOR_OUTAGE, Impact.CRITICAL),
    ],
)
def test_synthetic_type_sets_service_status_and_impact(
    kind: str, status: ComponentStatus, impact: Impact
) -> None:
    snapshot = parse_slack(synthetic_active(synthetic_open(WORKFLOWS, type=kind)), PAGE)
    assert snapshot.incidents[0].impact is impact
    assert {c.id: c.status for c in snapshot.components}["workflows"] is status


def test_synthetic_worst_incident_per_service_and_an_unlisted_service() -> None:
    outage = synthetic_open(HISTORY[2], id=2000, type="outage", services=["Login/SSO", "Email Forwarding"])
    notice = synthetic_open(HISTORY[0], type="notice", services=["Login/SSO"])
    snapshot = parse_slack(synthetic_active(notice, outage), PAGE)
    statuses = {c.id: c.status for c in snapshot.components}
    assert statuses["login-sso"] is ComponentStatus.MAJOR_OUTAGE
    assert statuses["email-forwarding"] is ComponentStatus.MAJOR_OUTAGE
    assert {c.name for c in snapshot.components} >= {"Email Forwarding", "Login/SSO"}
    assert [i.id for i in snapshot.incidents] == ["1571", "2000"]
    assert snapshot.indicator is Impact.CRITICAL


def test_synthetic_maintenance_is_a_maintenance() -> None:
    planned = synthetic_open(HISTORY[0], type="maintenance", services=["Huddles"])
    snapshot = parse_slack(synthetic_active(planned), PAGE)
    assert snapshot.incidents == ()
    (maintenance,) = snapshot.maintenances
    assert (maintenance.id, maintenance.status) == ("1571", MaintenanceStatus.IN_PROGRESS)
    assert {c.id: c.status for c in snapshot.components}["huddles"] is ComponentStatus.UNDER_MAINTENANCE
    assert snapshot.indicator is Impact.MAINTENANCE


def test_synthetic_unknown_type_and_status_are_warned_not_operational() -> None:
    odd = synthetic_open(WORKFLOWS, type="meltdown", status="escalated")
    snapshot = parse_slack(synthetic_active(odd), PAGE)
    incident = snapshot.incidents[0]
    assert (incident.status, incident.impact) == (IncidentStatus.UNKNOWN, Impact.UNKNOWN)
    assert {c.id: c.status for c in snapshot.components}["workflows"] is ComponentStatus.UNKNOWN
    assert len(snapshot.warnings) == 3  # type (for the service and the impact) and status


def test_synthetic_active_without_incidents_is_not_operational() -> None:
    snapshot = parse_slack(synthetic_active(), PAGE)
    assert snapshot.indicator is Impact.MINOR


def test_synthetic_ok_without_the_list_is_the_old_short_answer() -> None:
    snapshot = parse_slack({"status": "ok", "date_created": "2018-09-07T18:34:15-07:00"}, PAGE)
    assert snapshot.indicator is Impact.NONE and snapshot.incidents == ()


def test_synthetic_incident_without_id_fails_the_page() -> None:
    broken = {k: v for k, v in synthetic_open(WORKFLOWS).items() if k != "id"}
    with pytest.raises(ParseError, match="unreadable entry in 'active_incidents'"):
        parse_slack(synthetic_active(broken), PAGE)


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ([], "expected a JSON object, got a list"),
        ({"active_incidents": []}, "no 'status' string"),
        ({"status": "active"}, "no 'active_incidents' list"),
        ({"status": "active", "active_incidents": {}}, "'active_incidents' is an object"),
    ],
)
def test_synthetic_not_a_status_document(doc: Any, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        parse_slack(doc, PAGE)


def test_slug_is_stable_and_never_empty() -> None:
    assert [slug(n) for n in ("Login/SSO", "Apps/Integrations/APIs", "///")] == [
        "login-sso",
        "apps-integrations-apis",
        "service",
    ]


def test_synthetic_note_with_an_unreadable_time_warns_once_and_is_kept_in_the_timeline() -> None:
    notes = [{**WORKFLOWS["notes"][0], "date_created": "last Tuesday"}, *WORKFLOWS["notes"][1:]]
    snapshot = parse_slack(synthetic_active(synthetic_open(WORKFLOWS, notes=notes)), PAGE)
    assert snapshot.warnings == (
        "incident 'Trouble submitting workflow forms with file attachments on Android.' "
        "note has unparseable date_created 'last Tuesday'",
    )
    (incident,) = snapshot.incidents
    assert len(incident.updates) == 6 and incident.updates[0].at is None  # unreadable times first
    assert [u.status for u in incident.updates] == [IncidentStatus.INVESTIGATING] * 6  # still open
