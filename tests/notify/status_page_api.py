"""Loopback fakes of the two status-page APIs the page notifiers call, checking what the services check.

Both keep the page's state (component statuses, incidents with their updates) for tests to read at the
end, refuse a missing or wrong key (401), an unknown page, component or incident (404), a status word
outside the service's vocabulary or a missing required field (422 / 400), and a request that comes
sooner than `SPACING` after the previous one with the same key (Statuspage 420, Instatus 429, with
Retry-After), as the real services rate-limit each key to about one request a second. `hang_method`
holds the next request of that method unanswered, as a service that stalls mid-send, with or without
having processed it (`hang_processed`: the work done, the answer lost). Both list the unresolved incidents.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

from monitor.model import ComponentStatus

SPACING = 0.95  # a little under a second: the arrival of paced requests jitters
PAGE_ID = "pg42"
BODY = web.RequestKey("body", dict)  # the request's JSON object, read once by the gate


@dataclass
class FakeIncident:
    name: str
    status: str  # lower-case in both fakes: investigating | identified | monitoring | resolved
    components: list[str]
    updates: list[str] = field(default_factory=list)  # bodies, oldest first


class FakePage:
    """What both fakes share: the state, the key check and the rate limit."""

    limited_status = 429
    auth_scheme = "Bearer"

    def __init__(self, key: str, components: tuple[str, ...]) -> None:
        self.key = key
        self.components: dict[str, ComponentStatus] = dict.fromkeys(components, ComponentStatus.OPERATIONAL)
        self.incidents: dict[str, FakeIncident] = {}
        self.requests: list[tuple[str, str]] = []  # (method, path) of every request, refused ones too
        self.refused: list[int] = []  # the statuses of refused requests
        self.hang_method = ""  # hold the next request of this method unanswered until close
        self.hang_processed = False  # ...after processing it
        self.hung: list[tuple[str, str]] = []  # (method, path) of the requests held so
        self._released = asyncio.Event()
        self.server: TestServer | None = None
        self._last = -1e9

    @property
    def url(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("")).rstrip("/")

    @property
    def api_url(self) -> str:
        """The notifier's `url:` for this fake."""
        raise NotImplementedError

    def routes(self, app: web.Application) -> None:
        raise NotImplementedError

    async def start(self) -> None:
        app = web.Application(middlewares=[self._gate])
        self.routes(app)
        self.server = TestServer(app, host="127.0.0.1", port=0)
        await self.server.start_server()

    async def close(self) -> None:
        self._released.set()
        if self.server is not None:
            await self.server.close()

    @web.middleware
    async def _gate(self, request: web.Request, handler: Any) -> web.StreamResponse:
        self.requests.append((request.method, request.path))
        if request.method == self.hang_method:
            self.hang_method = ""
            self.hung.append((request.method, request.path))
            if self.hang_processed:
                await self._checked(request, handler)
            await self._released.wait()
            return self._refuse(503, "unavailable")
        return await self._checked(request, handler)

    async def _checked(self, request: web.Request, handler: Any) -> web.StreamResponse:
        now, last = time.monotonic(), self._last
        if request.headers.get("Authorization") != f"{self.auth_scheme} {self.key}":
            return self._refuse(401, "Could not authenticate")
        self._last = now
        if now - last < SPACING:
            return self._refuse(self.limited_status, "Enhance your calm", {"Retry-After": "1"})
        if request.match_info.get("page_id") != PAGE_ID:
            return self._refuse(404, "page not found")
        if request.method == "GET":  # a listing: no body to check
            listing: web.StreamResponse = await handler(request)
            return listing
        if request.content_type != "application/json":
            return self._refuse(415, "JSON only")
        try:
            body = json.loads(await request.read())
        except ValueError:
            return self._refuse(400, "malformed JSON")
        if not isinstance(body, dict):
            return self._refuse(400, "not an object")
        request[BODY] = body
        answer: web.StreamResponse = await handler(request)
        if answer.status >= 400:
            self.refused.append(answer.status)
        return answer

    def _refuse(self, status: int, error: str, headers: dict[str, str] | None = None) -> web.Response:
        self.refused.append(status)
        return web.json_response({"error": error}, status=status, headers=headers)

    def _component(self, request: web.Request) -> str | None:
        component_id = request.match_info["component_id"]
        return component_id if component_id in self.components else None

    def listed(self, status_word: Any = str, resolved: bool = False) -> list[dict[str, str]]:
        """The incidents (with the resolved ones or not), newest first, statuses spelled by `status_word`."""
        return [
            {"id": incident_id, "name": incident.name, "status": status_word(incident.status)}
            for incident_id, incident in reversed(self.incidents.items())
            if resolved or incident.status != "resolved"
        ]

    def _open(self, name: str, status: str, components: list[str], body: str) -> web.Response:
        incident_id = f"inc{len(self.incidents) + 1}"
        self.incidents[incident_id] = FakeIncident(name, status, components, [body])
        return web.json_response({"id": incident_id, "name": name, "status": status}, status=201)


