"""A loopback fake of Opsgenie's Alert API v2 (create and close), checking what Opsgenie checks.

`POST /v2/alerts` and `POST /v2/alerts/{identifier}/close?identifierType=alias` answer like Opsgenie:
202 `{"result": "Request will be processed", "took", "requestId"}`. The fake refuses a missing or wrong
`Authorization: GenieKey <key>` (401), a body that is not a JSON object or breaks a documented field rule
(422 with Opsgenie's error shape: message <= 130 characters and not empty, alias <= 512, description
<= 15000, priority P1..P5, at most 20 tags of <= 50 characters, details a flat string map of <= 8000
characters, source <= 100, entity <= 512, note <= 25000, no unknown field), and answers scripted
failures (429 with Retry-After) first. It can hold one request unanswered (`hang_next`), as a service that
stalls mid-send, with or without having processed it (`hang_processed`: the work done, the answer lost).
It keeps alerts by alias as Opsgenie does: a create with the alias of an open alert counts one more
occurrence; a close closes the open alert. Tests read its final state.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

LIMITS = {"message": 130, "alias": 512, "description": 15000, "source": 100, "entity": 512, "note": 25000}
FIELDS = {*LIMITS, "priority", "tags", "details", "responders", "visibleTo", "actions", "user"}
PRIORITIES = {"P1", "P2", "P3", "P4", "P5"}
Handler = Callable[[web.Request], Awaitable[web.Response]]


@dataclass
class OpsgenieAlert:
    alias: str
    message: str
    priority: str
    description: str
    tags: list[str]
    details: dict[str, str]
    status: str = "open"
    count: int = 1
    notes: list[str] = field(default_factory=list)


class FakeOpsgenie:
    def __init__(self, key: str) -> None:
        self.key = key
        self.alerts: list[OpsgenieAlert] = []  # every alert ever created, oldest first
        self.requests: list[tuple[str, dict[str, Any]]] = []  # (path with query, body) of accepted requests
        self.failures: list[web.Response] = []  # answers to give before working
        self.hang_next = False  # hold the next request unanswered until close
        self.hang_processed = False  # ...after processing it
        self.hung: list[dict[str, Any]] = []  # the bodies of the requests held so
        self._released = asyncio.Event()
        self.server: TestServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("")).rstrip("/")

    def fail(self, status: int, headers: dict[str, str] | None = None) -> None:
        """The next request is answered with `status` (Opsgenie's error shape) instead of working."""
        body = {"message": "You are making too many requests!", "took": 0.0, "requestId": str(uuid.uuid4())}
        self.failures.append(web.json_response(body, status=status, headers=headers))

    def open_alert(self, alias: str) -> OpsgenieAlert | None:
        return next((a for a in self.alerts if a.alias == alias and a.status == "open"), None)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/v2/alerts", self._held(self._create))
        app.router.add_post("/v2/alerts/{identifier}/close", self._held(self._close))
        self.server = TestServer(app, host="127.0.0.1", port=0)
        await self.server.start_server()

    async def close(self) -> None:
        self._released.set()
        if self.server is not None:
            await self.server.close()

    def _held(self, handler: Handler) -> Handler:
        """The handler, holding the request `hang_next` asks for until close."""

        async def handle(request: web.Request) -> web.Response:
            if not self.hang_next:
                return await handler(request)
            self.hang_next = False
            self.hung.append(json.loads(await request.read()))
            if self.hang_processed:
                await handler(request)
            await self._released.wait()
            return _answer(503, message="Service unavailable")

        return handle

    async def _checked(self, request: web.Request) -> dict[str, Any] | web.Response:
        if request.headers.get("Authorization") != f"GenieKey {self.key}":
            return _answer(401, message="Could not authenticate")
        if self.failures:
            return self.failures.pop(0)
        try:
            body = json.loads(await request.read())
        except ValueError:
            return _invalid("Request body is not a valid JSON")
        if not isinstance(body, dict):
            return _invalid("Request body should be a JSON object")
        problem = _problem(body)
        if problem:
            return _invalid(problem)
        self.requests.append((request.path_qs, body))
        return body

    async def _create(self, request: web.Request) -> web.Response:
        body = await self._checked(request)
        if isinstance(body, web.Response):
            return body
        if not body.get("message"):
            return _invalid("Message can not be empty.")
        alias = body.get("alias") or body["message"]
        existing = self.open_alert(alias)
        if existing is not None:
            existing.count += 1
            if body.get("note"):
                existing.notes.append(body["note"])
        else:
            self.alerts.append(
                OpsgenieAlert(
                    alias=alias,
                    message=body["message"],
                    priority=body.get("priority", "P3"),
                    description=body.get("description", ""),
                    tags=body.get("tags", []),
                    details=body.get("details", {}),
                )
            )
        return _answer(202, result="Request will be processed")

    async def _close(self, request: web.Request) -> web.Response:
        identifier_type = request.query.get("identifierType", "id")
        if identifier_type not in ("id", "tiny", "alias"):
            return _invalid("identifierType should be one of: id, tiny, alias")
        body = await self._checked(request)
        if isinstance(body, web.Response):
            return body
        if identifier_type == "alias":  # processed asynchronously: an unknown alias still answers 202
            alert = self.open_alert(request.match_info["identifier"])
            if alert is not None:
                alert.status = "closed"
                if body.get("note"):
                    alert.notes.append(body["note"])
        return _answer(202, result="Request will be processed")


def _problem(body: dict[str, Any]) -> str | None:
    """What Opsgenie would refuse in a create or close body, or None."""
    unknown = sorted(set(body) - FIELDS)
    if unknown:
        return f"Unknown field: {unknown[0]}"
    for name, limit in LIMITS.items():
        value = body.get(name)
        if value is not None and (not isinstance(value, str) or len(value) > limit):
            return f"{name} should be a string of at most {limit} characters"
    if "priority" in body and body["priority"] not in PRIORITIES:
        return "Priority should be one of [P1, P2, P3, P4, P5]"
    tags = body.get("tags", [])
    if not isinstance(tags, list) or len(tags) > 20:
        return "Tags should be a list of at most 20 tags"
    if any(not isinstance(tag, str) or not 0 < len(tag) <= 50 for tag in tags):
        return "A tag should be 1 to 50 characters"
    details = body.get("details", {})
    if not isinstance(details, dict) or any(
        not isinstance(key, str) or not isinstance(value, str) for key, value in details.items()
    ):
        return "Details should be a map of strings to strings"
    if sum(len(key) + len(value) for key, value in details.items()) > 8000:
        return "Details should be at most 8000 characters"
    return None


def _invalid(reason: str) -> web.Response:
    return _answer(422, message="Request body is not processable. Please check the errors.", errors=reason)


def _answer(status: int, **fields: Any) -> web.Response:
    return web.json_response({**fields, "took": 0.01, "requestId": str(uuid.uuid4())}, status=status)
