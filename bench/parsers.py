"""CPU time and memory of each format's decode + parse on the real captures in tests/sources/fixtures.

    python -m bench.parsers              # median of 21 runs per capture
    python -m bench.parsers --runs 101

Prints one row per capture: its size, the median and best wall time of decode + parse (one core,
nothing else in the process), and the peak memory the parse allocated (tracemalloc). It measures
and reports; it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from monitor.model import Snapshot
from monitor.sources.aws import parse_aws
from monitor.sources.betterstack import parse_betterstack
from monitor.sources.cachet import parse_cachet
from monitor.sources.feed import parse_feed
from monitor.sources.firehydrant import parse_firehydrant
from monitor.sources.gcp import parse_gcp
from monitor.sources.heroku import parse_heroku
from monitor.sources.incidentio import parse_proxy, summary_in_html
from monitor.sources.instatus import parse_instatus
from monitor.sources.slack import parse_slack
from monitor.sources.statusio import parse_statusio
from monitor.sources.statuspage import parse_summary

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "sources" / "fixtures"
URL = "https://status.example.com"
NOW = datetime(2026, 12, 1, tzinfo=UTC)


def _json(parse: Callable[[Any, str], Snapshot]) -> Callable[[bytes], Snapshot]:
    return lambda body: parse(json.loads(body), URL)


def _incidentio_html(body: bytes) -> Snapshot:
    summary = summary_in_html(body.decode())
    return parse_proxy({"summary": summary}, URL)


@dataclass(frozen=True)
class Case:
    format: str
    capture: str  # relative to FIXTURES
    read: Callable[[bytes], Snapshot]  # bytes as fetched -> snapshot


CASES = [
    Case(
        "statuspage", "statuspage/summary/github-2022-11-25-active-incident-minor.json", _json(parse_summary)
    ),
    Case(
        "statuspage", "statuspage/summary/cloudamqp-2020-07-16-under-maintenance.json", _json(parse_summary)
    ),
    Case(
        "incidentio",
        "incidentio/html/status.openai.com-2026-03-17-monitoring-incident.html",
        _incidentio_html,
    ),
    Case(
        "instatus",
        "instatus/status.perplexity.com-v2-components.json",
        lambda body: parse_instatus(
            json.loads((FIXTURES / "instatus/status.perplexity.com-summary.json").read_bytes()),
            json.loads(body),
            URL,
        ),
    ),
    Case("betterstack", "betterstack/status.together.ai-index.json", _json(parse_betterstack)),
    Case("statusio", "statusio/gitlab-2026-api.status.io-1.0-status.json", _json(parse_statusio)),
    Case(
        "cachet",
        "cachet/status.yoti.com-api-v1-components-2020-10.json",
        lambda body: parse_cachet(
            [json.loads(body)], [{"meta": {"pagination": {"total_pages": 1}}, "data": []}], URL
        ),
    ),
    Case("gcp", "gcp/status.cloud.google.com-incidents-2022-07.json", _json(parse_gcp)),
    Case("aws", "aws/health.aws.amazon.com-public-currentevents-2026-09.json", _json(parse_aws)),
    Case("slack", "slack/slack-status.com-api-v2.0.0-current-2026-06-ok.json", _json(parse_slack)),
    Case(
        "heroku",
        "heroku/status.heroku.com-api-v4-current-status-2019-10-24-incident.json",
        _json(parse_heroku),
    ),
    Case("firehydrant", "firehydrant/status.redis.io-data-payload-2026-07.json", _json(parse_firehydrant)),
    Case(
        "feed",
        "statuspage/rss/status.staffbase.com-history.rss-2021-12-tab-indented.xml",
        lambda body: parse_feed(body, URL, now=NOW),
    ),
]


def measure(case: Case, runs: int) -> tuple[int, float, float, int]:
    """(bytes, median seconds, best seconds, peak bytes allocated) of reading one capture."""
    body = (FIXTURES / case.capture).read_bytes()
    case.read(body)  # warm imports and caches
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        case.read(body)
        times.append(time.perf_counter() - started)
    tracemalloc.start()
    case.read(body)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return len(body), statistics.median(times), min(times), peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    print(f"{'format':<12} {'capture':<62} {'bytes':>9} {'median ms':>10} {'best ms':>8} {'peak MB':>8}")
    for case in CASES:
        size, median, best, peak = measure(case, args.runs)
        name = case.capture.rsplit("/", 1)[-1][:62]
        figures = f"{size:>9} {median * 1e3:>10.2f} {best * 1e3:>8.2f} {peak / 1e6:>8.2f}"
        print(f"{case.format:<12} {name:<62} {figures}")


if __name__ == "__main__":
    main()
