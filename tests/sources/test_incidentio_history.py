"""An incident.io page's history, read for a first sight's backfill from its Statuspage-compatible
/api/v2/incidents.json over real HTTP. No capture of that document is public: the synthetic one has the
shape of a live compat incident (no shortlink, no components, updates with display_at)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from aiohttp import web

from monitor.fetch import HttpClient
from monitor.model import Impact, IncidentStatus
from monitor.sources.incidentio import IncidentioConfig, IncidentioSource

from .conftest import Serve
from .endpoint import Endpoint

SYNTHETIC_HISTORY = {
    "page": {"id": "01H0FX8N7BG3M9PMMX0J0HENJF", "name": "OpenAI", "url": "https://status.openai.com"},
    "incidents": [
        {
            "id": "01M36RMC01ZFWQ861WYJKC4XE1",
            "name": "Elevated error rates for ChatGPT",
            "status": "resolved",
            "impact": "minor",
            "created_at": "2026-09-23T09:13:00Z",
            "resolved_at": "2026-09-23T09:54:16Z",
            "incident_updates": [
                {
                    "body": "All impacted services have now fully recovered.",
                    "status": "resolved",
                    "display_at": "2026-09-23T09:54:16Z",
                },
                {
                    "body": "We are investigating elevated error rates.",
                    "status": "investigating",
                    "display_at": "2026-09-23T09:13:00Z",
                },
            ],
        },
        {"name": "an entry without an id is skipped", "status": "resolved"},
    ],
}


async def test_history_reads_the_compatible_incidents_document_each_linked_to_its_page(
    serve: Serve, http: HttpClient
) -> None:
    endpoint = Endpoint(json.dumps(SYNTHETIC_HISTORY).encode())

    async def handle(request: web.Request) -> web.Response:
        return await endpoint.handle(request)

    server = await serve({"/api/v2/incidents.json": handle})
    page = str(server.make_url("")).rstrip("/")
    source = IncidentioSource(IncidentioConfig(name="openai", type="incidentio", url=page + "/"))
    [incident] = await source.history(http, 5)
    assert endpoint.paths == ["/api/v2/incidents.json"]
    assert (incident.id, incident.status, incident.impact) == (
        "01M36RMC01ZFWQ861WYJKC4XE1",
        IncidentStatus.RESOLVED,
        Impact.MINOR,
    )
    assert incident.url == f"{page}/incidents/01M36RMC01ZFWQ861WYJKC4XE1"
    assert incident.started_at == datetime(2026, 9, 23, 9, 13, tzinfo=UTC)  # created_at: no started_at
    assert incident.resolved_at == datetime(2026, 9, 23, 9, 54, 16, tzinfo=UTC)
    assert [(u.status, u.text) for u in incident.updates] == [
        (IncidentStatus.INVESTIGATING, "We are investigating elevated error rates."),
        (IncidentStatus.RESOLVED, "All impacted services have now fully recovered."),
    ]
