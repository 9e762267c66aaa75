"""The HTTP face: /metrics for Prometheus, /healthz and /readyz for orchestrators, a small JSON API
described at /api/v1/openapi.json, and a status page for people at /."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Protocol

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from monitor import __version__, api_cluster, api_silences, openapi, pages, provider_detail, silencing
from monitor.fetch import public_url
from monitor.logging import get_logger
from monitor.metrics import exposition
from monitor.model import ProviderState
from monitor.openapi import EVENTS_LIMIT, PAGE_GROUP, PAGE_REFRESH, IntParam
from monitor.plan import ProviderPlan
from monitor.store.base import Store
from monitor.store.cluster import ClusterStore
from monitor.store.codec import event_to_dict, format_time

log = get_logger(__name__)


class DaemonView(Protocol):
    """What the web layer may read of the running daemon."""

    @property
    def ready(self) -> bool: ...

    @property
    def store_error(self) -> str | None:
        """Why store commits fail, while they do (the daemon is not ready then)."""

    @property
    def store(self) -> Store: ...

    async def provider_states(self) -> list[tuple[ProviderPlan, ProviderState | None]]: ...

    @property
    def api_token(self) -> str | None: ...

    def silences_changed(self) -> None: ...


def build_app(daemon: DaemonView) -> web.Application:
    app = web.Application()
    app.router.add_get("/", _with(daemon, _status_page))
    app.router.add_get("/metrics", _metrics)
    app.router.add_get("/healthz", _healthz)
    app.router.add_get("/readyz", _with(daemon, _readyz))
    app.router.add_get("/api/v1/providers", _with(daemon, _providers))
    app.router.add_get("/api/v1/events", _with(daemon, _events))
    app.router.add_get("/api/v1/openapi.json", _openapi)
    api_silences.add_routes(app, daemon)
    api_cluster.add_route(app, lambda: daemon.store)
    provider_detail.add_routes(app, daemon, provider_json)
    return app


Handler = Callable[[web.Request], Any]


def _with(daemon: DaemonView, handler: Callable[[web.Request, DaemonView], Any]) -> Handler:
    async def bound(request: web.Request) -> web.StreamResponse:
        response: web.StreamResponse = await handler(request, daemon)
        return response

    return bound


async def _metrics(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse(headers={"Content-Type": CONTENT_TYPE_LATEST})
    await response.prepare(request)
    try:
        for chunk in exposition():
            await response.write(chunk)
            await asyncio.sleep(0)  # a scrape of thousands of providers must not hold up the polls
        await response.write_eof()
    except ConnectionResetError:  # the scraper hung up (its timeout, a restart): nothing is wrong here
        log.info("metrics_scrape_aborted")
    return response


async def _healthz(_: web.Request) -> web.Response:
    return web.json_response({"status": "ok", "version": __version__})


async def _readyz(_: web.Request, daemon: DaemonView) -> web.Response:
    if daemon.ready:
        return web.json_response({"status": "ready"})
    body = {"status": "not ready"}
    if (error := daemon.store_error) is not None:
        body["reason"] = f"store writes failing: {error}"
    return web.json_response(body, status=503)


async def _providers(_: web.Request, daemon: DaemonView) -> web.Response:
    return web.json_response({"providers": await _providers_json(daemon)})


async def _events(request: web.Request, daemon: DaemonView) -> web.Response:
    limit = _query_int(request, EVENTS_LIMIT)
    return web.json_response({"events": await _events_json(daemon, limit)})


async def _status_page(request: web.Request, daemon: DaemonView) -> web.Response:
    refresh = _query_int(request, PAGE_REFRESH)
    by_category = _query_group(request)
    providers = await _providers_json(daemon)
    events = await _events_json(daemon, pages.RECENT_EVENTS)
    silences = await silencing.all_silences(daemon.store)
    shared = isinstance(daemon.store, ClusterStore)
    replicas = await api_cluster.replicas_json(daemon.store) if shared else []
    # The dicts are the request's own copies: rendering thousands of providers need not hold up the loop.
    html = await asyncio.to_thread(
        pages.render,
        providers,
        events,
        datetime.now(UTC),
        refresh,
        silences=silences,
        by_category=by_category,
        replicas=replicas,
    )
    headers = {"Content-Security-Policy": pages.CONTENT_SECURITY_POLICY, "Cache-Control": "no-store"}
    return web.Response(text=html, content_type="text/html", headers=headers)


async def _openapi(_: web.Request) -> web.Response:
    return web.json_response(openapi.document())


async def _providers_json(daemon: DaemonView) -> list[dict[str, Any]]:
    return [provider_json(p, s) for p, s in await daemon.provider_states()]


async def _events_json(daemon: DaemonView, limit: int) -> list[dict[str, Any]]:
    return [{"id": s.id, **event_to_dict(s.event)} for s in await daemon.store.recent_events(limit)]


def _query_int(request: web.Request, param: IntParam) -> int:
    """The parameter's value, its default when absent; a 400 with a JSON error when it is not a plain decimal
    within bounds. `str.isdigit` alone lets through digits `int` rejects ("²") or reads (Arabic-Indic), and
    thousands of digits make `int` raise."""
    raw = request.query.get(param.name, str(param.default))
    if raw.isascii() and raw.isdigit() and len(raw) <= len(str(param.maximum)):
        value = int(raw)
        if 1 <= value <= param.maximum:
            return value
    message = f"{param.name} must be an integer from 1 to {param.maximum}"
    raise web.HTTPBadRequest(text=json.dumps({"error": message}), content_type="application/json")


def _query_group(request: web.Request) -> bool:
    """Whether `/` groups the providers by category (`?group=category`); a 400 for any other grouping."""
    group = request.query.get(PAGE_GROUP)
    if group is None or group == "category":
        return group is not None
    message = f"{PAGE_GROUP} must be 'category'"
    raise web.HTTPBadRequest(text=json.dumps({"error": message}), content_type="application/json")


def _iso(value: datetime | None) -> str | None:
    return format_time(value) if value is not None else None


def provider_json(plan: ProviderPlan, state: ProviderState | None) -> dict[str, Any]:
    """A provider as the API and the `status` command show it. `status` is `unknown` while failing."""
    config = plan.config
    known = state is not None and state.baselined
    last_known = state.overall_status().value if state is not None and known else None
    return {
        "name": config.name,
        "type": config.type,
        "url": public_url(config.url),
        "up": bool(state and state.up),
        "status": last_known if state is not None and state.up and known else "unknown",
        "last_known_status": last_known,
        "description": state.description if state else None,
        "components": [
            {"id": cid, "name": c.name, "group": c.group, "status": c.status.value}
            for cid, c in (state.components.items() if state else ())
        ],
        "incidents": [
            {
                "id": i.id,
                "name": i.name,
                "status": i.status.value,
                "impact": i.impact.value,
                "url": i.url,
                "started_at": _iso(i.started_at),
                "updated_at": _iso(i.updated_at),
                "latest_update": i.latest_update,
            }
            for i in (state.incidents.values() if state else ())
        ],
        "maintenances": [
            {
                "id": m.id,
                "name": m.name,
                "status": m.status.value,
                "url": m.url,
                "scheduled_for": _iso(m.scheduled_for),
                "scheduled_until": _iso(m.scheduled_until),
            }
            for m in (state.maintenances.values() if state else ())
        ],
        "last_poll_at": _iso(state.last_poll_at if state else None),
        "last_success_at": _iso(state.last_success_at if state else None),
        "last_error": state.last_error if state else None,
        "consecutive_failures": state.consecutive_failures if state else 0,
        "category": config.category,
    }
