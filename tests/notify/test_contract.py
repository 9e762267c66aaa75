"""The contract every notifier keeps, checked for each one in the registry over real loopback HTTP.

A service's answer is classified the same way for every notifier: 2xx delivered; 429 retried after its
Retry-After; 5xx retried; 401 (any other 4xx) permanent; no answer within the timeout retried. Whatever the
service echoes back, no secret of the notifier's config appears in the detail that is logged and stored.
A new notifier brings one entry in SAMPLES (a type with two modes, one per mode, named "<type> (<mode>)"): a
config with secrets, pointed at the loopback receiver.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from pydantic import TypeAdapter

from monitor.config import AnyNotifierConfig
from monitor.model import Notification
from monitor.notify import NOTIFIERS, build_notifier
from monitor.notify.base import Delivery, Outcome

TOKEN = "T0KEN5ecret9f3a1c7e2b"
KEY = "K3Yr0ut1ngd41b2c3d4e5f6a7b8c9d0e1"
HMAC = "whsec_c2VjcmV0LWtleS1mb3ItdGVzdHM="
HEADER = "Bearer h34d3rv4lu3abcdef"
SECRETS = (TOKEN, KEY, HMAC, HEADER)
TIMEOUT = 0.5


@dataclass(frozen=True)
class Sample:
    """A config for one notifier type; `ok` is the body its service answers a good request with."""

    config: Callable[[str], dict[str, Any]]  # the receiver's base URL -> the notifier's config
    ok: tuple[int, str]


SAMPLES: dict[str, Sample | None] = {  # None: a notifier that talks to no service (nothing to classify)
    "slack": Sample(
        lambda base: {
            "type": "slack",
            "webhook_url": f"{base}/services/T0AAA/B0BBB/{TOKEN}",
            "timeout": TIMEOUT,
        },
        (200, "ok"),
    ),
    "slack (bot token)": Sample(
        lambda base: {
            "type": "slack",
            "token": TOKEN,
            "channel": "#ops",
            "api_url": f"{base}/api",
            "timeout": TIMEOUT,
        },
        (200, '{"ok":true,"channel":"C123","ts":"1700000000.000100"}'),
    ),
    "pagerduty": Sample(
        lambda base: {
            "type": "pagerduty",
            "routing_key": KEY,
            "url": f"{base}/v2/enqueue",
            "timeout": TIMEOUT,
        },
        (202, '{"status":"success","message":"Event processed","dedup_key":"x"}'),
    ),
    "webhook": Sample(
        lambda base: {
            "type": "webhook",
            "url": f"{base}/hooks/{TOKEN}?token={TOKEN}",
            "secret": HMAC,
            "headers": {"Authorization": HEADER},
            "timeout": TIMEOUT,
        },
        (204, ""),
    ),
    "log": None,
    "atlassian_statuspage": Sample(
        lambda base: {
            "type": "atlassian_statuspage",
            "page_id": "pg42",
            "api_key": KEY,
            "url": f"{base}/v1",
            "components": [{"id": "cmp_api", "providers": ["github"]}],  # one component: one request
            "timeout": TIMEOUT,
        },
        (200, '{"id":"cmp_api","status":"major_outage"}'),
    ),
    "instatus": Sample(
        lambda base: {
            "type": "instatus",
            "page_id": "pg42",
            "api_key": KEY,
            "url": base,
            "components": [{"id": "cmp_api", "providers": ["github"]}],
            "timeout": TIMEOUT,
        },
        (200, '{"id":"cmp_api","status":"MAJOROUTAGE"}'),
    ),
    "alertmanager": Sample(
        lambda base: {"type": "alertmanager", "urls": [f"{base}/proxy/{TOKEN}"], "timeout": TIMEOUT},
        (200, ""),
    ),
    "opsgenie": Sample(
        lambda base: {"type": "opsgenie", "api_key": KEY, "url": f"{base}/{TOKEN}", "timeout": TIMEOUT},
        (202, '{"result":"Request will be processed","took":0.01,"requestId":"43a29c5c"}'),
    ),
    "teams": Sample(
        lambda base: {
            "type": "teams",
            "url": f"{base}/workflows/abc/triggers/manual/paths/invoke?api-version=1&sig={TOKEN}",
            "timeout": TIMEOUT,
        },
        (202, ""),
    ),
    "discord": Sample(
        lambda base: {
            "type": "discord",
            "webhook_url": f"https://discord.com/api/webhooks/1234567890/{TOKEN}",
            "url": base,
            "timeout": TIMEOUT,
        },
        (200, '{"id":"1","webhook_id":"1234567890","embeds":[]}'),
    ),
}
# Notifiers that speak no HTTP answer to classify this way; each module's own tests classify its answers.
OWN_CLASSIFICATION = {"email": "test_email_notifier.py", "apprise": "test_apprise_notifier.py"}


class EchoingService:
    """Answers every request with one scripted status; error answers echo the whole request back, as
    misconfigured proxies and frameworks do ("Cannot POST /hooks/<token>")."""

    def __init__(self) -> None:
        self.status, self.body, self.headers, self.hang = 200, "ok", dict[str, str](), False
        self.requests = 0

    async def handle(self, request: web.Request) -> web.Response:
        self.requests += 1
        if self.hang:
            await asyncio.sleep(TIMEOUT * 10)
        body = self.body
        if self.status >= 400:
            # the parts that carry secrets first: the detail keeps only the start of an answer
            auth = request.headers.get("Authorization", "")
            body = f"Cannot {request.method} {request.path_qs} {auth} {await request.text()}"
        return web.Response(status=self.status, text=body, headers=self.headers)


@pytest.fixture
async def service() -> AsyncIterator[tuple[EchoingService, str]]:
    echo = EchoingService()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", echo.handle)
    server = TestServer(app, host="127.0.0.1", port=0)
    await server.start_server()
    try:
        yield echo, str(server.make_url("")).rstrip("/")
    finally:
        await server.close()


def test_every_registered_notifier_has_a_sample() -> None:
    assert {name.partition(" ")[0] for name in SAMPLES} | set(OWN_CLASSIFICATION) == set(NOTIFIERS)
    assert all((Path(__file__).parent / tests).is_file() for tests in OWN_CLASSIFICATION.values())


ANSWERS = {
    "2xx": (None, Outcome.DELIVERED, None),
    "429 with Retry-After": ((429, {"Retry-After": "7"}), Outcome.RETRY, 7.0),
    "503": ((503, {}), Outcome.RETRY, None),
    "401": ((401, {}), Outcome.PERMANENT, None),
    "a hang": ("hang", Outcome.RETRY, None),
}
WIRED = sorted(name for name, sample in SAMPLES.items() if sample is not None)


@pytest.mark.parametrize("answer", list(ANSWERS))
@pytest.mark.parametrize("type_name", WIRED)
async def test_the_answer_is_classified_and_no_secret_leaks(
    type_name: str,
    answer: str,
    service: tuple[EchoingService, str],
    make_notification: Callable[..., Notification],
) -> None:
    echo, base = service
    sample = SAMPLES[type_name]
    assert sample is not None
    scripted, expected, retry_after = ANSWERS[answer]
    if scripted == "hang":
        echo.hang = True
    elif scripted is None:
        echo.status, echo.body = sample.ok
    else:
        assert isinstance(scripted, tuple)
        echo.status, echo.headers = scripted
    config = TypeAdapter(AnyNotifierConfig).validate_python({"name": "contract", **sample.config(base)})
    async with aiohttp.ClientSession() as session:
        delivery: Delivery = await build_notifier(config, session).send(make_notification())
    assert echo.requests == 1, "one send is one request: retries belong to the dispatcher"
    assert delivery.outcome is expected, delivery.detail
    assert delivery.retry_after == retry_after
    leaked = [secret for secret in SECRETS if secret in delivery.detail or secret in repr(delivery)]
    assert leaked == [], delivery.detail


async def test_a_notifier_without_a_service_delivers(make_notification: Callable[..., Notification]) -> None:
    for type_name in (name for name, sample in SAMPLES.items() if sample is None):
        config = TypeAdapter(AnyNotifierConfig).validate_python({"name": "contract", "type": type_name})
        async with aiohttp.ClientSession() as session:
            delivery = await build_notifier(config, session).send(make_notification())
        assert delivery.outcome is Outcome.DELIVERED
