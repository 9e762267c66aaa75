"""Slack incoming webhook: a Block Kit message with a plain-text fallback.

Status-page text is third-party input, so it goes into `plain_text` objects or is escaped for
mrkdwn: an update body saying `<!channel>` must not ping a whole channel.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, Literal

import aiohttp
from pydantic import Field, SecretStr

from monitor import USER_AGENT
from monitor.durations import Timeout
from monitor.model import Event, EventKind, Notification, Severity
from monitor.notify.base import Delivery, Notifier, NotifierConfig
from monitor.notify.http import post_json, rfc3339, truncate
from monitor.notify.secrets import url_secrets

# Block Kit limits (https://api.slack.com/reference/block-kit/blocks)
HEADER_CHARS = 150
SECTION_CHARS = 3000
FIELD_CHARS = 2000
FALLBACK_CHARS = 3000
LINK_CHARS = 2000  # a longer "URL" is not a status page link; leave it out rather than cut it

_SEVERITY_EMOJI = {
    Severity.CRITICAL: ":red_circle:",
    Severity.MAJOR: ":large_orange_circle:",
    Severity.MINOR: ":large_yellow_circle:",
    Severity.INFO: ":large_blue_circle:",
}
_RESOLVED_EMOJI = ":white_check_mark:"
_MAINTENANCE_EMOJI = ":wrench:"
_UNREACHABLE_EMOJI = ":warning:"


class SlackConfig(NotifierConfig):
    type: Literal["slack"]
    webhook_url: SecretStr
    timeout: Timeout = Field(default=10.0)


class SlackNotifier(Notifier):
    type_name = "slack"
    Config = SlackConfig
    min_interval = 1.0  # Slack allows about one message per second per webhook

    config: SlackConfig

    def __init__(self, config: SlackConfig, session: aiohttp.ClientSession) -> None:
        super().__init__(config, session)  # narrows `config` to SlackConfig for the type checker

    def secret_values(self) -> Iterable[str]:
        return url_secrets(self.config.webhook_url.get_secret_value())  # /services/T…/B…/<token>

    async def send(self, notification: Notification) -> Delivery:
        url = self.config.webhook_url.get_secret_value()
        body = json.dumps(render(notification.event), ensure_ascii=False).encode()
        headers = {"User-Agent": USER_AGENT}
        return await post_json(self.session, url, body, headers, self.config.timeout, secrets=self.secrets)


def render(event: Event) -> dict[str, Any]:
    """The message Slack receives: `text` feeds notifications and old clients, `blocks` the channel."""
    headline = f"{_emoji(event)} {'Resolved: ' if event.resolves else ''}{event.title}"
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": _plain(truncate(headline, HEADER_CHARS))},
        {"type": "section", "fields": _fields(event)},
    ]
    if event.detail:
        blocks.append({"type": "section", "text": _plain(truncate(event.detail, SECTION_CHARS))})
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": _footer(event)}]})
    return {
        "text": truncate(_escape(headline), FALLBACK_CHARS),
        "blocks": blocks,
        "unfurl_links": False,
        "unfurl_media": False,
    }


def _emoji(event: Event) -> str:
    if event.resolves:
        return _RESOLVED_EMOJI
    if event.kind is EventKind.MAINTENANCE_STARTED:
        return _MAINTENANCE_EMOJI
    if event.kind is EventKind.SOURCE_UNREACHABLE:
        return _UNREACHABLE_EMOJI
    return _SEVERITY_EMOJI[event.severity]


def _fields(event: Event) -> list[dict[str, str]]:
    """Label/value pairs in the two-column layout; only the ones the event has (at most 10)."""
    subject = event.kind.value.partition("_")[0].capitalize()
    status = event.new_status
    if event.old_status:
        status = f"{event.old_status} → {event.new_status or 'unknown'}"
    pairs = [
        ("Provider", event.provider),
        (subject, event.subject_name),
        ("Group", event.group),
        ("Status", status),
        ("Impact", event.impact),
        ("Severity", "resolved" if event.resolves else event.severity.label),
    ]
    return [
        {"type": "mrkdwn", "text": truncate(f"*{label}*\n{_escape(value)}", FIELD_CHARS)}
        for label, value in pairs
        if value
    ]


def _footer(event: Event) -> str:
    footer = f"Detected {rfc3339(event.occurred_at)}"
    if event.url and event.url.startswith(("https://", "http://")) and len(event.url) <= LINK_CHARS:
        label = "Open incident" if event.kind.value.startswith("incident") else "Open status page"
        footer += f" · <{_escape(event.url).replace('|', '%7C')}|{label}>"
    return footer


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


def _escape(text: str) -> str:
    """mrkdwn's three control characters (https://api.slack.com/reference/surfaces/formatting#escaping)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
