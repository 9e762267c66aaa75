"""The real daemon watching pages of several formats at once over loopback: each is baselined silently
from a real capture, each outage pages once through the signed webhook, and each recovery resolves.

The outage documents are synthetic: the real captures with the fields an outage changes rewritten at
test time (the captures on disk are never edited)."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.documents import Fleet, running_fleet
from tests.e2e.harness import alert_keys, eventually, providers_in

pytestmark = pytest.mark.e2e

FIXTURES = Path(__file__).resolve().parents[1] / "sources" / "fixtures"


def capture(path: str) -> bytes:
    return (FIXTURES / path).read_bytes()


def changed(path: str, edit: Callable[[Any], None]) -> bytes:
    """A synthetic document: the capture at `path`, decoded, edited by `edit`, encoded again."""
    doc = json.loads(capture(path))
    edit(doc)
    return json.dumps(doc).encode()


def _instatus_incident(doc: Any) -> None:
    doc["page"]["status"] = "HASISSUES"
    doc["activeIncidents"] = [
        {
            "id": "e2e-incident",
            "name": "API errors",
            "started": "2026-11-23T12:00:00.000Z",
            "status": "INVESTIGATING",
            "impact": "MAJOROUTAGE",
            "url": "https://status.perplexity.com/incident/e2e-incident",
        }
    ]


def _instatus_api_down(doc: Any) -> None:
    for component in doc["components"]:
        if component["name"] == "API":
            component["status"] = "MAJOROUTAGE"


def _betterstack_website_down(doc: Any) -> None:
    doc["data"]["attributes"]["aggregate_state"] = "downtime"
    for item in doc["included"]:
        if item["type"] == "status_page_resource" and item["attributes"]["public_name"] == "Website":
            item["attributes"]["status"] = "downtime"


def _feed_with_open_incident(text: str) -> bytes:
    item = (
        "<item><title>Elevated API errors</title>"
        "<description>&lt;strong&gt;Investigating&lt;/strong&gt; - We are looking into errors.</description>"
        "<pubDate>{date}</pubDate><link>https://status.example.com/incidents/e2e</link>"
        "<guid>https://status.example.com/incidents/e2e</guid></item>"
    )
    return text.replace("<item>", item.format(date=format_datetime(datetime.now(UTC))) + "<item>", 1).encode()


@dataclass(frozen=True)
class Format:
    """One provider of the test: its config line, its baseline and outage documents by path."""

    name: str
    entry: str  # the provider entry, with {url} for the document server's base
    baseline: dict[str, bytes]
    outage: dict[str, bytes]
    content_type: str = "application/json"


FEED = capture("statuspage/rss/status.staffbase.com-history.rss-2021-12-tab-indented.xml").decode()
FORMATS = [
    Format(
        "gh",
        "{{name: gh, type: statuspage, url: '{url}/gh'}}",
        {"/gh/api/v2/summary.json": capture("statuspage/summary/github-2019-12-30-operational.json")},
        {
            "/gh/api/v2/summary.json": capture(
                "statuspage/summary/github-2022-11-25-active-incident-minor.json"
            )
        },
    ),
    Format(
        "pplx",
        "{{name: pplx, type: instatus, url: '{url}/pplx'}}",
        {
            "/pplx/summary.json": capture("instatus/status.perplexity.com-summary.json"),
            "/pplx/v2/components.json": capture("instatus/status.perplexity.com-v2-components.json"),
        },
        {
            "/pplx/summary.json": changed("instatus/status.perplexity.com-summary.json", _instatus_incident),
            "/pplx/v2/components.json": changed(
                "instatus/status.perplexity.com-v2-components.json", _instatus_api_down
            ),
        },
    ),
    Format(
        "together",
        "{{name: together, type: betterstack, url: '{url}/together'}}",
        {"/together/index.json": capture("betterstack/status.together.ai-index.json")},
        {
            "/together/index.json": changed(
                "betterstack/status.together.ai-index.json", _betterstack_website_down
            )
        },
    ),
    Format(
        "staffbase",
        "{{name: staffbase, type: feed, url: '{url}/staffbase/history.rss'}}",
        {"/staffbase/history.rss": FEED.encode()},
        {"/staffbase/history.rss": _feed_with_open_incident(FEED)},
        content_type="application/rss+xml",
    ),
    Format(
        "api",
        "{{name: api, type: probe, url: '{url}/api/healthz', body_match: ok}}",
        {"/api/healthz": b"ok"},
        {"/api/healthz": b"database unavailable"},
        content_type="text/plain",
    ),
]


def show(fleet: Fleet, which: str) -> None:
    """Serve every format's `which` documents ("baseline" or "outage")."""
    for fmt in FORMATS:
        for path, body in getattr(fmt, which).items():
            fleet.pages.set(path, body, fmt.content_type)


@pytest.fixture
async def fleet(tmp_path: Path) -> AsyncIterator[Fleet]:
    async with running_fleet(tmp_path, lambda url: [fmt.entry.format(url=url) for fmt in FORMATS]) as fleet:
        yield fleet


def firing(fleet: Fleet) -> list[dict[str, Any]]:
    """The webhook bodies about firing groups received so far."""
    return [d for d in fleet.deliveries() if d["status"] == "firing"]


async def statuses(fleet: Fleet) -> dict[str, str]:
    providers = (await fleet.daemon.get_json("/api/v1/providers"))["providers"]
    return {p["name"]: p["status"] for p in providers}


async def test_five_formats_baseline_page_once_and_resolve(fleet: Fleet) -> None:
    names = {fmt.name for fmt in FORMATS}
    show(fleet, "baseline")
    await fleet.daemon.start()

    async def all_operational() -> bool:
        return set((await statuses(fleet)).values()) == {"operational"}

    await eventually(all_operational, timeout=20, what="every format read as operational")
    await asyncio.sleep(1.0)
    assert fleet.deliveries() == [], "a baseline must be silent"

    show(fleet, "outage")

    def paged_about_each() -> bool:
        return set().union(*(providers_in(d) for d in firing(fleet))) == names

    await eventually(paged_about_each, timeout=20, what="a page about every provider")
    await asyncio.sleep(1.5)  # a few more polls of the same outage documents
    paged = firing(fleet)
    repeats = Counter(d["group_key"] for d in paged)
    assert [key for key, n in repeats.items() if n > 1] == [], "the same group was paged twice"
    kinds = {(a["provider"], a["kind"]) for d in paged for a in d["firing"]}
    assert {("gh", "incident"), ("pplx", "incident"), ("staffbase", "incident")} <= kinds
    assert {("pplx", "component"), ("together", "component"), ("api", "component")} <= kinds
    now = await statuses(fleet)
    assert all(now[name] not in ("operational", "unknown") for name in names), now
    for name in names:
        assert (await fleet.daemon.metric("outage_monitor_provider_status", provider=name) or 0) >= 2

    show(fleet, "baseline")
    open_keys = set().union(*(alert_keys(d) for d in paged))

    def every_key_resolved() -> bool:
        resolutions = [d for d in fleet.deliveries() if d["status"] == "resolved"]
        return open_keys <= set().union(*(alert_keys(d, "resolved") for d in resolutions))

    await eventually(every_key_resolved, timeout=20, what="a resolution for every page")
    await eventually(all_operational, timeout=10, what="every format operational again")
    code, _ = fleet.daemon.terminate()
    assert code == 0
