"""The real daemon reading five formats at once (Google Cloud, AWS, Slack, Heroku, Cachet) over loopback:
the captures as the baseline, then each page turns bad and recovers; the webhook gets one notification per
provider listing each change once, then one resolution per provider."""

from __future__ import annotations

import asyncio
import copy
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.documents import DocumentServer, Fleet, running_fleet
from tests.e2e.harness import alert_keys, eventually

pytestmark = pytest.mark.e2e

FIXTURES = Path(__file__).resolve().parents[1] / "sources" / "fixtures"
DISK = "4Qvmd4q81VnA9RirCMqV"  # a 2022 Google Cloud incident naming Apigee, among 13 other products
NEW_ARN = "arn:aws:health:us-east-1::event/EC2/AWS_EC2_OPERATIONAL_ISSUE/AWS_EC2_OPERATIONAL_ISSUE_E2E"


def load(relative: str) -> Any:
    return json.loads((FIXTURES / relative).read_bytes())


GCP: list[dict[str, Any]] = load("gcp/status.cloud.google.com-incidents-2022-07.json")
AWS = load("aws/health.aws.amazon.com-public-currentevents-2026-09.json")
SLACK_OK = load("slack/slack-status.com-api-v2.0.0-current-2026-06-ok.json")
SLACK_HISTORY = load("slack/slack-status.com-api-v2.0.0-history-2026.json")
HEROKU_INCIDENT = load("heroku/status.heroku.com-api-v4-current-status-2019-10-24-incident.json")
HEROKU_MAINTENANCE = load("heroku/status.heroku.com-api-v4-current-status-2020-11-09-maintenance.json")
CACHET: dict[str, Any] = load("cachet/status.yoti.com-api-v1-components-2020-10.json")
NO_INCIDENTS = {"meta": {"pagination": {"total_pages": 1}}, "data": []}


def synthetic_gcp_reopened() -> list[dict[str, Any]]:
    doc = copy.deepcopy(GCP)
    incident = next(i for i in doc if i["id"] == DISK)
    del incident["end"]
    incident["most_recent_update"]["status"] = "SERVICE_OUTAGE"
    return doc


def synthetic_aws_new_event() -> list[dict[str, Any]]:
    event = {
        "date": "1790000000",
        "arn": NEW_ARN,
        "region_name": "N. Virginia",
        "status": "2",
        "service": "ec2-us-east-1",
        "service_name": "Amazon Elastic Compute Cloud",
        "summary": "Increased API Error Rates",
        "event_log": [{"message": "We are investigating.", "status": 1, "timestamp": 1790000000}],
    }
    return [*AWS, event]


def synthetic_slack_active() -> dict[str, Any]:
    return {"status": "active", "active_incidents": [SLACK_HISTORY[1] | {"status": "active"}]}


def synthetic_cachet_outage() -> dict[str, Any]:
    doc = copy.deepcopy(CACHET)
    doc["data"][2]["status"] = 4  # Yoti App, id 3
    return doc


def serve_all(pages: DocumentServer, docs: dict[str, Any]) -> None:
    """Each format under its own prefix; AWS's body is UTF-16 with a byte-order mark, as AWS serves it."""
    for path, doc in docs.items():
        body = json.dumps(doc)
        pages.set(path, body.encode("utf-16") if path.startswith("/aws/") else body.encode())


BASELINE = {
    "/gcp/incidents.json": GCP,
    "/aws/public/currentevents": AWS,
    "/slack/api/v2.0.0/current": SLACK_OK,
    "/heroku/api/v4/current-status": HEROKU_MAINTENANCE,
    "/cachet/api/v1/components": CACHET,
    "/cachet/api/v1/incidents": NO_INCIDENTS,
}


def providers(url: str) -> list[str]:
    return [
        f'{{name: gcp, type: gcp, url: "{url}/gcp", products: [Apigee]}}',
        f'{{name: aws, type: aws, url: "{url}/aws", regions: [us-east-1, me-south-1]}}',
        f'{{name: slack, type: slack, url: "{url}/slack"}}',
        f'{{name: heroku, type: heroku, url: "{url}/heroku"}}',
        f'{{name: yoti, type: cachet, url: "{url}/cachet", timezone: Europe/London}}',
    ]


