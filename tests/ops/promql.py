"""Metric names a PromQL expression reads, for checking dashboards and rules against what the daemon
exports. Not a parser: it removes what cannot be a metric name (strings, label matchers, ranges and
offsets, grouping label lists, Grafana variables, numbers), then every identifier not called as a
function and not a keyword is a metric name."""

from __future__ import annotations

import re

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"' + r"|'(?:[^'\\]|\\.)*'" + r"|`[^`]*`")
_MATCHERS = re.compile(r"\{[^{}]*\}")
_RANGE = re.compile(r"\[[^\[\]]*\]")
_LABEL_LIST = re.compile(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)")
_OFFSET = re.compile(r"\boffset\s+-?[0-9a-z]+")
_GRAFANA_VARIABLE = re.compile(r"\$(?:\{[^}]*\}|\w+)")
_TOKEN = re.compile(
    r"(?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)|(?P<name>[A-Za-z_:][\w:]*)(?P<call>\s*\()?"
)
_KEYWORDS = frozenset(
    {"and", "or", "unless", "bool", "by", "without", "on", "ignoring", "group_left", "group_right"}
    | {"offset", "inf", "nan"}
)


def metric_names(expr: str) -> set[str]:
    text = _STRING.sub('""', expr)
    for pattern in (_MATCHERS, _RANGE, _LABEL_LIST, _OFFSET, _GRAFANA_VARIABLE):
        text = pattern.sub(" ", text)
    return {
        m["name"]
        for m in _TOKEN.finditer(text)
        if m["name"] and not m["call"] and m["name"].lower() not in _KEYWORDS
    }


_LABEL_VALUES = re.compile(r"^\s*label_values\((?P<selector>.*),\s*\w+\s*\)\s*$")


def template_query_expr(query: str) -> str:
    """The PromQL inside a Grafana template query `label_values(<selector>, <label>)`."""
    match = _LABEL_VALUES.match(query)
    assert match is not None, f"unsupported template query {query!r}"
    return match["selector"]
