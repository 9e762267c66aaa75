"""The HTTP face over loopback: health and readiness, Prometheus exposition, the JSON API read from a
small daemon view (tests/web/daemon_view.py) backed by a real SQLite store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from aiohttp import web
from jsonschema import Draft202012Validator
from prometheus_client import CONTENT_TYPE_LATEST

from monitor import __version__, silencing
from monitor.model import (
    ComponentState,
    ComponentStatus,
    Event,
    EventKind,
    Impact,
    Incident,
    IncidentStatus,
    ProviderState,
    Severity,
)
from monitor.openapi import EVENTS_LIMIT
from monitor.store import SqliteStore
from monitor.store.codec import format_time
from monitor.web import build_app
from tests.web.daemon_view import Client, FakeDaemon
from tests.web.plans import plan

MAX_EVENTS = EVENTS_LIMIT.maximum

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
T1 = T0 + timedelta(minutes=5)


def event(n: int) -> Event:
    return Event(
        kind=EventKind.COMPONENT_CHANGED,
        provider="acme",
        severity=Severity.MAJOR,
        dedup_key=f"acme/component/c{n}",
        title=f"acme: component {n} operational -> partial_outage",
        occurred_at=T0 + timedelta(seconds=n),
        subject_id=f"c{n}",
        subject_name=f"Component {n}",
        old_status="operational",
        new_status="partial_outage",
        url="https://acme.example.com",
    )


async def test_healthz_answers_even_before_ready(client: Client) -> None:
    response = await client.get("/healthz")
    assert response.status == 200
    assert await response.json() == {"status": "ok", "version": __version__}


async def test_readyz_is_503_until_ready_then_200(client: Client, daemon: FakeDaemon) -> None:
    response = await client.get("/readyz")
    assert response.status == 503
    assert await response.json() == {"status": "not ready"}
    daemon.ready = True
    response = await client.get("/readyz")
    assert response.status == 200
    assert await response.json() == {"status": "ready"}


async def test_readyz_names_the_store_failure_while_commits_fail(client: Client, daemon: FakeDaemon) -> None:
    daemon.store_error = "OperationalError: database or disk is full"
    response = await client.get("/readyz")
    assert response.status == 503
    body = await response.json()
    assert body == {
        "status": "not ready",
        "reason": "store writes failing: OperationalError: database or disk is full",
    }
    document = await (await client.get("/api/v1/openapi.json")).json()
    Draft202012Validator(document["components"]["schemas"]["NotReady"]).validate(body)


async def test_metrics_is_prometheus_text_with_the_build_info(client: Client) -> None:
    response = await client.get("/metrics")
    assert response.status == 200
    assert response.headers["Content-Type"] == CONTENT_TYPE_LATEST
    body = await response.text()
    assert f'outage_monitor_build_info{{version="{__version__}"}} 1.0' in body
    assert "# TYPE outage_monitor_polls_total counter" in body


async def test_providers_show_status_components_incidents_and_errors(
    client: Client, daemon: FakeDaemon, store: SqliteStore
) -> None:
    incident = Incident(
        id="inc-1",
        name="Elevated errors",
        status=IncidentStatus.IDENTIFIED,
        impact=Impact.MAJOR,
        url="https://stspg.io/inc-1",
        started_at=T0,
        updated_at=T1,
        latest_update="Fix in progress.",
    )
    healthy = ProviderState(
        provider="healthy",
        page_url="https://healthy.example.com",
        baselined=True,
        components={"c-db": ComponentState("Database", ComponentStatus.DEGRADED_PERFORMANCE, "Infra")},
        incidents={"inc-1": incident},
        description="Partial System Outage",
        last_poll_at=T1,
        last_success_at=T1,
    )
    failing = ProviderState(
        provider="failing",
        baselined=True,
        components={"c-api": ComponentState("API", ComponentStatus.MAJOR_OUTAGE)},
        consecutive_failures=2,
        last_error="HTTP 502 from failing.example.com/api/v2/summary.json",
        last_poll_at=T1,
        last_success_at=T0,
    )
    for state in (healthy, failing):  # what the daemon shows is what it stored and read back
        await store.commit(state, [], [])
    stored = await store.load_states()
    daemon.entries = [
        (plan("healthy"), stored["healthy"]),
        (plan("failing"), stored["failing"]),
        (plan("fresh"), None),
    ]

    response = await client.get("/api/v1/providers")
    assert response.status == 200
    body = await response.json()
    by_name = {p["name"]: p for p in body["providers"]}
    assert list(by_name) == ["healthy", "failing", "fresh"]

    assert by_name["healthy"] == {
        "name": "healthy",
        "type": "statuspage",
        "url": "https://healthy.example.com",
        "up": True,
        "status": "partial_outage",  # the incident's major impact outranks the degraded component
        "last_known_status": "partial_outage",
        "description": "Partial System Outage",
        "components": [
            {"id": "c-db", "name": "Database", "group": "Infra", "status": "degraded_performance"}
        ],
        "incidents": [
            {
                "id": "inc-1",
                "name": "Elevated errors",
                "status": "identified",
                "impact": "major",
                "url": "https://stspg.io/inc-1",
                "started_at": format_time(T0),
                "updated_at": format_time(T1),
                "latest_update": "Fix in progress.",
            }
        ],
        "maintenances": [],
        "last_poll_at": format_time(T1),
        "last_success_at": format_time(T1),
        "last_error": None,
        "consecutive_failures": 0,
        "category": None,
    }
    failing_json = by_name["failing"]
    assert failing_json["up"] is False
    assert failing_json["status"] == "unknown"
    assert failing_json["last_known_status"] == "major_outage"
    assert failing_json["last_error"] == "HTTP 502 from failing.example.com/api/v2/summary.json"
    assert failing_json["consecutive_failures"] == 2
    assert failing_json["components"] == [
        {"id": "c-api", "name": "API", "group": None, "status": "major_outage"}
    ]
    fresh = by_name["fresh"]
    assert (fresh["up"], fresh["status"], fresh["last_known_status"]) == (False, "unknown", None)
    assert (fresh["components"], fresh["incidents"], fresh["last_poll_at"]) == ([], [], None)


async def test_events_are_newest_first_and_limited(client: Client, store: SqliteStore) -> None:
    state = ProviderState(provider="acme", baselined=True)
    for batch in range(6):  # 60 events over several commits
        await store.commit(state, [event(batch * 10 + i) for i in range(10)], [])

    response = await client.get("/api/v1/events", params={"limit": "3"})
    assert response.status == 200
    events = (await response.json())["events"]
    assert [e["subject_id"] for e in events] == ["c59", "c58", "c57"]
    assert events[0]["id"] > events[1]["id"] > events[2]["id"]
    assert events[0] == {
        "id": events[0]["id"],
        "kind": "component_changed",
        "provider": "acme",
        "severity": "major",
        "dedup_key": "acme/component/c59",
        "title": "acme: component 59 operational -> partial_outage",
        "occurred_at": format_time(T0 + timedelta(seconds=59)),
        "resolves": False,
        "subject_id": "c59",
        "subject_name": "Component 59",
        "group": None,
        "old_status": "operational",
        "new_status": "partial_outage",
        "impact": None,
        "detail": None,
        "url": "https://acme.example.com",
    }

    default = (await (await client.get("/api/v1/events")).json())["events"]
    assert len(default) == 50
    assert default[0]["subject_id"] == "c59" and default[-1]["subject_id"] == "c10"

    assert len((await (await client.get("/api/v1/events?limit=0007")).json())["events"]) == 7
    everything = await client.get("/api/v1/events", params={"limit": str(MAX_EVENTS)})
    assert everything.status == 200
    assert len((await everything.json())["events"]) == 60


@pytest.mark.parametrize(
    "limit", ["0", "-1", "abc", "5000", "1001", "", "1.5", " 5", "0x10", "²", "٣", "9" * 5000]
)
async def test_an_invalid_event_limit_is_a_400_json_error(client: Client, limit: str) -> None:
    response = await client.get("/api/v1/events", params={"limit": limit})
    assert response.status == 400
    assert response.content_type == "application/json"
    assert await response.json() == {"error": f"limit must be an integer from 1 to {MAX_EVENTS}"}


async def test_status_page_is_html_with_a_strict_policy(client: Client, daemon: FakeDaemon) -> None:
    daemon.entries = [(plan("acme"), ProviderState(provider="acme", baselined=True, last_success_at=T0))]
    response = await client.get("/", params={"refresh": "5"})
    assert response.status == 200
    assert response.content_type == "text/html"
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy
    body = await response.text()
    assert 'data-provider="acme"' in body and '<meta http-equiv="refresh" content="5">' in body

    default = await (await client.get("/")).text()
    assert '<meta http-equiv="refresh" content="30">' in default
    for bad in ("0", "3601", "x"):
        rejected = await client.get("/", params={"refresh": bad})
        assert rejected.status == 400
        assert await rejected.json() == {"error": "refresh must be an integer from 1 to 3600"}


async def test_status_page_groups_by_category_on_request(client: Client, daemon: FakeDaemon) -> None:
    daemon.entries = [
        (plan(name, category), ProviderState(provider=name, baselined=True, last_success_at=T0))
        for name, category in [("stripe", "Payments & Finance"), ("github", "Developer tools"), ("own", None)]
    ]
    grouped = await (await client.get("/", params={"group": "category"})).text()
    headings = ['data-category="Developer tools"', 'data-category="Payments &amp; Finance"', "Uncategorised"]
    at = [grouped.index(h) for h in headings]
    assert at == sorted(at)
    assert at[0] < grouped.index('data-provider="github"') < at[1] < grouped.index('data-provider="stripe"')
    assert 'data-category="' not in await (await client.get("/")).text()

    rejected = await client.get("/", params={"group": "vendor"})
    assert rejected.status == 400
    assert await rejected.json() == {"error": "group must be 'category'"}


async def test_status_page_lists_the_silences_kept_in_the_store(client: Client, store: SqliteStore) -> None:
    now = datetime.now(UTC)
    request = {"matchers": ["provider=acme"], "createdBy": "alice", "comment": "<b>known</b>"}
    kept = await silencing.add(store, {**request, "duration": "2h"}, now)
    ended = await silencing.add(store, {**request, "duration": "1h"}, now)
    await silencing.expire(store, ended.id, now)

    body = await (await client.get("/")).text()
    assert f'data-silence="{kept.id}" data-state="active"' in body and ended.id not in body
    assert "<code>provider=&#34;acme&#34;</code>" in body and "&lt;b&gt;known&lt;/b&gt;" in body


async def test_the_openapi_document_describes_exactly_the_served_routes(client: Client) -> None:
    response = await client.get("/api/v1/openapi.json")
    assert response.status == 200
    document = await response.json()
    assert document["openapi"].startswith("3.1") and document["info"]["version"] == __version__
    served = {
        (route.method, route.resource.canonical)
        for route in client.app.router.routes()
        if route.method != "HEAD" and route.resource is not None
    }
    described = {(method.upper(), path) for path, item in document["paths"].items() for method in item}
    assert served == described


async def test_a_scraper_hanging_up_mid_scrape_is_no_error(
    daemon: FakeDaemon, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The connection resetting under a write (the scraper timed out) ends the scrape quietly."""
    from aiohttp.test_utils import make_mocked_request

    import monitor.web as web_module

    writes: list[bytes] = []

    async def write(self: web.StreamResponse, data: bytes) -> None:
        writes.append(data)
        if len(writes) == 2:
            raise ConnectionResetError("Cannot write to closing transport")

    monkeypatch.setattr(web.StreamResponse, "write", write)
    monkeypatch.setattr(web_module, "exposition", lambda: [b"a 1\n", b"b 2\n", b"c 3\n"])
    request = make_mocked_request("GET", "/metrics", app=build_app(daemon))
    response = await web_module._metrics(request)
    assert response.status == 200 and writes == [b"a 1\n", b"b 2\n"]
