"""PagerDuty Events API v2: trigger and resolve with the event's dedup key.

One alert per thing: every event about `github/component/<id>` triggers (or updates) the same
PagerDuty alert, and the resolving event closes it. Limits from the Events API v2 docs: summary
<= 1024 characters, dedup_key <= 255, the whole event <= 512 KB.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any, Literal

import aiohttp
from pydantic import Field, SecretStr

from monitor import USER_AGENT
from monitor.durations import Timeout
from monitor.model import Event, Notification, Severity
from monitor.notify.base import Delivery, Notifier, NotifierConfig
from monitor.notify.http import post_json, rfc3339, truncate
from monitor.notify.secrets import url_secrets

EVENTS_API_V2 = "https://events.pagerduty.com/v2/enqueue"
CLIENT = "outage-monitor"
SUMMARY_CHARS = 1024
DEDUP_KEY_CHARS = 255
DETAIL_CHARS = 8192  # keeps the event far below 512 KB whatever the status page wrote
FIELD_CHARS = 1024

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
    # the alert's "View in outage-monitor" link, e.g. this daemon's web page; default: the event's URL
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
        event = render(notification.event, routing_key, client_url=self.config.client_url)
        body = json.dumps(event, ensure_ascii=False).encode()
        return await post_json(
            self.session,
            self.config.url,
            body,
            {"User-Agent": USER_AGENT},
            self.config.timeout,
            secrets=self.secrets,
        )


def render(event: Event, routing_key: str, *, client_url: str | None = None) -> dict[str, Any]:
    """The Events API v2 body: `resolve` for a resolving event, else `trigger` with the full payload."""
    dedup_key = shorten_dedup_key(event.dedup_key)
    if event.resolves:
        return {"routing_key": routing_key, "event_action": "resolve", "dedup_key": dedup_key}
    payload: dict[str, Any] = {
        "summary": truncate(event.title, SUMMARY_CHARS),
        "source": truncate(event.provider, FIELD_CHARS),
        "severity": _SEVERITY[event.severity],
        "timestamp": rfc3339(event.occurred_at),
        "class": event.kind.value,
        "custom_details": _custom_details(event),
    }
    if event.subject_name:
        payload["component"] = truncate(event.subject_name, FIELD_CHARS)
    if event.group:
        payload["group"] = truncate(event.group, FIELD_CHARS)
    body: dict[str, Any] = {
        "routing_key": routing_key,
        "event_action": "trigger",
        "dedup_key": dedup_key,
        "payload": payload,
        "client": CLIENT,
    }
    link = _link(event.url)
    if link:
        text = "Incident" if event.kind.value.startswith("incident") else "Status page"
        body["links"] = [{"href": link, "text": text}]
    if client_url or link:
        body["client_url"] = client_url or link
    return body


def shorten_dedup_key(key: str) -> str:
    """`key` if it fits in 255 characters, else a readable prefix plus the key's sha256 (deterministic)."""
    if len(key) <= DEDUP_KEY_CHARS:
        return key
    digest = hashlib.sha256(key.encode()).hexdigest()
    return f"{key[: DEDUP_KEY_CHARS - len(digest) - 1]}~{digest}"


def _custom_details(event: Event) -> dict[str, str]:
    details = {
        "provider": event.provider,
        "subject_id": event.subject_id,
        "subject_name": event.subject_name,
        "group": event.group,
        "old_status": event.old_status,
        "new_status": event.new_status,
        "impact": event.impact,
        "url": _link(event.url),
    }
    shown = {name: truncate(value, FIELD_CHARS) for name, value in details.items() if value}
    if event.detail:
        shown["detail"] = truncate(event.detail, DETAIL_CHARS)
    return shown


def _link(url: str | None) -> str | None:
    """Only http(s) links of a sane length: PagerDuty renders them as clickable."""
    if url and url.startswith(("https://", "http://")) and len(url) <= FIELD_CHARS:
        return url
    return None
