"""What several notifiers read off a group notification the same way: an alert as plain JSON data, the
one provider a group is about (the source of a PagerDuty event, the cause a related alert names),
times as RFC 3339, and a group key bounded to a service's identifier length."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from monitor.model import Alert, GroupNotification

SEVERAL_PROVIDERS = "outage-monitor"  # what a group spanning providers is "from"
LINK_CHARS = 2000  # a longer "URL" is not a status page link: left out, never cut


def rfc3339(moment: datetime) -> str:
    """UTC RFC 3339 with a `Z` suffix; naive datetimes are taken as UTC (the engine's convention)."""
    aware = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return aware.isoformat().replace("+00:00", "Z")


def alert_document(alert: Alert) -> dict[str, Any]:
    """Every field of an alert with its labels; times in RFC 3339 UTC, absent values null."""
    return {
        "key": alert.key,
        "provider": alert.provider,
        "kind": alert.kind.value,
        "severity": alert.severity.label,
        "summary": alert.summary,
        "title": alert.title,
        "labels": alert.labels,
        "component": alert.component,
        "detail": alert.detail,
        "url": alert.url,
        "started_at": rfc3339(alert.started_at),
        "updated_at": rfc3339(alert.updated_at),
        "resolved_at": rfc3339(alert.resolved_at) if alert.resolved_at else None,
    }


def group_provider(message: GroupNotification) -> str:
    """The provider of the group's own (firing, else resolved) alerts, or "outage-monitor" for several."""
    providers = {alert.provider for alert in message.firing or message.resolved}
    return providers.pop() if len(providers) == 1 else SEVERAL_PROVIDERS


def bounded_key(key: str, limit: int) -> str:
    """`key` if it fits in `limit` characters, else a readable prefix plus the key's sha256: deterministic,
    so every notification of a group names the same incident, alert or thread."""
    if len(key) <= limit:
        return key
    digest = hashlib.sha256(key.encode()).hexdigest()
    return f"{key[: limit - len(digest) - 1]}~{digest}"


def page_links(alerts: Iterable[Alert], limit: int) -> dict[str, Alert]:
    """The distinct http(s) pages of `alerts` (at most `limit`), each with the first alert that names it."""
    links: dict[str, Alert] = {}
    for alert in alerts:
        url = alert.url
        if url and url.startswith(("https://", "http://")) and len(url) <= LINK_CHARS and url not in links:
            if len(links) == limit:
                break
            links[url] = alert
    return links
