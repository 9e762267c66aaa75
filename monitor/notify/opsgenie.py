"""Opsgenie Alert API v2: one Opsgenie alert per alert group.

The group key is the alert's `alias`: Opsgenie keeps at most one open alert per alias, so every
firing notification of a group re-sends "create" with it (Opsgenie deduplicates, counts the
occurrence and logs the note), and the group's resolution closes the alert by alias
(`identifierType=alias`). Both answer 202: accepted, processed asynchronously.

Limits from Opsgenie's Alert API docs: message <= 130 characters, alias <= 512, description <= 15000,
at most 20 tags of <= 50 characters, details <= 8000 characters in all, source <= 100, entity <= 512.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, Literal
from urllib.parse import quote

import aiohttp
from pydantic import Field, SecretStr, field_validator

from monitor import USER_AGENT
from monitor.durations import Timeout
from monitor.model import Alert, GroupNotification, Notification, Severity
from monitor.notify.base import Delivery, Notifier, NotifierConfig
from monitor.notify.group import bounded_key, group_provider, page_links, rfc3339
from monitor.notify.http import post_json, truncate
from monitor.notify.secrets import url_secrets

API_BASES = {"us": "https://api.opsgenie.com", "eu": "https://api.eu.opsgenie.com"}
SOURCE = "outage-monitor"
MESSAGE_CHARS = 130
ALIAS_CHARS = 512
DESCRIPTION_CHARS = 15000
MAX_TAGS = 20
OWN_TAGS = 3  # outage-monitor, the provider, severity:<label>; the configured ones follow
TAG_CHARS = 50
DETAILS_CHARS = 8000  # keys and values together
DETAIL_VALUE_CHARS = 600  # per value: the few keys below stay within DETAILS_CHARS whatever the pages wrote
ENTITY_CHARS = 512
NOTE_CHARS = 1000
LINE_CHARS = 300  # one alert's line in the description

PRIORITY = {
    Severity.CRITICAL: "P1",
    Severity.MAJOR: "P2",
    Severity.MINOR: "P3",
    Severity.INFO: "P5",
}


class OpsgenieConfig(NotifierConfig):
    type: Literal["opsgenie"]
    api_key: SecretStr  # an API integration's key (the integration decides the team)
    region: Literal["us", "eu"] = "us"
    url: str | None = Field(default=None, pattern=r"^https?://")  # the API base, instead of the region's
    tags: tuple[str, ...] = ()  # added to every alert, after outage-monitor's own
    timeout: Timeout = Field(default=10.0)

    @field_validator("tags")
    @classmethod
    def _tags_fit(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        too_long = [tag for tag in value if not 0 < len(tag) <= TAG_CHARS]
        if too_long:
            raise ValueError(f"an Opsgenie tag is 1 to {TAG_CHARS} characters: {too_long[0]!r}")
        if len(value) > MAX_TAGS - OWN_TAGS:
            raise ValueError(f"at most {MAX_TAGS - OWN_TAGS} tags (Opsgenie keeps {MAX_TAGS} per alert)")
        return value

    @property
    def api_base(self) -> str:
        return (self.url or API_BASES[self.region]).rstrip("/")


class OpsgenieNotifier(Notifier):
    type_name = "opsgenie"
    Config = OpsgenieConfig

    config: OpsgenieConfig

    def __init__(self, config: OpsgenieConfig, session: aiohttp.ClientSession) -> None:
        super().__init__(config, session)  # narrows `config` to OpsgenieConfig for the type checker

    def secret_values(self) -> Iterable[str]:
        return [self.config.api_key.get_secret_value(), *url_secrets(self.config.api_base)]

    async def send(self, notification: Notification) -> Delivery:
        message = self.compose(notification.message)
        alias = bounded_key(message.group_key, ALIAS_CHARS)
        if message.status == "resolved":
            url = f"{self.config.api_base}/v2/alerts/{quote(alias, safe='')}/close?identifierType=alias"
            body = close_request(message)
        else:
            url = f"{self.config.api_base}/v2/alerts"
            body = create_request(message, alias, self.config.tags)
        headers = {
            "User-Agent": USER_AGENT,
            "Authorization": f"GenieKey {self.config.api_key.get_secret_value()}",
        }
        return await post_json(
            self.session,
            url,
            json.dumps(body, ensure_ascii=False).encode(),
            headers,
            self.config.timeout,
            secrets=self.secrets,
        )


def create_request(message: GroupNotification, alias: str, tags: Iterable[str] = ()) -> dict[str, Any]:
    """The create-alert body: the group's title as message, its alerts as description and details."""
    provider = group_provider(message)
    body: dict[str, Any] = {
        "message": truncate(message.title, MESSAGE_CHARS),
        "alias": alias,
        "description": truncate(message.text or _description(message, provider), DESCRIPTION_CHARS),
        "priority": PRIORITY[message.severity],
        "tags": _tags(provider, message.severity, tags),
        "details": _details(message, provider),
        "entity": truncate(provider, ENTITY_CHARS),
        "source": SOURCE,
    }
    if message.reason != "firing":  # an update of an open alert: the note says what changed
        body["note"] = truncate(f"{message.reason}: {message.title}", NOTE_CHARS)
    return body


def close_request(message: GroupNotification) -> dict[str, Any]:
    return {
        "source": SOURCE,
        "note": truncate(f"resolved: {message.title}", NOTE_CHARS),
    }


def _description(message: GroupNotification, cause: str) -> str:
    """The alerts as plain text, one line each, with "and N more" where some are not listed."""
    sections = []
    lists = (
        ("Firing", message.firing, message.firing_total, ""),
        ("Resolved", message.resolved, message.resolved_total, ""),
        ("Related", message.related, message.related_total, f" (likely caused by {cause})"),
    )
    for heading, alerts, total, suffix in lists:
        if total:
            lines = [truncate(_line(alert) + suffix, LINE_CHARS) for alert in alerts]
            if total > len(alerts):
                lines.append(f"and {total - len(alerts)} more")
            sections.append("\n".join([f"{heading}:", *lines]))
    return "\n\n".join(sections) or message.title


def _line(alert: Alert) -> str:
    when = (
        f"resolved {rfc3339(alert.resolved_at)}"
        if alert.resolved_at
        else f"since {rfc3339(alert.started_at)}"
    )
    link = f" {alert.url}" if alert.url and alert.url.startswith(("https://", "http://")) else ""
    return f"- [{alert.severity.label}] {alert.provider}: {alert.summary} ({when}){link}"


def _tags(provider: str, severity: Severity, extra: Iterable[str]) -> list[str]:
    own = (SOURCE, truncate(provider, TAG_CHARS), f"severity:{severity.label}")
    return list(dict.fromkeys((*own, *extra)))[:MAX_TAGS]


def _details(message: GroupNotification, provider: str) -> dict[str, str]:
    """A flat string map (what Opsgenie's details are), each value cut so the whole stays in bounds."""
    links = [url for url in page_links(message.firing, 1) if len(url) <= DETAIL_VALUE_CHARS]  # never cut
    details = {
        "group_key": message.group_key,
        "status": message.status,
        "reason": message.reason,
        "severity": message.severity.label,
        "provider": provider,
        "firing": ", ".join(alert.summary for alert in message.firing),
        "firing_total": str(message.firing_total),
        "resolved_total": str(message.resolved_total),
        "related_total": str(message.related_total),
        "link": links[0] if links else "",
    }
    return {key: truncate(value, DETAIL_VALUE_CHARS) for key, value in details.items() if value}
