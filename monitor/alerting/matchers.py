r"""Label matchers in Alertmanager's syntax, for silences and the API: `provider="github"`, `severity!=info`.

Pure. An alert's labels are a `Mapping[str, str]` (provider, kind, component, severity); a matcher
is one test on one label, and a silence holds when all of its matchers match.

| input / case                      | rule                                                                 |
|-----------------------------------|----------------------------------------------------------------------|
| `name="value"`, `name=value`      | operators `=` `!=` `=~` `!~`; quotes optional (as amtool accepts)    |
| `name = "value"`                  | blanks around the name, operator and value are ignored               |
| escapes `\"` `\\` `\n` in values  | a quote, a backslash, a newline; any other `\x` is kept as written   |
| unquoted value with `"`           | error: unescaped double quote                                        |
| `"abc` or `"a"b`                  | error: missing closing quote / text after the closing quote          |
| `==`, `~=`, `=!`, `<>`, ...       | error: unknown operator (a value starting with `=!~<>` needs quotes) |
| empty text, no operator           | error                                                                |
| label not in LABELS               | error, with "did you mean" when close                                |
| `=~` / `!~`                       | the regex is fully anchored, as `^(?:value)$`; a bad one is an error |
| `kind`/`severity` with `=` / `!=` | the value must be one of their words ("did you mean" when close)     |
| `kind`/`severity` with a regex    | the regex must match at least one of their words                     |
| label absent from the alert       | matches like the empty string (`component=""` holds, `!=""` not)     |
| `str(m)` / `to_json`, `from_json` | `name="value"` (parses back) / `{name, value, isRegex, isEqual}`     |
| JSON without isRegex / isEqual    | false / true, as in Alertmanager's API                               |
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from monitor.model import Severity

KINDS = ("component", "incident", "maintenance", "source")
SEVERITIES = tuple(s.label for s in Severity)
LABELS = ("provider", "kind", "component", "severity")
_WORDS: Mapping[str, Sequence[str]] = {"kind": KINDS, "severity": SEVERITIES}
_EXAMPLE = 'expected label, operator and value, e.g. provider="github"'
_SHAPE = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*([=!~<>]+)\s*(.*?)\s*", re.DOTALL)
_ESCAPES = {"n": "\n", '"': '"', "\\": "\\"}


class MatcherError(ValueError):
    """A matcher that cannot be used; the message says what to write instead."""


class MatchOp(StrEnum):
    EQUAL = "="
    NOT_EQUAL = "!="
    REGEX = "=~"
    NOT_REGEX = "!~"

    @property
    def is_regex(self) -> bool:
        return self in (MatchOp.REGEX, MatchOp.NOT_REGEX)

    @property
    def is_equal(self) -> bool:
        return self in (MatchOp.EQUAL, MatchOp.REGEX)


@dataclass(frozen=True, slots=True)
class Matcher:
    """One test on one label; constructing one validates it (raises `MatcherError`)."""

    name: str
    op: MatchOp
    value: str
    _pattern: re.Pattern[str] | None = field(init=False, repr=False, compare=False, default=None)

    def __post_init__(self) -> None:
        if self.name not in LABELS:
            raise MatcherError(did_you_mean(f"unknown label {self.name!r}", self.name, LABELS))
        words = _WORDS.get(self.name)
        if not self.op.is_regex:
            if words is not None and self.value not in words:
                raise MatcherError(did_you_mean(f"unknown {self.name} {self.value!r}", self.value, words))
            return
        try:
            pattern = re.compile(self.value)  # fullmatch anchors it as ^(?:value)$
        except re.error as exc:
            raise MatcherError(f"bad regular expression {self.value!r}: {exc}") from None
        if words is not None and not any(pattern.fullmatch(w) for w in words):
            raise MatcherError(f"{self.value!r} matches no {self.name}; known: {', '.join(words)}")
        object.__setattr__(self, "_pattern", pattern)

    def matches(self, labels: Mapping[str, str]) -> bool:
        value = labels.get(self.name, "")
        if self._pattern is None:
            return (value == self.value) == self.op.is_equal
        return (self._pattern.fullmatch(value) is not None) == self.op.is_equal

    @property
    def matches_empty(self) -> bool:
        """Whether this matcher holds for an alert without the label (so alone it would match everything)."""
        return self.matches({})

    def __str__(self) -> str:
        escaped = self.value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        return f'{self.name}{self.op}"{escaped}"'

    def to_json(self) -> dict[str, Any]:
        """Alertmanager's API shape: `{"name", "value", "isRegex", "isEqual"}`."""
        return {
            "name": self.name,
            "value": self.value,
            "isRegex": self.op.is_regex,
            "isEqual": self.op.is_equal,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Matcher:
        """The API shape back; `isRegex` defaults to false and `isEqual` to true, as in Alertmanager."""
        name, value = data.get("name"), data.get("value")
        is_regex, is_equal = data.get("isRegex", False), data.get("isEqual", True)
        if not isinstance(name, str) or not isinstance(value, str):
            raise MatcherError("a matcher needs a string 'name' and a string 'value'")
        if not isinstance(is_regex, bool) or not isinstance(is_equal, bool):
            raise MatcherError("'isRegex' and 'isEqual' must be true or false")
        op = {
            (False, True): MatchOp.EQUAL,
            (False, False): MatchOp.NOT_EQUAL,
            (True, True): MatchOp.REGEX,
            (True, False): MatchOp.NOT_REGEX,
        }[(is_regex, is_equal)]
        return cls(name, op, value)


def parse_matcher(text: str) -> Matcher:
    """`provider="github"` (or `provider=github`) into a `Matcher`; raises `MatcherError`."""
    if not text.strip():
        raise MatcherError('empty matcher: expected label, operator and value, e.g. provider="github"')
    shape = _SHAPE.fullmatch(text)
    if shape is None:
        raise MatcherError(
            f'bad matcher {text!r}: expected label, operator and value, e.g. provider="github"'
        )
    name, op, raw = shape.groups()
    if op not in set(MatchOp):
        raise MatcherError(f"unknown operator {op!r} in {text!r}: use =, !=, =~ or !~")
    return Matcher(name, MatchOp(op), _unquote(raw, text))


def _unquote(raw: str, text: str) -> str:
    """Alertmanager's value escapes; quotes, when present, must enclose the whole value."""
    quoted = raw.startswith('"')
    chars = iter(raw[1:] if quoted else raw)
    value: list[str] = []
    closed = False
    for char in chars:
        if closed:
            raise MatcherError(f"text after the closing quote in {text!r}")
        if char == "\\":
            escaped = next(chars, "")
            value.append(_ESCAPES.get(escaped, "\\" + escaped))
        elif char == '"' and quoted:
            closed = True
        elif char == '"':
            raise MatcherError(f"unescaped double quote in the value of {text!r}")
        else:
            value.append(char)
    if quoted and not closed:
        raise MatcherError(f"missing closing quote in {text!r}")
    return "".join(value)


def did_you_mean(message: str, word: str, choices: Sequence[str], otherwise: str | None = None) -> str:
    """`message; did you mean 'x'?` when a choice is close, else `message; <otherwise or known: a, b>`."""
    close = difflib.get_close_matches(word, choices, n=1)
    if close:
        return f"{message}; did you mean {close[0]!r}?"
    return f"{message}; {otherwise or 'known: ' + ', '.join(choices)}"
