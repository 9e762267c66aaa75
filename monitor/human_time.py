"""Times as people read them on the status page: "12:04 UTC" today, "16 Jul 23:00 UTC" another day,
"3 min ago" for how fresh something is. Always UTC, named as such: the reader's zone is unknown to the
server and the page runs no script to learn it; the exact moment stays in each `<time datetime>`."""

from __future__ import annotations

from datetime import UTC, datetime

from monitor.store.codec import parse_time

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def clock(text: str, now: datetime) -> str:
    """An ISO moment as a time of day, with the day when it is not today's and the year when not this one.
    Month names are spelled here, not by strftime, so the server's locale cannot change them."""
    moment = parse_time(text)
    today = now.astimezone(UTC)
    hour = f"{moment:%H:%M} UTC"
    if moment.date() == today.date():
        return hour
    day = f"{moment.day} {_MONTHS[moment.month - 1]}"
    if moment.year != today.year:
        day += f" {moment.year}"
    return f"{day} {hour}"


def ago(text: str | None, now: datetime) -> str:
    """How long before `now` an ISO moment was, in its largest whole unit; `never` for none."""
    if text is None:
        return "never"
    seconds = int((now - parse_time(text)).total_seconds())
    if seconds < 0:
        return "just now"
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds // size} {unit} ago"
    return f"{seconds} s ago"
