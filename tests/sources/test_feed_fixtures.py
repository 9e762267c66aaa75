"""parse_feed on the real feed captures: Statuspage's /history.rss (Staffbase) and xAI's custom feed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from monitor.model import Impact, IncidentStatus
from monitor.sources.feed import parse_feed

from .conftest import FIXTURES

STAFFBASE = (
    FIXTURES / "statuspage/rss/status.staffbase.com-history.rss-2021-12-tab-indented.xml"
).read_bytes()
XAI = (FIXTURES / "custom/status.x.ai-feed.xml").read_bytes()
FEED_URL = "https://mirror.example.com/history.rss"
# Shortly after each capture's newest item: inside max_age, so only the status words close them.
AFTER_STAFFBASE = datetime(2021, 12, 24, 0, 0, tzinfo=UTC)
AFTER_XAI = datetime(2026, 5, 19, 0, 0, tzinfo=UTC)


def test_staffbase_resolved_incidents_are_not_open() -> None:
    snapshot = parse_feed(STAFFBASE, FEED_URL, now=AFTER_STAFFBASE)
    assert snapshot.page_url == "https://status.staffbase.com"  # the channel's link, not the feed's
    assert snapshot.incidents == ()
    assert snapshot.maintenances == ()
    assert snapshot.indicator is Impact.NONE
    assert snapshot.warnings == ()


def test_xai_resolved_in_cdata_and_category_is_not_open() -> None:
    snapshot = parse_feed(XAI, FEED_URL, now=AFTER_XAI)
    assert snapshot.page_url == "https://status.x.ai"
    assert snapshot.incidents == ()
    assert snapshot.warnings == ()


def reopened(document: bytes, *pairs: tuple[bytes, bytes]) -> bytes:
    """A capture with its closing words replaced in memory: what the feed said before it closed."""
    for old, new in pairs:
        assert old in document
        document = document.replace(old, new)
    return document


STAFFBASE_OPEN = reopened(
    STAFFBASE, (b"&lt;strong&gt;Resolved&lt;/strong&gt;", b"&lt;strong&gt;Monitoring&lt;/strong&gt;")
)


def test_staffbase_reopened_synthetic_reads_every_field() -> None:
    snapshot = parse_feed(STAFFBASE_OPEN, FEED_URL, now=AFTER_STAFFBASE)
    blank, media = snapshot.incidents
    assert blank.id == blank.url == "https://status.staffbase.com/incidents/77004ltfxlkv"
    assert blank.name == "Blank content"
    assert blank.status is IncidentStatus.MONITORING
    assert blank.impact is Impact.UNKNOWN  # no outage words anywhere
    assert blank.started_at == blank.updated_at == datetime(2021, 12, 23, 9, 30, 37, tzinfo=UTC)
    assert blank.latest_update is not None
    assert blank.latest_update.startswith("Dec 23, 10:30 CET Monitoring - The issue is resolved.")
    assert media.id == "https://status.staffbase.com/incidents/p3mdb34gmrx6"
    assert media.name == "Service disruption with the German media server"
    assert media.impact is Impact.MAJOR  # "disruption" in the title
    assert media.updated_at == datetime(2021, 12, 20, 8, 42, 32, tzinfo=UTC)
    assert snapshot.indicator is Impact.MAJOR
    assert snapshot.warnings == ()


def test_staffbase_reopened_synthetic_ages_out_after_max_age() -> None:
    newest = datetime(2021, 12, 23, 9, 30, 37, tzinfo=UTC)
    still = parse_feed(STAFFBASE_OPEN, FEED_URL, now=newest + timedelta(days=7))
    assert [i.name for i in still.incidents] == ["Blank content"]  # the other is 10 days old by then
    assert parse_feed(STAFFBASE_OPEN, FEED_URL, now=newest + timedelta(days=7, seconds=1)).incidents == ()


def test_xai_reopened_synthetic_reads_status_from_cdata() -> None:
    doc = reopened(XAI, (b"Status: RESOLVED", b"Status: Identified"), (b">resolved<", b">major outage<"))
    (incident,) = parse_feed(doc, FEED_URL, now=AFTER_XAI).incidents
    assert incident.id == "https://status.x.ai/api-console/INC702624e4"
    assert incident.name == "[API Console] Console not loading"
    assert incident.status is IncidentStatus.IDENTIFIED
    assert incident.impact is Impact.CRITICAL  # from the <category>
    assert incident.started_at == datetime(2026, 5, 18, 1, 58, tzinfo=UTC)
