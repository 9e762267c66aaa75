"""The replay corpus: timelines built from the real captures in tests/sources/fixtures (never edited: each
variant is a copy changed here, and named synthetic), written as a recorded timeline would be.

Each scenario is one provider's page over time, a capture every ten minutes from `START`, in the
directory form (TIMELINE/<provider>/<ISO time>.<ext>) or the JSON Lines form.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from monitor.timeline import capture_name

FIXTURES = Path(__file__).resolve().parents[1] / "sources" / "fixtures"
GITHUB_OPERATIONAL = FIXTURES / "statuspage/summary/github-2019-12-30-operational.json"
GITHUB_INCIDENT = FIXTURES / "statuspage/summary/github-2022-11-25-active-incident-minor.json"
CLOUDAMQP_MAINTENANCE = FIXTURES / "statuspage/summary/cloudamqp-2020-07-16-under-maintenance.json"
HEROKU_INCIDENT = FIXTURES / "heroku/status.heroku.com-api-v4-current-status-2019-10-24-incident.json"
CDN_ERROR_PAGE = FIXTURES / "errors/cdn-504-gateway-timeout.html"
START = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
STEP = timedelta(minutes=10)

GIT = "8l4ygp009s5s"  # Git Operations, in both GitHub captures
PACKAGES = "st3j38cctv9l"
INCIDENT = "ljwdk6qml8z8"  # "Incident with Packages and Pages", investigating in the 2022 capture
MAINTENANCE = "qy6n39trpl7l"
SHARED_SERVERS = "m9jl6sdbs4vb"

# What the replays run with: every change confirmed by two polls a minute apart, the on-call paged for
# major and worse, a chat channel told everything, and the log (no route) told nothing.
CONFIG = """
settings: {interval: 60s, timeout: 10s, log_format: json}
providers:
  - {name: github, type: statuspage, url: "https://www.githubstatus.com", confirm: 2}
  - {name: cloudamqp, type: statuspage, url: "https://status.cloudamqp.com", confirm: 2}
  - {name: heroku, type: heroku, url: "https://status.heroku.com", confirm: 2}
notifiers:
  - {name: oncall, type: pagerduty, routing_key: R0UT1NGKEY0000000000000000000000}
  - {name: chat, type: slack, webhook_url: "https://hooks.slack.example/services/T0/B0/XXXX"}
routes:
  - {notify: [oncall], min_severity: major}
  - {notify: [chat]}
