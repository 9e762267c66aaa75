"""Statuspage's history document (/api/v2/incidents.json), read for a first sight's backfill, and the
timeline every incident now carries."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from aiohttp import web

from monitor.errors import ParseError
from monitor.fetch import HttpClient
from monitor.model import IncidentStatus
from monitor.sources.statuspage import StatuspageConfig, StatuspageSource, parse_incidents, parse_summary

from .conftest import FIXTURES, Serve
from .endpoint import Endpoint

HISTORY = (FIXTURES / "statuspage/incidents/github-2024-09-17-incidents-trimmed.json").read_bytes()
PAGE = "https://www.githubstatus.com"


def test_each_incident_carries_its_whole_timeline_oldest_first() -> None:
    first, second = parse_incidents(json.loads(HISTORY), PAGE)
    assert (first.id, first.status) == ("69sb0f8lydp4", IncidentStatus.RESOLVED)
    assert first.resolved_at == datetime(2024, 9, 16, 22, 8, 39, 333000, tzinfo=UTC)
    assert [u.status for u in first.updates] == [IncidentStatus.INVESTIGATING] * 5 + [IncidentStatus.RESOLVED]
    assert first.updates[0].text.startswith("We are investigating reports of degraded")
    assert first.updates[-1].text == "This incident has been resolved."
    assert [u.at for u in first.updates] == sorted(u.at for u in first.updates if u.at is not None)
    assert len(second.updates) == 6


def test_a_summary_incident_has_its_timeline_too() -> None:
    doc = json.loads(
        (FIXTURES / "statuspage/summary/github-2022-11-25-active-incident-minor.json").read_bytes()
    )
    [incident] = parse_summary(doc, PAGE).incidents
    assert incident.updates and incident.updates[-1].text == incident.latest_update


@pytest.mark.parametrize("doc", [[], {"page": {}}, {"incidents": None}])
def test_a_document_without_an_incident_list_is_refused(doc: object) -> None:
    with pytest.raises(ParseError, match="no 'incidents' list"):
        parse_incidents(doc, PAGE)


async def test_history_reads_the_incidents_document_over_http(serve: Serve, http: HttpClient) -> None:
    endpoint = Endpoint(HISTORY)

    async def handle(request: web.Request) -> web.Response:
        return await endpoint.handle(request)

    server = await serve({"/api/v2/incidents.json": handle})
    url = str(server.make_url("/"))
    source = StatuspageSource(StatuspageConfig(name="github", type="statuspage", url=url))
    incidents = await source.history(http, 5)
    assert [i.id for i in incidents] == ["69sb0f8lydp4", "r3x7x31k7nn1"]
    assert endpoint.paths == ["/api/v2/incidents.json"]
