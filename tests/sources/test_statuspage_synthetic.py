"""parse_summary on synthetic documents: incident.io quirks, unreadable values, garbage shapes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor.errors import ParseError
from monitor.model import ComponentStatus, Impact, IncidentStatus, MaintenanceStatus, Snapshot
from monitor.sources.reader import plain_text
from monitor.sources.statuspage import parse_summary

PAGE = "https://status.example.com"


def synthetic(**parts: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "page": {"id": "p", "name": "Example", "url": PAGE},
        "status": {"indicator": "none", "description": "All Systems Operational"},
        "components": [],
        "incidents": [],
        "scheduled_maintenances": [],
    }
    return doc | parts


def component(cid: str, name: str, status: Any, **extra: Any) -> dict[str, Any]:
    return {"id": cid, "name": name, "status": status, "group": False, "group_id": None} | extra


def incident(iid: str = "i1", **extra: Any) -> dict[str, Any]:
    return {
        "id": iid,
        "name": "Elevated errors",
        "status": "investigating",
        "impact": "minor",
        "created_at": "2024-03-01T10:00:00Z",
        "updated_at": "2024-03-01T10:05:00Z",
        "shortlink": "https://stspg.io/abc",
        "incident_updates": [],
        "components": [],
    } | extra


def parse(doc: Any, *, null_is_empty: bool = False) -> Snapshot:
    return parse_summary(doc, PAGE, null_is_empty=null_is_empty)


def test_incident_io_nulls_and_full_outage_synthetic() -> None:
    doc = synthetic(
        components=[component("c1", "API", "full_outage"), component("c2", "Web", "degraded_performance")],
        incidents=[incident(components=None, incident_updates=None, impact="critical")],
        scheduled_maintenances=None,
    )
    snapshot = parse(doc, null_is_empty=True)
    assert snapshot.warnings == ()
    assert [c.status for c in snapshot.components] == [
        ComponentStatus.MAJOR_OUTAGE,
        ComponentStatus.DEGRADED_PERFORMANCE,
    ]
    (only,) = snapshot.incidents
    assert only.component_ids == () and only.latest_update is None and only.impact is Impact.CRITICAL
    assert snapshot.maintenances == ()


def test_incident_io_null_components_synthetic() -> None:
    doc = synthetic(components=None, incidents=None, status={"indicator": "major"})
    snapshot = parse(doc, null_is_empty=True)
    assert snapshot.components == () and snapshot.incidents == ()
    assert snapshot.indicator is Impact.MAJOR
    assert snapshot.description is None


@pytest.mark.parametrize("key", ["incidents", "scheduled_maintenances"])
def test_a_null_incident_or_maintenance_list_is_refused(key: str) -> None:
    doc = synthetic(incidents=[], scheduled_maintenances=[]) | {key: None}
    with pytest.raises(ParseError, match=f"'{key}' is null"):
        parse(doc)


def test_unknown_enum_values_become_unknown_with_warnings_synthetic() -> None:
    doc = synthetic(
        status={"indicator": "apocalyptic", "description": "Hmm"},
        components=[component("c1", "API", "purple"), component("c2", "Web", None)],
        incidents=[incident(status="panicking", impact="huge")],
        scheduled_maintenances=[{"id": "m1", "name": "Upgrade", "status": "pending"}],
    )
    snapshot = parse(doc)
    assert snapshot.indicator is Impact.UNKNOWN
    assert [c.status for c in snapshot.components] == [ComponentStatus.UNKNOWN, ComponentStatus.UNKNOWN]
    (only,) = snapshot.incidents
    assert (only.status, only.impact) == (IncidentStatus.UNKNOWN, Impact.UNKNOWN)
    assert snapshot.maintenances[0].status is MaintenanceStatus.UNKNOWN
    assert snapshot.warnings == (
        "page has unknown indicator 'apocalyptic'",
        "component 'API' has unknown status 'purple'",
        "component 'Web' has no status",
        "incident 'Elevated errors' has unknown status 'panicking'",
        "incident 'Elevated errors' has unknown impact 'huge'",
        "maintenance 'Upgrade' has unknown status 'pending'",
    )


def test_our_own_unknown_is_not_accepted_from_a_page_synthetic() -> None:
    snapshot = parse(synthetic(components=[component("c1", "API", "unknown")]))
    assert snapshot.components[0].status is ComponentStatus.UNKNOWN
    assert snapshot.warnings == ("component 'API' has unknown status 'unknown'",)


def test_times_are_utc_and_bad_times_are_warned_synthetic() -> None:
    doc = synthetic(
        incidents=[
            incident("a", started_at="2022-11-25T13:53:11.209-08:00", updated_at="yesterday"),
            incident("b", started_at=None, created_at="2022-11-25T21:53:11Z", updated_at=12),
            incident("c", started_at="2022-11-25T21:53:11", created_at=None),
        ]
    )
    a, b, c = parse(doc).incidents
    assert a.started_at == datetime(2022, 11, 25, 21, 53, 11, 209000, tzinfo=UTC)
    assert a.updated_at is None
    assert b.started_at == datetime(2022, 11, 25, 21, 53, 11, tzinfo=UTC)
    assert c.started_at == datetime(2022, 11, 25, 21, 53, 11, tzinfo=UTC)  # zone-less: read as UTC
    assert parse(doc).warnings == (
        "incident 'Elevated errors' has unparseable updated_at 'yesterday'",
        "incident 'Elevated errors' has unparseable updated_at 12",
    )


def test_an_update_with_an_unreadable_time_is_warned_once_synthetic() -> None:
    """The timeline and the latest update both rank by an update's time: it is read once, one warning."""
    updates = [
        {"body": "when?", "status": "investigating", "created_at": "soon"},
        {"body": "known", "status": "identified", "created_at": "2024-03-01T10:00:00Z"},
    ]
    snapshot = parse(synthetic(incidents=[incident(incident_updates=updates)]))
    assert snapshot.warnings == ("incident 'Elevated errors' update has unparseable created_at 'soon'",)
    (only,) = snapshot.incidents
    assert only.latest_update == "known"
    assert [u.at for u in only.updates] == [None, datetime(2024, 3, 1, 10, tzinfo=UTC)]


