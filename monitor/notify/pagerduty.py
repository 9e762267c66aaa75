"""PagerDuty Events API v2: one PagerDuty incident per alert group.

The group key is the dedup key: every notification about a group triggers (or, for a repeated trigger
on the same key, updates) the same incident, and the group's resolution resolves it. Limits from the
Events API v2 docs: summary <= 1024 characters, dedup_key <= 255, the whole event <= 512 KB.
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
from monitor.notify.group import alert_document, bounded_key, group_provider, rfc3339
from monitor.notify.http import post_json, truncate
from monitor.notify.secrets import url_secrets

EVENTS_API_V2 = "https://events.pagerduty.com/v2/enqueue"
CLIENT = "outage-monitor"
SUMMARY_CHARS = 1024
DEDUP_KEY_CHARS = 255
FIELD_CHARS = 1024  # per text field: 60 listed alerts stay far below 512 KB whatever the pages wrote
MAX_LINKS = 5

_SEVERITY = {
    Severity.CRITICAL: "critical",
    Severity.MAJOR: "error",
    Severity.MINOR: "warning",
    Severity.INFO: "info",
}


class PagerDutyConfig(NotifierConfig):
    type: Literal["pagerduty"]
    routing_key: SecretStr
    url: str = Field(default=EVENTS_API_V2, pattern=r"^https?://")
    timeout: Timeout = Field(default=10.0)
    # the incident's "View in outage-monitor" link, e.g. this daemon's page; default: the first alert's URL
    client_url: str | None = Field(default=None, pattern=r"^https?://")


class PagerDutyNotifier(Notifier):
    type_name = "pagerduty"
    Config = PagerDutyConfig

    config: PagerDutyConfig

    def __init__(self, config: PagerDutyConfig, session: aiohttp.ClientSession) -> None:
        super().__init__(config, session)  # narrows `config` to PagerDutyConfig for the type checker

    def secret_values(self) -> Iterable[str]:
        return [self.config.routing_key.get_secret_value(), *url_secrets(self.config.url)]

    async def send(self, notification: Notification) -> Delivery:
        routing_key = self.config.routing_key.get_secret_value()
        event = render(self.compose(notification.message), routing_key, client_url=self.config.client_url)
        body = json.dumps(event, ensure_ascii=False).encode()
        return await post_json(
            self.session,
            self.config.url,
            body,
            {"User-Agent": USER_AGENT},
            self.config.timeout,
            secrets=self.secrets,
        )


def render(message: GroupNotification, routing_key: str, *, client_url: str | None = None) -> dict[str, Any]:
    """The Events API v2 body: `resolve` for a resolved group, else `trigger` with the whole group."""
    dedup_key = shorten_dedup_key(message.group_key)
    if message.status == "resolved":
        return {"routing_key": routing_key, "event_action": "resolve", "dedup_key": dedup_key}
    payload: dict[str, Any] = {
        "summary": truncate(message.title, SUMMARY_CHARS),
        "source": truncate(group_provider(message), FIELD_CHARS),
        "severity": _SEVERITY[message.severity],
        "custom_details": _custom_details(message),
    }
    if message.firing:
        payload["timestamp"] = rfc3339(max(alert.updated_at for alert in message.firing))
        payload["class"] = message.firing[0].kind.value  # the worst alert's kind
    body: dict[str, Any] = {
        "routing_key": routing_key,
        "event_action": "trigger",
        "dedup_key": dedup_key,
        "payload": payload,
        "client": CLIENT,
    }
    links = _links(message.firing)
    if links:
        body["links"] = links
    if client_url or links:
        body["client_url"] = client_url or links[0]["href"]
    return body


def shorten_dedup_key(key: str) -> str:
    """`key` if it fits in 255 characters, else a readable prefix plus the key's sha256 (deterministic)."""
    return bounded_key(key, DEDUP_KEY_CHARS)


def _custom_details(message: GroupNotification) -> dict[str, Any]:
    """The group as PagerDuty shows it under the incident: every listed alert with its labels."""
    cause = group_provider(message)
    details: dict[str, Any] = {
        "group_key": message.group_key,
        "reason": message.reason,
        "firing": _listed(message.firing, message.firing_total),
        "resolved": _listed(message.resolved, message.resolved_total),
    }
    if message.related_total:
        details["related"] = _listed(message.related, message.related_total, caused_by=cause)
    if message.text:
        details["text"] = truncate(message.text, FIELD_CHARS)
    return details


def _listed(alerts: tuple[Alert, ...], total: int, *, caused_by: str | None = None) -> list[Any]:
    """The alerts' documents, cut to PagerDuty's field sizes, then "and N more" when some are not listed."""
    listed: list[Any] = []
    for alert in alerts:
        document = {**alert_document(alert), "url": _link(alert.url)}
        document = {name: _cut(value) for name, value in document.items() if value is not None}
        if caused_by is not None:
            document["likely_caused_by"] = caused_by
        listed.append(document)
    if total > len(alerts):
        listed.append(f"and {total - len(alerts)} more")
    return listed


def _cut(value: Any) -> Any:
    """Strings, and the strings in a labels mapping, cut to FIELD_CHARS."""
    if isinstance(value, str):
        return truncate(value, FIELD_CHARS)
    if isinstance(value, dict):
        return {name: _cut(item) for name, item in value.items()}
    return value


def _links(alerts: tuple[Alert, ...]) -> list[dict[str, str]]:
    """One link per distinct page among the firing alerts (at most MAX_LINKS), named by its alert."""
    links: dict[str, str] = {}
    for alert in alerts:
        href = _link(alert.url)
        if href and href not in links and len(links) < MAX_LINKS:
            links[href] = truncate(f"{alert.provider}: {alert.summary}", FIELD_CHARS)
    return [{"href": href, "text": text} for href, text in links.items()]


def _link(url: str | None) -> str | None:
    """Only http(s) links of a sane length: PagerDuty renders them as clickable."""
    if url and url.startswith(("https://", "http://")) and len(url) <= FIELD_CHARS:
        return url
    return None
