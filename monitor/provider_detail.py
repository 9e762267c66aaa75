"""One provider in depth, for its page (/providers/{name}) and the API (/api/v1/providers/{name},
/api/v1/providers/{name}/incidents): its state now, the incident history the store kept with each update,
and each component's availability from our own observations (monitor/availability.py)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from aiohttp import web

from monitor import pages
from monitor.availability import WINDOWS, Availability, availability
from monitor.history import PAGE
from monitor.model import Incident, ProviderState
from monitor.plan import ProviderPlan
from monitor.store.base import Store
from monitor.store.codec import format_time, updates_to_list

HISTORY_DAYS = 90  # what the page shows, and the API's default `since`
HISTORY_LIMIT = 500  # incidents in one answer at most, newest first

Describe = Callable[[ProviderPlan, ProviderState | None], dict[str, Any]]  # monitor.web.provider_json


class ProviderView(Protocol):
    """What this module reads of the daemon (a part of monitor.web.DaemonView)."""

    @property
    def store(self) -> Store: ...

    async def provider_states(self) -> list[tuple[ProviderPlan, ProviderState | None]]: ...


def add_routes(app: web.Application, daemon: ProviderView, describe: Describe) -> None:
    """The provider's page and its API routes; `describe` shapes a provider as /api/v1/providers does."""

    async def provider(name: str) -> dict[str, Any]:
        for plan, state in await daemon.provider_states():
            if plan.config.name == name:
                return describe(plan, state)
        raise _error(web.HTTPNotFound, f"no provider named {name!r} is configured")

    async def page(request: web.Request) -> web.Response:
        name, now = request.match_info["name"], datetime.now(UTC)
        found = await provider(name)
        history = await daemon.store.incident_history(name, now - timedelta(days=HISTORY_DAYS), HISTORY_LIMIT)
        components = await availability_json(daemon.store, found, now)
        html = await asyncio.to_thread(
            pages.render_provider, found, [incident_json(i) for i in history], components, now
        )
        headers = {"Content-Security-Policy": pages.CONTENT_SECURITY_POLICY, "Cache-Control": "no-store"}
        return web.Response(text=html, content_type="text/html", headers=headers)

    async def detail(request: web.Request) -> web.Response:
        found = await provider(request.match_info["name"])
        components = await availability_json(daemon.store, found, datetime.now(UTC))
        return web.json_response({"provider": found, "availability": components})

    async def incidents(request: web.Request) -> web.Response:
        name = request.match_info["name"]
        await provider(name)  # a 404 for a name not configured
        since = _since(request)
        found = await daemon.store.incident_history(name, since, HISTORY_LIMIT)
        return web.json_response(
            {"since": format_time(since), "incidents": [incident_json(i) for i in found]}
        )

    app.router.add_get("/providers/{name}", page)
    app.router.add_get("/api/v1/providers/{name}", detail)
    app.router.add_get("/api/v1/providers/{name}/incidents", incidents)


def _since(request: web.Request) -> datetime:
    """`since` as an ISO 8601 time with its zone; 90 days ago when absent."""
    raw = request.query.get("since")
    if raw is None:
        return datetime.now(UTC) - timedelta(days=HISTORY_DAYS)
    try:
        since = datetime.fromisoformat(raw.upper())  # RFC 3339 allows a lower-case t and z
        if since.tzinfo is not None:
            return since.astimezone(UTC)
    except (ValueError, OverflowError):  # overflow: year 1 with a positive offset
        pass
    message = "since must be an ISO 8601 time with a zone, e.g. 2026-07-01T00:00:00Z"
    raise _error(web.HTTPBadRequest, message)


def _error(kind: type[web.HTTPError], message: str) -> web.HTTPError:
    return kind(text=json.dumps({"error": message}), content_type="application/json")


def incident_json(incident: Incident) -> dict[str, Any]:
    return {
        "id": incident.id,
        "name": incident.name,
        "status": incident.status.value,
        "impact": incident.impact.value,
        "url": incident.url,
        "started_at": format_time(incident.started_at) if incident.started_at else None,
        "resolved_at": format_time(incident.resolved_at) if incident.resolved_at else None,
        "updates": updates_to_list(incident.updates),
    }


async def availability_json(store: Store, provider: dict[str, Any], now: datetime) -> list[dict[str, Any]]:
    """Each component's availability per window: the provider's components now, then any only observed."""
    longest = max(WINDOWS.values())
    intervals = await store.status_intervals(provider["name"], now - longest)
    per_window = {label: availability(intervals, now, window) for label, window in WINDOWS.items()}
    names = {c["id"]: c["name"] for c in provider["components"]}
    for interval in intervals:
        if interval.component != PAGE:
            names.setdefault(interval.component, interval.name)
    return [
        {
            "id": component,
            "name": name,
            "windows": {label: _window(found.get(component)) for label, found in per_window.items()},
        }
        for component, name in names.items()
    ]


def _window(found: Availability | None) -> dict[str, Any]:
    if found is None:
        return {"observed_seconds": 0.0, "down_seconds": 0.0, "unread_seconds": 0.0, "availability": None}
    return {
        "observed_seconds": found.observed_seconds,
        "down_seconds": found.down_seconds,
        "unread_seconds": found.unread_seconds,
        "availability": found.ratio,
    }
