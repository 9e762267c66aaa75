"""parse_summary on real captures: every summary we hold, plus component groups and incident lists."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from monitor.errors import ParseError
from monitor.model import ComponentStatus, Impact, IncidentStatus, MaintenanceStatus, Snapshot
from monitor.sources.reader import plain_text
from monitor.sources.statuspage import parse_summary
from tests.checksums import NOT_COPIES, mismatches

from .conftest import FIXTURES

SUMMARIES = sorted((FIXTURES / "statuspage" / "summary").glob("*.json"))
OPERATIONAL = [path for path in SUMMARIES if "operational" in path.name]
PAGE = "https://status.example.com"


def load(relative: str) -> Any:
    return json.loads((FIXTURES / relative).read_bytes())


def summary(name: str) -> Snapshot:
    return parse_summary(load(f"statuspage/summary/{name}"), PAGE)


def test_copies_are_byte_exact() -> None:
    """Each copy still has the sha256 its original had when it was copied (recorded in SHA256SUMS), and every
    copy is attributed in the README."""
    copies = [path for path in FIXTURES.rglob("*") if path.is_file() and path.name not in NOT_COPIES]
    attributed = re.findall(r"^- `([^`]+)` — ", (FIXTURES / "README.md").read_text(), re.MULTILINE)
    assert sorted(copy.relative_to(FIXTURES).as_posix() for copy in copies) == sorted(attributed)
    assert mismatches(FIXTURES) == []


def test_readme_attributes_every_copy() -> None:
    readme = (FIXTURES / "README.md").read_text()
    for copy in FIXTURES.rglob("*"):
        if copy.is_file() and copy.name not in NOT_COPIES:
            assert f"`{copy.relative_to(FIXTURES).as_posix()}` — repo `" in readme


@pytest.mark.parametrize("path", SUMMARIES, ids=lambda path: path.stem)
def test_every_summary_parses_cleanly(path: Path) -> None:
    doc = json.loads(path.read_bytes())
    snapshot = parse_summary(doc, PAGE)
    assert snapshot.page_url == PAGE
    assert snapshot.warnings == ()
    assert [c.id for c in snapshot.components] == [c["id"] for c in doc["components"] if not c.get("group")]
    assert ComponentStatus.UNKNOWN not in {c.status for c in snapshot.components}
    assert snapshot.indicator.value == doc["status"]["indicator"]
    assert snapshot.description == doc["status"]["description"]
    times = [i.started_at for i in snapshot.incidents] + [m.scheduled_for for m in snapshot.maintenances]
    assert all(t is not None and t.tzinfo is UTC for t in times)


@pytest.mark.parametrize("path", OPERATIONAL, ids=lambda path: path.stem)
def test_operational_pages_are_all_operational(path: Path) -> None:
    snapshot = parse_summary(json.loads(path.read_bytes()), PAGE)
    assert len(snapshot.components) >= 6
    assert {c.status for c in snapshot.components} == {ComponentStatus.OPERATIONAL}
    assert snapshot.incidents == () and snapshot.maintenances == ()
    assert snapshot.indicator is Impact.NONE
    assert snapshot.description == "All Systems Operational"


def test_github_active_incident() -> None:
    snapshot = summary("github-2022-11-25-active-incident-minor.json")
    assert snapshot.indicator is Impact.MINOR
    statuses = {c.name: c.status for c in snapshot.components}
    assert statuses["Packages"] is ComponentStatus.PARTIAL_OUTAGE
    troubled = [name for name, status in statuses.items() if status is not ComponentStatus.OPERATIONAL]
    assert troubled == ["Packages"]
    (incident,) = snapshot.incidents
    assert incident.id == "ljwdk6qml8z8"
    assert incident.name == "Incident with Packages and Pages"
    assert incident.status is IncidentStatus.INVESTIGATING
    assert incident.impact is Impact.MAJOR
    assert incident.url == "https://stspg.io/33vh8r7z43kh"
    assert incident.started_at == datetime(2022, 11, 25, 14, 39, 9, 542000, tzinfo=UTC)
    assert incident.updated_at == datetime(2022, 11, 25, 15, 50, 4, 970000, tzinfo=UTC)
    assert incident.component_ids == ("st3j38cctv9l", "vg70hn9s2tyj")  # Packages, Pages
    assert incident.latest_update == (
        "Packages is now experiencing degraded performance. "
        "We are still investigating and will provide an update when we have one."
    )


def test_cloudamqp_under_maintenance() -> None:
    snapshot = summary("cloudamqp-2020-07-16-under-maintenance.json")
    assert snapshot.indicator is Impact.MAINTENANCE
    assert snapshot.description == "Service Under Maintenance"
    under = [c.name for c in snapshot.components if c.status is ComponentStatus.UNDER_MAINTENANCE]
    assert under == ["Shared servers"]
    assert snapshot.incidents == ()
    (maintenance,) = snapshot.maintenances
    assert maintenance.id == "qy6n39trpl7l"
    assert maintenance.status is MaintenanceStatus.IN_PROGRESS
    assert maintenance.status.is_active
    assert maintenance.scheduled_for == datetime(2020, 7, 16, 21, 0, tzinfo=UTC)
    assert maintenance.scheduled_until == datetime(2020, 7, 16, 23, 0, tzinfo=UTC)
    assert maintenance.component_ids == ("m9jl6sdbs4vb",)
    assert maintenance.url == "http://stspg.io/3crfld0dxr87"
    assert maintenance.latest_update is not None and "in progress" in maintenance.latest_update


def test_docs_shape_offsets_become_utc() -> None:
    snapshot = summary("github-test-data-docs-example-shape.json")
    (incident,) = snapshot.incidents
    # created_at "2014-05-14T14:22:39.441-06:00" (the docs shape has no started_at)
    assert incident.started_at == datetime(2014, 5, 14, 20, 22, 39, 441000, tzinfo=UTC)
    assert incident.impact is Impact.CRITICAL and incident.status is IncidentStatus.IDENTIFIED
    assert incident.component_ids == ()
    scheduled, recycling = snapshot.maintenances
    assert scheduled.status is MaintenanceStatus.SCHEDULED
    assert scheduled.scheduled_for == datetime(2014, 5, 18, 4, 0, tzinfo=UTC)
    assert recycling.status is MaintenanceStatus.IN_PROGRESS
    assert recycling.latest_update == (
        "Scheduled maintenance is currently in progress. We will provide updates as necessary."
    )


def _synthetic_summary(**parts: Any) -> dict[str, Any]:
    """A minimal summary around parts of a non-summary capture (the capture itself is not edited)."""
    doc: dict[str, Any] = {
        "page": {"id": "synthetic", "name": "Synthetic", "url": PAGE},
        "status": {"indicator": "none", "description": "All Systems Operational"},
        "components": [],
        "incidents": [],
        "scheduled_maintenances": [],
    }
    return doc | parts


def test_hashicorp_groups_synthetic_wrap() -> None:
    capture = load("statuspage/components/hashicorp-2021-08-06-components-with-groups-EDITED.json")
    entries = capture["components"]
    snapshot = parse_summary(_synthetic_summary(components=entries), PAGE)
    assert snapshot.warnings == ()
    group_ids = {c["id"] for c in entries if c["group"]}
    assert len(group_ids) == 6
    assert not group_ids & {c.id for c in snapshot.components}  # containers are not components
    assert len(snapshot.components) == len(entries) - 6
    groups = {c.id: c.group for c in snapshot.components}
    assert groups["mgv1p2j9x444"] == "HashiCorp Cloud Platform (HCP)"  # HCP Portal, after its group
    assert groups["7cgbxrw10wgr"] == "Terraform Cloud"  # listed before its group
    assert groups["l8mnm91h3s7v"] == "Terraform Registry"  # a child named like its group
    assert groups["cpn6w07r5f2y"] == "Waypoint"
    assert groups["1mdm36t0fkx1"] is None  # Vagrant Cloud stands alone
    statuses = {c.name: c.status for c in snapshot.components}
    assert statuses["Atlassian Bitbucket API"] is ComponentStatus.UNDER_MAINTENANCE
    assert statuses["HCP Portal"] is ComponentStatus.DEGRADED_PERFORMANCE


def test_hashicorp_group_membership_from_the_group_list_synthetic() -> None:
    """Children without group_id still get their group's name from the group's `components` list."""
    capture = load("statuspage/components/hashicorp-2021-08-06-components-with-groups-EDITED.json")
    entries = [{k: v for k, v in c.items() if k != "group_id"} for c in capture["components"]]
    snapshot = parse_summary(_synthetic_summary(components=entries), PAGE)
    groups = {c.id: c.group for c in snapshot.components}
    assert groups["mgv1p2j9x444"] == "HashiCorp Cloud Platform (HCP)"
    assert groups["gf9n1hc7qvs0"] == "HashiCorp Consul Service (HCS) on Azure"


def test_cloudflare_incidents_synthetic_wrap() -> None:
    capture = load("statuspage/incidents/cloudflare-2019-01-10-unresolved-tab-indented.json")
    snapshot = parse_summary(_synthetic_summary(incidents=capture["incidents"]), PAGE)
    assert snapshot.warnings == ()
    api, analytics = snapshot.incidents
    assert api.id == "q746ybtyb6q0"
    assert api.status is IncidentStatus.RESOLVED and api.impact is Impact.MINOR
    assert api.url == "http://stspg.io/7f079791e"
    assert api.started_at == datetime(2018, 9, 17, 19, 29, 21, 132000, tzinfo=UTC)  # created_at
    assert api.component_ids == ("g4tb35rs9yw7",)
    assert api.latest_update == (
        "Cloudflare has resolved the issue and the service have resumed normal operation."
    )
    assert analytics.component_ids == ("4c231tkdlpcl",)  # only named by the updates' affected_components


def test_github_incident_list_synthetic_wrap() -> None:
    capture = load("statuspage/incidents/github-2024-09-17-incidents-trimmed.json")
    snapshot = parse_summary(_synthetic_summary(incidents=capture["incidents"]), PAGE)
    assert snapshot.warnings == ()
    pages_actions, ssh = snapshot.incidents
    assert pages_actions.component_ids == ("br0l2tvcx85d", "vg70hn9s2tyj")
    assert ssh.component_ids == ()  # components [] and affected_components null everywhere
    assert ssh.latest_update == "This incident has been resolved."


def test_update_html_becomes_plain_text() -> None:
    capture = load("statuspage/incidents/github-2024-09-17-incidents-trimmed.json")
    bodies = [u["body"] for i in capture["incidents"] for u in i["incident_updates"] if "<br />" in u["body"]]
    assert len(bodies) == 1
    assert plain_text(bodies[0]) == (
        "We are seeing up to 2% of Git SSH connections failing. We have taken suspected problematic "
        "hosts out of rotation and are monitoring for recovery and continuing to investigate."
    )


@pytest.mark.parametrize(
    "relative",
    [
        "statuspage/incidents/cloudflare-2019-01-10-unresolved-tab-indented.json",
        "statuspage/incidents/github-2024-09-17-incidents-trimmed.json",
        "instatus/status.perplexity.com-summary.json",
    ],
)
def test_documents_that_are_not_summaries_are_rejected(relative: str) -> None:
    with pytest.raises(ParseError, match=r"^not a Statuspage summary: no 'components' list$"):
        parse_summary(load(relative), PAGE)
