"""Generic webhook: the documented body, Standard Webhooks signatures checked independently, secrets kept."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import aiohttp
import pytest
from pydantic import ValidationError
from structlog.testing import capture_logs

from monitor import __version__
from monitor.model import Notification, Severity
from monitor.notify.base import Outcome
from monitor.notify.webhook import WebhookConfig, WebhookNotifier, render
from tests.notify.conftest import make_alert, make_message, make_notification_for
from tests.notify.receiver import Receiver

DOC = Path(__file__).resolve().parents[2] / "docs" / "webhook.md"
KEY_BYTES = bytes(range(32))
WHSEC = "whsec_" + base64.b64encode(KEY_BYTES).decode()
RAW_SECRET = "correct horse battery staple"
BEARER = "Bearer b3ar3r-t0ken-value"
URL_TOKEN = "hook-t0ken-123"


def notifier(
    url: str,
    session: aiohttp.ClientSession,
    *,
    secret: str | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 5.0,
) -> WebhookNotifier:
    config = WebhookConfig(
        name="receiver", type="webhook", url=url, secret=secret, headers=headers or {}, timeout=timeout
    )
    return WebhookNotifier(config, session)


def expected_signature(key: bytes, webhook_id: str, timestamp: str, body: bytes) -> str:
    """Standard Webhooks v1, computed here from scratch rather than with the notifier's helper."""
    mac = hmac.new(key, webhook_id.encode() + b"." + timestamp.encode() + b"." + body, hashlib.sha256)
    return "v1," + base64.b64encode(mac.digest()).decode()


def changed_group() -> Notification:
    """The documented example: Git Operations still fires, API Requests resolved since last told."""
    message = make_message(
        firing=(make_alert("Git Operations", severity=Severity.CRITICAL, minutes=1),),
        resolved=(make_alert("API Requests", resolved_after=9),),
        reason="changed",
    )
    return make_notification_for(message)


async def test_posts_one_body_per_group_with_headers(
    receiver: Receiver, session: aiohttp.ClientSession
) -> None:
    receiver.reply(204, "")
    hook = notifier(receiver.url(f"/in/{URL_TOKEN}?via=monitor"), session, headers={"Authorization": BEARER})
    delivery = await hook.send(changed_group())

    assert (delivery.outcome, delivery.detail) == (Outcome.DELIVERED, "HTTP 204")
    [request] = receiver.requests
    assert (request.method, request.path, request.query) == ("POST", f"/in/{URL_TOKEN}", "via=monitor")
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["User-Agent"] == f"outage-monitor/{__version__}"
    assert request.headers["Authorization"] == BEARER
    assert request.headers["webhook-id"] == "01JDN3V2M9ZKQX4Y5B6C7D8E9F"
    assert "webhook-signature" not in request.headers  # no secret, no signature
    assert "webhook-timestamp" not in request.headers
    body = request.json()
    assert body["notification_id"] == request.headers["webhook-id"]
    assert (body["group_key"], body["status"], body["reason"], body["severity"]) == (
        "route=0|provider=github",
        "firing",
        "changed",
        "critical",
    )
    assert [a["key"] for a in body["firing"]] == ["github/component/git-operations"]
    assert body["resolved"][0]["resolved_at"] == "2026-11-23T12:39:05Z"
    assert body["firing"][0]["labels"] == {
        "provider": "github",
        "kind": "component",
        "severity": "critical",
        "component": "Git Operations",
    }


def test_related_alerts_and_counts_of_a_cut_list() -> None:
    source = make_alert("status page unreachable", provider="stripe", url=None, detail=None, component=None)
    message = make_message(related=(source,), related_total=1, firing_total=23)
    body = json.loads(render(make_notification_for(message)))
    assert (body["firing_total"], len(body["firing"]), body["truncated"]) == (23, 2, True)
    [related] = body["related"]
    assert (related["provider"], related["url"], related["component"], related["resolved_at"]) == (
        "stripe",
        None,
        None,
        None,
    )


