"""Prometheus Alertmanager: POST /api/v2/alerts, one Alertmanager alert per alert of the group.

Alertmanager groups, deduplicates and routes on its own side, so it gets every alert separately: firing
ones without `endsAt`, resolved ones with `endsAt` = when they resolved. An alert is identified there by
its label set, so besides `alertname`, `provider`, `kind`, `component` and `severity` each carries
`alert_key` (the engine's dedup key: two incidents of one provider stay two alerts).

Alertmanager resolves a firing alert by itself when it hears nothing for `resolve_timeout` (5 minutes by
default), so firing alerts are re-sent every `resend_interval` (`repeat_every`: the alerting stage sends
this notifier's groups at least that often). When an alert's severity changes, its label set changes: the
receipt remembers the severity each firing alert was sent with, and the old label set is ended at once.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Literal
from urllib.parse import quote

import aiohttp
from pydantic import Field, SecretStr, field_validator

from monitor import USER_AGENT
from monitor.durations import Duration, Timeout
from monitor.model import Alert, Notification
from monitor.notify.base import Delivery, Notifier, NotifierConfig, Outcome
from monitor.notify.group import rfc3339
from monitor.notify.http import post_json
from monitor.notify.secrets import url_secrets

ALERTS_PATH = "/api/v2/alerts"
OUR_LABELS = frozenset({"alertname", "provider", "kind", "component", "severity", "alert_key"})
_LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")  # Alertmanager's (Prometheus') label name syntax


class AlertmanagerConfig(NotifierConfig):
    type: Literal["alertmanager"]
    urls: list[SecretStr] = Field(min_length=1)  # base URLs; may carry credentials or a proxy token
    alertname: str = Field(default="ThirdPartyOutage", min_length=1)
    labels: dict[str, str] = Field(default_factory=dict)  # added to every alert
    external_url: str = Field(default="http://localhost:9110", pattern=r"^https?://")  # for generatorURL
    resend_interval: Duration = Field(default=60.0, ge=1.0)  # below Alertmanager's resolve_timeout
    timeout: Timeout = Field(default=10.0)

    @field_validator("urls")
    @classmethod
    def _http_urls(cls, value: list[SecretStr]) -> list[SecretStr]:
        for index, url in enumerate(value):
            if not re.match(r"^https?://[^/]", url.get_secret_value()):
                raise ValueError(f"urls[{index}] is not an absolute http(s) URL")
        return value

    @field_validator("labels")
    @classmethod
    def _label_names(cls, value: dict[str, str]) -> dict[str, str]:
        for name in value:
            if not _LABEL_NAME.fullmatch(name):
                raise ValueError(f"label name {name!r} must match [a-zA-Z_][a-zA-Z0-9_]*")
            if name in OUR_LABELS:
                raise ValueError(f"label {name!r} is set by the notifier itself")
        return value

    @property
    def repeat_every(self) -> float | None:
        return self.resend_interval


class AlertmanagerNotifier(Notifier):
    type_name = "alertmanager"
    Config = AlertmanagerConfig

    config: AlertmanagerConfig

    def __init__(self, config: AlertmanagerConfig, session: aiohttp.ClientSession) -> None:
        super().__init__(config, session)

    def secret_values(self) -> Iterable[str]:
        return [secret for url in self.config.urls for secret in url_secrets(url.get_secret_value())]

    async def send(self, notification: Notification) -> Delivery:
        message = self.compose(notification.message)
        alerts = render(
            message.firing, message.resolved, notification.receipt, self.config, notification.created_at
        )
        body = json.dumps(alerts, ensure_ascii=False).encode()
        headers = {"User-Agent": USER_AGENT}
        answers = await asyncio.gather(
            *(
                post_json(
                    self.session,
                    url.get_secret_value().rstrip("/") + ALERTS_PATH,
                    body,
                    headers,
                    self.config.timeout,
                    secrets=self.secrets,
                )
                for url in self.config.urls
            )
        )
        receipt = {alert.key: alert.severity.label for alert in message.firing}
        return combine(answers, receipt)


def render(
    firing: Iterable[Alert],
    resolved: Iterable[Alert],
    sent: Mapping[str, str],
    config: AlertmanagerConfig,
    now: datetime,
) -> list[dict[str, Any]]:
    """The postableAlerts: firing ones open-ended, resolved ones ended when they resolved, and those sent
    before under another severity (`sent`: key -> severity label) ended now under their old labels."""
    alerts = [_postable(alert, config) for alert in firing]
    alerts += [_postable(alert, config, ends_at=alert.resolved_at or now) for alert in resolved]
    current = {alert.key: alert for alert in (*firing, *resolved)}
    for key, severity in sorted(sent.items()):
        alert = current.get(key)
        if alert is not None and alert.severity.label != severity:
            stale = _postable(alert, config, ends_at=now)
            stale["labels"]["severity"] = severity
            alerts.append(stale)
    return alerts


def _postable(alert: Alert, config: AlertmanagerConfig, *, ends_at: datetime | None = None) -> dict[str, Any]:
    labels = {**config.labels, "alertname": config.alertname, **alert.labels, "alert_key": alert.key}
    annotations = {"summary": alert.title, "description": alert.detail or alert.summary}
    if alert.url:
        annotations["url"] = alert.url
    postable: dict[str, Any] = {
        "labels": labels,
        "annotations": annotations,
        "startsAt": rfc3339(alert.started_at),
        "generatorURL": f"{config.external_url.rstrip('/')}/providers/{quote(alert.provider, safe='')}",
    }
    if ends_at is not None:
        postable["endsAt"] = rfc3339(max(ends_at, alert.started_at))  # never before startsAt
    return postable


def combine(answers: Iterable[Delivery], receipt: Mapping[str, str]) -> Delivery:
    """Delivered when at least one Alertmanager accepted (they share alerts in a cluster); else retried
    unless every one refused the request itself."""
    answers = list(answers)
    detail = "; ".join(f"alertmanager {index}: {a.detail}" for index, a in enumerate(answers, 1))
    if any(a.outcome is Outcome.DELIVERED for a in answers):
        return Delivery(Outcome.DELIVERED, detail, receipt=receipt)
    if all(a.outcome is Outcome.PERMANENT for a in answers):
        return Delivery(Outcome.PERMANENT, detail)
    waits = [a.retry_after for a in answers if a.retry_after is not None]
    return Delivery(Outcome.RETRY, detail, min(waits, default=None))
