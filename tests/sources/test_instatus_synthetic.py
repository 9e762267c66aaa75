"""Instatus summaries during an incident and a maintenance (no capture holds one), documented shape."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from monitor.config import ConfigError, parse_config
from monitor.errors import ParseError
from monitor.model import ComponentStatus, Impact, IncidentStatus, MaintenanceStatus
from monitor.sources.instatus import parse_instatus

PAGE = "https://status.example.com"


def components(*statuses: str) -> dict[str, Any]:
    return {
        "components": [
            {"id": f"c{i}", "name": f"C{i}", "status": s, "group": {"id": "g", "name": "API"} if i else None}
            for i, s in enumerate(statuses)
        ]
    }


def test_synthetic_component_vocabulary() -> None:
    words = [
        "OPERATIONAL",
        "UNDERMAINTENANCE",
        "DEGRADEDPERFORMANCE",
        "PARTIALOUTAGE",
        "MINOROUTAGE",
        "MAJOROUTAGE",
    ]
    snapshot = parse_instatus({"page": {"status": "HASISSUES"}}, components(*words), PAGE)
    assert [c.status for c in snapshot.components] == [
        ComponentStatus.OPERATIONAL,
        ComponentStatus.UNDER_MAINTENANCE,
        ComponentStatus.DEGRADED_PERFORMANCE,
        ComponentStatus.PARTIAL_OUTAGE,
        ComponentStatus.PARTIAL_OUTAGE,
        ComponentStatus.MAJOR_OUTAGE,
    ]
    assert [c.group for c in snapshot.components[:2]] == [None, "API"]
    assert snapshot.indicator is Impact.MINOR
    assert snapshot.warnings == ()


def test_synthetic_summary_during_an_incident() -> None:
    summary = {
        "page": {"name": "Example", "url": PAGE, "status": "HASISSUES"},
        "activeIncidents": [
            {
                "id": "cl4inc",
                "name": "API errors",
                "started": "2026-03-01T10:00:00.000Z",
                "status": "IDENTIFIED",
                "impact": "MAJOROUTAGE",
                "url": f"{PAGE}/incident/cl4inc",
            },
            {
                "name": "No id",
                "started": "2026-03-01T11:00:00+02:00",
                "status": "MONITORING",
                "impact": "DEGRADEDPERFORMANCE",
                "url": f"{PAGE}/incident/other",
            },
        ],
    }
    snapshot = parse_instatus(summary, components("MAJOROUTAGE"), PAGE)
    first, second = snapshot.incidents
    assert (first.id, first.status, first.impact) == ("cl4inc", IncidentStatus.IDENTIFIED, Impact.CRITICAL)
    assert first.url == f"{PAGE}/incident/cl4inc"
    assert first.started_at == datetime(2026, 3, 1, 10, tzinfo=UTC)
    assert (second.id, second.impact) == (f"{PAGE}/incident/other", Impact.MINOR)  # known by its link
    assert second.started_at == datetime(2026, 3, 1, 9, tzinfo=UTC)
    assert snapshot.warnings == ()


def test_synthetic_summary_during_a_maintenance() -> None:
    summary = {
        "page": {"status": "UNDERMAINTENANCE"},
        "activeMaintenances": [
            {
                "id": "m1",
                "name": "DB",
                "start": "2026-03-01T10:00:00Z",
                "status": "INPROGRESS",
                "duration": "90",
            },
            {
                "id": "m2",
                "name": "Later",
                "start": "2026-03-02T10:00:00Z",
                "status": "NOTSTARTEDYET",
                "duration": "x",
            },
        ],
    }
    snapshot = parse_instatus(summary, components("UNDERMAINTENANCE"), PAGE)
    assert snapshot.indicator is Impact.MAINTENANCE
    now, later = snapshot.maintenances
    assert (now.status, now.scheduled_until) == (
        MaintenanceStatus.IN_PROGRESS,
        datetime(2026, 3, 1, 11, 30, tzinfo=UTC),
    )
    assert (later.status, later.scheduled_until) == (MaintenanceStatus.SCHEDULED, None)
    assert snapshot.warnings == ("maintenance 'Later' has unreadable duration 'x'",)


def test_synthetic_unknown_words_are_unknown_with_warnings() -> None:
    summary = {
        "page": {"status": "ONFIRE"},
        "activeIncidents": [{"id": "i", "name": "n", "status": "?", "impact": 3}],
    }
    snapshot = parse_instatus(summary, components("BROKEN"), PAGE)
    assert snapshot.indicator is Impact.UNKNOWN
    assert snapshot.components[0].status is ComponentStatus.UNKNOWN
    assert (snapshot.incidents[0].status, snapshot.incidents[0].impact) == (
        IncidentStatus.UNKNOWN,
        Impact.UNKNOWN,
    )
    assert len(snapshot.warnings) == 4


def test_synthetic_an_unreadable_incident_fails_the_page() -> None:
    summary = {"page": {"status": "HASISSUES"}, "activeIncidents": [{"name": "no id, no link"}]}
    with pytest.raises(ParseError, match="unreadable entry in 'activeIncidents'"):
        parse_instatus(summary, components(), PAGE)


def test_config_needs_the_page_url() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config("providers:\n  - {name: whereby, type: instatus}\n", "providers.yaml", env={})
    assert caught.value.errors == ["providers.yaml:2: providers[0].url: required"]
