"""A FireHydrant page's payload read as the history for a first sight's backfill: the real status.redis.io
capture (three incidents, all resolved, and a maintenance), each with its notes as the timeline."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from hypothesis import given, settings

from monitor.fetch import HttpClient
from monitor.model import Impact, IncidentStatus
from monitor.sources.firehydrant import FirehydrantConfig, FirehydrantSource, parse_firehydrant_history

from .conftest import FIXTURES, Serve
from .endpoint import Endpoint
from .fuzzing import check_history, mutations

PAGE = "https://status.redis.io"
RAW = (FIXTURES / "firehydrant/status.redis.io-data-payload-2026-07.json").read_bytes()
REDIS: Any = json.loads(RAW)
AWS_ZONE, URGENT, NETWORK = (
    "2f3423b7-2311-4f64-a6fa-297daaff63e4",
    "c41455be-535b-4bdf-8194-97305b6a03d5",
    "e192b971-a298-45cd-b574-627923f0170b",
)
INVESTIGATING, RESOLVED = IncidentStatus.INVESTIGATING, IncidentStatus.RESOLVED


def test_every_incident_is_read_resolved_with_its_notes_and_the_maintenance_left_out() -> None:
    incidents = {i.id: i for i in parse_firehydrant_history(REDIS, PAGE)}
    assert list(incidents) == [AWS_ZONE, URGENT, NETWORK]  # not the platform-transition maintenance
    assert {i.status for i in incidents.values()} == {RESOLVED}
    network = incidents[NETWORK]
    assert (network.name, network.impact) == ("Network Issues", Impact.MINOR)  # SEV4
    assert network.started_at == datetime(2026, 3, 26, 19, 46, 58, tzinfo=UTC)
    assert network.resolved_at == datetime(2026, 3, 26, 19, 48, 41, tzinfo=UTC)
    assert [(u.status, u.text) for u in network.updates] == [  # the milestone-only entries carry no text
        (
            INVESTIGATING,
            "We are currently investigating network issues to some resources that have the following "
            "pattern in their endpoint: fcrce190",
        ),
        (RESOLVED, "Resolved - Incident has been resolved."),
    ]
    aws = incidents[AWS_ZONE]
    assert [u.status for u in aws.updates] == [INVESTIGATING] * 5 + [RESOLVED]  # no milestone before
    assert aws.updates[-1].text.startswith("➡️ **Resolved** — UPDATE — The issue impacting availability")
    assert aws.latest_update == aws.updates[-1].text
    assert len(incidents[URGENT].updates) == 2


def test_a_note_whose_time_is_unreadable_has_no_known_status() -> None:
    synthetic = copy.deepcopy(REDIS)
    network = next(i for i in synthetic["incidents"] if i["id"] == NETWORK)
    network["timeline"][0] |= {"occurredAt": "whenever", "time": None}  # the resolution note
    [read] = [i for i in parse_firehydrant_history(synthetic, PAGE) if i.id == NETWORK]
    assert [(u.at is None, u.status) for u in read.updates] == [
        (True, IncidentStatus.UNKNOWN),
        (False, INVESTIGATING),
    ]


async def test_history_reads_the_payload_over_http(serve: Serve, http: HttpClient) -> None:
    endpoint = Endpoint(RAW)

    async def handle(request: web.Request) -> web.Response:
        return await endpoint.handle(request)

    server = await serve({"/data/payload.json": handle})
    source = FirehydrantSource(
        FirehydrantConfig(name="redis", type="firehydrant", url=str(server.make_url("")))
    )
    incidents = await source.history(http, 5)
    assert [i.id for i in incidents] == [NETWORK, AWS_ZONE, URGENT]  # by start, newest first
    assert endpoint.paths == ["/data/payload.json"]


@settings(max_examples=100, deadline=None)
@given(doc=mutations(REDIS | {"incidents": [REDIS["incidents"][0], REDIS["incidents"][3]]}))
def test_a_mutated_capture_is_read_or_refused(doc: Any) -> None:
    check_history(lambda d: parse_firehydrant_history(d, PAGE), doc)
