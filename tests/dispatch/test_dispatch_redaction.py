"""Receivers that echo a secret back, in every form, through the dispatcher: no secret in any log line
or stored error. Real Slack and webhook notifiers, a loopback receiver, a real SQLite outbox."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest
from structlog.testing import capture_logs

from monitor.dispatch import Dispatcher
from monitor.notify import build_notifier
from monitor.notify.base import Notifier
from monitor.notify.slack import SlackConfig
from monitor.notify.webhook import WebhookConfig
from monitor.store import SqliteStore
from tests.dispatch.test_dispatcher import counts_are, enqueue, eventually, make_event, running
from tests.notify.receiver import Receiver, Reply

SLACK_PATH = "/services/T0ACME123/B0HOOK456/Xy7kQ2mN9pR4sT6vW8zA1bC3"
SLACK_TOKEN = "Xy7kQ2mN9pR4sT6vW8zA1bC3"
HOOK_TOKEN = "hk_9f8e7d6c5b4a"
QUERY_VALUE = "qv%2B3141%2F5926"  # as written in the URL; a server echoes it decoded, or re-encoded
QUERY_TOKEN = "qv+3141/5926"
PASSWORD = "pw-2718281828"
BEARER = "bt-1618033988749"


@dataclass(frozen=True)
class Echo:
    """What a receiver sends back (built from the notifier's real URL) and the secret it leaks."""

    name: str
    notifier: str
    body: Callable[[str], str]
    secret: str


ECHOES = [
    Echo("slack token as a word", "slack", lambda url: f"invalid_token {SLACK_TOKEN}", SLACK_TOKEN),
    Echo(
        "slack path JSON-escaped",
        "slack",
        lambda url: json.dumps({"error": f"no route {SLACK_PATH}"}).replace("/", "\\/"),
        SLACK_TOKEN,
    ),
    Echo(
        "slack path percent-encoded",
        "slack",
        lambda url: f"GET /login?next={SLACK_PATH.replace('/', '%2F')}",
        SLACK_TOKEN,
    ),
    Echo("webhook path segment", "webhook", lambda url: f"unknown hook {HOOK_TOKEN}", HOOK_TOKEN),
    Echo("webhook query value", "webhook", lambda url: f"bad token={QUERY_TOKEN}!", QUERY_TOKEN),
    Echo(
        "webhook query value percent-encoded",
        "webhook",
        lambda url: f"token {QUERY_VALUE.lower()} expired",
        QUERY_TOKEN,
    ),
    Echo("webhook password", "webhook-userinfo", lambda url: f"user hook rejected with {PASSWORD}", PASSWORD),
    Echo("webhook bearer token", "webhook", lambda url: f'{{"detail":"token {BEARER} revoked"}}', BEARER),
]


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    recv = Receiver()
    await recv.start()
    try:
        yield recv
    finally:
        await recv.close()


def notifier_for(kind: str, receiver: Receiver, session: aiohttp.ClientSession) -> Notifier:
    if kind == "slack":
        config: SlackConfig | WebhookConfig = SlackConfig.model_validate(
            {"name": "team", "type": "slack", "webhook_url": receiver.url(SLACK_PATH)}
        )
    elif kind == "webhook":
        url = receiver.url(f"/hooks/acme/{HOOK_TOKEN}?token={QUERY_VALUE}&team=ops")
        config = WebhookConfig.model_validate(
            {"name": "team", "type": "webhook", "url": url, "headers": {"Authorization": f"Bearer {BEARER}"}}
        )
    else:  # credentials in the URL (aiohttp refuses them together with an Authorization header)
        url = receiver.url("/hooks/acme").replace("://", f"://hook:{PASSWORD}@", 1)
        config = WebhookConfig.model_validate({"name": "team", "type": "webhook", "url": url})
    return build_notifier(config, session)


def last_error(database: Path) -> str:
    with sqlite3.connect(database) as connection:
        (error,) = connection.execute("SELECT last_error FROM notifications").fetchone()
    assert isinstance(error, str)
    return str(error)


@pytest.mark.parametrize("status", [500, 401])
@pytest.mark.parametrize("echo", ECHOES, ids=[echo.name for echo in ECHOES])
async def test_no_echoed_secret_reaches_a_log_line_or_the_stored_error(
    echo: Echo, status: int, receiver: Receiver, session: aiohttp.ClientSession, tmp_path: Path
) -> None:
    notifier = notifier_for(echo.notifier, receiver, session)
    body = echo.body(receiver.url("/"))
    receiver.default = Reply(status, body)
    async with SqliteStore(tmp_path / "monitor.db") as store:
        await enqueue(store, ("n1", "team", make_event("github/component/api")))
        dispatcher = Dispatcher(
            store, {"team": notifier}, base_delay=0.01, max_delay=0.02, poll_interval=0.01
        )
        with capture_logs() as logs:
            async with running(dispatcher):
                if status == 401:
                    await eventually(lambda: counts_are(store, dead=1))
                else:
                    await eventually(lambda: len(receiver.requests) >= 3)
            await asyncio.sleep(0)

    outcome = "notification_dead" if status == 401 else "notification_retry"
    lines = [entry for entry in logs if entry["event"] == outcome]
    assert lines, logs
    assert all("[redacted]" in str(entry) for entry in lines)  # the echo arrived and was blanked out
    for text in [json.dumps(logs, default=str), last_error(tmp_path / "monitor.db")]:
        assert echo.secret not in text
        assert body not in text
    assert f"HTTP {status}: " in last_error(tmp_path / "monitor.db")
