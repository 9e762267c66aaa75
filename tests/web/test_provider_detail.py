"""GET /providers/{name}, /api/v1/providers/{name} and /api/v1/providers/{name}/incidents over loopback, on a
real SQLite store: the stored history with every update, availability apart from unread time, the
documented shapes, and the status page's rules (escaped text, http(s) links only, the CSP)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from monitor.model import ComponentStatus, Impact, Incident, IncidentStatus, IncidentUpdate
from monitor.openapi import document
from monitor.pages import CONTENT_SECURITY_POLICY
from monitor.store import SqliteStore
from tests.web.daemon_view import Client, FakeDaemon
from tests.web.plans import plan
from tests.web.test_pages import HOSTILE, parse, state

HOUR = timedelta(hours=1)


def valid(body: Any, schema: str) -> None:
    validator = Draft202012Validator({"$ref": f"#/components/schemas/{schema}", **document()})
    assert [e.message for e in validator.iter_errors(body)] == []


@pytest.fixture
async def acme(daemon: FakeDaemon, store: SqliteStore) -> datetime:
    """acme: API down for the last 2 h of 10 h observed, the page unreadable for 1 h of it; an open incident
    with two updates (one hostile), a resolved one 10 days ago, one 100 days ago. Returns now."""
    now = datetime.now(UTC)
    open_incident = Incident(
        "inc-open",
        "Elevated errors",
        IncidentStatus.IDENTIFIED,
        Impact.MAJOR,
        url="javascript:alert(1)",
        started_at=now - 2 * HOUR,
        updates=(
            IncidentUpdate(now - 2 * HOUR, IncidentStatus.INVESTIGATING, "Looking into it"),
            IncidentUpdate(now - HOUR, IncidentStatus.IDENTIFIED, HOSTILE),
        ),
    )
    timeline = [
        (now - 10 * HOUR, ComponentStatus.OPERATIONAL, 0, {}),
        (now - 2 * HOUR, ComponentStatus.MAJOR_OUTAGE, 0, {"inc-open": open_incident}),
        (now - 1.5 * HOUR, ComponentStatus.MAJOR_OUTAGE, 1, {"inc-open": open_incident}),
        (now - 0.5 * HOUR, ComponentStatus.MAJOR_OUTAGE, 0, {"inc-open": open_incident}),
    ]
    for at, status, failures, incidents in timeline:
        committed = state("acme", status, last_poll_at=at, consecutive_failures=failures, incidents=incidents)
        await store.commit(committed, [], [])
    past = Incident(
        "inc-past",
        "Slow builds",
        IncidentStatus.RESOLVED,
        Impact.MINOR,
        url="https://status.acme.example/incidents/past",
        started_at=now - timedelta(days=10),
        resolved_at=now - timedelta(days=10) + HOUR,
        updates=(IncidentUpdate(now - timedelta(days=10), IncidentStatus.RESOLVED, "All good now"),),
    )
    ancient = past._replace(
        id="inc-ancient", started_at=now - timedelta(days=100), resolved_at=now - timedelta(days=99)
    )
    await store.add_history("acme", [past, ancient])
    daemon.entries = [
        (plan("acme"), committed),
        (plan("down"), state("down", last_error="HTTP 503", consecutive_failures=4)),
    ]
    return now


async def test_the_api_shows_the_provider_and_each_component_availability(
    client: Client, acme: datetime
) -> None:
    response = await client.get("/api/v1/providers/acme")
    assert response.status == 200
    body = await response.json()
    valid(body, "ProviderDetail")
    assert body["provider"]["name"] == "acme"
    [api] = body["availability"]
    day = api["windows"]["24h"]
    # observed 10 h minus the unreadable hour; down 2 h minus that hour
    assert (day["observed_seconds"], day["down_seconds"], day["unread_seconds"]) == pytest.approx(
        (9 * 3600, 3600, 3600), abs=5
    )
    assert day["availability"] == pytest.approx(8 / 9, abs=1e-3)


async def test_the_incidents_api_lists_the_history_since_a_time_with_every_update(
    client: Client, acme: datetime
) -> None:
    body = await (await client.get("/api/v1/providers/acme/incidents")).json()
    valid(body, "IncidentHistory")
    assert [i["id"] for i in body["incidents"]] == ["inc-open", "inc-past"]  # 90 days by default
    assert [u["status"] for u in body["incidents"][0]["updates"]] == ["investigating", "identified"]
    assert body["incidents"][0]["resolved_at"] is None

    since = (acme - timedelta(days=200)).isoformat().lower()  # RFC 3339 allows a lower-case t
    body = await (await client.get("/api/v1/providers/acme/incidents", params={"since": since})).json()
    assert [i["id"] for i in body["incidents"]] == ["inc-open", "inc-past", "inc-ancient"]


@pytest.mark.parametrize("since", ["yesterday", "2026-07-01T00:00:00", "0001-01-01T00:00:00+01:00"])
async def test_a_since_that_is_not_a_zoned_time_is_a_400(client: Client, acme: datetime, since: str) -> None:
    response = await client.get("/api/v1/providers/acme/incidents", params={"since": since})
    assert response.status == 400
    valid(await response.json(), "Error")


@pytest.mark.parametrize(
    "path", ["/api/v1/providers/nobody", "/api/v1/providers/nobody/incidents", "/providers/nobody"]
)
async def test_an_unknown_provider_is_a_404(client: Client, path: str) -> None:
    response = await client.get(path)
    assert response.status == 404
    assert "nobody" in (await response.json())["error"]


async def test_the_page_shows_open_incidents_with_every_update_history_and_availability(
    client: Client, acme: datetime
) -> None:
    response = await client.get("/providers/acme")
    assert response.status == 200
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    html = await response.text()
    page = parse(html)
    assert "<script>" not in html and "<img" not in html
    assert HOSTILE in page.texts()  # shown as text
    assert [e.attrs["data-status"] for e in page.select("li", **{"class": "update"})] == [
        "identified",
        "investigating",
        "resolved",
    ]
    assert [e.attrs["data-incident"] for e in page.select("div", **{"class": "notice incident"})] == [
        "inc-open",
        "inc-past",
    ]
    hrefs = [e.attrs["href"] for e in page.select("a")]
    assert "javascript:alert(1)" not in hrefs and "https://status.acme.example/incidents/past" in hrefs
    assert all(h.startswith(("https://", "../")) for h in hrefs)
    cells = {e.attrs["data-window"]: e.text for e in page.select("td") if "data-window" in e.attrs}
    assert cells["24h"].strip().startswith("88.89%")
    assert [e.text for e in page.select("span", **{"class": "muted unread"})] == ["· unread 1 h 0 min"] * 3


async def test_an_unreadable_provider_is_unknown_with_its_error(client: Client, acme: datetime) -> None:
    page = parse(await (await client.get("/providers/down")).text())
    [heading] = page.select("h1", id="provider")
    assert heading.attrs["data-status"] == "unknown"
    assert "Its status page cannot be read: HTTP 503" in page.texts()


async def test_the_overview_links_each_provider_to_its_page(client: Client, acme: datetime) -> None:
    page = parse(await (await client.get("/")).text())
    assert [e.attrs["href"] for e in page.select("a", **{"class": "name"})] == [
        "/providers/acme",
        "/providers/down",
    ]
