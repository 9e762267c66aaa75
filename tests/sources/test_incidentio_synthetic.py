"""incident.io /proxy answers during incidents and maintenance (no capture holds those), synthetic."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from monitor.config import ConfigError, parse_config
from monitor.errors import ParseError
from monitor.model import ComponentStatus, Impact, IncidentStatus, MaintenanceStatus
from monitor.sources.incidentio import IncidentioConfig, IncidentioSource, parse_proxy

PAGE = "https://status.example.com"


def leaf(cid: str, name: str, **extra: Any) -> dict[str, Any]:
    return {"component_id": cid, "name": name, "hidden": False, **extra}


def summary(**fields: Any) -> dict[str, Any]:
    structure = {
        "items": [
            {"component": leaf("c1", "API"), "group": "$undefined"},
            {
                "component": "$undefined",
                "group": {
                    "name": "Dashboards",
                    "hidden": False,
                    "components": [leaf("c2", "EU"), leaf("c3", "US"), leaf("c4", "Secret", hidden=True)],
                },
            },
            {
                "component": "$undefined",
                "group": {"name": "Old", "hidden": True, "components": [leaf("c5", "X")]},
            },
        ]
    }
    base = {
        "ongoing_incidents": [],
        "scheduled_maintenances": [],
        "affected_components": [],
        "structure": structure,
    }
    return {"summary": {**base, **fields}}


def incident(iid: str, status: str, impacts: list[tuple[str, str]], **extra: Any) -> dict[str, Any]:
    return {
        "id": iid,
        "name": f"Incident {iid}",
        "status": status,
        "published_at": "2026-04-01T12:00:00.000Z",
        "affected_components": [
            {"component_id": c, "status": s, "current_status": "$undefined"} for c, s in impacts
        ],
        "component_impacts": [],
        "updates": [],
        **extra,
    }


def test_synthetic_incident_with_component_impacts() -> None:
    full = incident(
        "i1",
        "identified",
        [("c1", "full_outage")],
        component_impacts=[
            {
                "component_id": "c2",
                "status": "partial_outage",
                "start_at": "2026-04-01T12:00:00Z",
                "end_at": "$undefined",
            }
        ],
        updates=[
            {
                "published_at": "2026-04-01T12:00:00Z",
                "message_string": "Looking",
                "to_status": "investigating",
            },
            {
                "published_at": "2026-04-01T12:20:00Z",
                "message_string": "Found it:\n\nthe database",
                "to_status": "identified",
            },
        ],
    )
    degraded = incident("i2", "investigating", [("c3", "degraded_performance")])
    current = [
        {"component_id": "c1", "status": "full_outage"},
        {"component_id": "c2", "status": "partial_outage"},
        {"component_id": "c3", "status": "degraded_performance"},
    ]
    snapshot = parse_proxy(summary(ongoing_incidents=[full, degraded], affected_components=current), PAGE)
    assert snapshot.warnings == ()
    assert [(c.id, c.name, c.status, c.group) for c in snapshot.components] == [
        ("c1", "API", ComponentStatus.MAJOR_OUTAGE, None),
        ("c2", "EU", ComponentStatus.PARTIAL_OUTAGE, "Dashboards"),
        ("c3", "US", ComponentStatus.DEGRADED_PERFORMANCE, "Dashboards"),
    ]  # hidden components and hidden groups are left out
    first, second = snapshot.incidents
    assert (first.status, first.impact, first.component_ids) == (
        IncidentStatus.IDENTIFIED,
        Impact.CRITICAL,
        ("c1", "c2"),
    )
    assert first.latest_update == "Found it: the database"
    assert first.updated_at == datetime(2026, 4, 1, 12, 20, tzinfo=UTC)
    assert (second.status, second.impact, second.component_ids) == (
        IncidentStatus.INVESTIGATING,
        Impact.MINOR,
        ("c3",),
    )
    assert snapshot.indicator is Impact.CRITICAL


def test_synthetic_incident_naming_no_component_has_no_impact() -> None:
    snapshot = parse_proxy(summary(ongoing_incidents=[incident("i", "monitoring", [])]), PAGE)
    assert (snapshot.incidents[0].impact, snapshot.incidents[0].component_ids) == (Impact.NONE, ())


def test_synthetic_maintenance() -> None:
    maintenance = {
        "id": "m1",
        "name": "Upgrade",
        "status": "maintenance_in_progress",
        "starts_at": "2026-04-02T00:00:00Z",
        "ends_at": "2026-04-02T02:00:00Z",
        "affected_components": [{"component_id": "c1", "status": "under_maintenance"}],
    }
    current = [{"component_id": "c1", "status": "under_maintenance"}]
    snapshot = parse_proxy(summary(scheduled_maintenances=[maintenance], affected_components=current), PAGE)
    assert snapshot.components[0].status is ComponentStatus.UNDER_MAINTENANCE
    (read,) = snapshot.maintenances
    assert (read.id, read.status, read.component_ids) == ("m1", MaintenanceStatus.IN_PROGRESS, ("c1",))
    assert read.scheduled_until == datetime(2026, 4, 2, 2, tzinfo=UTC)
    assert snapshot.indicator is Impact.MAINTENANCE


def test_synthetic_flat_components_without_structure() -> None:
    doc = {
        "ongoing_incidents": None,
        "scheduled_maintenances": None,
        "affected_components": None,
        "components": [{"id": "a", "name": "A"}, {"id": "b", "name": "B"}],
    }
    snapshot = parse_proxy(doc, PAGE)
    assert [(c.id, c.status) for c in snapshot.components] == [
        ("a", ComponentStatus.OPERATIONAL),
        ("b", ComponentStatus.OPERATIONAL),
    ]


def test_synthetic_unknown_words_are_unknown_with_warnings() -> None:
    doc = summary(
        affected_components=[{"component_id": "c1", "status": "on_fire"}],
        ongoing_incidents=[incident("i", "pondering", [("c1", "on_fire")])],
    )
    snapshot = parse_proxy(doc, PAGE)
    assert snapshot.components[0].status is ComponentStatus.UNKNOWN
    assert (snapshot.incidents[0].status, snapshot.incidents[0].impact) == (
        IncidentStatus.UNKNOWN,
        Impact.UNKNOWN,
    )
    assert snapshot.warnings == (
        "component 'API' has unknown status 'on_fire'",
        "incident 'Incident i' affected_components has unknown status 'on_fire'",
        "incident 'Incident i' has unknown status 'pondering'",
    )


def test_synthetic_unreadable_incident_fails_the_page() -> None:
    with pytest.raises(ParseError, match="unreadable entry in 'ongoing_incidents'"):
        parse_proxy(summary(ongoing_incidents=[{"name": "no id"}]), PAGE)


def test_candidate_reads_proxy_only() -> None:
    config = IncidentioSource.candidate(PAGE)
    assert isinstance(config, IncidentioConfig) and config.fallback is False
    assert IncidentioConfig(name="x", type="incidentio", url=PAGE).fallback is True


def test_config_fallback_defaults_on_and_must_be_a_boolean() -> None:
    def provider(entry: str) -> str:
        return f"providers:\n  - {{name: openai, type: incidentio, url: https://status.openai.com{entry}}}\n"

    config = parse_config(provider(""), "providers.yaml", env={})
    assert isinstance(config.providers[0], IncidentioConfig) and config.providers[0].fallback is True
    with pytest.raises(ConfigError) as caught:
        parse_config(provider(", fallback: maybe"), "providers.yaml", env={})
    assert caught.value.errors == [
        "providers.yaml:2: providers[0].fallback: Input should be a valid boolean, unable to interpret input"
    ]