def test_latest_update_is_the_newest_shown_synthetic() -> None:
    updates = [
        {"body": "older, listed first", "created_at": "2024-03-01T10:00:00Z"},
        {"body": "<p>Newest &amp; <b>fixed</b></p>\r\n<p>soon</p>", "display_at": "2024-03-01T11:00:00Z"},
        {"body": "no time at all"},
        {"body": "oldest", "created_at": "2024-03-01T09:00:00+01:00"},
    ]
    snapshot = parse(synthetic(incidents=[incident(incident_updates=updates)]))
    assert snapshot.incidents[0].latest_update == "Newest & fixed soon"
    assert snapshot.warnings == ()


def test_component_ids_merge_incident_components_and_affected_codes_synthetic() -> None:
    updates = [
        {
            "body": "b",
            "created_at": "2024-03-01T11:00:00Z",
            "affected_components": [{"code": "c3"}, {"code": "c1"}],
        },
        {"body": "a", "created_at": "2024-03-01T10:00:00Z", "affected_components": None},
        {
            "body": "z",
            "created_at": "2024-03-01T09:00:00Z",
            "affected_components": [{"code": "c4"}, {"no": 1}],
        },
    ]
    doc = synthetic(
        incidents=[incident(components=[{"id": "c1"}, "c2", {"id": "c1"}], incident_updates=updates)]
    )
    assert parse(doc).incidents[0].component_ids == ("c1", "c2", "c3", "c4")


def test_incident_url_falls_back_to_the_page_synthetic() -> None:
    doc = synthetic(incidents=[incident(shortlink=None), incident("i2", shortlink="javascript:alert(1)")])
    assert [i.url for i in parse(doc).incidents] == [PAGE, PAGE]


def test_wrongly_typed_item_fields_become_warnings_or_defaults_synthetic() -> None:
    doc = synthetic(
        components=[
            "not an object",
            {"name": "No id", "status": "operational"},
            {"id": "c1", "status": "operational"},
            {"id": 7, "name": "Numbered", "status": "operational"},
            component("c1", "Duplicate", "major_outage"),
            component("c2", "Orphan", "operational", group_id="gone"),
        ],
        incidents=[incident(incident_updates="oops", components=[42])],
    )
    snapshot = parse(doc)
    assert [(c.id, c.name, c.group) for c in snapshot.components] == [
        ("c1", "c1", None),
        ("7", "Numbered", None),
        ("c2", "Orphan", None),
    ]
    assert snapshot.components[0].status is ComponentStatus.OPERATIONAL
    assert snapshot.incidents[0].latest_update is None
    assert snapshot.warnings == (
        "components has an entry that is a string, not an object",
        "component 'No id' has no id; skipped",
        "component 'c1' has no name",
        "component id 'c1' appears twice; kept the first",
        "component 'Orphan' belongs to a group 'gone' the page does not list",
        "incident 'Elevated errors' incident_updates is a string, not a list",
        "incident 'Elevated errors' components has an entry that is a number, not an object",
    )


