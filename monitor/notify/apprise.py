"""Apprise: one notifier reaching the 100+ services Apprise speaks to (Telegram, Matrix, ntfy, Pushover,
Google Chat, Mattermost, ...) by their Apprise URLs (https://github.com/caronc/apprise/wiki).

The title is the group's title, the body the plain listing of its alerts. Apprise's async API sends to
every URL at once, running its blocking plugins in worker threads, so the event loop never waits on a
service; `timeout` bounds the whole send (a plugin's thread may finish later, unobserved).

Apprise says only whether each service took the message: any failure or timeout is retried, so with
several URLs a retry also reaches those that had taken it. Give each service its own notifier where
that matters.

Apprise URLs carry their credentials anywhere, even where a URL has its host (`tgram://<bot token>/...`),
so every part of each URL is a secret. Apprise (and urllib3 under it) log through the standard `logging`
module, naming the URL a request went to, so their records are kept out of this daemon's logs entirely;
the detail of a failed send names only the kind of service and how it failed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Literal
from urllib.parse import urlsplit

import aiohttp
import apprise
from apprise.logger import LOGGER_NAME
from pydantic import Field, SecretStr, field_validator

from monitor.durations import Timeout
from monitor.model import Notification, Severity
from monitor.notify.base import Delivery, Notifier, NotifierConfig, Outcome
from monitor.notify.secrets import url_secrets
from monitor.notify.text import plain_text

_FIRING_TYPE = {
    Severity.CRITICAL: apprise.NotifyType.FAILURE,
    Severity.MAJOR: apprise.NotifyType.FAILURE,
    Severity.MINOR: apprise.NotifyType.WARNING,
    Severity.INFO: apprise.NotifyType.INFO,
}


# Apprise's own logger, and urllib3's, which its plugins use through requests (nothing else here does):
# both name the URLs they send to, paths and queries included.
URL_LOGGERS = (LOGGER_NAME, "urllib3")


def _keep_urls_out_of_logs() -> None:
    """Their records stop at their own loggers: not passed up to the root logger's handlers (the
    daemon's), nor to Python's last-resort stderr handler (a NullHandler counts as a handler)."""
    for name in URL_LOGGERS:
        logger = logging.getLogger(name)
        logger.addHandler(logging.NullHandler())
        logger.propagate = False


_keep_urls_out_of_logs()


class AppriseConfig(NotifierConfig):
    type: Literal["apprise"]
    urls: list[SecretStr] = Field(min_length=1)  # Apprise URLs; each may carry a token anywhere
    timeout: Timeout = Field(default=30.0)  # for the send to all URLs

    @field_validator("urls")
    @classmethod
    def _apprise_reads_them(cls, value: list[SecretStr]) -> list[SecretStr]:
        bad = [str(i) for i, url in enumerate(value) if not apprise.Apprise().add(url.get_secret_value())]
        if bad:  # without the URL: it is a secret
            raise ValueError(f"urls[{', '.join(bad)}]: not an Apprise URL of a service this build knows")
        return value


class AppriseNotifier(Notifier):
    type_name = "apprise"
    Config = AppriseConfig

    config: AppriseConfig

    def __init__(self, config: AppriseConfig, session: aiohttp.ClientSession) -> None:
        super().__init__(config, session)  # narrows `config` to AppriseConfig for the type checker
        self._apprise = apprise.Apprise()
        for url in config.urls:
            self._apprise.add(url.get_secret_value())

    def secret_values(self) -> Iterable[str]:
        secrets: list[str] = []
        for secret in self.config.urls:
            url = secret.get_secret_value()
            netloc = urlsplit(url).netloc
            secrets += [*url_secrets(url), netloc, *netloc.replace("@", ":").split(":")]
        return secrets

    async def send(self, notification: Notification) -> Delivery:
        message = self.compose(notification.message)
        kind = apprise.NotifyType.SUCCESS if message.status == "resolved" else _FIRING_TYPE[message.severity]
        result = await self._apprise.async_notify(
            body=plain_text(message),
            title=message.title,
            notify_type=kind,
            body_format=apprise.NotifyFormat.TEXT,
            timeout=self.config.timeout,
        )
        services = list(result)
        if result:
            return Delivery(Outcome.DELIVERED, f"taken by {len(services)} services")
        failed = [
            f"{service.name}: {service.status.name.lower()}"  # the kind of service, never its URL
            for service in services
            if not service
        ]
        detail = f"{len(failed)} of {len(services)} services failed ({'; '.join(failed)})"
        return Delivery(Outcome.RETRY, f"{result.status.name.lower()}: {detail}")
