"""Every time a status page writes, as an aware UTC datetime.

Pages write ISO 8601 with offsets or `Z`, zone-less local times (Cachet), RFC 822 dates (RSS),
epoch seconds or milliseconds, as numbers or as strings (AWS), and now and then a zone name after
the time (`2024-01-02 10:00:00 Europe/Paris`, `... PST`). `parse_time` reads all of them and
answers None for anything else, so the caller can warn instead of crashing.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_EPOCH_MS_ABOVE = 1e11  # 1e11 seconds is the year 5138; larger epoch values are milliseconds
_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")
_TRAILING_ZONE = re.compile(r"^(?P<time>.+?)\s+(?P<zone>[A-Za-z][A-Za-z0-9_+\-/]*)$")
# Abbreviations vendors write; anything else must be an IANA name (ambiguous ones like IST are not guessed).
_ABBREVIATIONS = {
    "UTC": timedelta(0),
    "GMT": timedelta(0),
    "Z": timedelta(0),
    "EST": timedelta(hours=-5),
    "EDT": timedelta(hours=-4),
    "CST": timedelta(hours=-6),
    "CDT": timedelta(hours=-5),
    "MST": timedelta(hours=-7),
    "MDT": timedelta(hours=-6),
    "PST": timedelta(hours=-8),
    "PDT": timedelta(hours=-7),
    "CET": timedelta(hours=1),
    "CEST": timedelta(hours=2),
}


def parse_time(value: object, naive_zone: tzinfo = UTC, *, epochs: bool = True) -> datetime | None:
    """`value` as UTC, or None when it is no time; a zone-less time is read in `naive_zone`.

    `epochs=False` refuses bare numbers, for formats whose times are always written out (a number
    there is a broken value, not 1970)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return _from_epoch(float(value)) if epochs else None
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text:
        return None
    if _NUMBER.fullmatch(text):
        return _from_epoch(float(text)) if epochs else None
    parsed = _parse_text(text)
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=naive_zone)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:
        return None


def zone(name: str) -> tzinfo:
    """An IANA zone or a common abbreviation; `ValueError` for a name we cannot place."""
    offset = _ABBREVIATIONS.get(name.upper())
    if offset is not None:
        return UTC if not offset else timezone(offset, name.upper())
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r}") from None


def _from_epoch(seconds: float) -> datetime | None:
    if not math.isfinite(seconds) or seconds < 0:
        return None
    if seconds > _EPOCH_MS_ABOVE:
        seconds /= 1000.0
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _parse_text(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    try:
        parsed = parsedate_to_datetime(text)  # RFC 822 / RFC 2822, the dates of RSS
    except (TypeError, ValueError, IndexError):
        parsed = None
    if parsed is not None:
        return parsed
    match = _TRAILING_ZONE.match(text)
    if match is None:
        return None
    try:
        local = datetime.fromisoformat(match["time"])
        where = zone(match["zone"])
    except ValueError:
        return None
    return None if local.tzinfo is not None else local.replace(tzinfo=where)
