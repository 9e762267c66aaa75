"""Discord: one webhook message with one embed per group notification.

The embed's colour follows the worst severity (green once resolved), its title is the group's title, its
fields the group's state and the firing, resolved and related alerts, its footer the group key. Every
part is cut to Discord's embed limits (title 256, description 4096, 25 fields of name 256 and value
1024, footer 2048, 6000 characters in all) with "…"; Discord refuses a message beyond them with a 400.

Status-page text is third-party input: markdown is escaped, and `allowed_mentions` is empty, so an update
saying `@everyone` pings nobody. The webhook is called with `?wait=true`, so Discord answers only once the
message is posted (200) and a failure is reported to us. A 429 carries `retry_after` (seconds, a float)
in its JSON body beside the rounded-up `Retry-After` header; the body's value wins.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

import aiohttp
from pydantic import Field, SecretStr

from monitor import USER_AGENT
from monitor.durations import Timeout
from monitor.fetch import parse_retry_after
from monitor.model import Alert, GroupNotification, Notification, Severity
from monitor.notify.base import Delivery, Notifier, NotifierConfig, Outcome
from monitor.notify.group import group_provider, page_links, rfc3339
from monitor.notify.http import post_json_answer, truncate
from monitor.notify.secrets import url_secrets

# https://discord.com/developers/docs/resources/message#embed-object-embed-limits
TITLE_CHARS = 256
DESCRIPTION_CHARS = 4096
FIELD_NAME_CHARS = 256
FIELD_VALUE_CHARS = 1024
FOOTER_CHARS = 2048
EMBED_TOTAL_CHARS = 6000
NAME_CHARS = 200  # an alert's name in a list line
_MORE_ROOM = 24  # kept free in a list field for its "…and N more" line
_MARKDOWN = re.compile(r"([\\*_~`|\[\]()<>@:])")

COLOUR = {
    Severity.CRITICAL: 0xD83C3E,
    Severity.MAJOR: 0xF57C00,
    Severity.MINOR: 0xF2C744,
    Severity.INFO: 0x3B82F6,
}
RESOLVED_COLOUR = 0x2EB67D


class DiscordConfig(NotifierConfig):
    type: Literal["discord"]
    webhook_url: SecretStr  # https://discord.com/api/webhooks/<id>/<token>
    url: str | None = Field(default=None, pattern=r"^https?://")  # the webhook URL's scheme and host instead
    username: str | None = Field(
        default=None, min_length=1, max_length=80
    )  # the poster's name in the channel
    timeout: Timeout = Field(default=10.0)


class DiscordNotifier(Notifier):
    type_name = "discord"
    Config = DiscordConfig
    min_interval = 1.0  # Discord allows about 30 messages a minute per webhook; bursts draw 429s

    config: DiscordConfig

    def __init__(self, config: DiscordConfig, session: aiohttp.ClientSession) -> None:
        super().__init__(config, session)  # narrows `config` to DiscordConfig for the type checker

    def secret_values(self) -> Iterable[str]:
        return url_secrets(self.config.webhook_url.get_secret_value())

    async def send(self, notification: Notification) -> Delivery:
        body = render(self.compose(notification.message))
        if self.config.username:
            body["username"] = self.config.username
        delivery, answer = await post_json_answer(
            self.session,
            self.target(),
            json.dumps(body, ensure_ascii=False).encode(),
            {"User-Agent": USER_AGENT},
            self.config.timeout,
            secrets=self.secrets,
        )
        if delivery.outcome is Outcome.RETRY:
            wait = _body_retry_after(answer)
            if wait is not None:
                return delivery._replace(retry_after=wait)
        return delivery

    def target(self) -> str:
        """The webhook URL with `wait=true` added, on the `url` override's scheme and host if given."""
        parts = urlsplit(self.config.webhook_url.get_secret_value())
        if self.config.url:
            base = urlsplit(self.config.url)
            parts = parts._replace(
                scheme=base.scheme, netloc=base.netloc, path=base.path.rstrip("/") + parts.path
            )
        query = "&".join(part for part in (parts.query, "wait=true") if part)
        return urlunsplit(parts._replace(query=query))


def render(message: GroupNotification) -> dict[str, Any]:
    """The webhook body: one embed within Discord's limits, no mentions allowed."""
    resolved = message.status == "resolved"
    why = "" if message.reason == message.status else f" ({message.reason})"
    fields = [
        {"name": "Status", "value": f"{message.status}{why}", "inline": True},
        {"name": "Severity", "value": message.severity.label, "inline": True},
    ]
    cause = _escape(group_provider(message))
    lists = (
        ("Firing", message.firing, message.firing_total, ""),
        ("Resolved", message.resolved, message.resolved_total, ""),
        ("Related", message.related, message.related_total, f", likely caused by {cause}"),
    )
    for heading, alerts, total, suffix in lists:
        if total:
            value = _listing([_line(alert) + suffix for alert in alerts], total)
            fields.append({"name": f"{heading} ({total})", "value": value, "inline": False})
    embed: dict[str, Any] = {
        "title": truncate(message.title, TITLE_CHARS),
        "color": RESOLVED_COLOUR if resolved else COLOUR[message.severity],
        "fields": fields,
        "footer": {"text": truncate(f"group {message.group_key}", FOOTER_CHARS)},
    }
    listed = (*message.firing, *message.resolved)
    if listed:
        embed["timestamp"] = rfc3339(max(alert.resolved_at or alert.updated_at for alert in listed))
    links = page_links(listed, 1)
    if links:
        embed["url"] = next(iter(links))
    room = EMBED_TOTAL_CHARS - _counted(embed)
    if message.text and room > 1:
        embed["description"] = truncate(message.text, min(DESCRIPTION_CHARS, room))
    return {"embeds": [embed], "allowed_mentions": {"parse": []}}


def _listing(lines: list[str], total: int) -> str:
    """One line per alert while they fit in a field's value, then "…and N more"."""
    text, shown = "", 0
    for line in lines:
        if len(text) + len(line) + 1 > FIELD_VALUE_CHARS - _MORE_ROOM:
            break
        text, shown = f"{text}\n{line}" if text else line, shown + 1
    if total > shown:
        text = f"{text}\n…and {total - shown} more" if text else f"…and {total} more"
    return text


def _line(alert: Alert) -> str:
    name = _escape(truncate(alert.summary, NAME_CHARS))
    url = next(iter(page_links((alert,), 1)), None)
    if url and len(url) <= FIELD_VALUE_CHARS // 4:  # a link that leaves room for other lines
        name = f"[{name}]({url})"
    when = (
        f"resolved {rfc3339(alert.resolved_at)}"
        if alert.resolved_at
        else f"since {rfc3339(alert.started_at)}"
    )
    return f"• {name} ({_escape(alert.provider)}) {when}"


def _counted(embed: dict[str, Any]) -> int:
    """What counts toward Discord's 6000 characters: title, description, field names and values, footer."""
    fields = sum(len(field["name"]) + len(field["value"]) for field in embed["fields"])
    return len(embed["title"]) + len(embed.get("description", "")) + fields + len(embed["footer"]["text"])


def _escape(text: str) -> str:
    """Discord markdown (and mention and emoji syntax) shown as typed."""
    return _MARKDOWN.sub(r"\\\1", text)


def _body_retry_after(answer: bytes) -> float | None:
    """A 429's `retry_after` seconds from its JSON body, clamped as a Retry-After header is."""
    try:
        document = json.loads(answer)
    except ValueError:
        return None
    value = document.get("retry_after") if isinstance(document, dict) else None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return parse_retry_after(str(value))
