"""What a config problem is: where it was written and how its field and any misspelling are named."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import NamedTuple, TypeAlias

Loc: TypeAlias = tuple[str | int, ...]

_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


class ConfigError(Exception):
    """The configuration is unusable; `errors` holds one `file:line: field: message` per problem."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = list(errors)


class Problem(NamedTuple):
    """One mistake, at the path of the value it is about."""

    loc: Loc
    message: str
    line: int | None = None  # None: the line where `loc` (or its nearest written parent) is


def unknown(name: str, what: str, choices: Sequence[str], label: str | None) -> str:
    """`unknown key 'intervall'; did you mean 'interval'? allowed: ...`; no list without a label."""
    from difflib import get_close_matches  # imported by a mistake, not by every config that has none

    message = f"unknown {what} {name!r}"
    close = get_close_matches(name, choices, n=1)
    if close:
        message += f"; did you mean {close[0]!r}?"
    if label is None or not choices:
        return message
    return f"{message}{';' if not close else ''} {label}: {', '.join(choices)}"


def field_path(loc: Loc, shown_as: Mapping[Loc, str]) -> str:
    """`providers[2].interval` as the user wrote it (`shown_as`: `webhook_url_file` for `webhook_url`)."""
    path = ""
    for depth, part in enumerate(loc):
        if isinstance(part, int):
            path += f"[{part}]"
            continue
        name = shown_as.get(loc[: depth + 1], part)
        path += (("." if path else "") + name) if _PLAIN_KEY.fullmatch(name) else f"[{name!r}]"
    return path
