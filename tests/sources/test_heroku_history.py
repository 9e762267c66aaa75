"""Heroku's history (/api/v4/incidents?limit=N, an array of the incident records current-status lists),
read for a first sight's backfill. No capture of that document is public: the tests read arrays of the
real records the current-status captures hold, and synthetic variants of them."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp import web
from hypothesis import given, settings

from monitor.errors import ParseError
from monitor.fetch import HttpClient
from monitor.model import IncidentStatus
from monitor.sources.base import HISTORY_LIMIT
from monitor.sources.heroku import HerokuConfig, HerokuSource, parse_heroku_history

from .conftest import FIXTURES, Serve
from .fuzzing import check_history, mutations

PAGE = "https://status.heroku.com"
INCIDENT: dict[str, Any] = json.loads(
    (FIXTURES / "heroku/status.heroku.com-api-v4-current-status-2019-10-24-incident.json").read_bytes()
)["incidents"][0]
MAINTENANCE: dict[str, Any] = json.loads(
    (FIXTURES / "heroku/status.heroku.com-api-v4-current-status-2020-11-09-maintenance.json").read_bytes()
)["scheduled"][0]


def synthetic_resolved() -> dict[str, Any]:
    """The captured incident as Heroku lists it once over: `state` resolved, the flag left false."""
    record = copy.deepcopy(INCIDENT) | {
        "id": 1919,
        "state": "resolved",
        "resolved_at": "2019-10-24T19:42:45Z",
    }
    resolution = record["updates"][0] | {
        "id": 6092,
        "update_type": "resolved",
        "contents": "The issue is resolved.",
        "created_at": "2019-10-24T19:42:45.000Z",
    }
    record["updates"] = [resolution, *record["updates"]]
    return record


def test_an_incident_record_carries_its_updates_and_a_maintenance_is_left_out() -> None:
    [incident] = parse_heroku_history([INCIDENT, MAINTENANCE], PAGE)
    assert (incident.id, incident.status) == ("1918", IncidentStatus.IDENTIFIED)  # its newest update: issue
    assert incident.url == "https://status.heroku.com/incidents/1918"
    assert [u.status for u in incident.updates] == [IncidentStatus.INVESTIGATING, IncidentStatus.IDENTIFIED]
    assert incident.updates[0].text.startswith("We are investigating reports of heightened levels")
    assert incident.updates[1].at == datetime(2019, 10, 24, 18, 49, 47, 743000, tzinfo=UTC)
    assert incident.resolved_at is None


def test_state_resolved_closes_an_incident_whose_flag_says_otherwise() -> None:
    [incident] = parse_heroku_history([synthetic_resolved()], PAGE)
    assert incident.status is IncidentStatus.RESOLVED
    assert incident.resolved_at == datetime(2019, 10, 24, 19, 42, 45, tzinfo=UTC)
    assert [u.text for u in incident.updates][-1] == "The issue is resolved."


def test_a_document_that_is_not_an_array_is_refused() -> None:
    with pytest.raises(ParseError, match="not a Heroku incidents document"):
        parse_heroku_history({"status": [], "incidents": [], "scheduled": []}, PAGE)


async def test_history_asks_for_a_bounded_number_of_incidents_over_http(
    serve: Serve, http: HttpClient
) -> None:
    asked: list[str] = []

    async def handle(request: web.Request) -> web.Response:
        asked.append(request.path_qs)
        return web.json_response([INCIDENT, synthetic_resolved(), MAINTENANCE])

    server = await serve({"/api/v4/incidents": handle})
    source = HerokuSource(HerokuConfig(name="heroku", type="heroku", url=str(server.make_url(""))))
    incidents = await source.history(http, 5)
    assert [i.id for i in incidents] == ["1918", "1919"]
    assert asked == [f"/api/v4/incidents?limit={HISTORY_LIMIT}"]


@settings(max_examples=200)
@given(doc=mutations([INCIDENT, synthetic_resolved(), MAINTENANCE]))
def test_a_mutated_document_is_read_or_refused(doc: Any) -> None:
    check_history(lambda d: parse_heroku_history(d, PAGE), doc)