def test_a_resolved_group_lists_what_resolved() -> None:
    message = make_message(firing=(), resolved=(make_alert("API Requests", resolved_after=3),))
    body = json.loads(render(make_notification_for(message)))
    assert (body["status"], body["reason"], body["severity"], body["firing"]) == (
        "resolved",
        "resolved",
        "major",
        [],
    )
    assert body["resolved"][0]["resolved_at"] == "2026-11-23T12:33:05Z"


@pytest.mark.parametrize(("secret", "key"), [(WHSEC, KEY_BYTES), (RAW_SECRET, RAW_SECRET.encode())])
async def test_signature_verifies_independently(
    receiver: Receiver,
    session: aiohttp.ClientSession,
    make_notification: Callable[..., Notification],
    secret: str,
    key: bytes,
) -> None:
    before = int(time.time())
    await notifier(receiver.url("/in"), session, secret=secret).send(make_notification())
    after = int(time.time())

    [request] = receiver.requests
    timestamp = request.headers["webhook-timestamp"]
    assert re.fullmatch(r"\d+", timestamp)
    assert before <= int(timestamp) <= after
    assert request.headers["webhook-signature"] == expected_signature(
        key, request.headers["webhook-id"], timestamp, request.body
    )
    wrong = expected_signature(b"not the key", request.headers["webhook-id"], timestamp, request.body)
    assert request.headers["webhook-signature"] != wrong


async def test_retries_carry_the_same_id_and_body(
    receiver: Receiver,
    session: aiohttp.ClientSession,
    make_notification: Callable[..., Notification],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    receiver.reply(503, "busy")
    receiver.reply(200, "ok")
    hook = notifier(receiver.url("/in"), session, secret=WHSEC)
    notification = make_notification()
    clock = iter([1_800_000_000.0, 1_800_000_042.0])
    monkeypatch.setattr("monitor.notify.webhook.time", SimpleNamespace(time=lambda: next(clock)))
    first = await hook.send(notification)
    second = await hook.send(notification)

    assert (first.outcome, second.outcome) == (Outcome.RETRY, Outcome.DELIVERED)
    one, two = receiver.requests
    assert one.headers["webhook-id"] == two.headers["webhook-id"] == notification.id
    assert one.body == two.body
    assert (one.headers["webhook-timestamp"], two.headers["webhook-timestamp"]) == (
        "1800000000",
        "1800000042",
    )
    for request in (one, two):
        assert request.headers["webhook-signature"] == expected_signature(
            KEY_BYTES, notification.id, request.headers["webhook-timestamp"], request.body
        )
    assert one.headers["webhook-signature"] != two.headers["webhook-signature"]


def docs_example() -> dict[str, Any]:
    [example] = re.findall(r"```json\n(.*?)```", DOC.read_text(), flags=re.S)
    parsed: dict[str, Any] = json.loads(example)
    return parsed


def docs_verifier() -> Callable[[str, dict[str, str], bytes], bool]:
    [snippet] = re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.S)
    namespace: dict[str, Any] = {}
    exec(compile(snippet, str(DOC), "exec"), namespace)
    verify: Callable[[str, dict[str, str], bytes], bool] = namespace["verify"]
    return verify


async def test_the_documentation_matches_what_is_sent(
    receiver: Receiver, session: aiohttp.ClientSession
) -> None:
    await notifier(receiver.url("/in"), session).send(changed_group())
    assert receiver.requests[0].json() == docs_example()


