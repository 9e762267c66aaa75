"""Status.io cases no capture shows, built from the documented shape; and its config rules."""

from __future__ import annotations

from typing import Any

import pytest

from monitor.config import ConfigError, parse_config
from monitor.errors import ParseError
from monitor.model import ComponentStatus, Impact, IncidentStatus, MaintenanceStatus
from monitor.plan import plans_for
from monitor.sources.statusio import StatusioConfig, StatusioSource, page_id_in_html, parse_statusio

PAGE = "https://status.example.com"
PAGE_ID = "5b36dc6502d06804c08349f7"


def status_doc(components: list[dict[str, Any]], **result: Any) -> dict[str, Any]:
    return {
        "result": {
            "status_overall": {"status": "Security Event", "status_code": 600},
            "status": components,
            "incidents": [],
            "maintenance": {"active": [], "upcoming": []},
            **result,
        }
    }


def component(cid: str, code: Any, containers: list[Any] | None = None) -> dict[str, Any]:
    return {"id": cid, "name": f"C {cid}", "status_code": code, "containers": containers or []}


def test_synthetic_status_codes_and_security_event() -> None:
    codes = [100, 200, 300, 400, 500, 600]
    snapshot = parse_statusio(status_doc([component(str(c), c) for c in codes]), PAGE)
    assert [c.status for c in snapshot.components] == [
        ComponentStatus.OPERATIONAL,
        ComponentStatus.UNDER_MAINTENANCE,
        ComponentStatus.DEGRADED_PERFORMANCE,
        ComponentStatus.PARTIAL_OUTAGE,
        ComponentStatus.MAJOR_OUTAGE,
        ComponentStatus.MAJOR_OUTAGE,
    ]
    assert (snapshot.indicator, snapshot.description) == (Impact.CRITICAL, "Security Event")
    assert snapshot.warnings == ()


def test_synthetic_component_without_a_code_takes_its_worst_container() -> None:
    containers = [
        {"id": "a", "name": "AWS", "status_code": 100},
        {"id": "g", "name": "GCE", "status_code": 500},
    ]
    snapshot = parse_statusio(status_doc([component("x", None, containers)]), PAGE)
    assert snapshot.components[0].status is ComponentStatus.MAJOR_OUTAGE


def test_synthetic_unreadable_container_codes_are_passed_over() -> None:
    containers = [
        {"id": "a", "status_code": [400]},
        {"id": "b", "status_code": "500"},
        {"id": "c", "status_code": 300},
    ]
    snapshot = parse_statusio(status_doc([component("x", None, containers)]), PAGE)
    assert snapshot.components[0].status is ComponentStatus.DEGRADED_PERFORMANCE


def test_synthetic_unknown_code_is_unknown_with_a_warning() -> None:
    snapshot = parse_statusio(status_doc([component("x", 700)]), PAGE)
    assert snapshot.components[0].status is ComponentStatus.UNKNOWN
    assert snapshot.warnings == ("component 'C x' has unknown status_code 700",)


def test_synthetic_security_incident_and_upcoming_maintenance() -> None:
    incident = {
        "_id": "i1",
        "name": "Credential leak",
        "datetime_open": "2026-01-02T10:00:00.000Z",
        "messages": [
            {
                "details": "<p>Rotating keys</p>",
                "state": 200,
                "status": 600,
                "datetime": "2026-01-02T11:00:00Z",
            },
            {"details": "Looking", "state": 100, "status": 300, "datetime": "2026-01-02T10:00:00Z"},
        ],
        "components_affected": [{"_id": "x", "name": "C x"}],
    }
    upcoming = {
        "_id": "m1",
        "name": "DB upgrade",
        "datetime_planned_start": "2026-02-01T00:00:00Z",
        "datetime_planned_end": "2026-02-01T02:00:00Z",
        "messages": [],
    }
    doc = status_doc(
        [component("x", 600)], incidents=[incident], maintenance={"active": [], "upcoming": [upcoming]}
    )
    snapshot = parse_statusio(doc, PAGE)
    (read,) = snapshot.incidents
    assert (read.status, read.impact) == (IncidentStatus.IDENTIFIED, Impact.CRITICAL)  # the newest message
    assert read.latest_update == "Rotating keys"
    assert read.component_ids == ("x",)
    (maintenance,) = snapshot.maintenances
    assert (maintenance.id, maintenance.status) == ("m1", MaintenanceStatus.SCHEDULED)


