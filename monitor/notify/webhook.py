"""Generic webhook: one documented JSON body (docs/webhook.md) per group notification, signed per
Standard Webhooks.

The body is a pure function of the notification, so every retry sends the same bytes under the
same `webhook-id`: receivers dedupe on the id, and only `webhook-timestamp` and the signature
change from one attempt to the next.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from collections.abc import Iterable
from typing import Any, Literal

import aiohttp
from pydantic import Field, SecretStr, field_validator

from monitor import USER_AGENT
from monitor.durations import Timeout
from monitor.model import Notification
from monitor.notify.base import Delivery, Notifier, NotifierConfig
from monitor.notify.group import alert_document
from monitor.notify.http import post_json
from monitor.notify.secrets import header_secrets, url_secrets

SECRET_PREFIX = "whsec_"
RESERVED_HEADERS = frozenset({"content-type", "webhook-id", "webhook-timestamp", "webhook-signature"})


class WebhookConfig(NotifierConfig):
    type: Literal["webhook"]
    url: SecretStr  # may carry a token in its path or query
    secret: SecretStr | None = None  # `whsec_<base64>` or raw text
    headers: dict[str, SecretStr] = Field(default_factory=dict)  # often credentials: Authorization, X-Api-Key
    timeout: Timeout = Field(default=10.0)

    @field_validator("secret")
    @classmethod
    def _secret_decodes(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            signing_key(value.get_secret_value())  # raises ValueError, without the secret, for a bad whsec_
        return value

    @field_validator("headers")
    @classmethod
    def _no_reserved_headers(cls, value: dict[str, SecretStr]) -> dict[str, SecretStr]:
        clashes = sorted(name for name in value if name.lower() in RESERVED_HEADERS)
        if clashes:
            raise ValueError(f"headers {clashes} are set by the notifier itself")
        return value


class WebhookNotifier(Notifier):
    type_name = "webhook"
    Config = WebhookConfig

    config: WebhookConfig

    def __init__(self, config: WebhookConfig, session: aiohttp.ClientSession) -> None:
        super().__init__(config, session)
        secret = config.secret.get_secret_value() if config.secret else None
        self._key = signing_key(secret) if secret else None
        self._headers = {name: value.get_secret_value() for name, value in config.headers.items()}

    def secret_values(self) -> Iterable[str]:
        config = self.config
        secrets = url_secrets(config.url.get_secret_value())
        for value in config.headers.values():
            secrets += header_secrets(value.get_secret_value())
        if config.secret is not None:
            secret = config.secret.get_secret_value()
            secrets += [secret, secret.removeprefix(SECRET_PREFIX)]
        return secrets

    async def send(self, notification: Notification) -> Delivery:
        body = render(notification._replace(message=self.compose(notification.message)))
        headers = {"User-Agent": USER_AGENT, **self._headers, "webhook-id": notification.id}
        if self._key is not None:
            timestamp = str(int(time.time()))
            headers["webhook-timestamp"] = timestamp
            headers["webhook-signature"] = sign(self._key, notification.id, timestamp, body)
        return await post_json(
            self.session,
            self.config.url.get_secret_value(),
            body,
            headers,
            self.config.timeout,
            secrets=self.secrets,
        )


def render(notification: Notification) -> bytes:
    """The body, byte for byte: no send-time field, stable key order, UTF-8 JSON."""
    message = notification.message
    document: dict[str, Any] = {
        "notification_id": notification.id,
        "group_key": message.group_key,
        "status": message.status,
        "reason": message.reason,
        "severity": message.severity.label,
        "title": message.title,
        "text": message.text,
        "firing": [alert_document(alert) for alert in message.firing],
        "resolved": [alert_document(alert) for alert in message.resolved],
        "related": [alert_document(alert) for alert in message.related],
        "firing_total": message.firing_total,
        "resolved_total": message.resolved_total,
        "related_total": message.related_total,
        "truncated": message.truncated,
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def signing_key(secret: str) -> bytes:
    """The HMAC key: `whsec_<base64>` decodes to its bytes (Standard Webhooks), anything else is UTF-8."""
    if not secret.startswith(SECRET_PREFIX):
        return secret.encode()
    try:
        return base64.b64decode(secret.removeprefix(SECRET_PREFIX), validate=True)
    except binascii.Error:
        raise ValueError("webhook secret starts with whsec_ but the rest is not valid base64") from None


def sign(key: bytes, webhook_id: str, timestamp: str, body: bytes) -> str:
    """`v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`, the webhook-signature header value."""
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
