"""Durations in config: `30s`, `5m`, `1h`, `1h30m`, `250ms` or a plain number of seconds.

Every duration is finite, positive and at most a year (`nan`, `inf` and `1e300` are errors, not a
poll loop that never sleeps or a timer that overflows); a field with tighter needs narrows that with
`bounded`, e.g. `Annotated[float, bounded(1.0, DAY)]`. YAML numbers obey the same rules as text.
"""

from __future__ import annotations

import math
import re
from functools import partial
from typing import Annotated

from pydantic import BeforeValidator

MINUTE = 60.0
HOUR = 3600.0
DAY = 86400.0
MAX_SECONDS = 365 * DAY

_UNITS = {"ms": 0.001, "s": 1.0, "m": MINUTE, "h": HOUR, "d": DAY}
_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d)")
_FORMS = "expected a duration like 30s, 5m, 1h or a number of seconds"


def parse_duration(value: object, minimum: float = 0.0, maximum: float = MAX_SECONDS) -> float:
    """Seconds in [minimum, maximum] (and always > 0); ValueError with the forms or the bound otherwise."""
    if isinstance(value, bool):
        raise ValueError(_FORMS)
    if isinstance(value, int | float):
        try:
            seconds = float(value)
        except OverflowError:  # an int with hundreds of digits
            raise ValueError(f"must be at most {show(maximum)}") from None
    elif isinstance(value, str):
        text = value.strip().lower()
        try:
            seconds = float(text)
        except ValueError:
            parts = _PART.findall(text)
            if not parts or "".join(n + u for n, u in parts) != text.replace(" ", ""):
                raise ValueError(f"invalid duration {value!r}: {_FORMS}") from None
            seconds = sum(float(n) * _UNITS[u] for n, u in parts)
    else:
        raise ValueError(_FORMS)
    if math.isnan(seconds):
        raise ValueError(f"invalid duration {value!r}: {_FORMS}")
    if seconds <= 0:
        raise ValueError(f"duration must be positive, got {value!r}")
    if seconds < minimum:
        raise ValueError(f"must be at least {show(minimum)}, got {value!r}")
    if seconds > maximum:  # inf included
        raise ValueError(f"must be at most {show(maximum)}, got {value!r}")
    return seconds


def bounded(minimum: float, maximum: float) -> BeforeValidator:
    """A duration field's validator for [minimum, maximum] seconds."""
    return BeforeValidator(partial(parse_duration, minimum=minimum, maximum=maximum))


def show(seconds: float) -> str:
    """Seconds in the largest unit that writes them exactly (`1d`, `90s`, `250ms`), as users write them."""
    for unit in ("d", "h", "m", "s", "ms"):
        count = seconds / _UNITS[unit]
        if count >= 1 and count == round(count):
            return f"{round(count)}{unit}"
    return f"{seconds:g}s"


Duration = Annotated[float, BeforeValidator(parse_duration)]
Interval = Annotated[float, bounded(1.0, DAY)]  # a poll interval: never hammer a vendor's page
Timeout = Annotated[float, bounded(0.1, 10 * MINUTE)]  # one request's deadline
