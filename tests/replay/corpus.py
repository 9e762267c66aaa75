"""The replay corpus: timelines built from the real captures in tests/sources/fixtures (never edited: each
variant is a copy changed here, and named synthetic), written as a recorded timeline would be.

Each scenario is one provider's page over time, a poll every ten minutes from `START`, in the
directory form (TIMELINE/<provider>/<ISO time>.<ext>, a sidecar for what else a capture says) or the
JSON Lines form. A poll of a page read from several documents (Instatus, Cachet) holds only those that
changed, as the recorder keeps them: the others answer from their earlier captures.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from monitor.timeline import Capture, NoAnswer, capture_name, iso_utc, write_capture

FIXTURES = Path(__file__).resolve().parents[1] / "sources" / "fixtures"
GITHUB_OPERATIONAL = FIXTURES / "statuspage/summary/github-2019-12-30-operational.json"
GITHUB_INCIDENT = FIXTURES / "statuspage/summary/github-2022-11-25-active-incident-minor.json"
CLOUDAMQP_MAINTENANCE = FIXTURES / "statuspage/summary/cloudamqp-2020-07-16-under-maintenance.json"
HEROKU_INCIDENT = FIXTURES / "heroku/status.heroku.com-api-v4-current-status-2019-10-24-incident.json"
CDN_ERROR_PAGE = FIXTURES / "errors/cdn-504-gateway-timeout.html"
PERPLEXITY_SUMMARY = FIXTURES / "instatus/status.perplexity.com-summary.json"
PERPLEXITY_COMPONENTS = FIXTURES / "instatus/status.perplexity.com-v2-components.json"
YOTI_COMPONENTS = FIXTURES / "cachet/status.yoti.com-api-v1-components-2020-10.json"
START = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
STEP = timedelta(minutes=10)

GIT = "8l4ygp009s5s"  # Git Operations, in both GitHub captures
PACKAGES = "st3j38cctv9l"
INCIDENT = "ljwdk6qml8z8"  # "Incident with Packages and Pages", investigating in the 2022 capture
MAINTENANCE = "qy6n39trpl7l"
SHARED_SERVERS = "m9jl6sdbs4vb"
PERPLEXITY_API = "clyiakn7i60113hvojwho6za6j"
YOTI_AGE_SCAN = 2

# What the replays run with: every change confirmed by two polls a minute apart, the on-call paged for
# major and worse, a chat channel told everything, and the log (no route) told nothing.
CONFIG = """
settings: {interval: 60s, timeout: 10s, log_format: json}
providers:
  - {name: github, type: statuspage, url: "https://www.githubstatus.com", confirm: 2}
  - {name: cloudamqp, type: statuspage, url: "https://status.cloudamqp.com", confirm: 2}
  - {name: heroku, type: heroku, url: "https://status.heroku.com", confirm: 2}
  - {name: perplexity, type: instatus, url: "https://status.perplexity.com", confirm: 2}
  - {name: yoti, type: cachet, url: "https://status.yoti.com", confirm: 2, timezone: Europe/London}
  - {name: api, type: probe, url: "https://api.example.com/health", confirm: 2, latency_threshold: 2s}
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
    status: int | None = 200
    url: str | None = None  # the URL (or path) it answered; None: every request of its poll
    elapsed: float | None = None  # a probe's latency
    error: NoAnswer | None = None  # no answer came


Poll = Document | tuple[Document, ...]  # what one poll recorded: a document, or several


def json_document(page: Page, url: str | None = None) -> Document:
    return Document(json.dumps(page).encode(), url=url)


def _documents(poll: Poll) -> tuple[Document, ...]:
    return poll if isinstance(poll, tuple) else (poll,)


def write_directory(root: Path, provider: str, polls: Sequence[Poll], every: timedelta = STEP) -> Path:
    """A timeline directory with one poll `every` ten minutes from `START`, as the recorder writes it; a
    plain document (no URL, HTTP 200) without a sidecar, as recorded before sidecars."""
    folder = root / provider
    folder.mkdir(parents=True)
    for index, poll in enumerate(polls):
        at = START + index * every
        for sequence, document in enumerate(_documents(poll), 1):
            headers = {"Content-Type": document.content_type}
            capture = Capture(
                at,
                provider,
                document.body,
                document.status,
                headers,
                document.url,
                document.elapsed,
                document.error,
            )
            if document == Document(document.body, document.content_type):
                (folder / capture_name(at, document.content_type, sequence)).write_bytes(document.body)
            else:
                write_capture(folder, capture, sequence)
    return root


def write_lines(path: Path, provider: str, polls: Sequence[Poll], every: timedelta = STEP) -> Path:
    """The same as a JSON Lines timeline."""
    lines = []
    for index, poll in enumerate(polls):
        for document in _documents(poll):
            line: dict[str, Any] = {"at": iso_utc(START + index * every), "provider": provider}
            if document.url is not None:
                line["url"] = document.url
            if document.error is not None:
                line["error"] = {"outcome": document.error.outcome, "message": document.error.message}
            else:
                line.update(status=document.status, headers={"Content-Type": document.content_type})
                line["body"] = document.body.decode()
            if document.elapsed is not None:
                line["elapsed"] = document.elapsed
            lines.append(json.dumps(line))
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


def capture_document(path: Path, url: str) -> Document:
    """A real capture, byte for byte, as the answer to `url`."""
    return Document(path.read_bytes(), url=url)