@pytest.mark.parametrize(("secret", "key"), [(WHSEC, KEY_BYTES), (RAW_SECRET, RAW_SECRET.encode())])
async def test_the_documented_receiver_check_accepts_ours_and_rejects_tampering(
    receiver: Receiver,
    session: aiohttp.ClientSession,
    make_notification: Callable[..., Notification],
    secret: str,
    key: bytes,
) -> None:
    verify = docs_verifier()
    await notifier(receiver.url("/in"), session, secret=secret).send(make_notification())
    [request] = receiver.requests
    headers = {name.lower(): value for name, value in request.headers.items()}

    assert verify(secret, headers, request.body)
    assert not verify(secret, headers, request.body.replace(b"partial_outage", b"major_outage"))
    assert not verify("whsec_" + base64.b64encode(b"other key").decode(), headers, request.body)
    stale = {**headers, "webhook-timestamp": str(int(headers["webhook-timestamp"]) - 301)}
    stale["webhook-signature"] = expected_signature(
        key, stale["webhook-id"], stale["webhook-timestamp"], request.body
    )
    assert not verify(secret, stale, request.body)  # correctly signed, but too old: a replay


@pytest.mark.parametrize(
    ("status", "headers", "outcome", "retry_after"),
    [
        (500, {}, Outcome.RETRY, None),
        (429, {"Retry-After": "17"}, Outcome.RETRY, 17.0),
        (400, {}, Outcome.PERMANENT, None),
        (404, {}, Outcome.PERMANENT, None),
        (410, {}, Outcome.PERMANENT, None),
    ],
)
async def test_receiver_answers_are_classified(
    receiver: Receiver,
    session: aiohttp.ClientSession,
    make_notification: Callable[..., Notification],
    status: int,
    headers: dict[str, str],
    outcome: Outcome,
    retry_after: float | None,
) -> None:
    receiver.reply(status, "answer", headers)
    delivery = await notifier(receiver.url("/in"), session).send(make_notification())
    assert (delivery.outcome, delivery.retry_after, delivery.detail) == (
        outcome,
        retry_after,
        f"HTTP {status}: answer",
    )


async def test_timeout_and_refused_connection_are_retried(
    receiver: Receiver,
    session: aiohttp.ClientSession,
    make_notification: Callable[..., Notification],
    refused_url: Callable[[str], str],
) -> None:
    receiver.reply(200, "ok", delay=2.0)
    slow = await notifier(receiver.url("/in"), session, timeout=0.2).send(make_notification())
    assert (slow.outcome, slow.detail) == (Outcome.RETRY, "timeout after 0.2s")
    refused = await notifier(refused_url("/in"), session).send(make_notification())
    assert (refused.outcome, refused.detail) == (Outcome.RETRY, "connection error: ConnectionRefusedError")


async def test_url_secret_and_header_values_never_show(
    receiver: Receiver, session: aiohttp.ClientSession, make_notification: Callable[..., Notification]
) -> None:
    receiver.reply(401, f"bad auth {BEARER} for /in/{URL_TOKEN} signed with {RAW_SECRET}")
    hook = notifier(
        receiver.url(f"/in/{URL_TOKEN}"), session, secret=RAW_SECRET, headers={"Authorization": BEARER}
    )
    with capture_logs() as logs:
        delivery = await hook.send(make_notification())
    assert delivery.outcome is Outcome.PERMANENT
    for shown in (delivery.detail, repr(delivery), repr(hook.config), str(hook.config), repr(logs)):
        for secret in ("b3ar3r-t0ken-value", URL_TOKEN, RAW_SECRET):
            assert secret not in shown


def test_a_malformed_whsec_secret_is_a_config_error(session: aiohttp.ClientSession) -> None:
    """Refused when the config is validated, so `outage-monitor check` reports it; monitor.config words the
    error for people and redacts the value (tests/config/test_config_secrets.py)."""
    with pytest.raises(ValidationError, match="not valid base64"):
        notifier("https://hooks.example.com/in", session, secret="whsec_!!n0t-base64-s3cret!!")


@pytest.mark.parametrize("name", ["webhook-id", "Webhook-Signature", "content-type"])
def test_extra_headers_cannot_replace_ours(session: aiohttp.ClientSession, name: str) -> None:
    with pytest.raises(ValidationError, match="set by the notifier itself"):
        notifier("https://hooks.example.com/in", session, headers={name: "x"})
