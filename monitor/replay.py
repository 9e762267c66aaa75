"""`outage-monitor replay`: what a config would have sent over a recorded timeline, with a simulated clock.

Each provider is polled as the daemon polls it: at every time it has captures for (the documents of one
recorded poll share its time) and every `interval` in between, until `tail` (an hour) after the
timeline's last capture. Each request of a poll is answered by the latest capture for its URL then
(`ReplayHttp`): a page read from several documents (Cachet, Instatus) gets each from its own captures,
and a probe gets its recorded status, body and latency, judged by the replayed config. The answers are
read by the format's real parser (so an HTML error page fails the poll as it would live); a poll with
no new capture repeats the last page read as a 304 would, while a failed one fails again, so `confirm`
and `failure_threshold` count polls as they do live. The engine's events go through the real alerting
stage (grouping, silences, time intervals, routing, dependencies), which is also stepped when the
daemon's evaluator would step it on its own: at each wake-up it asks for (group_interval,
repeat_interval, the edge of a silence) and at least every `MAX_IDLE_SECONDS` (the end of a
quiet-hours interval is noticed so). Nothing is stored and nothing is sent: each notification is
printed with its time and notifier.
"""

from __future__ import annotations

import asyncio
import heapq
import json
import sys
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import count
from pathlib import Path

from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from monitor.alerting.silences import Silence, SilenceError
from monitor.alerting.stage import AlertingStage
from monitor.config import Config
from monitor.engine import diff
from monitor.errors import FetchError
from monitor.evaluator import MAX_IDLE_SECONDS
from monitor.fetch import (
    NOT_MODIFIED,
    PROBE_BODY_BYTES,
    HttpClient,
    NotModified,
    ProbeResult,
    Response,
    _raise_for_status,
    redact_url,
    timed_out,
)
from monitor.logging import setup_logging
from monitor.model import Event, Notification, PollFailure, ProviderState, Snapshot
from monitor.plan import ProviderPlan, plans_for, rules_for
from monitor.sources import Source, build_source
from monitor.sources.read import read_page
from monitor.store.base import AlertingMemory
from monitor.timeline import Capture, TimelineError, iso_utc, read_timeline

TAIL = timedelta(hours=1)  # polled after the last capture by default: confirmations and held groups settle

_Key = tuple[str, str] | None  # a capture's URL as (path, query); None for a capture naming no URL


class ReplayHttp(HttpClient):
    """Answers each request with the latest capture, at `now`, that matches its URL: a capture naming no
    URL matches every request; one naming a URL (or just a path) matches a request of the same path and,
    when it names a query, the same query (scheme, host and port are not compared). A GET gets a 2xx as
    its `Response`, a 304 as not modified, and anything else (or no capture) as the `FetchError` the
    live client raises for it; a probe gets the recorded status, body and latency (a timeout when that
    is over the replayed one). Opens no connection."""

    def __init__(self, captures: Sequence[Capture]) -> None:
        super().__init__()
        self.now: datetime | None = None
        self._series: dict[_Key, tuple[list[datetime], list[Capture]]] = {}
        for capture in captures:  # oldest first
            key = _path_and_query(capture.url) if capture.url is not None else None
            times, kept = self._series.setdefault(key, ([], []))
            times.append(capture.at)
            kept.append(capture)

    async def get(
        self, url: str, *, timeout: float, etag: str | None = None, last_modified: str | None = None
    ) -> Response | NotModified:
        capture = self.answer(url)
        status = _answered(capture)
        if status == 304:
            return NOT_MODIFIED
        headers = CIMultiDictProxy(CIMultiDict(capture.headers))
        _raise_for_status(status, headers, url)
        content_type, _, params = capture.content_type.partition(";")
        charset = params.partition("charset=")[2].strip().strip('"') or None
        return Response(url, status, capture.body, content_type.strip().lower(), charset=charset)

    async def probe(self, url: str, *, timeout: float, max_body: int = PROBE_BODY_BYTES) -> ProbeResult:
        capture = self.answer(url)
        status = _answered(capture)
        elapsed = capture.elapsed or 0.0
        if elapsed > timeout:
            raise timed_out(url, timeout)
        return ProbeResult(status, capture.body[:max_body], elapsed, url)

    def answer(self, url: str) -> Capture:
        """The capture that answers a request of `url` at `now`; a `FetchError` when there is none."""
        now = self.now
        assert now is not None, "a replayed request outside a poll"
        path, query = _path_and_query(url)
        found = [self._latest(key, now) for key in ((path, query), (path, ""), None)]
        latest = max((c for c in found if c is not None), key=lambda c: c.at, default=None)
        if latest is None:
            raise FetchError("connect_error", f"nothing recorded for {redact_url(url)} by {iso_utc(now)}")
        return latest

    def _latest(self, key: _Key, now: datetime) -> Capture | None:
        times, kept = self._series.get(key, ([], []))
        index = bisect_right(times, now)
        return kept[index - 1] if index else None


