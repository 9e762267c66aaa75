"""Cachet's /api/v1/incidents read as the history for a first sight's backfill, on synthetic pages of the
shape Cachet 2.4 serves (each incident lists its updates; posting one overwrites the incident's status)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web
from hypothesis import given, settings

from monitor.fetch import HttpClient
from monitor.model import Impact, IncidentStatus
from monitor.sources.cachet import CachetConfig, CachetSource, parse_cachet_history

from .conftest import Serve
from .fuzzing import check_history, mutations
from .test_cachet_synthetic import synthetic_incident, synthetic_page

PAGE = "https://status.example.com"
LONDON = ZoneInfo("Europe/London")


def synthetic_update(uid: int, status: int, message: str, at: str) -> dict[str, Any]:
    return {"id": uid, "incident_id": 7, "status": status, "message": message, "user_id": 1, "created_at": at}


def synthetic_history() -> dict[str, Any]:
    fixed = synthetic_incident(
        7,
        4,
        updates=[  # newest first, as Cachet orders them
            synthetic_update(2, 4, "Fixed: errors are back to normal.", "2024-07-01 13:10:00"),
            synthetic_update(1, 2, "The cause is a bad deploy.", "2024-07-01 12:20:00"),
        ],
    )
    still_open = synthetic_incident(6, 1, created_at="2024-06-30 09:00:00")  # Cachet 2.3: no updates
    maintenance_note = synthetic_incident(5, 0)
    return synthetic_page(fixed, still_open, maintenance_note)


def test_incidents_are_read_with_their_message_and_updates_and_notes_left_out() -> None:
    fixed, still_open = parse_cachet_history(synthetic_history(), PAGE, LONDON)
    assert (fixed.id, fixed.status, fixed.impact) == ("7", IncidentStatus.RESOLVED, Impact.UNKNOWN)
    assert [(u.status, u.text) for u in fixed.updates] == [
        (IncidentStatus.UNKNOWN, "We are **investigating** errors."),  # its first status was overwritten
        (IncidentStatus.IDENTIFIED, "The cause is a bad deploy."),
        (IncidentStatus.RESOLVED, "Fixed: errors are back to normal."),
    ]
    assert fixed.updates[-1].at == datetime(2024, 7, 1, 12, 10, tzinfo=UTC)  # 13:10 in London (BST)
    assert fixed.latest_update == "Fixed: errors are back to normal."
    assert [(u.status, u.at) for u in still_open.updates] == [
        (IncidentStatus.INVESTIGATING, datetime(2024, 6, 30, 8, tzinfo=UTC))
    ]


async def test_history_reads_the_first_page_of_incidents_newest_first(serve: Serve, http: HttpClient) -> None:
    asked: list[str] = []

    async def handle(request: web.Request) -> web.Response:
        asked.append(request.path_qs)
        return web.json_response(synthetic_history())

    server = await serve({"/api/v1/incidents": handle})
    config = CachetConfig(name="yoti", type="cachet", url=str(server.make_url("")), timezone="Europe/London")
    incidents = await CachetSource(config).history(http, 5)
    assert [i.id for i in incidents] == ["7", "6"]
    assert asked == ["/api/v1/incidents?per_page=100&sort=id&order=desc&page=1"]


@settings(max_examples=200)
@given(doc=mutations(json.loads(json.dumps(synthetic_history()))))
def test_a_mutated_page_is_read_or_refused(doc: Any) -> None:
    check_history(lambda d: parse_cachet_history(d, PAGE, LONDON), doc)
