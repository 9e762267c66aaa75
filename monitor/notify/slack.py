"""Slack: one Block Kit message per group notification, by incoming webhook or by bot token.

With `webhook_url`, every notification is a new message in the webhook's channel. With `token` and
`channel`, a group episode is one thread: its first notification posts the parent message (its
channel and ts come back as the receipt), every later one replies in the thread and then edits the
parent to show the group's current state, so the channel shows one message per outage that turns
resolved. The reply goes first: if the edit then fails, the notification still counts as delivered
(a retry would post the reply twice) and the failure is logged; the next notification edits again.

Slack's Web API answers errors as HTTP 200 with `"ok": false`: a bad token, channel or message is
permanent, `ratelimited` and anything unknown is retried by the dispatcher (bounded by its policy).

Status-page text is third-party input, so it goes into `plain_text` objects or is escaped for
mrkdwn: an update body saying `<!channel>` must not ping a whole channel.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Literal

import aiohttp
from pydantic import Field, SecretStr, model_validator

from monitor import USER_AGENT
from monitor.durations import Timeout
from monitor.logging import get_logger
from monitor.model import Alert, GroupNotification, Notification, Severity
from monitor.notify.base import Delivery, Notifier, NotifierConfig, Outcome
from monitor.notify.group import group_provider, rfc3339
from monitor.notify.http import post_json, post_json_answer, truncate
from monitor.notify.secrets import url_secrets

log = get_logger(__name__)

WEB_API = "https://slack.com/api"
# Block Kit limits (https://api.slack.com/reference/block-kit/blocks)
HEADER_CHARS = 150
SECTION_CHARS = 3000
CONTEXT_CHARS = 3000
FALLBACK_CHARS = 3000
LINK_CHARS = 2000  # a longer "URL" is not a status page link; leave it out rather than cut it
NAME_CHARS = 200  # an alert's name in a list line
MAX_LINKS = 5  # status page links in the footer
ANSWER_BYTES = 1 << 20  # chat.postMessage echoes the whole message back
_MORE_ROOM = 40  # kept free in a list section for its "…and N more" line
_ERROR_CODE = re.compile(r"[a-z0-9_]{1,64}")  # Slack's error codes; anything else is not shown

# Never succeed as sent: a bad or revoked token, a channel the bot cannot post to, a message Slack refuses.
PERMANENT_ERRORS = frozenset(
    {
        "invalid_auth",
        "not_authed",
        "account_inactive",
        "token_revoked",
        "token_expired",
        "missing_scope",
        "not_allowed_token_type",
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "msg_too_long",
        "msg_blocks_too_long",
        "no_text",
        "invalid_blocks",
        "invalid_blocks_format",
        "cannot_reply_to_message",
        "message_not_found",
        "cant_update_message",
        "edit_window_closed",
    }
)

_SEVERITY_EMOJI = {
    Severity.CRITICAL: ":red_circle:",
    Severity.MAJOR: ":large_orange_circle:",
    Severity.MINOR: ":large_yellow_circle:",
    Severity.INFO: ":large_blue_circle:",
}
_RESOLVED_EMOJI = ":white_check_mark:"


class SlackConfig(NotifierConfig):
    type: Literal["slack"]
    webhook_url: SecretStr | None = None  # incoming webhook mode
    token: SecretStr | None = None  # bot token mode (`xoxb-...`, scope chat:write), with `channel`
    channel: str | None = Field(default=None, min_length=1)  # a channel id (C0123...) or #name
    api_url: str = Field(default=WEB_API, pattern=r"^https?://")
    timeout: Timeout = Field(default=10.0)

    @model_validator(mode="after")
    def _one_mode(self) -> SlackConfig:
        if (self.webhook_url is None) == (self.token is None):
            raise ValueError("give either webhook_url (incoming webhook) or token and channel (bot token)")
        if self.token is not None and self.channel is None:
            raise ValueError("a bot token needs the channel to post to")
        if self.webhook_url is not None and self.channel is not None:
            raise ValueError("channel goes with token: an incoming webhook posts to its own channel")
        return self


class SlackNotifier(Notifier):
    type_name = "slack"
    Config = SlackConfig
    min_interval = 1.0  # Slack allows about one message per second per webhook or channel

    config: SlackConfig

    def __init__(self, config: SlackConfig, session: aiohttp.ClientSession) -> None:
        super().__init__(config, session)  # narrows `config` to SlackConfig for the type checker

    def secret_values(self) -> Iterable[str]:
        if self.config.token is not None:
            return [self.config.token.get_secret_value(), *url_secrets(self.config.api_url)]
        assert self.config.webhook_url is not None  # one of the two modes, by validation
        return url_secrets(self.config.webhook_url.get_secret_value())  # /services/T…/B…/<token>

    async def send(self, notification: Notification) -> Delivery:
        message = render(self.compose(notification.message))
        if self.config.webhook_url is not None:
            body = json.dumps(message, ensure_ascii=False).encode()
            url = self.config.webhook_url.get_secret_value()
            headers = {"User-Agent": USER_AGENT}
            return await post_json(
                self.session, url, body, headers, self.config.timeout, secrets=self.secrets
            )
        receipt = notification.receipt
        if notification.message.reason == "firing" or not receipt.get("channel") or not receipt.get("ts"):
            return await self._post_parent(message)
        return await self._carry_on(notification, message, receipt["channel"], receipt["ts"])

    async def _post_parent(self, message: dict[str, Any]) -> Delivery:
        """A new episode: a new parent message, whose channel id and ts become the group's receipt."""
        delivery, answer = await self._call("chat.postMessage", {"channel": self.config.channel, **message})
        if delivery.outcome is not Outcome.DELIVERED:
            return delivery
        channel, ts = answer.get("channel"), answer.get("ts")
        if not isinstance(channel, str) or not isinstance(ts, str):
            # posted, but nothing to thread on: an empty receipt makes the next notification a new parent
            detail = f"{delivery.detail} (no channel or ts in the answer)"
            return Delivery(Outcome.DELIVERED, detail, receipt={})
        return Delivery(Outcome.DELIVERED, delivery.detail, receipt={"channel": channel, "ts": ts})

    async def _carry_on(
        self, notification: Notification, message: dict[str, Any], channel: str, ts: str
    ) -> Delivery:
        """A reply in the episode's thread, then the parent edited to the group's current state."""
        reply, _ = await self._call("chat.postMessage", {"channel": channel, "thread_ts": ts, **message})
        if reply.outcome is not Outcome.DELIVERED:
            return reply
        edit = {"channel": channel, "ts": ts, "text": message["text"], "blocks": message["blocks"]}
        update, _ = await self._call("chat.update", edit)
        if update.outcome is not Outcome.DELIVERED:
            log.warning(
                "slack_parent_not_updated", notifier=self.name, id=notification.id, detail=update.detail
            )
            return Delivery(Outcome.DELIVERED, f"{reply.detail}; parent not updated: {update.detail}")
        return Delivery(Outcome.DELIVERED, f"{reply.detail}; {update.detail}")

    async def _call(self, method: str, payload: Mapping[str, Any]) -> tuple[Delivery, dict[str, Any]]:
        """One Web API call: the HTTP answer classified, then Slack's own `ok` / `error` in the body."""
        assert self.config.token is not None  # bot token mode only
        token = self.config.token.get_secret_value()
        headers = {"User-Agent": USER_AGENT, "Authorization": f"Bearer {token}"}
        body = json.dumps(payload, ensure_ascii=False).encode()
        url = f"{self.config.api_url.rstrip('/')}/{method}"
        delivery, raw = await post_json_answer(
            self.session,
            url,
            body,
            headers,
            self.config.timeout,
            secrets=self.secrets,
            read_limit=ANSWER_BYTES,
        )
        if delivery.outcome is not Outcome.DELIVERED:
            return Delivery(delivery.outcome, f"{method}: {delivery.detail}", delivery.retry_after), {}
        try:
            answer = json.loads(raw)
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            return Delivery(Outcome.RETRY, f"{method}: the answer is not a JSON object"), {}
        if answer.get("ok") is True:
            return Delivery(Outcome.DELIVERED, f"{method}: ok"), answer
        error = answer.get("error")
        code = error if isinstance(error, str) and _ERROR_CODE.fullmatch(error) else "unknown_error"
        outcome = Outcome.PERMANENT if code in PERMANENT_ERRORS else Outcome.RETRY
        return Delivery(outcome, f"{method}: {code}"), {}


