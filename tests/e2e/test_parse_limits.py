"""The real daemon reading a 5 MB feed (parsed in a worker) and a 7 MB feed of a million nested
elements (refused by the structural limits): /healthz answers at once throughout, the first provider
reads fine and the second is unknown with an error that says why."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.e2e.documents import DocumentServer
from tests.e2e.harness import DaemonProcess, eventually, running
from tests.sources.big_feeds import long_feed, nested_feed

pytestmark = pytest.mark.e2e

RSS = "application/rss+xml"


def config(url: str) -> str:
    return f"""
settings:
  state: sqlite://state.db
  listen: "{{LISTEN}}"
  interval: 1s
  timeout: 1s
  log_format: json
providers:
  - {{name: big, type: feed, url: "{url}/big.rss"}}
  - {{name: nested, type: feed, url: "{url}/nested.rss"}}
"""


async def test_healthz_answers_while_big_feeds_parse(tmp_path: Path) -> None:
    pages = DocumentServer()
    bodies = [long_feed(3000), long_feed(3001)]  # about 5 MB each; feedparser takes a second or more
    pages.set("/big.rss", bodies[0], RSS)
    pages.set("/nested.rss", nested_feed(1_000_000), RSS)
    async with running(pages):
        daemon = DaemonProcess(tmp_path, config(pages.url))
        try:
            await daemon.start()
            latencies: list[float] = []
            async with aiohttp.ClientSession() as session:
                for turn in range(40):  # 8 s: several polls of each feed
                    pages.set("/big.rss", bodies[turn // 5 % 2], RSS)  # a new ETag: parsed again
                    started = time.monotonic()
                    async with session.get(f"{daemon.base}/healthz", timeout=aiohttp.ClientTimeout(30)) as r:
                        assert r.status == 200
                    latencies.append(time.monotonic() - started)
                    await asyncio.sleep(0.2)
            assert max(latencies) < 0.5, sorted(latencies)[-5:]  # it was 20 s while the nested feed parsed

            async def providers() -> dict[str, Any]:
                listed = (await daemon.get_json("/api/v1/providers"))["providers"]
                return {p["name"]: p for p in listed}

            async def both_polled() -> bool:
                found = await providers()
                return bool(found["big"]["last_success_at"] and found["nested"]["last_error"])

            await eventually(both_polled, timeout=30, what="both feeds polled")
            found = await providers()
            code, _ = daemon.terminate()
        finally:
            daemon.cleanup()
    assert pages.hits["/big.rss"] >= 3 and pages.hits["/nested.rss"] >= 3
    assert found["big"]["status"] != "unknown" and len(found["big"]["incidents"]) >= 3000
    assert found["nested"]["status"] == "unknown"
    assert found["nested"]["last_error"] == (
        "refused an RSS or Atom feed: elements nested more than 64 deep (not parsed further)"
    )
    assert code == 0