PERPLEXITY_SUMMARY_URL = "https://status.perplexity.com/summary.json"
PERPLEXITY_COMPONENTS_URL = "https://status.perplexity.com/v2/components.json"
PERPLEXITY_INCIDENT = "cm0synthetic0incident0000"


def instatus_component(component_id: str, status: str) -> Callable[[Page], None]:
    def change(page: Page) -> None:
        for item in page["components"]:
            if item["id"] == component_id:
                item["status"] = status

    return change


def instatus_incident(status: str) -> Callable[[Page], None]:
    """The page has issues: an open incident with a major outage of the API."""

    def change(page: Page) -> None:
        page["page"]["status"] = "HASISSUES"
        page["activeIncidents"] = [
            {
                "id": PERPLEXITY_INCIDENT,
                "name": "Elevated API errors",
                "started": "2024-05-01T12:15:00.000Z",
                "status": status,
                "impact": "MAJOROUTAGE",
                "url": f"https://status.perplexity.com/incident/{PERPLEXITY_INCIDENT}",
            }
        ]

    return change


def instatus_outage() -> list[Poll]:
    """Perplexity's Instatus page read from two documents a poll (the real captures: up, every component
    operational): the API in a major outage (only components.json changed), an incident opened (only
    summary.json), monitoring with the API back (both), the page up again (the real summary alone)."""
    summary = capture_document(PERPLEXITY_SUMMARY, PERPLEXITY_SUMMARY_URL)
    components = capture_document(PERPLEXITY_COMPONENTS, PERPLEXITY_COMPONENTS_URL)
    api_down = synthetic(load(PERPLEXITY_COMPONENTS), instatus_component(PERPLEXITY_API, "MAJOROUTAGE"))
    investigating = synthetic(load(PERPLEXITY_SUMMARY), instatus_incident("INVESTIGATING"))
    monitoring = synthetic(load(PERPLEXITY_SUMMARY), instatus_incident("MONITORING"))
    return [
        (summary, components),
        json_document(api_down, PERPLEXITY_COMPONENTS_URL),
        json_document(investigating, PERPLEXITY_SUMMARY_URL),
        (json_document(monitoring, PERPLEXITY_SUMMARY_URL), components),
        summary,
    ]


CACHET_COMPONENTS = "/api/v1/components"  # a path: it answers every page and query of the collection
CACHET_INCIDENTS = "/api/v1/incidents"


def cachet_incidents(*incidents: Page) -> Page:
    """An /api/v1/incidents page (synthetic: no capture of one exists), paginated as the components'."""
    count = len(incidents)
    pagination = {"total": count, "count": count, "per_page": 20, "current_page": 1, "total_pages": 1}
    return {"meta": {"pagination": pagination}, "data": list(incidents)}


def age_scan_incident(status: int) -> Page:
    """An incident naming Yoti Age Scan (synthetic), at Cachet's `status` (1 investigating, 4 fixed)."""
    return {
        "id": 7,
        "component_id": YOTI_AGE_SCAN,
        "name": "Age Scan errors",
        "status": status,
        "visible": 1,
        "message": "We are investigating errors in Age Scan.",
        "occurred_at": "2024-05-01 13:05:00",  # Europe/London: 12:05 UTC
        "created_at": "2024-05-01 13:05:00",
        "updated_at": "2024-05-01 13:05:00",
        "permalink": "https://status.yoti.com/incidents/7",
    }


def yoti_component(component_id: int, status: int) -> Callable[[Page], None]:
    def change(page: Page) -> None:
        for item in page["data"]:
            if item["id"] == component_id:
                item["status"] = status

    return change


def cachet_incident() -> list[Poll]:
    """Yoti's Cachet page read from two collections a poll (the real components capture: all operational):
    Age Scan in partial outage with an incident naming it, the incident fixed (only the incidents
    changed), Age Scan operational again (only the components: the real capture)."""
    components = capture_document(YOTI_COMPONENTS, CACHET_COMPONENTS)
    partial = synthetic(load(YOTI_COMPONENTS), yoti_component(YOTI_AGE_SCAN, 3))
    return [
        (components, json_document(cachet_incidents(), CACHET_INCIDENTS)),
        (
            json_document(partial, CACHET_COMPONENTS),
            json_document(cachet_incidents(age_scan_incident(1)), CACHET_INCIDENTS),
        ),
        json_document(cachet_incidents(age_scan_incident(4)), CACHET_INCIDENTS),
        components,
    ]


PROBE_URL = "https://api.example.com/health"


def probe_outage() -> list[Poll]:
    """A probe of an API's health endpoint, a poll a minute (synthetic: a probe has no document to
    capture): fast, slow for three polls, a 503 for three, no answer for two, fast for three."""
    fast = Document(b'{"status": "ok"}', url=PROBE_URL, elapsed=0.12)
    slow = Document(b'{"status": "ok"}', url=PROBE_URL, elapsed=3.4)
    down = Document(b"<html>503 Service Unavailable</html>", "text/html", 503, PROBE_URL, elapsed=0.05)
    message = "no complete answer from api.example.com/health within 10s"
    gone = Document(b"", "text/plain", None, PROBE_URL, error=NoAnswer("timeout", message))
    return [fast, slow, slow, slow, down, down, down, gone, gone, fast, fast, fast]
