"""The notifier interface: render one notification, send it once, classify the answer.

A notifier never sleeps or loops to retry: the dispatcher owns retries, backoff, Retry-After, rate
limits (`min_interval`) and dead letters. Adding a service is adding one module here.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar

import aiohttp
from pydantic import BaseModel, ConfigDict, Field

from monitor.model import Notification
from monitor.notify.secrets import Secrets


class NotifierConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[A-Za-z0-9_.-]+$", max_length=64)
    type: str


class Outcome(StrEnum):
    DELIVERED = "delivered"
    RETRY = "retry"  # transient: try again later (after `retry_after` seconds when given)
    PERMANENT = "permanent"  # will never succeed as is: dead-letter it


@dataclass(frozen=True, slots=True)
class Delivery:
    outcome: Outcome
    detail: str = ""  # logged and stored once the dispatcher blanks out the notifier's `secrets`
    retry_after: float | None = None


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

    @abstractmethod
    async def send(self, notification: Notification) -> Delivery:
        """Deliver once and say what happened. Must not raise for network or HTTP errors."""