def render(message: GroupNotification) -> dict[str, Any]:
    """The message Slack receives: `text` feeds notifications and old clients, `blocks` the channel."""
    emoji = _RESOLVED_EMOJI if message.status == "resolved" else _SEVERITY_EMOJI[message.severity]
    headline = f"{emoji} {message.title}"
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": _plain(truncate(headline, HEADER_CHARS))},
        _context(_state(message)),
    ]
    if message.text:
        blocks.append({"type": "section", "text": _plain(truncate(message.text, SECTION_CHARS))})
    cause = _escape(group_provider(message))
    lists: tuple[tuple[str, tuple[Alert, ...], int, Callable[[Alert], str]], ...] = (
        ("Firing", message.firing, message.firing_total, _firing_line),
        ("Resolved", message.resolved, message.resolved_total, _resolved_line),
        ("Related", message.related, message.related_total, lambda a: _related_line(a, cause)),
    )
    for heading, alerts, total, line in lists:
        if total:
            text = _listing(heading, [line(alert) for alert in alerts], total)
            blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": text}})
    links = _links((*message.firing, *message.resolved))
    if links:
        blocks.append(_context(" · ".join(links)))
    return {
        "text": truncate(_escape(headline), FALLBACK_CHARS),
        "blocks": blocks,
        "unfurl_links": False,
        "unfurl_media": False,
    }


