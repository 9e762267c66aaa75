"""Durations in config: `30s`, `5m`, `1h`, `1h30m`, `250ms` or a plain number of seconds."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BeforeValidator

_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d)")


def parse_duration(value: object) -> float:
    """Seconds as a float; raises ValueError with the accepted forms on anything else."""
    if isinstance(value, bool):
        raise ValueError("expected a duration like 30s, 5m, 1h or a number of seconds")
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str):
        text = value.strip().lower()
        try:
            seconds = float(text)
        except ValueError:
            parts = _PART.findall(text)
            if not parts or "".join(n + u for n, u in parts) != text.replace(" ", ""):
                raise ValueError(
                    f"invalid duration {value!r}: expected a duration like 30s, 5m, 1h or a number of seconds"
                ) from None
            seconds = sum(float(n) * _UNITS[u] for n, u in parts)
    else:
        raise ValueError("expected a duration like 30s, 5m, 1h or a number of seconds")
    if seconds <= 0:
        raise ValueError(f"duration must be positive, got {value!r}")
    return seconds


Duration = Annotated[float, BeforeValidator(parse_duration)]
