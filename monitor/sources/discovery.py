"""Which status-page format a URL speaks: try every registered format that could apply, pick by order.

Each format says, through `Source.candidate(url)`, the config it would read the URL with (fixed-host
formats only answer for their vendor's host). All candidates are fetched at once, each within the
timeout, but the winner is the first in ascending `detect_order` that returned a page: an incident.io
page also answers the Statuspage path, and must be read as incident.io. When the user pasted a deeper
URL (an incident's page), the URL's origin is tried too, ranked after every candidate for the URL
itself; both rounds run concurrently, so discovery takes at most one timeout.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import get_args

from yarl import URL

from monitor.errors import PollError, PollOutcome
from monitor.fetch import HttpClient, NotModified
from monitor.model import PollFailure, Snapshot
from monitor.sources.base import Source, SourceConfig
from monitor.sources.read import read_page

_MAX_REASON = 160


@dataclass(frozen=True, slots=True)
class Attempt:
    """One format tried on one URL (as given, or its origin), and why it did not read the page."""

    format: str
    url: str
    outcome: str  # a polls_total outcome: timeout, http_error, parse_error, ...
    reason: str


@dataclass(frozen=True, slots=True)
class Discovery:
    """The format that read the page: its source (already fetched once, so it holds the validators),
    the page as read, and the formats ranked before it that failed."""

    source: Source
    snapshot: Snapshot
    tried: tuple[Attempt, ...]

    @property
    def config(self) -> SourceConfig:
        return self.source.config


class NoFormat(PollError):
    """No registered format reads the URL; `tried` says what each format got."""

    def __init__(self, url: str, tried: Sequence[Attempt]) -> None:
        outcomes = {attempt.outcome for attempt in tried}
        # every format failing the same way (all timeouts: the host is down) is that failure;
        # answers of different kinds mean the host answered but no format reads it
        outcome: PollOutcome = "parse_error"
        for known in get_args(PollOutcome):
            if outcomes == {known}:
                outcome = known
        names = ", ".join(dict.fromkeys(attempt.format for attempt in tried)) or "none applies"
        super().__init__(outcome, f"no known status-page format reads {url} (tried: {names})")
        self.tried = tuple(tried)


def normalize_url(url: str) -> str:
    """What a user pasted as a page URL: `https://` added when no scheme was given, no trailing slash."""
    url = url.strip()
    if "://" not in url:
        url = "https://" + url
    return url.rstrip("/")


def is_web_url(url: str) -> bool:
    """An http(s) URL with a host: what a status page's address must be."""
    try:
        parsed = URL(url)
    except ValueError:
        return False
    return parsed.scheme in ("http", "https") and bool(parsed.host)


def origin(url: str) -> str | None:
    """`scheme://host[:port]` of a URL with a path or query beyond it, else None."""
    try:
        parsed = URL(url)
    except ValueError:
        return None
    if not parsed.is_absolute() or (parsed.path in ("", "/") and not parsed.query_string):
        return None
    return str(parsed.origin())


async def discover(
    http: HttpClient, url: str, timeout: float, formats: Iterable[type[Source]], name: str = "discovered"
) -> Discovery:
    """The first of `formats`, in detect order, that reads `url` (then its origin); `NoFormat` if none does.
    `name` is the provider the found config (and any log line of a probe) is for. The formats are passed in
    (the registry's, by its callers) so that `type: auto`, itself in the registry, can use discovery."""
    guessable = sorted((f for f in formats if f.detect_order is not None), key=lambda f: f.detect_order or 0)
    url = normalize_url(url)
    ranked: list[Attempt | tuple[str, asyncio.Task[tuple[Source, Snapshot | PollFailure]]]] = []
    tried: list[Attempt] = []
    try:
        for where in [url] + [u for u in (origin(url),) if u is not None]:
            for fmt in guessable:
                try:
                    config = fmt.candidate(where)
                except ValueError as exc:  # pydantic's ValidationError: the URL does not fit the format
                    ranked.append(Attempt(fmt.type_name, where, "parse_error", _brief(str(exc))))
                    continue
                if config is not None:
                    source = fmt(config.model_copy(update={"name": name}))
                    ranked.append((where, asyncio.create_task(_probe(http, source, timeout))))
        for candidate in ranked:
            if isinstance(candidate, Attempt):
                tried.append(candidate)
                continue
            where, probe = candidate
            source, result = await probe
            if isinstance(result, Snapshot):
                return Discovery(source, result, tuple(tried))
            tried.append(Attempt(source.type_name, where, result.outcome, _brief(result.message)))
    finally:
        probes = [candidate[1] for candidate in ranked if isinstance(candidate, tuple)]
        for probe in probes:
            probe.cancel()
        await asyncio.gather(*probes, return_exceptions=True)
    raise NoFormat(url, tried)


async def _probe(http: HttpClient, source: Source, timeout: float) -> tuple[Source, Snapshot | PollFailure]:
    """One candidate's first fetch, bounded as a whole (a format may need several requests)."""
    try:
        async with asyncio.timeout(timeout):
            result = await read_page(source.config.name, source, http, timeout)
    except TimeoutError:
        return source, PollFailure("timeout", f"no complete answer within {timeout:g}s")
    if isinstance(result, NotModified):
        return source, PollFailure("parse_error", "304 Not Modified to a request without validators")
    return source, result


def _brief(message: str) -> str:
    first = message.splitlines()[0] if message else ""
    return first if len(first) <= _MAX_REASON else first[: _MAX_REASON - 3] + "..."


_GENERIC_LABELS = frozenset({"www", "status", "statuspage", "instatus", "betteruptime", "betterstack", "api"})
_SECOND_LEVEL = frozenset({"co", "com", "org", "net", "gov", "ac", "edu"})  # status.example.co.uk


def suggested_name(url: str) -> str:
    """A provider name from the page's host: www.githubstatus.com -> github, status.openai.com -> openai."""
    host = (URL(url).host or "").lower().rstrip(".")
    labels = host.split(".")
    if len(labels) < 2 or all(label.isdigit() for label in labels) or ":" in host:
        return "provider"  # an IP address: nothing to name it after
    labels = labels[:-1]
    if len(labels) > 1 and labels[-1] in _SECOND_LEVEL:
        labels = labels[:-1]
    name = "-".join([label for label in labels if label not in _GENERIC_LABELS] or labels)
    name = re.sub(r"[^a-z0-9_-]+", "-", name).strip("-")
    shorter = re.sub(r"^status-?|-?status$", "", name)
    return (shorter or name or "provider")[:64]
