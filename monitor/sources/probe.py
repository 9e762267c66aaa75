"""A synthetic HTTP probe of a provider's own endpoint, reported as one component.

Unlike a status page, the endpoint failing is the news, not an unreadable page: every answer,
and every failure to answer, is a successful Snapshot with one component:

| the endpoint                                                    | component status       |
|-----------------------------------------------------------------|------------------------|
| answers an expected status, the body matches, within threshold  | operational            |
| ... but slower than `latency_threshold`                         | degraded_performance   |
| answers another status, or a body `body_match` does not find    | major_outage           |
| times out, refuses the connection, fails DNS, redirects in loops | major_outage           |

So the engine pages on it like on any component, after `confirm` consecutive polls agree (set
`confirm: 2` or more: a single lost packet on our side should not page anyone). The reason is the
snapshot's `description` ("HTTP 500, expected 200", "no complete answer ... within 10s"), which
names no timings, so an unchanged endpoint does not rewrite the stored state on every poll.
A probe is never guessed by discovery (`detect_order = None`) and sends no validators: a 304
would say nothing about the endpoint's health. `body_match` is a regular expression searched in the
first 64 KiB of the body (decoded as UTF-8, bad bytes replaced).
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, field_validator
from yarl import URL

from monitor.durations import Duration
from monitor.errors import FetchError
from monitor.fetch import HttpClient, NotModified, ProbeResult
from monitor.model import Component, ComponentStatus, Impact, Snapshot
from monitor.sources.base import Source, SourceConfig

_CLASS = re.compile(r"([1-5])xx", re.I)
_SPAN = re.compile(r"(\d{3})(?:-(\d{3}))?")
_INDICATOR = {
    ComponentStatus.OPERATIONAL: Impact.NONE,
    ComponentStatus.DEGRADED_PERFORMANCE: Impact.MINOR,
    ComponentStatus.MAJOR_OUTAGE: Impact.CRITICAL,
}


def _status_ranges(value: object) -> tuple[tuple[int, int], ...]:
    """`200`, `"2xx"`, `"200-299"` or a list of those, as inclusive (low, high) ranges."""
    values = value if isinstance(value, list | tuple) else [value]
    if not values:
        raise ValueError("expect_status needs at least one status")
    return tuple(_status_range(item) for item in values)


def _status_range(item: object) -> tuple[int, int]:
    if isinstance(item, int) and not isinstance(item, bool):
        low = high = item
    elif isinstance(item, str) and (found := _CLASS.fullmatch(item.strip())):
        low, high = int(found[1]) * 100, int(found[1]) * 100 + 99
    elif isinstance(item, str) and (found := _SPAN.fullmatch(item.strip())):
        low, high = int(found[1]), int(found[2] or found[1])
    else:
        raise ValueError(f"expected a status like 200, '2xx' or '200-299', got {item!r}")
    if not 100 <= low <= high <= 599:
        raise ValueError(f"status {item!r} is not within 100-599")
    return low, high


StatusRanges = Annotated[tuple[tuple[int, int], ...], BeforeValidator(_status_ranges)]


class ProbeConfig(SourceConfig):
    """`url` is the endpoint itself, requested as is."""

    type: Literal["probe"]
    expect_status: StatusRanges = Field(default=200, validate_default=True)  # read as ((200, 200),)
    body_match: str | None = None  # a regular expression searched in the body
    latency_threshold: Duration | None = None  # slower answers read as degraded_performance
    component: str | None = Field(default=None, min_length=1, max_length=200)  # default: the host

    @field_validator("body_match")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"body_match is not a valid regular expression: {exc}") from None
        return value


class ProbeSource(Source):
    type_name = "probe"
    Config = ProbeConfig
    detect_order = None  # a probe reads any URL; it is chosen, never guessed

    def __init__(self, config: SourceConfig) -> None:
        super().__init__(config)
        assert isinstance(config, ProbeConfig)
        self.probe_config = config
        self.pattern = re.compile(config.body_match) if config.body_match is not None else None
        self.name = config.component or _host(config.url)

    async def fetch(self, http: HttpClient, timeout: float) -> Snapshot | NotModified:
        try:
            result = await http.probe(self.config.url, timeout=timeout)
        except FetchError as exc:
            return self.snapshot(ComponentStatus.MAJOR_OUTAGE, str(exc), self.config.url)
        status, reason = judge(result, self.probe_config, self.pattern)
        return self.snapshot(status, reason, result.final_url)

    def snapshot(self, status: ComponentStatus, reason: str, page_url: str) -> Snapshot:
        return Snapshot(
            page_url=page_url,
            components=(Component(id=self.name, name=self.name, status=status),),
            indicator=_INDICATOR[status],
            description=reason,
        )


def _host(url: str) -> str:
    try:
        return URL(url).host or url
    except ValueError:  # passed the ^https?:// check but is not a URL; the fetch will say so
        return url


def judge(
    result: ProbeResult, config: ProbeConfig, pattern: re.Pattern[str] | None
) -> tuple[ComponentStatus, str]:
    """The component status an answer means, and why, in words safe to show."""
    if not any(low <= result.status <= high for low, high in config.expect_status):
        expected = ", ".join(
            str(low) if low == high else f"{low}-{high}" for low, high in config.expect_status
        )
        return ComponentStatus.MAJOR_OUTAGE, f"HTTP {result.status}, expected {expected}"
    if pattern is not None and pattern.search(result.body_prefix.decode("utf-8", errors="replace")) is None:
        return ComponentStatus.MAJOR_OUTAGE, f"HTTP {result.status}, but the body does not match body_match"
    threshold = config.latency_threshold
    if threshold is not None and result.elapsed_seconds > threshold:
        return ComponentStatus.DEGRADED_PERFORMANCE, f"HTTP {result.status}, slower than {threshold:g}s"
    return ComponentStatus.OPERATIONAL, f"HTTP {result.status}"  # no timing: it would change every poll
