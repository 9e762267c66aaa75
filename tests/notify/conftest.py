"""Shared fixtures for the notifier tests: sample notifications and a loopback HTTP receiver."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest

from monitor.model import Event, EventKind, Notification, Severity
from tests.notify.receiver import Receiver

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


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    recv = Receiver()
    await recv.start()
    try:
        yield recv
    finally:
        await recv.close()


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
