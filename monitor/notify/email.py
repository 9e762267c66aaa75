"""E-mail over SMTP (aiosmtplib): one message per group notification, threaded per group episode.

Every message has a `Message-ID` made of the notification id and the sender's domain, and a `Date` from
when the notification was made, so a retry sends the same message again and mail systems that dedupe on
`Message-ID` keep one. The first message of an episode (reason `firing`, or no earlier receipt) returns its
`Message-ID` as the group's receipt; later ones carry it in `In-Reply-To` and `References`, so mail
clients show one thread per outage. A retry after the server had already taken the message (a timeout
after DATA) therefore sends a duplicate that clients fold into the same thread.

SMTP answers: 4xx is retried, 5xx dead-lettered (the server's text in the detail, secrets blanked out),
no connection and timeouts retried. If the server takes the message for some recipients and refuses
others, it counts as delivered: a retry would send it twice to those who have it.

Status-page text is third-party input: the HTML part escapes every piece of it.
"""

from __future__ import annotations

import asyncio
import html
from collections.abc import Iterable
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from pathlib import Path
from typing import Literal

import aiohttp
import aiosmtplib
from pydantic import Field, SecretStr, field_validator, model_validator

from monitor.durations import Timeout
from monitor.model import GroupNotification, Notification
from monitor.notify.base import Delivery, Notifier, NotifierConfig, Outcome
from monitor.notify.http import SNIPPET_CHARS, truncate
from monitor.notify.text import listing, plain_text, state

SUBJECT_CHARS = 200
DEFAULT_PORTS = {"starttls": 587, "implicit": 465, "none": 25}


class EmailConfig(NotifierConfig):
    type: Literal["email"]
    host: str = Field(min_length=1)
    port: int | None = Field(default=None, ge=1, le=65535)  # default: 587, 465 or 25 by `tls`
    tls: Literal["starttls", "implicit", "none"] = "starttls"
    username: str | None = Field(default=None, min_length=1)
    password: SecretStr | None = None
    sender: str = Field(alias="from")  # `alerts@example.com` or `Outage Monitor <alerts@example.com>`
    to: list[str] = Field(min_length=1)
    timeout: Timeout = Field(default=10.0)  # for the whole conversation with the server
    ca_file: str | None = None  # trust this CA bundle instead of the system's
    tls_verify: bool = True  # false only for a test server's self-signed certificate

    @field_validator("sender", "to")
    @classmethod
    def _addresses(cls, value: str | list[str]) -> str | list[str]:
        for text in [value] if isinstance(value, str) else value:
            address(text)
        return value

    @field_validator("ca_file")
    @classmethod
    def _readable(cls, value: str | None) -> str | None:
        if value is not None and not Path(value).expanduser().is_file():
            raise ValueError(f"ca_file {value} is not a readable file")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> EmailConfig:
        if (self.username is None) != (self.password is None):
            raise ValueError("give both username and password (or password_file), or neither")
        if self.tls == "none" and self.password is not None:
            raise ValueError("a password needs tls: starttls or implicit, or it crosses the network in clear")
        if self.tls == "none" and (self.ca_file is not None or not self.tls_verify):
            raise ValueError("ca_file and tls_verify go with tls: starttls or implicit")
        if self.ca_file is not None and not self.tls_verify:
            raise ValueError("give ca_file to trust a certificate, or tls_verify: false, not both")
        return self