"""

Page = dict[str, Any]


def load(path: Path) -> Page:
    page: Page = json.loads(path.read_text(encoding="utf-8"))
    return page


def synthetic(page: Page, change: Callable[[Page], None]) -> Page:
    """A copy of a real capture with one change made to it."""
    changed = copy.deepcopy(page)
    change(changed)
    return changed


def component(component_id: str, status: str) -> Callable[[Page], None]:
    def change(page: Page) -> None:
        for item in page["components"]:
            if item["id"] == component_id:
                item["status"] = status

    return change


def incident_status(status: str, body: str, *, packages: str) -> Callable[[Page], None]:
    """The 2022 GitHub incident moved on to `status` with a new update on top, Packages at `packages`."""

    def change(page: Page) -> None:
        component(PACKAGES, packages)(page)
        incident = page["incidents"][0]
        incident["status"] = status
        incident["incident_updates"].insert(
            0, {**incident["incident_updates"][0], "status": status, "body": body}
        )

    return change


def calm(page: Page) -> None:
    """The page before the incident: no incident, Packages operational."""
    component(PACKAGES, "operational")(page)
    page["incidents"] = []


def maintenance_status(status: str, shared: str) -> Callable[[Page], None]:
    def change(page: Page) -> None:
        component(SHARED_SERVERS, shared)(page)
        page["scheduled_maintenances"][0]["status"] = status

    return change


@dataclass(frozen=True)
class Document:
    body: bytes
    content_type: str = "application/json"
    status: int = 200


def json_document(page: Page) -> Document:
    return Document(json.dumps(page).encode())


def write_directory(root: Path, provider: str, documents: list[Document], every: timedelta = STEP) -> Path:
    """A timeline directory with one document `every` ten minutes from `START` (all answered 200)."""
    folder = root / provider
    folder.mkdir(parents=True)
    for index, document in enumerate(documents):
        assert document.status == 200, "the directory form holds documents served with 200"
        (folder / capture_name(START + index * every, document.content_type)).write_bytes(document.body)
    return root


def write_lines(path: Path, provider: str, documents: list[Document], every: timedelta = STEP) -> Path:
    """The same as a JSON Lines timeline, which can also hold a failed answer."""
    lines = [
        json.dumps(
            {
                "at": (START + index * every).isoformat(),
                "provider": provider,
                "status": document.status,
                "headers": {"Content-Type": document.content_type},
                "body": document.body.decode(),
            }
        )
        for index, document in enumerate(documents)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def outage() -> list[Document]:
    """Git Operations: operational -> degraded -> major outage -> recovering (degraded) -> operational."""
    up = load(GITHUB_OPERATIONAL)
    statuses = ["operational", "degraded_performance", "major_outage", "degraded_performance", "operational"]
    return [json_document(synthetic(up, component(GIT, status))) for status in statuses]


def flapping() -> list[Document]:
    """Git Operations in partial outage for one poll at a time, six times (written a minute apart, the
    poll interval): with `confirm: 2` never confirmed, never news."""
    up, down = load(GITHUB_OPERATIONAL), synthetic(load(GITHUB_OPERATIONAL), component(GIT, "partial_outage"))
    return [json_document(page) for page in [up, *[down, up] * 6]]


def error_page_in_outage() -> list[Document]:
    """A major outage, then the CDN's 504 page for twenty minutes (first served as a 200, then as a 504),
    then the outage again and its end: the unreadable page neither resolves nor re-pages the outage (it
    is unreachable for long enough to be told to the chat, at minor)."""
    up = load(GITHUB_OPERATIONAL)
    down = synthetic(up, component(GIT, "major_outage"))
    error = CDN_ERROR_PAGE.read_bytes()
    return [
        json_document(up),
        json_document(down),
        Document(error, "text/html"),
        Document(error, "text/html", status=504),
        json_document(down),
        json_document(up),
    ]


def error_page_while_up() -> list[Document]:
    """The CDN's 504 page for two polls between operational pages (written a minute apart, the poll
    interval): below failure_threshold, no news."""
    up = json_document(load(GITHUB_OPERATIONAL))
    error = Document(CDN_ERROR_PAGE.read_bytes(), "text/html", status=504)
    return [up, error, error, up]


def maintenance() -> list[Document]:
    """CloudAMQP's maintenance: scheduled, in progress (the real capture), completed."""
    live = load(CLOUDAMQP_MAINTENANCE)
    return [
        json_document(synthetic(live, maintenance_status("scheduled", "operational"))),
        json_document(live),
        json_document(synthetic(live, maintenance_status("completed", "operational"))),
    ]


def incident_updates() -> list[Document]:
    """GitHub's Packages incident as the seeds' Courier history reads: investigating (the real capture)
    -> identified -> monitoring -> resolved, a new update each time."""
    live = load(GITHUB_INCIDENT)
    return [
        json_document(synthetic(live, calm)),
        json_document(live),
        json_document(
            synthetic(live, incident_status("identified", "The cause is known.", packages="partial_outage"))
        ),
        json_document(
            synthetic(live, incident_status("monitoring", "A fix is deployed.", packages="operational"))
        ),
        json_document(
            synthetic(live, incident_status("resolved", "This incident is resolved.", packages="operational"))
        ),
    ]


def heroku_all_green(page: Page) -> None:
    for system in page["status"]:
        system["status"] = "green"
    page["incidents"] = []


def heroku_incident() -> list[Document]:
    """Heroku's own format: all green, the 2019 connection-timeouts incident (the real capture: every
    system yellow), all green again with the incident gone from the current status."""
    live = load(HEROKU_INCIDENT)
    calm_page = json_document(synthetic(live, heroku_all_green))
    return [calm_page, json_document(live), calm_page]
