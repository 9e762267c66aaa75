"""A Better Stack page's index.json read as the history for a first sight's backfill. The real capture
(status.together.ai) holds one resolved report, a maintenance, which is left out; the synthetic reports
beside it have the shape of a live resolved incident report (`ends_at` null, its update naming the
resource degraded)."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from hypothesis import given, settings

from monitor.fetch import HttpClient
from monitor.model import Impact, IncidentStatus
from monitor.sources.betterstack import BetterstackConfig, BetterstackSource, parse_betterstack_history

from .conftest import FIXTURES, Serve
from .endpoint import Endpoint
from .fuzzing import check_history, mutations

PAGE = "https://status.together.ai"
TOGETHER: dict[str, Any] = json.loads((FIXTURES / "betterstack/status.together.ai-index.json").read_bytes())
RESOURCE = "8802370"


def report(report_id: str, state: str, updates: list[str]) -> dict[str, Any]:
    return {
        "id": report_id,
        "type": "status_report",
        "attributes": {
            "title": f"Delayed inference {report_id}",
            "report_type": "manual",
            "starts_at": "2026-09-04T13:50:00.000Z",
            "ends_at": None,
            "aggregate_state": state,
            "affected_resources": [{"status_page_resource_id": RESOURCE, "status": state}],
        },
        "relationships": {"status_updates": {"data": [{"id": u, "type": "status_update"} for u in updates]}},
    }


def update(update_id: str, message: str, at: str, status: str) -> dict[str, Any]:
    return {
        "id": update_id,
        "type": "status_update",
        "attributes": {
            "message": message,
            "published_at": at,
            "affected_resources": [{"status_page_resource_id": RESOURCE, "status": status}],
        },
    }


def synthetic_with_reports() -> dict[str, Any]:
    doc = copy.deepcopy(TOGETHER)
    doc["included"] += [
        report("9001", "resolved", ["u2", "u1"]),
        update("u1", "Inference is <b>delayed</b> in one region.", "2026-09-04T13:55:00.000Z", "degraded"),
        update("u2", "Processing has recovered.", "2026-09-04T19:53:00.000Z", "operational"),
        report("9002", "downtime", ["u3"]),
        update("u3", "The API is down.", "2026-09-05T08:00:00.000Z", "downtime"),
    ]
    return doc


def test_the_captured_maintenance_report_is_no_incident() -> None:
    assert parse_betterstack_history(TOGETHER, PAGE) == ()


def test_resolved_and_open_incident_reports_are_read_with_their_updates() -> None:
    resolved, still_open = parse_betterstack_history(synthetic_with_reports(), PAGE)
    assert (resolved.id, resolved.status, resolved.impact) == ("9001", IncidentStatus.RESOLVED, Impact.MINOR)
    assert resolved.resolved_at is None  # ends_at is null: the store closes it at its last update
    assert resolved.updated_at == datetime(2026, 9, 4, 19, 53, tzinfo=UTC)
    assert [(u.status, u.text) for u in resolved.updates] == [
        (IncidentStatus.INVESTIGATING, "Inference is delayed in one region."),
        (IncidentStatus.RESOLVED, "Processing has recovered."),
    ]
    assert resolved.component_ids == (RESOURCE,)
    assert (still_open.status, still_open.impact) == (IncidentStatus.INVESTIGATING, Impact.MAJOR)
    assert [u.text for u in still_open.updates] == ["The API is down."]


async def test_history_reads_index_json_over_http(serve: Serve, http: HttpClient) -> None:
    endpoint = Endpoint(json.dumps(synthetic_with_reports()).encode())

    async def handle(request: web.Request) -> web.Response:
        return await endpoint.handle(request)

    server = await serve({"/index.json": handle})
    config = BetterstackConfig(name="together", type="betterstack", url=str(server.make_url("")))
    assert [i.id for i in await BetterstackSource(config).history(http, 5)] == ["9001", "9002"]
    assert endpoint.paths == ["/index.json"]


@settings(max_examples=100, deadline=None)
@given(doc=mutations(synthetic_with_reports() | {"included": synthetic_with_reports()["included"][-6:]}))
def test_a_mutated_document_is_read_or_refused(doc: Any) -> None:
    check_history(lambda d: parse_betterstack_history(d, PAGE), doc)
