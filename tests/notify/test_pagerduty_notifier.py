"""PagerDuty Events API v2: every body we send validates against PagerDuty's own OpenAPI schema.

The schema is `tests/schemas/pagerduty-events-v2-openapiv3.json` (an unmodified upstream copy); the documented
limits it does not encode (tests/schemas/README.md) are checked beside it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from jsonschema import Draft4Validator, FormatChecker
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4
from structlog.testing import capture_logs

from monitor import __version__
from monitor.model import AlertKind, Notification, Severity
from monitor.notify.base import Outcome
from monitor.notify.pagerduty import PagerDutyConfig, PagerDutyNotifier, render, shorten_dedup_key
from tests.notify.conftest import make_alert, make_message, make_notification_for
from tests.notify.receiver import Receiver

SCHEMA_FILE = Path(__file__).resolve().parents[1] / "schemas" / "pagerduty-events-v2-openapiv3.json"
DOC_URI = "urn:pagerduty:events-v2:openapi"
ROUTING_KEY = "R0UT1NGKEYe93facc04764012d7bfb0025"
MAX_EVENT_BYTES = 512 * 1024
ACCEPTED = '{"status":"success","message":"Event processed","dedup_key":"route=0|provider=github"}'

# RFC 3339 date-time, strictly: jsonschema's built-in check needs the optional rfc3339-validator package,
# so the checker gets this one explicitly and date-time is always enforced.
_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")
FORMAT_CHECKER = FormatChecker()


@FORMAT_CHECKER.checks("date-time", raises=ValueError)
def _is_rfc3339(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not _RFC3339.fullmatch(value):
        return False
    datetime.fromisoformat(value.upper().replace("Z", "+00:00"))  # rejects month 13, hour 25, ...
    return True


def enqueue_validator() -> Draft4Validator:
    """The request-body schema of the enqueue operation, with its $refs resolved over the whole document."""
    document = json.loads(SCHEMA_FILE.read_text())
    [(path, method)] = [
        (path, method)
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if isinstance(operation, dict) and operation.get("operationId") == "createV2Event"
    ]
    pointer = "/".join(
        part.replace("~", "~0").replace("/", "~1")
        for part in ("paths", path, method, "requestBody", "content", "application/json", "schema")
    )
    registry = Registry().with_resource(
        DOC_URI, Resource.from_contents(document, default_specification=DRAFT4)
    )
    return Draft4Validator(
        {"$ref": f"{DOC_URI}#/{pointer}"}, registry=registry, format_checker=FORMAT_CHECKER
    )


VALIDATOR = enqueue_validator()


def assert_valid_event(body: bytes) -> dict[str, Any]:
    """Schema plus the documented rules the schema leaves out."""
    assert len(body) <= MAX_EVENT_BYTES
    event: dict[str, Any] = json.loads(body)
    VALIDATOR.validate(event)
    assert len(event["dedup_key"]) <= 255
    if event["event_action"] == "trigger":
        payload = event["payload"]
        assert {"summary", "source", "severity"} <= payload.keys()
        assert len(payload["summary"]) <= 1024
        if "timestamp" in payload:
            assert "+0000" not in payload["timestamp"]
            assert payload["timestamp"].endswith(("Z", "+00:00"))
    return event


def notifier(
    url: str, session: aiohttp.ClientSession, *, timeout: float = 5.0, client_url: str | None = None
) -> PagerDutyNotifier:
    config = PagerDutyConfig(
        name="oncall",
        type="pagerduty",
        routing_key=ROUTING_KEY,
        url=url,
        timeout=timeout,
        client_url=client_url,
    )
    return PagerDutyNotifier(config, session)


def test_the_validator_bites() -> None:
    """The harness rejects what PagerDuty rejects, or a passing test would prove nothing."""
    valid: dict[str, Any] = {
        "routing_key": "k",
        "event_action": "trigger",
        "payload": {"summary": "s", "source": "x", "severity": "error", "timestamp": "2026-11-23T12:00:00Z"},
    }
    VALIDATOR.validate(valid)
    broken = [
        {**valid, "event_action": "page"},
        {**valid, "payload": {**valid["payload"], "severity": "major"}},
        {**valid, "payload": {**valid["payload"], "timestamp": "2015-07-17T08:42:58.315+0000"}},
        {**valid, "payload": {"summary": "s", "severity": "error"}},
        {"event_action": "resolve", "dedup_key": "d"},
    ]
    for event in broken:
        with pytest.raises(ValidationError):
            VALIDATOR.validate(event)


def alert_details(name: str, *, severity: str = "major", minutes: int = 0, **more: Any) -> dict[str, Any]:
    """What custom_details shows of a `make_alert(name)` alert."""
    slug = name.lower().replace(" ", "-")
    started = f"2026-11-23T12:{30 + minutes}:05Z"
    return {
        "key": f"github/component/{slug}",
        "provider": "github",
        "kind": "component",
        "severity": severity,
        "summary": name,
        "title": f"github: {name} is partial_outage",
        "labels": {"provider": "github", "kind": "component", "severity": severity, "component": name},
        "component": name,
        "detail": f"We are investigating reports of degraded performance for {name}.",
        "url": f"https://www.githubstatus.com/incidents/{slug}",
        "started_at": started,
        "updated_at": started,
        **more,
    }


async def test_a_group_triggers_one_incident_over_http(
    receiver: Receiver, session: aiohttp.ClientSession, make_notification: Callable[..., Notification]
) -> None:
    receiver.reply(202, ACCEPTED)
    delivery = await notifier(receiver.url("/v2/enqueue"), session).send(make_notification())

    assert delivery.outcome is Outcome.DELIVERED
    assert delivery.detail == f"HTTP 202: {ACCEPTED}"
    [request] = receiver.requests
    assert (request.method, request.path) == ("POST", "/v2/enqueue")
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["User-Agent"] == f"outage-monitor/{__version__}"
    assert assert_valid_event(request.body) == {
        "routing_key": ROUTING_KEY,
        "event_action": "trigger",
        "dedup_key": "route=0|provider=github",
        "payload": {
            "summary": "github: major outage — Git Operations, API Requests",
            "source": "github",
            "severity": "critical",
            "timestamp": "2026-11-23T12:31:05Z",
            "class": "component",
            "custom_details": {
                "group_key": "route=0|provider=github",
                "reason": "firing",
                "firing": [
                    alert_details("Git Operations", severity="critical", minutes=1),
                    alert_details("API Requests"),
                ],
                "resolved": [],
            },
        },
        "client": "outage-monitor",
        "links": [
            {
                "href": "https://www.githubstatus.com/incidents/git-operations",
                "text": "github: Git Operations",
            },
            {"href": "https://www.githubstatus.com/incidents/api-requests", "text": "github: API Requests"},
        ],
        "client_url": "https://www.githubstatus.com/incidents/git-operations",
    }


@pytest.mark.parametrize(
    ("severity", "expected"),
    [
        (Severity.CRITICAL, "critical"),
        (Severity.MAJOR, "error"),
        (Severity.MINOR, "warning"),
        (Severity.INFO, "info"),
    ],
)
def test_the_worst_severity_sets_the_incident_severity(severity: Severity, expected: str) -> None:
    message = make_message(severity=severity, reason="escalated")
    sent = assert_valid_event(json.dumps(render(message, ROUTING_KEY)).encode())
    assert (sent["event_action"], sent["payload"]["severity"]) == ("trigger", expected)


async def test_every_later_notification_updates_and_the_end_resolves_the_same_incident(
    receiver: Receiver, session: aiohttp.ClientSession
) -> None:
    pagerduty = notifier(receiver.url("/v2/enqueue"), session)
    git, api = make_alert("Git Operations", severity=Severity.CRITICAL), make_alert("API Requests")
    steps = [
        make_message(firing=(api,)),
        make_message(firing=(git, api), reason="escalated"),
        make_message(
            firing=(git,), resolved=(make_alert("API Requests", resolved_after=9),), reason="changed"
        ),
        make_message(
            firing=(), resolved=(make_alert("Git Operations", resolved_after=20),), title="github: resolved"
        ),
    ]
    for step, message in enumerate(steps):
        receiver.reply(202, ACCEPTED)
        delivery = await pagerduty.send(make_notification_for(message, id=f"n{step}"))
        assert delivery.outcome is Outcome.DELIVERED

    sent = [assert_valid_event(r.body) for r in receiver.requests]
    assert [event["event_action"] for event in sent] == ["trigger", "trigger", "trigger", "resolve"]
    assert {event["dedup_key"] for event in sent} == {"route=0|provider=github"}
    assert sent[-1] == {
        "routing_key": ROUTING_KEY,
        "event_action": "resolve",
        "dedup_key": "route=0|provider=github",
    }
    assert [event["payload"]["severity"] for event in sent[:3]] == ["error", "critical", "critical"]
    changed = sent[2]["payload"]["custom_details"]
    assert [a["summary"] for a in changed["firing"]] == ["Git Operations"]
    assert changed["resolved"] == [alert_details("API Requests", resolved_at="2026-11-23T12:39:05Z")]


def test_related_alerts_name_their_likely_cause_and_truncated_lists_say_how_many_more() -> None:
    stripe = make_alert("Payments", provider="stripe", kind=AlertKind.INCIDENT, url=None, detail=None)
    message = make_message(related=(stripe,), related_total=4, firing_total=7, resolved_total=0)
    details = render(message, ROUTING_KEY)["payload"]["custom_details"]

    assert details["firing"][-1] == "and 5 more"
    assert details["related"] == [
        {
            "key": "stripe/incident/payments",
            "provider": "stripe",
            "kind": "incident",
            "severity": "major",
            "summary": "Payments",
            "title": "stripe: Payments is partial_outage",
            "labels": {"provider": "stripe", "kind": "incident", "severity": "major"},
            "started_at": "2026-11-23T12:30:05Z",
            "updated_at": "2026-11-23T12:30:05Z",
            "likely_caused_by": "github",
        },
        "and 3 more",
    ]


def test_a_group_of_several_providers_comes_from_outage_monitor() -> None:
    message = make_message(firing=(make_alert("API"), make_alert("API", provider="stripe")))
    assert render(message, ROUTING_KEY)["payload"]["source"] == "outage-monitor"


def test_huge_texts_twenty_alerts_and_a_300_char_key_stay_within_limits() -> None:
    long_key = "route=0|provider=" + "k" * 283
    assert len(long_key) == 300
    huge = [
        make_alert(
            f"N{n}" + "N" * 100_000,
            title="Outage " * 1000,
            detail="\U0001f525 burning " * 200_000,  # about 2 MB of UTF-8 with 4-byte characters
            url="https://status.example.com/" + "p" * 100_000,
        )
        for n in range(20)
    ]
    message = make_message(
        firing=tuple(huge), resolved=tuple(huge), related=tuple(huge), group_key=long_key, title="T" * 5000
    )
    trigger = assert_valid_event(json.dumps(render(message, ROUTING_KEY), ensure_ascii=False).encode())
    resolved = make_message(firing=(), resolved=tuple(huge), group_key=long_key)
    resolve = assert_valid_event(json.dumps(render(resolved, ROUTING_KEY)).encode())

    assert len(trigger["dedup_key"]) == 255
    assert trigger["dedup_key"] == resolve["dedup_key"]
    assert trigger["dedup_key"].startswith("route=0|provider=kkk")
    assert len(trigger["payload"]["summary"]) == 1024
    first = trigger["payload"]["custom_details"]["firing"][0]
    assert first["detail"].startswith("\U0001f525 burning") and len(first["detail"]) == 1024
    assert "url" not in first  # an absurd URL is dropped, not cut into a broken link
    assert "links" not in trigger


def test_long_dedup_keys_shorten_deterministically_and_distinctly() -> None:
    a = "p/incident/" + "x" * 300 + "a"
    b = "p/incident/" + "x" * 300 + "b"
    assert shorten_dedup_key(a) == shorten_dedup_key(a)
    assert shorten_dedup_key(a) != shorten_dedup_key(b)
    assert len(shorten_dedup_key(a)) == 255
    exactly = "k" * 255
    assert shorten_dedup_key(exactly) == exactly


@pytest.mark.parametrize(
    "updated_at",
    [
        datetime(2026, 11, 23, 14, 30, 5, tzinfo=timezone(timedelta(hours=2))),
        datetime(2026, 11, 23, 12, 30, 5),  # naive: the engine's UTC
    ],
)
def test_timestamps_are_utc_rfc3339(updated_at: datetime) -> None:
    message = make_message(firing=(make_alert(updated_at=updated_at),))
    sent = assert_valid_event(json.dumps(render(message, ROUTING_KEY)).encode())
    assert sent["payload"]["timestamp"] == "2026-11-23T12:30:05Z"


async def test_client_url_from_config(
    receiver: Receiver, session: aiohttp.ClientSession, make_notification: Callable[..., Notification]
) -> None:
    receiver.reply(202, ACCEPTED)
    pagerduty = notifier(receiver.url("/v2/enqueue"), session, client_url="https://monitor.example.com/")
    await pagerduty.send(make_notification())
    assert receiver.requests[0].json()["client_url"] == "https://monitor.example.com/"


@pytest.mark.parametrize(
    ("status", "body", "headers", "outcome", "retry_after"),
    [
        (400, '{"status":"invalid event","message":"Event object is invalid"}', {}, Outcome.PERMANENT, None),
        (404, "not found", {}, Outcome.PERMANENT, None),
        (429, '{"status":"throttle exceeded"}', {"Retry-After": "60"}, Outcome.RETRY, 60.0),
        (429, '{"status":"throttle exceeded"}', {}, Outcome.RETRY, None),
        (500, "internal error", {}, Outcome.RETRY, None),
        (502, "bad gateway", {}, Outcome.RETRY, None),
    ],
)
async def test_pagerduty_answers_are_classified(
    receiver: Receiver,
    session: aiohttp.ClientSession,
    make_notification: Callable[..., Notification],
    status: int,
    body: str,
    headers: dict[str, str],
    outcome: Outcome,
    retry_after: float | None,
) -> None:
    receiver.reply(status, body, headers)
    delivery = await notifier(receiver.url("/v2/enqueue"), session).send(make_notification())
    assert (delivery.outcome, delivery.retry_after) == (outcome, retry_after)
    assert delivery.detail == f"HTTP {status}: {body}"


async def test_timeout_and_refused_connection_are_retried(
    receiver: Receiver,
    session: aiohttp.ClientSession,
    make_notification: Callable[..., Notification],
    refused_url: Callable[[str], str],
) -> None:
    receiver.reply(202, ACCEPTED, delay=2.0)
    slow = await notifier(receiver.url("/v2/enqueue"), session, timeout=0.2).send(make_notification())
    assert (slow.outcome, slow.detail) == (Outcome.RETRY, "timeout after 0.2s")
    refused = await notifier(refused_url("/v2/enqueue"), session).send(make_notification())
    assert (refused.outcome, refused.detail) == (Outcome.RETRY, "connection error: ConnectionRefusedError")


async def test_the_routing_key_never_shows(
    receiver: Receiver, session: aiohttp.ClientSession, make_notification: Callable[..., Notification]
) -> None:
    receiver.reply(400, f'{{"status":"invalid event","errors":["unknown routing_key {ROUTING_KEY}"]}}')
    pagerduty = notifier(receiver.url("/v2/enqueue"), session)
    with capture_logs() as logs:
        delivery = await pagerduty.send(make_notification())
    assert delivery.outcome is Outcome.PERMANENT
    assert "unknown routing_key [redacted]" in delivery.detail
    for shown in (delivery.detail, repr(delivery), repr(pagerduty.config), str(pagerduty.config), repr(logs)):
        assert ROUTING_KEY not in shown
