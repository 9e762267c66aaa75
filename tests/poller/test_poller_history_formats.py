"""A Slack and a Google Cloud provider's first sight backfills the format's history into a real SQLite store,
silently, and GET /api/v1/providers/{name}/incidents then lists it with every update."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from monitor.config import RouteConfig
from monitor.sources.base import HISTORY_LIMIT, SourceConfig
from monitor.sources.gcp import GcpConfig
from monitor.sources.slack import SlackConfig
from monitor.web import build_app
from tests.loopback import Serve
from tests.poller.conftest import Rig
from tests.sources.endpoint import Endpoint
from tests.web.daemon_view import FakeDaemon

FIXTURES = Path(__file__).resolve().parents[1] / "sources" / "fixtures"
SLACK_CURRENT = (FIXTURES / "slack/slack-status.com-api-v2.0.0-current-2026-06-ok.json").read_bytes()
SLACK_HISTORY = (FIXTURES / "slack/slack-status.com-api-v2.0.0-history-2026.json").read_bytes()
GCP = (FIXTURES / "gcp/status.cloud.google.com-incidents-2022-07.json").read_bytes()
SINCE = "2000-01-01T00:00:00Z"  # the captures are older than the API's default 90 days


@dataclass(frozen=True)
class Format:
    """A format's documents by path (the same body twice when the history is the polled document), its
    provider entry on a server at `url`, and what its backfill must store."""

    documents: dict[str, bytes]
    history_path: str
    history_hits: int  # requests of that path after two polls
    entry: Callable[[str, str], SourceConfig]
    count: int  # incidents stored
    newest: str  # the newest incident's id
    updates: list[str]  # the beginnings of its updates, oldest first
    resolved_at: str


FORMATS = {
    "slack": Format(
        documents={"/api/v2.0.0/current": SLACK_CURRENT, "/api/v2.0.0/history": SLACK_HISTORY},
        history_path="/api/v2.0.0/history",
        history_hits=1,
        entry=lambda name, url: SlackConfig(name=name, type="slack", url=url),
        count=3,
        newest="1571",
        updates=["We're aware of an issue", "Additional Slack engineers", "We've resolved the issue"],
        resolved_at="2026-06-26T10:09:39.000000Z",  # its date_updated: Slack writes no resolution time
    ),
    "gcp": Format(
        documents={"/incidents.json": GCP},
        history_path="/incidents.json",
        history_hits=3,  # two polls and one backfill
        entry=lambda name, url: GcpConfig(name=name, type="gcp", url=url),
        count=HISTORY_LIMIT,  # of 157
        newest="TaA75H7XA1DQyM2ReK2f",
        updates=["Summary: [Google BigQuery]"] * 4 + ["The issue with Google BigQuery has been resolved"],
        resolved_at="2022-07-01T19:25:45.000000Z",
    ),
}


@pytest.mark.parametrize("kind", FORMATS)
async def test_first_sight_backfills_the_history_silently_and_the_api_lists_it(
    rig: Rig, name: str, serve: Serve, kind: str
) -> None:
    form = FORMATS[kind]
    endpoints = {path: Endpoint(body) for path, body in form.documents.items()}
    server = await serve({path: endpoint.handle for path, endpoint in endpoints.items()})
    plan = rig.plan_for(form.entry(name, str(server.make_url("")).rstrip("/")))
    rig.configure([plan], [RouteConfig(notify=["log"])], {})

    await rig.poller.poll(name)
    await rig.poller.poll(name)

    assert endpoints[form.history_path].hits == form.history_hits  # one backfill, on the first sight
    assert all(events == [] and notifications == [] for _, events, notifications in rig.store.commits)
    assert rig.wakes.count == 0  # nothing queued for any notifier
    stored = await rig.store.incident_history(name, datetime(2000, 1, 1, tzinfo=UTC), 1000)
    assert len(stored) == form.count and all(i.status.is_closed for i in stored)

    daemon = FakeDaemon(rig.store, entries=[(plan, rig.store.commits[-1][0])])
    async with TestClient(TestServer(build_app(daemon), host="127.0.0.1", port=0)) as client:
        response = await client.get(f"/api/v1/providers/{name}/incidents", params={"since": SINCE})
        assert response.status == 200
        body = await response.json()
    newest = body["incidents"][0]
    assert len(body["incidents"]) == form.count
    assert (newest["id"], newest["status"]) == (form.newest, "resolved")
    assert newest["resolved_at"] == form.resolved_at
    assert len(newest["updates"]) == len(form.updates)
    assert all(u["text"].startswith(start) for u, start in zip(newest["updates"], form.updates, strict=True))
    assert newest["updates"][-1]["status"] == "resolved"
