"""A group notification as plain lines, for notifiers whose service shows text, not cards (e-mail, Apprise).

`listing` says what to show (the state line, then firing, resolved and related alerts, each with its page);
`plain_text` writes it as text. Keeping the two apart lets the e-mail's HTML part show the same listing
with each piece escaped, rather than a second copy of what goes in it.
"""

from __future__ import annotations

from dataclasses import dataclass

from monitor.model import Alert, GroupNotification
from monitor.notify.group import group_provider, rfc3339
from monitor.notify.http import truncate

NAME_CHARS = 200  # an alert's name or provider in a line: a page's essay stays out of the listing


@dataclass(frozen=True, slots=True)
class Line:
    text: str  # third-party text (an alert's name, a provider): escape it for any markup
    url: str | None = None  # the alert's page, when it is an http(s) URL


@dataclass(frozen=True, slots=True)
class Section:
    heading: str
    lines: tuple[Line, ...]
    more: int  # alerts in the group beyond those listed


def state(message: GroupNotification) -> str:
    """`firing (escalated) · severity major · 2 firing, 1 resolved · group route=0|provider=github`."""
    counts = f"{message.firing_total} firing, {message.resolved_total} resolved"
    if message.related_total:
        counts += f", {message.related_total} related"
    why = "" if message.reason == message.status else f" ({message.reason})"
    return f"{message.status}{why} · severity {message.severity.label} · {counts} · group {message.group_key}"


def listing(message: GroupNotification) -> list[Section]:
    """The group's alerts, one section per non-empty list, in the order firing, resolved, related."""
    cause = group_provider(message)
    sections = [
        ("Firing", message.firing, message.firing_total, _firing),
        ("Resolved", message.resolved, message.resolved_total, _resolved),
        (
            "Related",
            message.related,
            message.related_total,
            lambda a: f"{_name(a)}, likely caused by {cause}",
        ),
    ]
    return [
        Section(
            heading, tuple(Line(describe(alert), _url(alert.url)) for alert in alerts), total - len(alerts)
        )
        for heading, alerts, total, describe in sections
        if total
    ]


def plain_text(message: GroupNotification) -> str:
    """The text of the message: its own text (a `text_template`) if any, the state, then the listing."""
    parts = [message.text] if message.text else []
    parts.append(state(message))
    for section in listing(message):
        lines = [f"{section.heading}:"]
        lines += [f"- {line.text}" + (f" <{line.url}>" if line.url else "") for line in section.lines]
        if section.more:
            lines.append(f"…and {section.more} more")
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


def _firing(alert: Alert) -> str:
    return f"[{alert.severity.label}] {_name(alert)} since {rfc3339(alert.started_at)}"


def _resolved(alert: Alert) -> str:
    at = f" at {rfc3339(alert.resolved_at)}" if alert.resolved_at else ""
    return f"{_name(alert)} resolved{at}"


def _name(alert: Alert) -> str:
    return f"{_one_line(alert.summary)} ({_one_line(alert.provider)})"


def _one_line(text: str) -> str:
    return truncate(" ".join(text.split()), NAME_CHARS)


def _url(url: str | None) -> str | None:
    return url if url and url.startswith(("https://", "http://")) else None
