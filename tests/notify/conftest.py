"""Shared fixtures for the notifier tests: sample notifications and a loopback HTTP receiver.

The receiver is a real aiohttp server on 127.0.0.1 standing in for Slack, PagerDuty or a webhook
endpoint: it records every request exactly as it arrived and answers with scripted replies.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from multidict import CIMultiDictProxy

from monitor.model import Event, EventKind, Notification, Severity

T0 = datetime(2026, 11, 23, 12, 30, 5, tzinfo=UTC)


def _event(**changes: Any) -> Event:
    """A component going from operational to partial outage; override any field."""
    base = Event(
        kind=EventKind.COMPONENT_CHANGED,
        provider="github",
        severity=Severity.MAJOR,
        dedup_key="github/component/8l4ygp009s5s",
        title="GitHub: API Requests is partial_outage",
        occurred_at=T0,
        subject_id="8l4ygp009s5s",
        subject_name="API Requests",
        old_status="operational",
        new_status="partial_outage",
        impact="major",
        detail="We are investigating reports of degraded performance for API Requests.",
        url="https://www.githubstatus.com/incidents/x7xqj6hdbdnk",
        group="Core",
    )
    return replace(base, **changes)


def _notification(event: Event | None = None, *, id: str = "01JDN3V2M9ZKQX4Y5B6C7D8E9F") -> Notification:
    return Notification(id=id, notifier="test", event=event or _event(), created_at=T0)


@pytest.fixture
def make_event() -> Callable[..., Event]:
    return _event


@pytest.fixture
def make_notification() -> Callable[..., Notification]:
    return _notification


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    query: str
    headers: CIMultiDictProxy[str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: str = "ok"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering, to provoke client timeouts


class Receiver:
    """Records requests; answers with queued replies, then with `default`."""

    def __init__(self) -> None:
        self.requests: list[Received] = []
        self.replies: list[Reply] = []
        self.default = Reply()
        self.server: TestServer | None = None

    def reply(
        self, status: int = 200, body: str = "ok", headers: dict[str, str] | None = None, delay: float = 0.0
    ) -> None:
        self.replies.append(Reply(status, body, headers or {}, delay))

    def url(self, path: str) -> str:
        assert self.server is not None
        return str(self.server.make_url(path))

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.requests.append(
            Received(
                request.method, request.path, request.query_string, request.headers, await request.read()
            )
        )
        reply = self.replies.pop(0) if self.replies else self.default
        if reply.delay:
            await asyncio.sleep(reply.delay)
        return web.Response(status=reply.status, text=reply.body, headers=reply.headers)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    recv = Receiver()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", recv.handle)
    recv.server = TestServer(app, host="127.0.0.1", port=0)
    await recv.server.start_server()
    try:
        yield recv
    finally:
        await recv.server.close()


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client:
        yield client


@pytest.fixture
def refused_url() -> Callable[[str], str]:
    """A loopback URL on a port nothing listens on (bound, then released)."""

    def build(path: str) -> str:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        return f"http://127.0.0.1:{port}{path}"

    return build
