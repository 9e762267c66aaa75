"""Slack incoming webhook: what Slack receives, how its answers are classified, that the URL stays secret."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import aiohttp
import pytest
from structlog.testing import capture_logs

from monitor import __version__
from monitor.model import Event, EventKind, Notification, Severity
from monitor.notify.base import Outcome
from monitor.notify.slack import SlackConfig, SlackNotifier, render
from tests.notify.receiver import Receiver

TOKEN_PATH = "/services/T0001/B0002/XXXXsecretXXXX"


def notifier(url: str, session: aiohttp.ClientSession, timeout: float = 5.0) -> SlackNotifier:
    config = SlackConfig(name="ops-slack", type="slack", webhook_url=url, timeout=timeout)
    return SlackNotifier(config, session)


def field_texts(message: dict[str, Any]) -> list[str]:
    [fields_block] = [b for b in message["blocks"] if b["type"] == "section" and "fields" in b]
    return [f["text"] for f in fields_block["fields"]]


async def test_posts_a_block_kit_message(
    receiver: Receiver, session: aiohttp.ClientSession, make_notification: Callable[..., Notification]
) -> None:
    delivery = await notifier(receiver.url(TOKEN_PATH), session).send(make_notification())

    assert delivery.outcome is Outcome.DELIVERED
    assert delivery.detail == "HTTP 200: ok"
    [request] = receiver.requests
    assert (request.method, request.path) == ("POST", TOKEN_PATH)
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["User-Agent"] == f"outage-monitor/{__version__}"
    assert request.json() == {
        "text": ":large_orange_circle: GitHub: API Requests is partial_outage",
        "blocks": [
            {
                "type": "header",
                "text": {
                    "type": "plain_text",
                    "text": ":large_orange_circle: GitHub: API Requests is partial_outage",
                    "emoji": True,
                },
            },
            {
                "type": "section",
                "fields": [
                    {"type": "mrkdwn", "text": "*Provider*\ngithub"},
                    {"type": "mrkdwn", "text": "*Component*\nAPI Requests"},
                    {"type": "mrkdwn", "text": "*Group*\nCore"},
                    {"type": "mrkdwn", "text": "*Status*\noperational → partial_outage"},
                    {"type": "mrkdwn", "text": "*Impact*\nmajor"},
                    {"type": "mrkdwn", "text": "*Severity*\nmajor"},
                ],
            },
            {
                "type": "section",
                "text": {
                    "type": "plain_text",
                    "text": "We are investigating reports of degraded performance for API Requests.",
                    "emoji": True,
                },
            },
            {
                "type": "context",
                "elements": [
                    {
                        "type": "mrkdwn",
                        "text": "Detected 2026-11-23T12:30:05Z · "
                        "<https://www.githubstatus.com/incidents/x7xqj6hdbdnk|Open status page>",
                    }
                ],
            },
        ],
        "unfurl_links": False,
        "unfurl_media": False,
    }


def test_a_resolution_reads_as_resolved(make_event: Callable[..., Event]) -> None:
    event = make_event(
        resolves=True,
        severity=Severity.INFO,
        title="GitHub: API Requests is operational",
        old_status="partial_outage",
        new_status="operational",
    )
    message = render(event)
    assert message["text"] == ":white_check_mark: Resolved: GitHub: API Requests is operational"
    assert message["blocks"][0]["text"]["text"].startswith(":white_check_mark: Resolved:")
    assert "*Severity*\nresolved" in field_texts(message)
    assert "*Status*\npartial_outage → operational" in field_texts(message)


@pytest.mark.parametrize(
    ("kind", "severity", "emoji"),
    [
        (EventKind.INCIDENT_OPENED, Severity.CRITICAL, ":red_circle:"),
        (EventKind.INCIDENT_UPDATED, Severity.MINOR, ":large_yellow_circle:"),
        (EventKind.COMPONENT_CHANGED, Severity.INFO, ":large_blue_circle:"),
        (EventKind.MAINTENANCE_STARTED, Severity.INFO, ":wrench:"),
        (EventKind.SOURCE_UNREACHABLE, Severity.MAJOR, ":warning:"),
    ],
)
def test_the_emoji_says_what_kind_of_news(
    make_event: Callable[..., Event], kind: EventKind, severity: Severity, emoji: str
) -> None:
    assert render(make_event(kind=kind, severity=severity))["text"].startswith(emoji + " ")


def test_incident_fields_and_link(make_event: Callable[..., Event]) -> None:
    event = make_event(
        kind=EventKind.INCIDENT_OPENED,
        subject_name="Disruption with some GitHub services",
        old_status=None,
        new_status="investigating",
        group=None,
    )
    message = render(event)
    assert field_texts(message) == [
        "*Provider*\ngithub",
        "*Incident*\nDisruption with some GitHub services",
        "*Status*\ninvestigating",
        "*Impact*\nmajor",
        "*Severity*\nmajor",
    ]
    assert message["blocks"][-1]["elements"][0]["text"].endswith(
        "<https://www.githubstatus.com/incidents/x7xqj6hdbdnk|Open incident>"
    )


def test_a_source_event_without_detail_or_url(make_event: Callable[..., Event]) -> None:
    event = make_event(
        kind=EventKind.SOURCE_UNREACHABLE,
        subject_id=None,
        subject_name=None,
        old_status=None,
        new_status=None,
        impact=None,
        group=None,
        detail=None,
        url=None,
    )
    message = render(event)
    assert [b["type"] for b in message["blocks"]] == ["header", "section", "context"]
    assert field_texts(message) == ["*Provider*\ngithub", "*Severity*\nmajor"]
    assert message["blocks"][-1]["elements"][0]["text"] == "Detected 2026-11-23T12:30:05Z"


def test_texts_are_cut_to_slack_limits(make_event: Callable[..., Event]) -> None:
    event = make_event(
        title="T" * 500, detail="D" * 10_000, subject_name="N" * 5000, url="https://x/" + "u" * 5000
    )
    message = render(event)
    header = message["blocks"][0]["text"]["text"]
    assert len(header) == 150
    assert header.endswith("…")
    [detail_block] = [b for b in message["blocks"] if b["type"] == "section" and "text" in b]
    assert len(detail_block["text"]["text"]) == 3000
    assert all(len(text) <= 2000 for text in field_texts(message))
    assert "u" * 100 not in message["blocks"][-1]["elements"][0]["text"]  # an absurd URL is left out, not cut
    assert len(message["text"]) <= 3000


def test_third_party_text_cannot_ping_or_inject_links(make_event: Callable[..., Event]) -> None:
    event = make_event(
        title="Acme: <!channel> & <https://evil.example|login> is partial_outage",
        subject_name="<!here> API",
        detail="<!channel> please <https://evil.example|log in again>",
        url="https://status.example.com/a?b=1&c=2|x>y",
    )
    message = render(event)
    assert message["text"] == (
        ":large_orange_circle: Acme: &lt;!channel&gt; &amp; "
        "&lt;https://evil.example|login&gt; is partial_outage"
    )
    assert "*Component*\n&lt;!here&gt; API" in field_texts(message)
    [detail_block] = [b for b in message["blocks"] if b["type"] == "section" and "text" in b]
    assert detail_block["text"]["type"] == "plain_text"  # rendered literally by Slack
    assert message["blocks"][0]["text"]["type"] == "plain_text"
    footer = message["blocks"][-1]["elements"][0]["text"]
    assert footer.endswith("<https://status.example.com/a?b=1&amp;c=2%7Cx&gt;y|Open status page>")


@pytest.mark.parametrize(
    ("status", "body", "headers", "outcome", "retry_after"),
    [
        (500, "internal_error", {}, Outcome.RETRY, None),
        (429, "rate_limited", {"Retry-After": "30"}, Outcome.RETRY, 30.0),
        (400, "invalid_payload", {}, Outcome.PERMANENT, None),
        (403, "invalid_token", {}, Outcome.PERMANENT, None),
        (404, "no_service", {}, Outcome.PERMANENT, None),
        (404, "channel_not_found", {}, Outcome.PERMANENT, None),
        (410, "channel_is_archived", {}, Outcome.PERMANENT, None),
    ],
)
async def test_slack_answers_are_classified(
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
    delivery = await notifier(receiver.url(TOKEN_PATH), session).send(make_notification())
    assert delivery.outcome is outcome
    assert delivery.detail == f"HTTP {status}: {body}"
    assert delivery.retry_after == retry_after


async def test_retry_after_as_an_http_date(
    receiver: Receiver, session: aiohttp.ClientSession, make_notification: Callable[..., Notification]
) -> None:
    when = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=120)
    receiver.reply(503, "service_unavailable", {"Retry-After": format_datetime(when, usegmt=True)})
    delivery = await notifier(receiver.url(TOKEN_PATH), session).send(make_notification())
    assert delivery.outcome is Outcome.RETRY
    assert delivery.retry_after is not None
    assert 115 <= delivery.retry_after <= 120


async def test_timeout_and_refused_connection_are_retried(
    receiver: Receiver,
    session: aiohttp.ClientSession,
    make_notification: Callable[..., Notification],
    refused_url: Callable[[str], str],
) -> None:
    receiver.reply(200, "ok", delay=2.0)
    slow = await notifier(receiver.url(TOKEN_PATH), session, timeout=0.2).send(make_notification())
    assert (slow.outcome, slow.detail) == (Outcome.RETRY, "timeout after 0.2s")
    refused = await notifier(refused_url(TOKEN_PATH), session).send(make_notification())
    assert (refused.outcome, refused.detail) == (Outcome.RETRY, "connection error: ConnectionRefusedError")


async def test_the_webhook_url_never_shows(
    receiver: Receiver, session: aiohttp.ClientSession, make_notification: Callable[..., Notification]
) -> None:
    url = receiver.url(TOKEN_PATH)
    receiver.reply(404, f"no_service for {TOKEN_PATH}")
    slack = notifier(url, session)
    with capture_logs() as logs:
        delivery = await slack.send(make_notification())
    assert delivery.outcome is Outcome.PERMANENT
    for shown in (delivery.detail, repr(delivery), repr(slack.config), str(slack.config), repr(logs)):
        assert "XXXXsecretXXXX" not in shown
