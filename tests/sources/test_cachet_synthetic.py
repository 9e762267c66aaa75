"""parse_cachet on synthetic pages of the documented shape: statuses, open incidents, zone-less times."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from monitor.errors import ParseError
from monitor.model import ComponentStatus, Impact, IncidentStatus
from monitor.sources.cachet import parse_cachet

from .conftest import FIXTURES

PAGE = "https://status.example.com"
COMPONENTS = json.loads((FIXTURES / "cachet/status.yoti.com-api-v1-components-2020-10.json").read_bytes())


def synthetic_page(*items: dict[str, Any], total_pages: int = 1) -> dict[str, Any]:
    pagination = {"total": len(items), "count": len(items), "per_page": 100, "total_pages": total_pages}
    return {"meta": {"pagination": pagination}, "data": list(items)}


def synthetic_component(cid: int, status: Any, **extra: Any) -> dict[str, Any]:
    return {
        "id": cid,
        "name": f"Component {cid}",
        "status": status,
        "enabled": True,
        "deleted_at": None,
    } | extra


def synthetic_incident(iid: int, status: Any, component_id: int = 0, **extra: Any) -> dict[str, Any]:
    return {
        "id": iid,
        "name": f"Incident {iid}",
        "status": status,
        "message": "We are **investigating** <b>errors</b>.",
        "component_id": component_id,
        "created_at": "2024-07-01 12:00:00",
        "updated_at": "2024-07-01 12:30:00",
        "visible": 1,
    } | extra


@pytest.mark.parametrize(
    ("code", "status"),
    [
        (0, ComponentStatus.UNKNOWN),
        (1, ComponentStatus.OPERATIONAL),
        (2, ComponentStatus.DEGRADED_PERFORMANCE),
        (3, ComponentStatus.PARTIAL_OUTAGE),
        (4, ComponentStatus.MAJOR_OUTAGE),
        ("3", ComponentStatus.PARTIAL_OUTAGE),
    ],
)
def test_synthetic_component_status(code: Any, status: ComponentStatus) -> None:
    snapshot = parse_cachet([synthetic_page(synthetic_component(1, code))], [synthetic_page()], PAGE)
    assert snapshot.components[0].status is status
    assert snapshot.warnings == ()


def test_synthetic_partial_outage_component_sets_the_indicator() -> None:
    doc = json.loads(json.dumps(COMPONENTS))
    doc["data"][2]["status"] = 3  # Yoti App
    snapshot = parse_cachet([doc], [synthetic_page()], PAGE)
    assert {c.name: c.status for c in snapshot.components}["Yoti App"] is ComponentStatus.PARTIAL_OUTAGE
    assert snapshot.indicator is Impact.MAJOR


def test_synthetic_unknown_component_status_is_warned() -> None:
    snapshot = parse_cachet([synthetic_page(synthetic_component(1, 7))], [synthetic_page()], PAGE)
    assert snapshot.components[0].status is ComponentStatus.UNKNOWN
    assert snapshot.warnings == ("component 'Component 1' has unknown status 7",)


def test_synthetic_disabled_and_deleted_components_are_skipped() -> None:
    components = synthetic_page(
        synthetic_component(1, 1),
        synthetic_component(2, 4, enabled=False),
        synthetic_component(3, 4, deleted_at="2024-01-01 00:00:00"),
    )
    assert [c.id for c in parse_cachet([components], [synthetic_page()], PAGE).components] == ["1"]


def test_synthetic_open_incidents_only_with_impact_from_their_component() -> None:
    components = synthetic_page(synthetic_component(1, 3), synthetic_component(2, 1))
    incidents = synthetic_page(
        synthetic_incident(14, 4, 1),  # fixed
        synthetic_incident(13, 3, 2),  # watching, component operational
        synthetic_incident(12, 2, 1),  # identified, component in partial outage
        synthetic_incident(11, 1),  # investigating, no component
        synthetic_incident(10, 0),  # scheduled
    )
    snapshot = parse_cachet([components], [incidents], PAGE)
    assert [(i.id, i.status, i.impact, i.component_ids) for i in snapshot.incidents] == [
        ("13", IncidentStatus.MONITORING, Impact.UNKNOWN, ("2",)),
        ("12", IncidentStatus.IDENTIFIED, Impact.MAJOR, ("1",)),
        ("11", IncidentStatus.INVESTIGATING, Impact.UNKNOWN, ()),
    ]
    assert snapshot.incidents[0].latest_update == "We are **investigating** errors."
    assert snapshot.indicator is Impact.MAJOR


def test_synthetic_zone_less_times_read_in_the_configured_zone() -> None:
    incidents = synthetic_page(synthetic_incident(1, 1, occurred_at="2024-07-01 11:00:00"))
    london = parse_cachet([synthetic_page()], [incidents], PAGE, ZoneInfo("Europe/London"))
    assert london.incidents[0].started_at == datetime(2024, 7, 1, 10, tzinfo=UTC)  # BST, UTC+1
    assert london.incidents[0].updated_at == datetime(2024, 7, 1, 11, 30, tzinfo=UTC)
    utc = parse_cachet([synthetic_page()], [incidents], PAGE)
    assert utc.incidents[0].started_at == datetime(2024, 7, 1, 11, tzinfo=UTC)


def test_synthetic_items_across_pages_are_joined_and_deduplicated() -> None:
    first = synthetic_page(synthetic_component(1, 1), synthetic_component(2, 2), total_pages=2)
    second = synthetic_page(synthetic_component(2, 2), synthetic_component(3, 4), total_pages=2)
    snapshot = parse_cachet([first, second], [synthetic_page()], PAGE)
    assert [c.id for c in snapshot.components] == ["1", "2", "3"]


def test_synthetic_unreadable_open_incident_fails_the_page() -> None:
    with pytest.raises(ParseError, match="unreadable entry in 'incidents'"):
        parse_cachet([synthetic_page()], [synthetic_page({"status": 1, "name": "no id"})], PAGE)


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ([], "expected a JSON object, got a list"),
        ({"meta": {}}, "'data' is null, not a list"),
        ({"data": []}, "no 'meta' object"),
    ],
)
def test_synthetic_not_a_cachet_page(doc: Any, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        parse_cachet([doc], [synthetic_page()], PAGE)
    with pytest.raises(ParseError, match=message):
        parse_cachet([synthetic_page()], [doc], PAGE)
