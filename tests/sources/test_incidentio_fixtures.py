"""parse_proxy on the summaries embedded in real incident.io pages, and on mutated and random documents."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings

from monitor.errors import ParseError
from monitor.model import ComponentStatus, Impact, IncidentStatus, Snapshot
from monitor.sources.incidentio import parse_proxy, summary_in_html

from .conftest import FIXTURES
from .fuzzing import check_not_operational, check_parser, mutations, random_json
from .incidentio_html import HTML, embedded_summary, proxy_answer

OPENAI = "status.openai.com-2026-03-17-monitoring-incident.html"
AIVEN = "status.aiven.io-2026-03-16-minor.html"
LINEAR = "linearstatus.com-2026-03-16-operational.html"
ROLLBAR = "status.rollbar.com-2026-03-17-operational.html"


def parse(name: str, page: str) -> Snapshot:
    return parse_proxy(proxy_answer(name), page)


def test_every_capture_is_covered() -> None:
    assert sorted(path.name for path in HTML.glob("*.html")) == sorted([OPENAI, AIVEN, LINEAR, ROLLBAR])


def test_openai_monitoring_incident() -> None:
    snapshot = parse(OPENAI, "https://status.openai.com/")
    assert snapshot.warnings == ()
    assert snapshot.page_url == "https://status.openai.com"
    assert len(snapshot.components) == 31
    assert {c.status for c in snapshot.components} == {ComponentStatus.OPERATIONAL}  # the component recovered
    groups = {c.group for c in snapshot.components}
    assert groups == {"APIs", "ChatGPT", "Sora", "FedRAMP"}
    login = next(c for c in snapshot.components if c.id == "01JMXBNJXG1S2D9V65P1ZZTD94")
    assert (login.name, login.group) == ("Login", "ChatGPT")
    (incident,) = snapshot.incidents
    assert incident.id == "01KKWW47249GJZZP9ZGR1PTHV5"
    assert incident.name == "Elevated errors for sign-in and account creation"
    assert (incident.status, incident.impact) == (IncidentStatus.MONITORING, Impact.MINOR)
    assert incident.url == "https://status.openai.com/incidents/01KKWW47249GJZZP9ZGR1PTHV5"
    assert incident.started_at == datetime(2026, 3, 17, 3, 6, 13, 955000, tzinfo=UTC)
    assert incident.updated_at == datetime(2026, 3, 17, 5, 21, 16, 23000, tzinfo=UTC)
    assert incident.latest_update == "We have applied the mitigation and are monitoring the recovery."
    assert incident.component_ids == ("01JMXBNJXG1S2D9V65P1ZZTD94",)
    assert snapshot.indicator is Impact.MINOR  # the open incident's impact
    assert snapshot.maintenances == ()


def test_aiven_ongoing_incident_with_a_partial_outage() -> None:
    snapshot = parse(AIVEN, "https://status.aiven.io")
    assert snapshot.warnings == ()
    assert [(c.name, c.status, c.group) for c in snapshot.components] == [
        ("Aiven", ComponentStatus.PARTIAL_OUTAGE, None),
        ("Support Ticketing System", ComponentStatus.OPERATIONAL, None),
    ]
    (incident,) = snapshot.incidents
    assert incident.id == "01KJNTSXKSNJJ8NWRKFWW9XT3K"
    assert incident.name == "Amazon Web Services (AWS) ME-CENTRAL-1 region status"
    assert (incident.status, incident.impact) == (IncidentStatus.MONITORING, Impact.MAJOR)
    assert incident.started_at == datetime(2026, 3, 1, 23, 12, 45, 176000, tzinfo=UTC)
    assert incident.component_ids == ("01H0FX8N7BQQ0RCMXSG3YPD5WW",)
    assert (
        incident.latest_update is not None and "ME-CENTRAL-1 and ME-SOUTH-1 regions" in incident.latest_update
    )
    assert snapshot.indicator is Impact.MAJOR


@pytest.mark.parametrize(
    "name, page, count, first",
    [
        (LINEAR, "https://linearstatus.com", 6, "US Region \u2013 Linear application"),
        (ROLLBAR, "https://status.rollbar.com", 12, "Web Tier"),
    ],
)
def test_operational_pages(name: str, page: str, count: int, first: str) -> None:
    snapshot = parse(name, page)
    assert snapshot.warnings == ()
    assert len(snapshot.components) == count
    assert {c.status for c in snapshot.components} == {ComponentStatus.OPERATIONAL}
    assert (snapshot.incidents, snapshot.maintenances, snapshot.indicator) == ((), (), Impact.NONE)
    assert first in {c.name for c in snapshot.components} | {c.group for c in snapshot.components}


def test_the_bare_summary_reads_like_the_proxy_answer() -> None:
    assert parse_proxy(embedded_summary(AIVEN), "https://status.aiven.io") == parse(
        AIVEN, "https://status.aiven.io"
    )


def test_undefined_placeholders_read_as_absent() -> None:
    summary = embedded_summary(OPENAI)
    assert summary["ongoing_incidents"][0]["component_impacts"][0]["end_at"] == "2026-03-17T04:09:53.478Z"
    assert summary["structure"]["items"][0]["component"] == "$undefined"  # a group entry: no component


def test_html_that_embeds_no_summary() -> None:
    cdn = (FIXTURES / "errors/cdn-504-gateway-timeout.html").read_text()
    assert summary_in_html(cdn) is None
    instatus = (FIXTURES / "instatus/html/wherebystatus.com-2026-03-16-up.html").read_text()
    assert summary_in_html(instatus) is None


def test_an_embedded_summary_with_a_number_too_long_to_convert_is_no_summary() -> None:
    payload = '"summary":{"ongoing_incidents":[],"n":' + "9" * 10_000 + "}"
    html = "<script>self.__next_f.push([1," + json.dumps(payload) + "])</script>"
    assert summary_in_html(html) is None


@pytest.mark.parametrize(
    "doc, message",
    [
        ([], "not an incident.io page: expected a JSON object, got a list"),
        ({"summary": []}, "not an incident.io page: 'summary' is a list"),
        (
            {"ongoing_incidents": [], "scheduled_maintenances": []},
            "not an incident.io page: no 'affected_components' list",
        ),
        (
            {"ongoing_incidents": {}, "scheduled_maintenances": [], "affected_components": []},
            "not an incident.io page: 'ongoing_incidents' is an object, not a list",
        ),
        (
            {"ongoing_incidents": [], "scheduled_maintenances": [], "affected_components": []},
            "not an incident.io page: neither 'structure' nor 'components'",
        ),
    ],
)
def test_documents_that_are_not_a_page_are_refused(doc: Any, message: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_proxy(doc, "https://status.example.com")
    assert str(caught.value) == message


@settings(max_examples=200)
@given(doc=mutations(proxy_answer(AIVEN)))
def test_a_mutated_capture_is_read_or_refused(doc: Any) -> None:
    check_parser(lambda d: parse_proxy(d, "https://status.aiven.io"), doc)


@settings(max_examples=200)
@given(doc=random_json())
def test_random_json_never_reads_operational(doc: Any) -> None:
    check_not_operational(lambda d: parse_proxy(d, "https://status.example.com"), doc)
