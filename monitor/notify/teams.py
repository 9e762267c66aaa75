"""Microsoft Teams: one Adaptive Card (version 1.5) per group notification, through a Teams Workflows
webhook ("post to a channel when a webhook request is received").

The body is a message with one card attachment; the card shows the group's title on a band coloured by
severity (green once resolved), its state and key as facts, the firing, resolved and related alerts
(at most 20 each, then "and N more") and one Action.OpenUrl per distinct status page. Workflows answer
202 (accepted, posted asynchronously): every 2xx counts as delivered. Lines are bounded so a card stays
well under Teams' 28 KB message limit whatever the status pages wrote.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, Literal

import aiohttp
from pydantic import Field, SecretStr

from monitor import USER_AGENT
from monitor.durations import Timeout
from monitor.model import Alert, GroupNotification, Notification, Severity
from monitor.notify.base import Delivery, Notifier, NotifierConfig
from monitor.notify.group import group_provider, page_links, rfc3339
from monitor.notify.http import post_json, truncate
from monitor.notify.secrets import url_secrets

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
CARD_VERSION = "1.5"
TITLE_CHARS = 300
TEXT_CHARS = 4000
LINE_CHARS = 250  # one alert's line
MAX_LINKS = 5  # Action.OpenUrl buttons

_STYLE = {  # the title band's ContainerStyle
    Severity.CRITICAL: "attention",
    Severity.MAJOR: "attention",
    Severity.MINOR: "warning",
    Severity.INFO: "accent",
}
_RESOLVED_STYLE = "good"


class TeamsConfig(NotifierConfig):
    type: Literal["teams"]
    url: SecretStr  # the workflow's webhook URL: its `sig` query parameter is a credential
    timeout: Timeout = Field(default=10.0)


class TeamsNotifier(Notifier):
    type_name = "teams"
    Config = TeamsConfig

    config: TeamsConfig

    def __init__(self, config: TeamsConfig, session: aiohttp.ClientSession) -> None:
        super().__init__(config, session)  # narrows `config` to TeamsConfig for the type checker

    def secret_values(self) -> Iterable[str]:
        return url_secrets(self.config.url.get_secret_value())

    async def send(self, notification: Notification) -> Delivery:
        body = message_body(card(self.compose(notification.message)))
        return await post_json(
            self.session,
            self.config.url.get_secret_value(),
            json.dumps(body, ensure_ascii=False).encode(),
            {"User-Agent": USER_AGENT},
            self.config.timeout,
            secrets=self.secrets,
        )


def message_body(content: dict[str, Any]) -> dict[str, Any]:
    """What a Workflows webhook takes: a message with the card as its one attachment."""
    return {"type": "message", "attachments": [{"contentType": CARD_CONTENT_TYPE, "content": content}]}


def card(message: GroupNotification) -> dict[str, Any]:
    """The Adaptive Card of one group notification."""
    resolved = message.status == "resolved"
    title = truncate(message.title, TITLE_CHARS)
    why = "" if message.reason == message.status else f" ({message.reason})"
    body: list[dict[str, Any]] = [
        {
            "type": "Container",
            "style": _RESOLVED_STYLE if resolved else _STYLE[message.severity],
            "bleed": True,
            "items": [
                {"type": "TextBlock", "text": title, "size": "Large", "weight": "Bolder", "wrap": True}
            ],
        },
        {
            "type": "FactSet",
            "facts": [
                {"title": "Status", "value": f"{message.status}{why}"},
                {"title": "Severity", "value": message.severity.label},
                {"title": "Group", "value": truncate(message.group_key, LINE_CHARS)},
            ],
        },
    ]
    if message.text:
        body.append({"type": "TextBlock", "text": truncate(message.text, TEXT_CHARS), "wrap": True})
    cause = group_provider(message)
    lists = (
        ("Firing", message.firing, message.firing_total, ""),
        ("Resolved", message.resolved, message.resolved_total, ""),
        ("Related", message.related, message.related_total, f", likely caused by {cause}"),
    )
    for heading, alerts, total, suffix in lists:
        if total:
            lines = [truncate(f"- {_line(alert)}{suffix}", LINE_CHARS) for alert in alerts]
            if total > len(alerts):
                lines.append(f"- and {total - len(alerts)} more")
            body.append(
                {"type": "TextBlock", "text": heading, "weight": "Bolder", "wrap": True, "separator": True}
            )
            body.append({"type": "TextBlock", "text": "\n".join(lines), "wrap": True})
    content: dict[str, Any] = {
        "type": "AdaptiveCard",
        "$schema": CARD_SCHEMA,
        "version": CARD_VERSION,
        "msteams": {"width": "Full"},  # Teams-only: use the channel's width
        "fallbackText": title,
        "body": body,
    }
    actions = _actions((*message.firing, *message.resolved))
    if actions:
        content["actions"] = actions
    return content


def _line(alert: Alert) -> str:
    when = (
        f"resolved {rfc3339(alert.resolved_at)}"
        if alert.resolved_at
        else f"since {rfc3339(alert.started_at)}"
    )
    return f"{alert.summary} ({alert.provider}, {alert.severity.label}) {when}"


def _actions(alerts: tuple[Alert, ...]) -> list[dict[str, str]]:
    """One "Open <provider>: <alert>" button per distinct http(s) page (at most MAX_LINKS)."""
    return [
        {
            "type": "Action.OpenUrl",
            "title": truncate(f"Open {alert.provider}: {alert.summary}", LINE_CHARS),
            "url": url,
        }
        for url, alert in page_links(alerts, MAX_LINKS).items()
    ]