class FakeStatuspage(FakePage):
    """Atlassian Statuspage REST API v1, under `/v1`."""

    limited_status = 420
    auth_scheme = "OAuth"
    STATUSES = frozenset(s.value for s in ComponentStatus if s is not ComponentStatus.UNKNOWN)
    INCIDENT_STATUSES = frozenset({"investigating", "identified", "monitoring", "resolved"})
    IMPACTS = frozenset({"none", "minor", "major", "critical"})

    @property
    def api_url(self) -> str:
        return f"{self.url}/v1"

    def routes(self, app: web.Application) -> None:
        app.router.add_patch("/v1/pages/{page_id}/components/{component_id}", self._patch_component)
        app.router.add_post("/v1/pages/{page_id}/incidents", self._create_incident)
        app.router.add_patch("/v1/pages/{page_id}/incidents/{incident_id}", self._update_incident)
        app.router.add_get("/v1/pages/{page_id}/incidents/unresolved", self._list_unresolved)

    async def _list_unresolved(self, request: web.Request) -> web.Response:
        return web.json_response(self.listed())

    async def _patch_component(self, request: web.Request) -> web.Response:
        component_id = self._component(request)
        if component_id is None:
            return web.json_response({"error": "component not found"}, status=404)
        status = _field(request[BODY], "component", "status")
        if status not in self.STATUSES:
            return web.json_response({"error": f"status {status!r} is not valid"}, status=422)
        self.components[component_id] = ComponentStatus(status)
        return web.json_response({"id": component_id, "status": status})

    async def _create_incident(self, request: web.Request) -> web.Response:
        incident = request[BODY].get("incident")
        if not isinstance(incident, dict) or not incident.get("name"):
            return web.json_response({"error": "name can't be blank"}, status=422)
        problem = self._incident_problem(incident)
        if problem:
            return web.json_response({"error": problem}, status=422)
        components = incident.get("component_ids", [])
        if not isinstance(components, list) or any(c not in self.components for c in components):
            return web.json_response({"error": "component_ids: not found"}, status=422)
        return self._open(
            incident["name"], incident.get("status", "investigating"), components, incident.get("body", "")
        )

    async def _update_incident(self, request: web.Request) -> web.Response:
        found = self.incidents.get(request.match_info["incident_id"])
        incident = request[BODY].get("incident")
        if found is None:
            return web.json_response({"error": "incident not found"}, status=404)
        if not isinstance(incident, dict):
            return web.json_response({"error": "incident is missing"}, status=422)
        problem = self._incident_problem(incident)
        if problem:
            return web.json_response({"error": problem}, status=422)
        found.status = incident.get("status", found.status)
        found.updates.append(incident.get("body", ""))
        return web.json_response({"id": request.match_info["incident_id"], "status": found.status})

    def _incident_problem(self, incident: dict[str, Any]) -> str | None:
        if incident.get("status", "investigating") not in self.INCIDENT_STATUSES:
            return f"status {incident.get('status')!r} is not valid"
        if incident.get("impact_override", "none") not in self.IMPACTS:
            return f"impact_override {incident.get('impact_override')!r} is not valid"
        return None