class EmailNotifier(Notifier):
    type_name = "email"
    Config = EmailConfig

    config: EmailConfig

    def __init__(self, config: EmailConfig, session: aiohttp.ClientSession) -> None:
        super().__init__(config, session)  # narrows `config` to EmailConfig for the type checker
        self._sender = address(config.sender)
        self._recipients = [address(text) for text in config.to]
        self._domain = self._sender.rpartition("@")[2]

    def secret_values(self) -> Iterable[str]:
        return [] if self.config.password is None else [self.config.password.get_secret_value()]

    def message_id(self, notification: Notification) -> str:
        return f"<{notification.id}@{self._domain}>"

    async def send(self, notification: Notification) -> Delivery:
        message = self.compose(notification.message)
        own_id = self.message_id(notification)
        first = None if message.reason == "firing" else notification.receipt.get("message_id")
        mail = self._mail(notification, message, own_id, first)
        config = self.config
        password = None if config.password is None else config.password.get_secret_value()
        try:
            async with asyncio.timeout(config.timeout):
                refused, _ = await aiosmtplib.send(
                    mail,
                    sender=self._sender,
                    recipients=self._recipients,
                    hostname=config.host,
                    port=config.port or DEFAULT_PORTS[config.tls],
                    username=config.username,
                    password=password,
                    timeout=config.timeout,
                    use_tls=config.tls == "implicit",
                    start_tls=config.tls == "starttls",
                    validate_certs=config.tls_verify,
                    cert_bundle=config.ca_file,
                )
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            return self._failed(exc)
        detail = f"accepted for {len(self._recipients) - len(refused)} of {len(self._recipients)} recipients"
        if refused:
            codes = ", ".join(sorted({str(answer.code) for answer in refused.values()}))
            detail = f"{detail} (refused: {codes})"
        # a new thread starts here; None keeps the receipt that names the thread's first message
        return Delivery(Outcome.DELIVERED, detail, receipt={"message_id": own_id} if first is None else None)

    def _mail(
        self, notification: Notification, message: GroupNotification, own_id: str, first: str | None
    ) -> EmailMessage:
        mail = EmailMessage()
        mail["Subject"] = truncate(" ".join(message.title.split()), SUBJECT_CHARS)
        mail["From"] = self.config.sender
        mail["To"] = ", ".join(self.config.to)
        mail["Date"] = format_datetime(notification.created_at)  # the same on every retry
        mail["Message-ID"] = own_id
        if first is not None:
            mail["In-Reply-To"] = first
            mail["References"] = first
        mail["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies to the on-call list
        mail.set_content(plain_text(message))
        mail.add_alternative(render_html(message), subtype="html")
        return mail

    def _failed(self, exc: aiosmtplib.SMTPException | OSError | TimeoutError) -> Delivery:
        """What the server said, or the class of what went wrong: never a message naming the host."""
        if isinstance(exc, TimeoutError):  # aiosmtplib's timeouts are TimeoutErrors too
            return Delivery(Outcome.RETRY, f"timeout after {self.config.timeout:g}s")
        if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
            codes = [refusal.code for refusal in exc.recipients]
            text = "; ".join(self._answer(refusal) for refusal in exc.recipients)
            transient = any(400 <= code < 500 for code in codes)
            return Delivery(Outcome.RETRY if transient else Outcome.PERMANENT, f"recipients refused: {text}")
        if isinstance(exc, aiosmtplib.SMTPResponseException):
            outcome = Outcome.RETRY if 400 <= exc.code < 500 else Outcome.PERMANENT
            return Delivery(outcome, self._answer(exc))
        if isinstance(exc, OSError):  # refused, reset, unreachable, a failed TLS handshake, a disconnect
            cause = exc.__cause__ if isinstance(exc.__cause__, OSError) else exc
            return Delivery(Outcome.RETRY, f"connection error: {type(cause).__name__}")
        # no STARTTLS or AUTH offered, or no mechanism in common: the config does not fit the server
        return Delivery(Outcome.PERMANENT, f"{type(exc).__name__}: {self._snippet(exc.message)}")

    def _answer(self, exc: aiosmtplib.SMTPResponseException) -> str:
        return f"SMTP {exc.code}: {self._snippet(exc.message)}"

    def _snippet(self, text: str) -> str:
        return truncate(" ".join(self.secrets.scrub(text).split()), SNIPPET_CHARS)


def address(text: str) -> str:
    """The bare address of `alerts@example.com` or `Name <alerts@example.com>`; ValueError if none."""
    if any(c in text for c in "\r\n"):
        raise ValueError("an e-mail address cannot span lines")
    bare = parseaddr(text)[1]
    local, at, domain = bare.rpartition("@")
    if not (local and at and domain) or not bare.isascii():
        raise ValueError(f"{text!r} is not an e-mail address (ASCII, with a domain)")
    return bare


def render_html(message: GroupNotification) -> str:
    """The HTML part: the same listing as the text part, every third-party piece escaped."""
    parts = [f"<h2>{_escape(message.title)}</h2>"]
    if message.text:
        parts.append(f"<p>{_escape(message.text).replace(chr(10), '<br>')}</p>")
    parts.append(f'<p style="color:#555">{_escape(state(message))}</p>')
    for section in listing(message):
        items = "".join(
            f'<li><a href="{_escape(line.url)}">{_escape(line.text)}</a></li>'
            if line.url
            else f"<li>{_escape(line.text)}</li>"
            for line in section.lines
        )
        more = f"<p>…and {section.more} more</p>" if section.more else ""
        parts.append(f"<h3>{section.heading}</h3><ul>{items}</ul>{more}")
    body = "\n".join(parts)
    return f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"></head><body>\n{body}\n</body></html>\n'


def _escape(text: str) -> str:
    return html.escape(text, quote=True)
