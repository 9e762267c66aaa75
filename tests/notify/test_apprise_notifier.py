"""The Apprise notifier against a loopback target Apprise speaks to: its `json://` form pointed at the
loopback receiver, which records what arrives. A failed send is retried; no URL part reaches a log."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

import aiohttp
import pytest
from pydantic import ValidationError

from monitor.model import Notification, Severity
from monitor.notify.apprise import AppriseConfig, AppriseNotifier
from monitor.notify.base import Delivery, Outcome
from tests.e2e.harness import free_port
from tests.notify.conftest import make_alert, make_message
from tests.notify.receiver import Receiver

TOKEN = "T0KEN5ecret9f3a1c7e2b"
PASSWORD = "pa55w0rd-apprise-s3cret"
SECRETS = (TOKEN, PASSWORD)


def json_url(port: int) -> str:
    """Apprise's JSON service (POSTs `{"title", "message", "type", ...}`), with credentials in the URL."""
    return f"json://alerts:{PASSWORD}@127.0.0.1:{port}/hooks/{TOKEN}"


def apprise_notifier(session: aiohttp.ClientSession, port: int, **changes: Any) -> AppriseNotifier:
    data = {"name": "chat", "type": "apprise", "urls": [json_url(port)], "timeout": 5, **changes}
    return AppriseNotifier(AppriseConfig.model_validate(data), session)


def port_of(receiver: Receiver) -> int:
    assert receiver.server is not None and receiver.server.port is not None
    return receiver.server.port


def no_secret(delivery: Delivery) -> None:
    assert [s for s in SECRETS if s in delivery.detail or s in repr(delivery)] == [], delivery.detail


async def test_a_group_its_update_and_its_resolution_arrive(
    receiver: Receiver, session: aiohttp.ClientSession, make_notification: Callable[..., Notification]
) -> None:
    notifier = apprise_notifier(session, port_of(receiver))
    git = make_alert("Git Operations", severity=Severity.CRITICAL, minutes=1)
    api = make_alert("API Requests")
    messages = [
        make_message(firing=(git, api)),
        make_message(firing=(git, api, make_alert("Pages")), reason="changed", title="github: 3 down"),
        make_message(
            firing=(), resolved=(make_alert("API Requests", resolved_after=30),), title="github: ok"
        ),
    ]
    for message in messages:
        delivery = await notifier.send(make_notification(message))
        assert delivery.outcome is Outcome.DELIVERED, delivery.detail
        assert delivery.detail == "taken by 1 services"

    assert len(receiver.requests) == 3
    for request in receiver.requests:
        assert (request.method, request.path) == ("POST", f"/hooks/{TOKEN}")
        assert request.headers["Authorization"].startswith("Basic ")
    firing, update, resolution = (request.json() for request in receiver.requests)
    assert firing["title"] == "github: major outage — Git Operations, API Requests"
    assert firing["type"] == "failure"
    assert "Firing:\n- [critical] Git Operations (github) since 2026-11-23T12:31:05Z" in firing["message"]
    assert f"<{git.url}>" in firing["message"]
    assert update["title"] == "github: 3 down" and "Pages (github)" in update["message"]
    assert resolution["title"] == "github: ok" and resolution["type"] == "success"
    assert "Resolved:\n- API Requests (github) resolved at 2026-11-23T13:00:05Z" in resolution["message"]


async def test_a_minor_group_is_a_warning(
    receiver: Receiver, session: aiohttp.ClientSession, make_notification: Callable[..., Notification]
) -> None:
    message = make_message(firing=(make_alert("Webhooks", severity=Severity.MINOR),))
    await apprise_notifier(session, port_of(receiver)).send(make_notification(message))
    assert receiver.requests[0].json()["type"] == "warning"


async def test_a_failed_send_is_retried_without_secrets(
    receiver: Receiver, session: aiohttp.ClientSession, make_notification: Callable[..., Notification]
) -> None:
    receiver.reply(500, f"Cannot POST /hooks/{TOKEN} for alerts:{PASSWORD}")
    notifier = apprise_notifier(session, port_of(receiver))
    failed = await notifier.send(make_notification())
    assert failed.outcome is Outcome.RETRY
    assert failed.detail == "failure: 1 of 1 services failed (JSON: failure)"
    no_secret(failed)
    assert (await notifier.send(make_notification())).outcome is Outcome.DELIVERED


async def test_no_service_is_retried(
    session: aiohttp.ClientSession, make_notification: Callable[..., Notification]
) -> None:
    delivery = await apprise_notifier(session, free_port()).send(make_notification())
    assert delivery.outcome is Outcome.RETRY
    no_secret(delivery)


async def test_a_hanging_service_is_retried_after_the_timeout(
    receiver: Receiver, session: aiohttp.ClientSession, make_notification: Callable[..., Notification]
) -> None:
    receiver.reply(delay=3.0)
    notifier = apprise_notifier(session, port_of(receiver), timeout=0.5)
    started = time.monotonic()
    delivery = await notifier.send(make_notification())
    assert time.monotonic() - started < 2.5  # Apprise's own socket timeouts are 4 s
    assert delivery.outcome is Outcome.RETRY
    assert delivery.detail == "timeout: 1 of 1 services failed (JSON: timeout)"


async def test_the_event_loop_runs_while_apprise_sends(
    receiver: Receiver, session: aiohttp.ClientSession, make_notification: Callable[..., Notification]
) -> None:
    receiver.reply(delay=0.5)  # the receiver runs on this loop too: a blocked loop could not answer
    send = asyncio.create_task(apprise_notifier(session, port_of(receiver)).send(make_notification()))
    await asyncio.sleep(0.1)
    assert not send.done() and len(receiver.requests) == 1  # the request is out, its answer pending
    assert (await send).outcome is Outcome.DELIVERED


class Recorder(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.name}: {record.getMessage()}")


@pytest.fixture
def root_records() -> Iterator[list[str]]:
    """What a handler on the root logger gets at DEBUG: where the daemon's structured handler sits.
    (Not caplog: pytest adds its handlers to non-propagating loggers too.)"""
    root, recorder = logging.getLogger(), Recorder()
    level = root.level
    root.addHandler(recorder)
    root.setLevel(logging.DEBUG)
    try:
        yield recorder.lines
    finally:
        root.removeHandler(recorder)
        root.setLevel(level)


async def test_apprise_logs_never_reach_ours(
    receiver: Receiver,
    session: aiohttp.ClientSession,
    make_notification: Callable[..., Notification],
    root_records: list[str],
    capfd: pytest.CaptureFixture[str],
) -> None:
    receiver.reply(500, f"Cannot POST /hooks/{TOKEN}")
    notifier = apprise_notifier(session, port_of(receiver))
    assert (await notifier.send(make_notification())).outcome is Outcome.RETRY
    assert (await apprise_notifier(session, free_port()).send(make_notification())).outcome is Outcome.RETRY
    logged = [line for line in root_records if line.startswith(("apprise", "urllib3"))]
    assert logged == []
    written = capfd.readouterr()  # nor Python's last-resort handler on stderr
    assert [s for s in SECRETS if s in written.out + written.err] == []


def test_a_url_apprise_cannot_read_is_a_config_error_that_names_no_secret() -> None:
    with pytest.raises(ValidationError) as error:
        AppriseConfig.model_validate(
            {"name": "chat", "type": "apprise", "urls": [json_url(80), f"nosuchservice://{TOKEN}"]}
        )
    problem = error.value.errors()[0]
    assert problem["msg"] == "Value error, urls[1]: not an Apprise URL of a service this build knows"
    assert TOKEN not in problem["msg"]