class FakeInstatus(FakePage):
    """Instatus: components under `/v2`, incidents under `/v1`; statuses in upper-case words."""

    WORDS = {
        "OPERATIONAL": ComponentStatus.OPERATIONAL,
        "UNDERMAINTENANCE": ComponentStatus.UNDER_MAINTENANCE,
        "DEGRADEDPERFORMANCE": ComponentStatus.DEGRADED_PERFORMANCE,
        "PARTIALOUTAGE": ComponentStatus.PARTIAL_OUTAGE,
        "MAJOROUTAGE": ComponentStatus.MAJOR_OUTAGE,
    }
    INCIDENT_STATUSES = frozenset({"INVESTIGATING", "IDENTIFIED", "MONITORING", "RESOLVED"})
    REQUIRED = ("message", "components", "statuses", "status", "started")

    @property
    def api_url(self) -> str:
        return self.url

    def routes(self, app: web.Application) -> None:
        app.router.add_put("/v2/{page_id}/components/{component_id}", self._put_component)
        app.router.add_post("/v1/{page_id}/incidents", self._create_incident)
        app.router.add_post("/v1/{page_id}/incidents/{incident_id}/incident-updates", self._add_update)
        app.router.add_get("/v1/{page_id}/incidents", self._list)

    async def _list(self, request: web.Request) -> web.Response:
        return web.json_response(self.listed(str.upper, resolved=True))

    async def _put_component(self, request: web.Request) -> web.Response:
        component_id = self._component(request)
        if component_id is None:
            return web.json_response({"error": "component not found"}, status=404)
        word = request[BODY].get("status")
        if word not in self.WORDS:
            return web.json_response({"error": f"status {word!r} is not valid"}, status=400)
        self.components[component_id] = self.WORDS[word]
        return web.json_response({"id": component_id, "status": word})

    async def _create_incident(self, request: web.Request) -> web.Response:
        body = request[BODY]
        problem = "name is required" if not body.get("name") else self._update_problem(body)
        if problem:
            return web.json_response({"error": problem}, status=400)
        self._apply(body)
        answer = self._open(body["name"], body["status"].lower(), body["components"], body["message"])
        answer.set_status(200)
        return answer

    async def _add_update(self, request: web.Request) -> web.Response:
        found = self.incidents.get(request.match_info["incident_id"])
        if found is None:
            return web.json_response({"error": "incident not found"}, status=404)
        body = request[BODY]
        problem = self._update_problem(body)
        if problem:
            return web.json_response({"error": problem}, status=400)
        self._apply(body)
        found.status = body["status"].lower()
        found.updates.append(body["message"])
        return web.json_response({"id": request.match_info["incident_id"]})

    def _update_problem(self, body: dict[str, Any]) -> str | None:
        missing = [name for name in self.REQUIRED if name not in body]
        if missing:
            return f"{missing} required"
        if body["status"] not in self.INCIDENT_STATUSES:
            return f"status {body['status']!r} is not valid"
        for entry in body["statuses"]:
            if entry.get("id") not in self.components or entry.get("status") not in self.WORDS:
                return f"statuses: {entry!r} is not valid"
        if any(c not in self.components for c in body["components"]):
            return "components: not found"
        return None

    def _apply(self, body: dict[str, Any]) -> None:
        """An incident's `statuses` set its components, as on Instatus."""
        for entry in body["statuses"]:
            self.components[entry["id"]] = self.WORDS[entry["status"]]


def _field(body: dict[str, Any], outer: str, inner: str) -> Any:
    nested = body.get(outer)
    return nested.get(inner) if isinstance(nested, dict) else None