@pytest.fixture
async def fleet(tmp_path: Path) -> AsyncIterator[Fleet]:
    async with running_fleet(tmp_path, providers, timeout="2s", secret="e2e-secret") as fleet:
        serve_all(fleet.pages, BASELINE)
        yield fleet


def received(fleet: Fleet) -> list[tuple[str, str, frozenset[str]]]:
    """Per webhook body: its group key, status, and the keys it lists as firing (resolved, when resolved)."""
    return [
        (
            b["group_key"],
            b["status"],
            frozenset(alert_keys(b, "firing" if b["status"] == "firing" else "resolved")),
        )
        for b in fleet.deliveries()
    ]


def by_group(keys: set[str]) -> list[tuple[str, frozenset[str]]]:
    """`keys` grouped as the route groups them: by provider, the first part of an alert key."""
    providers = {key.split("/")[0] for key in keys}
    return sorted(
        (f"route=0|provider={name}", frozenset(k for k in keys if k.startswith(name + "/")))
        for name in providers
    )


async def test_five_formats_at_once_page_each_change_once(
    fleet: Fleet,
) -> None:
    pages, hook, daemon = fleet.pages, fleet.hook, fleet.daemon
    await daemon.start()
    await eventually(lambda: min(pages.hits[path] for path in BASELINE) >= 2, what="baseline polls")
    for name in ("gcp", "aws", "slack", "heroku", "yoti"):
        assert await daemon.metric("outage_monitor_provider_up", provider=name) == 1.0, name
    providers = {p["name"]: p for p in (await daemon.get_json("/api/v1/providers"))["providers"]}
    assert [(c["id"], c["name"]) for c in providers["gcp"]["components"]] == [(apigee_id(), "Apigee")]
    assert providers["aws"]["status"] == "major_outage"  # the Bahrain event open at the baseline
    assert providers["heroku"]["status"] == "under_maintenance"
    assert providers["slack"]["status"] == providers["yoti"]["status"] == "operational"
    await asyncio.sleep(1.0)
    assert hook.requests == []  # first sight is a silent baseline

    serve_all(
        pages,
        {
            "/gcp/incidents.json": synthetic_gcp_reopened(),
            "/aws/public/currentevents": synthetic_aws_new_event(),
            "/slack/api/v2.0.0/current": synthetic_slack_active(),
            "/heroku/api/v4/current-status": HEROKU_INCIDENT,
            "/cachet/api/v1/components": synthetic_cachet_outage(),
        },
    )
    opened = {
        f"gcp/component/{apigee_id()}",
        f"gcp/incident/{DISK}",
        f"aws/incident/{NEW_ARN}",
        "slack/component/workflows",
        "slack/incident/1568",
        "heroku/component/apps",
        "heroku/component/data",
        "heroku/component/tools",
        "heroku/incident/1918",
        "yoti/component/3",
    }
    groups = by_group(opened)  # one notification per provider, listing every change of its page
    await eventually(lambda: len(hook.requests) >= len(groups), timeout=20, what="one notification per group")
    await asyncio.sleep(1.0)  # and nothing more while the pages stay as they are
    assert sorted((key, alerts) for key, status, alerts in received(fleet)) == groups
    assert {status for _, status, _ in received(fleet)} == {"firing"}

    serve_all(pages, BASELINE)
    total = 2 * len(groups)
    await eventually(lambda: len(hook.requests) >= total, timeout=20, what="every resolution")
    await asyncio.sleep(1.0)
    resolutions = received(fleet)[len(groups) :]
    assert len(resolutions) == len(groups)
    assert sorted((key, alerts) for key, status, alerts in resolutions) == groups
    assert {status for _, status, _ in resolutions} == {"resolved"}
    for name in ("gcp", "aws", "slack", "heroku", "yoti"):
        assert await daemon.metric("outage_monitor_parse_warnings_total", provider=name) in (None, 0.0), name


def apigee_id() -> str:
    found: str = next(p["id"] for i in GCP for p in i["affected_products"] if p["title"] == "Apigee")
    return found
