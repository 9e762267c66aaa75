"""Shared fixtures for the notifier tests: sample group notifications and a loopback HTTP receiver."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest

from monitor.model import Alert, AlertKind, GroupNotification, Notification, Severity
from tests.notify.receiver import Receiver

T0 = datetime(2026, 11, 23, 12, 30, 5, tzinfo=UTC)
GROUP_KEY = "route=0|provider=github"
NOTIFICATION_ID = "01JDN3V2M9ZKQX4Y5B6C7D8E9F"


def make_alert(
    name: str = "API Requests",
    *,
    provider: str = "github",
    severity: Severity = Severity.MAJOR,
    kind: AlertKind = AlertKind.COMPONENT,
    minutes: int = 0,
    resolved_after: int | None = None,
    **changes: Any,
) -> Alert:
    """A component alert `name` started `minutes` after T0 (resolved `resolved_after` minutes later)."""
    slug = name.lower().replace(" ", "-")
    started = T0 + timedelta(minutes=minutes)
    base = Alert(
        key=f"{provider}/{kind.value}/{slug}",
        provider=provider,
        kind=kind,
        severity=severity,
        summary=name,
        title=f"{provider}: {name} is partial_outage",
        started_at=started,
        updated_at=started,
        url=f"https://www.{provider}status.com/incidents/{slug}",
        component=name if kind is AlertKind.COMPONENT else None,
        detail=f"We are investigating reports of degraded performance for {name}.",
        resolved_at=None if resolved_after is None else started + timedelta(minutes=resolved_after),
    )
    return base._replace(**changes)


def make_message(
    firing: tuple[Alert, ...] | None = None,
    resolved: tuple[Alert, ...] = (),
    related: tuple[Alert, ...] = (),
    **changes: Any,
) -> GroupNotification:
    """github's group firing Git Operations (critical) and API Requests (major); override any field.
    The totals default to the lengths of the lists given."""
    if firing is None:
        firing = (
            make_alert("Git Operations", severity=Severity.CRITICAL, minutes=1),
            make_alert("API Requests"),
        )
    worst = max((alert.severity for alert in firing or resolved), default=Severity.INFO)
    fields: dict[str, Any] = {
        "group_key": GROUP_KEY,
        "route": 0,
        "notifier": "test",
        "reason": "firing" if firing else "resolved",
        "status": "firing" if firing else "resolved",
        "severity": worst,
        "title": "github: major outage — Git Operations, API Requests",
        "firing": firing,
        "resolved": resolved,
        "related": related,
        "firing_total": len(firing),
        "resolved_total": len(resolved),
        "related_total": len(related),
        "alert_keys": frozenset(alert.key for alert in firing),
    }
    return GroupNotification(**{**fields, **changes})


def make_notification_for(
    message: GroupNotification | None = None,
    *,
    id: str = NOTIFICATION_ID,
    receipt: Mapping[str, str] | None = None,
) -> Notification:
    return Notification(
        id=id, notifier="test", message=message or make_message(), created_at=T0, receipt=receipt or {}
    )


@pytest.fixture
def make_notification() -> Callable[..., Notification]:
    return make_notification_for


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
