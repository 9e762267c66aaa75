"""`type: auto` in the real daemon over loopback: given a deeper URL (an incident's page), the daemon
discovers the page's format on its origin, hands over to that format (conditional polls), logs
`format_detected` once, and pages on a change like any provider; beside it a page read directly.
"""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path

import pytest

from tests.e2e.documents import DocumentServer
from tests.e2e.harness import (
    E2E_ENV,
    DaemonProcess,
    Receiver,
    alert_keys,
    eventually,
    providers_in,
    running,
)

pytestmark = pytest.mark.e2e

MAJOR_OUTAGE = 4.0  # outage_monitor_component_status value
SUMMARY = "/api/v2/summary.json"


def summary(components: dict[str, str]) -> bytes:
    """A minimal Statuspage summary.json listing `components` (name -> status)."""
    return json.dumps(
        {
            "page": {"id": "e2e", "name": "Acme", "updated_at": "2026-11-23T12:00:00Z"},
            "status": {"indicator": "none", "description": "All Systems Operational"},
            "components": [
                {"id": f"c-{name.lower()}", "name": name, "status": status}
                for name, status in components.items()
            ],
            "incidents": [],
            "scheduled_maintenances": [],
        }
    ).encode()


def config(direct: DocumentServer, discovered: DocumentServer, hook: Receiver) -> str:
    return f"""
settings:
  state: sqlite://state.db
  listen: "{{LISTEN}}"
  interval: 1s
  timeout: 1s
  log_format: json
  retry_initial_delay: 0.2s
providers:
  - {{name: direct, type: statuspage, url: "{direct.url}"}}
  - {{name: discovered, type: auto, url: "{discovered.url}/incidents/e2e"}}
notifiers:
  - {{name: audit, type: webhook, url: "{hook.url}/outages", secret: "${{HOOK_SECRET}}"}}
routes:
  - {{notify: [audit]}}
"""


async def test_auto_discovers_on_the_origin_then_reads_the_page_as_the_detected_format(
    tmp_path: Path,
) -> None:
    direct, discovered, hook = DocumentServer(), DocumentServer(), Receiver()
    direct.set(SUMMARY, summary({"API": "operational"}))
    discovered.set(SUMMARY, summary({"Search": "operational"}))
    async with running(direct, discovered, hook):
        daemon = DaemonProcess(tmp_path, config(direct, discovered, hook), env=E2E_ENV)
        try:
            await daemon.start()
            for name in ("direct", "discovered"):  # provider_up is 1 once read, 0 or absent before
                await eventually(
                    partial(daemon.metric, "outage_monitor_provider_up", provider=name), what=name
                )
            discovered.set(SUMMARY, summary({"Search": "major_outage"}))
            await eventually(
                lambda: any(providers_in(r.json()) == {"discovered"} for r in hook.requests), what="the page"
            )
            status = await daemon.metric(
                "outage_monitor_component_status", provider="discovered", component="Search"
            )
            listed = (await daemon.get_json("/api/v1/providers"))["providers"]
        finally:
            daemon.cleanup()

    assert status == MAJOR_OUTAGE
    assert {p["name"]: p["status"] for p in listed} == {"direct": "operational", "discovered": "major_outage"}
    [paged] = [r.json() for r in hook.requests]
    assert (paged["group_key"], paged["status"], paged["severity"]) == (
        "route=0|provider=discovered",
        "firing",
        "critical",  # a major outage
    )
    assert alert_keys(paged) == {"discovered/component/c-search"}
    assert discovered.hits[SUMMARY] >= 2 and discovered.hits["/incidents/e2e" + SUMMARY] == 1  # then origin
    lines = [json.loads(line) for line in daemon.log.read_text().splitlines() if line.startswith("{")]
    detected = [line for line in lines if line["event"] == "format_detected"]
    assert [(d["provider"], d["format"], d["url"]) for d in detected] == [
        ("discovered", "statuspage", discovered.url)
    ]
