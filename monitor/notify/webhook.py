"""Generic webhook: a documented JSON body signed per Standard Webhooks. SKELETON."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr

from monitor.durations import Duration
from monitor.model import Notification
from monitor.notify.base import Delivery, Notifier, NotifierConfig


class WebhookConfig(NotifierConfig):
    type: Literal["webhook"]
    url: SecretStr  # may carry a token in its path or query
    secret: SecretStr | None = None  # `whsec_<base64>` or raw text
    headers: dict[str, str] = Field(default_factory=dict)
    timeout: Duration = Field(default=10.0)


class WebhookNotifier(Notifier):
    type_name = "webhook"
    Config = WebhookConfig

    async def send(self, notification: Notification) -> Delivery:
        raise NotImplementedError