def test_synthetic_incident_without_id_fails_the_page() -> None:
    doc = status_doc([], incidents=[{"name": "no id"}])
    with pytest.raises(ParseError, match="unreadable entry in 'incidents'"):
        parse_statusio(doc, PAGE)


@pytest.mark.parametrize(
    "html",
    [
        f'<a href="https://status.io/pages/{PAGE_ID}/rss">RSS</a>',
        f'<script>fetch("https://api.status.io/1.0/status/{PAGE_ID}")</script>',
        f"<script>var statusio_page_id = '{PAGE_ID.upper()}';</script>",
        f'<div data-x="1"></div><script>window.config = {{"pageId": "{PAGE_ID}"}}</script>',
    ],
)
def test_synthetic_page_id_found_in_html(html: str) -> None:
    assert page_id_in_html(html) == PAGE_ID


def test_synthetic_html_without_page_id() -> None:
    assert page_id_in_html("<html><body>5b36dc6502d06804c08349f7 alone is not an id</body></html>") is None


def parse_yaml(provider: str, settings: str = "") -> Any:
    return parse_config(f"{settings}providers:\n  - {provider}\n", "providers.yaml", env={})


def test_interval_below_a_minute_is_a_config_error() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_yaml(f"{{name: gitlab, type: statusio, page_id: {PAGE_ID}, interval: 30s}}")
    assert caught.value.errors == [
        "providers.yaml:2: providers[0].interval: Status.io allows at most one request a minute: "
        "interval must be at least 60s, got 30s"
    ]


def test_page_id_or_page_is_required_and_checked() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_yaml("{name: gitlab, type: statusio}")
    assert caught.value.errors == [
        "providers.yaml:2: providers[0]: give page_id (the 24-character Status.io page id) "
        "or page (the status page URL)"
    ]
    with pytest.raises(ConfigError, match=r"providers\[0\]\.page_id"):
        parse_yaml("{name: gitlab, type: statusio, page_id: not-an-id}")


def test_defaults_url_and_a_minimum_interval_of_a_minute() -> None:
    config = parse_yaml(
        f"{{name: gitlab, type: statusio, page_id: {PAGE_ID}}}", "settings: {interval: 15s}\n"
    )
    (plan,) = plans_for(config)
    assert isinstance(plan.config, StatusioConfig)
    assert plan.config.url == "https://api.status.io"
    assert plan.interval == 60.0  # settings.interval is 15s, the vendor's limit wins
    slower = parse_yaml(f"{{name: gitlab, type: statusio, page_id: {PAGE_ID}, interval: 5m}}")
    assert plans_for(slower)[0].interval == 300.0


def test_other_formats_keep_the_settings_interval() -> None:
    config = parse_yaml(
        "{name: github, type: statuspage, url: https://www.githubstatus.com}", "settings: {interval: 15s}\n"
    )
    assert plans_for(config)[0].interval == 15.0


def test_candidate_reads_an_api_url_or_a_page() -> None:
    api = StatusioSource.candidate(f"https://api.status.io/1.0/status/{PAGE_ID}")
    assert isinstance(api, StatusioConfig)
    assert (api.url, api.page_id, api.page) == ("https://api.status.io", PAGE_ID, None)
    page = StatusioSource.candidate("https://status.gitlab.com")
    assert isinstance(page, StatusioConfig)
    assert (page.url, page.page_id, page.page) == ("https://api.status.io", None, "https://status.gitlab.com")