def _path_and_query(url: str) -> tuple[str, str]:
    """What of a URL a capture is matched on: its path (from `/`) and query, as written."""
    try:
        parsed = URL(url)
        path, query = parsed.raw_path, parsed.raw_query_string
    except ValueError:
        path, query = url, ""
    return (path if path.startswith("/") else "/" + path), query


def _answered(capture: Capture) -> int:
    """The status a capture was answered with; the `FetchError` of a request that got no answer."""
    if capture.error is not None:
        raise FetchError(capture.error.outcome, capture.error.message)
    assert capture.status is not None, "a capture without an answer names its error"
    return capture.status


@dataclass(frozen=True, slots=True)
class Poll:
    at: datetime
    provider: str
    repeat: bool  # no capture of this provider since its previous poll


@dataclass
class _Provider:
    plan: ProviderPlan
    source: Source
    http: ReplayHttp
    state: ProviderState | None = None
    snapshot: Snapshot | None = None  # the last page read, for a 304
    read_ok: bool = False  # the last poll read the page: a repeat poll answers as a 304

    async def poll(self, poll: Poll) -> Snapshot | PollFailure:
        """What the daemon's poll would read: the last page for a 304 (nothing new since a poll that
        read it), else the captures then through the format's parser."""
        if poll.repeat and self.read_ok and self.snapshot is not None:
            return self.snapshot
        self.http.now = poll.at
        fetched = await read_page(poll.provider, self.source, self.http, self.plan.timeout)
        if isinstance(fetched, NotModified):
            fetched = self.snapshot or PollFailure("parse_error", "304 Not Modified with no earlier page")
        self.read_ok = isinstance(fetched, Snapshot)
        if isinstance(fetched, Snapshot):
            self.snapshot = fetched
        return fetched


def polls(captures: Sequence[Capture], intervals: dict[str, float], end: datetime) -> Iterator[Poll]:
    """The simulated polls up to `end`, in time order: each provider's at each time it has captures for
    and every interval from its first on. Made as they are replayed, so a month of polls is never held
    at once."""
    times: dict[str, list[datetime]] = {}
    for capture in captures:  # oldest first
        own = times.setdefault(capture.provider, [])
        if not own or own[-1] != capture.at:
            own.append(capture.at)
    each = [
        _provider_polls(provider, own, timedelta(seconds=intervals[provider]), end)
        for provider, own in sorted(times.items())
    ]
    return heapq.merge(*each, key=lambda p: p.at)


def _provider_polls(
    provider: str, times: list[datetime], interval: timedelta, end: datetime
) -> Iterator[Poll]:
    for index, at in enumerate(times):
        following = times[index + 1] if index + 1 < len(times) else end + interval
        yield Poll(at, provider, repeat=False)
        tick = at + interval
        while tick <= end and tick < following:
            yield Poll(tick, provider, repeat=True)
            tick += interval