def test_missing_status_is_warned_not_assumed_synthetic() -> None:
    doc = {"page": {"id": "p"}, "components": [component("c1", "API", "operational")]}
    snapshot = parse({**doc, "incidents": [], "scheduled_maintenances": []})
    assert snapshot.indicator is Impact.UNKNOWN
    assert snapshot.warnings == ("summary has no 'status' object",)


@pytest.mark.parametrize("missing", ["incidents", "scheduled_maintenances"])
def test_a_missing_incident_or_maintenance_list_fails_the_page_synthetic(missing: str) -> None:
    """The engine reads an incident gone from the list as resolved: a page without the list is unknown."""
    doc = synthetic(components=[component("c1", "API", "operational")])
    del doc[missing]
    with pytest.raises(ParseError, match=f"no '{missing}' list"):
        parse(doc)


def test_an_unreadable_incident_entry_fails_the_page_synthetic() -> None:
    good = {"id": "i1", "name": "ok", "status": "investigating", "impact": "minor"}
    for bad in ({"name": "no id"}, "a string", 42):
        with pytest.raises(ParseError, match="unreadable entry in 'incidents'"):
            parse(synthetic(incidents=[good, bad]))


def test_a_repeated_incident_id_is_read_once_synthetic() -> None:
    first = {"id": "i1", "name": "first", "status": "investigating", "impact": "minor"}
    again = {**first, "name": "again"}
    snapshot = parse(synthetic(incidents=[first, again]))
    assert [i.name for i in snapshot.incidents] == ["first"]
    assert snapshot.warnings == ("incidents lists id 'i1' more than once; the first is kept",)


def test_warnings_quote_page_values_boundedly_synthetic() -> None:
    snapshot = parse(synthetic(components=[component("c1", "API", "x" * 5000)]))
    (warning,) = snapshot.warnings
    assert len(warning) < 150 and warning.endswith("...")


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ([], "expected a JSON object, got a list"),
        ("All good", "expected a JSON object, got a string"),
        (42, "expected a JSON object, got a number"),
        (None, "expected a JSON object, got null"),
        ({}, "neither a 'page' nor a 'status' object"),
        ({"components": []}, "neither a 'page' nor a 'status' object"),
        ({"page": "x", "components": []}, "neither a 'page' nor a 'status' object"),
        ({"page": {}}, "no 'components' list"),
        ({"page": {}, "components": {}}, "'components' is an object, not a list"),
        ({"page": {}, "components": "none"}, "'components' is a string, not a list"),
        ({"page": {}, "components": [], "incidents": {"a": 1}}, "'incidents' is an object, not a list"),
        (
            {"page": {}, "components": [], "incidents": [], "scheduled_maintenances": 0},
            "'scheduled_maintenances' is a number",
        ),
    ],
)
def test_garbage_shapes_are_parse_errors_synthetic(doc: Any, message: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse(doc)
    assert str(caught.value).startswith(f"not a Statuspage summary: {message}")
    assert caught.value.outcome == "parse_error"


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
FIELDS = st.sampled_from(
    [
        "id",
        "name",
        "status",
        "impact",
        "group",
        "group_id",
        "components",
        "incident_updates",
        "body",
        "created_at",
        "display_at",
        "started_at",
        "shortlink",
        "affected_components",
        "code",
        "scheduled_for",
    ]
)
ITEM = st.dictionaries(
    FIELDS, JSON | st.lists(st.dictionaries(FIELDS, JSON, max_size=5), max_size=3), max_size=8
)


@given(
    doc=JSON
    | st.fixed_dictionaries(
        {"page": st.just({}), "components": st.lists(ITEM, max_size=4)},
        optional={
            "incidents": st.lists(ITEM, max_size=3),
            "scheduled_maintenances": st.lists(ITEM, max_size=3),
        },
    )
)
def test_any_json_is_a_snapshot_or_a_parse_error_synthetic(doc: Any) -> None:
    """Never a crash: a document is either read (with warnings) or refused with a ParseError."""
    try:
        snapshot = parse(doc)
    except ParseError:
        return
    assert isinstance(doc, dict) and isinstance(doc.get("components"), list | None)
    assert all(isinstance(c.id, str) and isinstance(c.name, str) for c in snapshot.components)
    assert all(i.started_at is None or i.started_at.tzinfo is UTC for i in snapshot.incidents)


def test_plain_text_caps_length() -> None:
    text = plain_text("word " * 1000)
    assert len(text) == 2000 and text.endswith("…")
    assert plain_text("a<br/>b<BR>c<a href='x'>link</a>.") == "a b clink."
    assert plain_text("&lt;script&gt;") == "<script>"