def _state(message: GroupNotification) -> str:
    counts = f"{message.firing_total} firing, {message.resolved_total} resolved"
    if message.related_total:
        counts += f", {message.related_total} related"
    why = "" if message.reason == message.status else f" ({message.reason})"
    state = f"*{message.status}*{why} · severity {message.severity.label} · {counts}"
    return truncate(f"{state} · group `{_escape(message.group_key)}`", CONTEXT_CHARS)


def _listing(heading: str, lines: list[str], total: int) -> str:
    """`*heading*` and one line per alert while they fit in a section, then "…and N more"."""
    text, shown = f"*{heading}*", 0
    for line in lines:
        if len(text) + 1 + len(line) > SECTION_CHARS - _MORE_ROOM:
            break
        text, shown = f"{text}\n{line}", shown + 1
    if total > shown:
        text += f"\n…and {total - shown} more"
    return text


def _firing_line(alert: Alert) -> str:
    since = rfc3339(alert.started_at)
    return f"• {_SEVERITY_EMOJI[alert.severity]} {_name(alert)} ({_escape(alert.provider)}) since {since}"


def _resolved_line(alert: Alert) -> str:
    resolved = f" at {rfc3339(alert.resolved_at)}" if alert.resolved_at else ""
    return f"• {_RESOLVED_EMOJI} {_name(alert)} ({_escape(alert.provider)}) resolved{resolved}"


def _related_line(alert: Alert, cause: str) -> str:
    return f"• {_name(alert)} ({_escape(alert.provider)}) likely caused by {cause}"


def _name(alert: Alert) -> str:
    """The alert's name, linked to its page when it has a sane link."""
    name = _escape(truncate(alert.summary, NAME_CHARS))
    url = _url(alert.url)
    return f"<{url}|{name}>" if url else f"*{name}*"


def _links(alerts: tuple[Alert, ...]) -> list[str]:
    """One "Open <provider>: <alert>" link per distinct page (at most MAX_LINKS)."""
    links: dict[str, str] = {}
    for alert in alerts:
        url = _url(alert.url)
        if url and url not in links and len(links) < MAX_LINKS:
            label = _escape(truncate(f"{alert.provider}: {alert.summary}", NAME_CHARS))
            links[url] = f"<{url}|Open {label}>"
    return list(links.values())


def _url(url: str | None) -> str | None:
    """An http(s) URL escaped for a mrkdwn link; None for anything else or an absurdly long one."""
    if url and url.startswith(("https://", "http://")) and len(url) <= LINK_CHARS:
        return _escape(url).replace("|", "%7C")
    return None


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


def _escape(text: str) -> str:
    """mrkdwn's three control characters (https://api.slack.com/reference/surfaces/formatting#escaping)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