async def replay(
    config: Config, captures: Sequence[Capture], silences: Sequence[Silence], tail: timedelta = TAIL
) -> list[Notification]:
    """Every notification the config would have queued over the timeline and `tail` after its last
    capture (the pages still answering as last captured), in order."""
    plans = {plan.config.name: plan for plan in plans_for(config)}
    own: dict[str, list[Capture]] = {name: [] for name in plans}
    for capture in captures:
        if capture.provider in own:
            own[capture.provider].append(capture)
    providers = {
        name: _Provider(plan, build_source(plan.config), ReplayHttp(own[name]))
        for name, plan in plans.items()
    }
    stage = AlertingStage(AlertingMemory(), rules_for(config))
    ids = count(1)
    sent: list[Notification] = []

    replayed = [c for c in captures if c.provider in providers]
    if not replayed:
        return sent
    last = replayed[0].at  # the last evaluation

    def evaluate(events: Sequence[Event], now: datetime) -> None:
        nonlocal last
        done = stage.step(events, silences, now, lambda: f"replay-{next(ids)}")
        stage.apply(done)
        sent.extend(done.notifications)
        last = now

    def until(when: datetime) -> None:
        """The evaluations the daemon's evaluator makes on its own up to `when`: at each wake-up the stage
        asks for, and at least every MAX_IDLE_SECONDS."""
        while True:
            at = last + timedelta(seconds=MAX_IDLE_SECONDS)
            wakeup = stage.next_wakeup
            if wakeup is not None and last < wakeup < at:
                at = wakeup
            if at > when:
                return
            evaluate((), at)

    end = max(c.at for c in replayed) + tail
    intervals = {name: p.plan.interval for name, p in providers.items()}
    for poll in polls(replayed, intervals, end):
        until(poll.at)
        provider = providers[poll.provider]
        result = await provider.poll(poll)
        provider.state, events = diff(provider.state, poll.provider, result, poll.at, provider.plan.policy)
        if events:
            evaluate(events, poll.at)
    until(end)
    return sent


def main(config: Config, timeline: Path, silences_file: Path | None, tail: float, as_json: bool) -> int:
    """Entry point of `outage-monitor replay`: exit 0 with the notifications printed, 1 naming what
    could not be read."""
    setup_logging(config.settings.log_format, "error")  # the parsers' warnings are not the output
    try:
        captures = read_timeline(timeline)
        silences = read_silences(silences_file) if silences_file else []
    except (OSError, TimelineError, SilenceError) as error:
        print(f"cannot replay: {error}", file=sys.stderr)
        return 1
    known = {p.name for p in config.providers}
    unknown = sorted({c.provider for c in captures} - known)
    if unknown:
        print(f"not in the config, skipped: {', '.join(unknown)}", file=sys.stderr)
    kinds = {n.name: n.type for n in config.notifiers}
    for notification in asyncio.run(replay(config, captures, silences, timedelta(seconds=tail))):
        shown = notification_json(notification, kinds[notification.notifier])
        print(json.dumps(shown) if as_json else notification_line(shown))
    return 0


def read_silences(path: Path) -> list[Silence]:
    """Silences as `GET /api/v1/silences` lists them (a JSON array; `status` is ignored)."""
    try:
        items = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise SilenceError(f"{path}: not JSON ({exc.msg})") from None
    if not isinstance(items, list):
        raise SilenceError(f"{path}: expected a JSON array of silences, as GET /api/v1/silences answers")
    return [Silence.from_json(item) for item in items]


def notification_json(notification: Notification, notifier_type: str) -> dict[str, object]:
    """What `--json` prints for a notification: when, to whom, and what it says."""
    message = notification.message
    return {
        "at": iso_utc(notification.created_at),
        "notifier": notification.notifier,
        "notifier_type": notifier_type,
        "group_key": message.group_key,
        "reason": message.reason,
        "status": message.status,
        "severity": message.severity.label,
        "title": message.title,
        "firing": sorted(a.key for a in message.firing),
        "resolved": sorted(a.key for a in message.resolved),
        "related": sorted(a.key for a in message.related),
        "firing_total": message.firing_total,
        "resolved_total": message.resolved_total,
        "related_total": message.related_total,
    }


def notification_line(shown: dict[str, object]) -> str:
    return (
        f"{shown['at']}  {shown['notifier']} ({shown['notifier_type']})  {shown['reason']:<9}  "
        f"{shown['severity']:<8}  {shown['group_key']}  {shown['title']}"
    )
