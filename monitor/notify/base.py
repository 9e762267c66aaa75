"""The notifier interface: render one group notification, send it once, classify the answer.

A send gets the group (`notification.message`: the alerts firing and resolved, the worst severity, a
title) and the receipt the notifier's previous delivery for that group returned (`notification.receipt`),
and may return a new receipt with its `Delivery`: how a Slack thread or a status-page incident carries on.

A notifier never sleeps or loops to retry: the dispatcher owns retries, backoff, Retry-After, rate
limits (`min_interval`) and dead letters. Adding a service is adding one module here.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import ClassVar, NamedTuple

import aiohttp
from pydantic import BaseModel, ConfigDict, Field, field_validator

from monitor.model import GroupNotification, Notification
from monitor.notify import templates
from monitor.notify.secrets import Secrets


class NotifierConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[A-Za-z0-9_.-]+$", max_length=64)
    type: str
    title_template: str | None = None  # Jinja2 (monitor/notify/templates.py); default: the group's title
    text_template: str | None = None  # Jinja2; the message's body text where the service has one

    @field_validator("title_template", "text_template")
    @classmethod
    def _template_renders(cls, value: str | None) -> str | None:
        return None if value is None else templates.check(value)

    @property
    def repeat_every(self) -> float | None:
        """Seconds within which this notifier must hear again of a group still firing, whatever the route's
        repeat_interval (Alertmanager forgets alerts not re-sent); None: the route decides alone."""
        return None


class Outcome(StrEnum):
    DELIVERED = "delivered"
    RETRY = "retry"  # transient: try again later (after `retry_after` seconds when given)
    PERMANENT = "permanent"  # will never succeed as is: dead-letter it


class Delivery(NamedTuple):
    outcome: Outcome
    detail: str = ""  # logged and stored once the dispatcher blanks out the notifier's `secrets`
    retry_after: float | None = None
    # What the next send for the same group needs (a Slack thread ts, an incident id); None keeps the last.
    receipt: Mapping[str, str] | None = None


class Notifier(ABC):
    type_name: ClassVar[str]
    Config: ClassVar[type[NotifierConfig]]
    min_interval: ClassVar[float] = 0.0  # seconds between two sends through one instance

    def __init__(self, config: NotifierConfig, session: aiohttp.ClientSession) -> None:
        self.config = config
        self.session = session
        self.secrets = Secrets(self.secret_values())

    def secret_values(self) -> Iterable[str]:
        """What must never show up in a log line or a stored error: keys, tokens, secret-bearing URLs'
        parts (`url_secrets`). Blanked out of every `Delivery.detail` in each form it can be echoed in."""
        return ()

    @property
    def name(self) -> str:
        return self.config.name

    def compose(self, message: GroupNotification) -> GroupNotification:
        """The message as this notifier words it: its templates applied to the title and text."""
        title = templates.render(self.config.title_template, message, message.title, self.name)
        text = templates.render(self.config.text_template, message, "", self.name) or None
        return message._replace(title=title, text=text)

    @abstractmethod
    async def send(self, notification: Notification) -> Delivery:
        """Deliver once and say what happened. Must not raise for network or HTTP errors."""
