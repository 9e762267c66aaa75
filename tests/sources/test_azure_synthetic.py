"""The Azure status feed, on synthetic feeds written from its documented shape (no capture exists):
an empty channel when healthy, one item per active incident, removed when it ends."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from monitor.errors import ParseError
from monitor.model import Impact, IncidentStatus
from monitor.sources.azure import AzureConfig, AzureSource
from monitor.sources.feed import parse_feed

URL = "https://azure.status.microsoft/en-us/status/feed/"
NOW = datetime(2026, 7, 23, 18, 0, tzinfo=UTC)
RULES = AzureSource(AzureConfig(name="azure", type="azure")).rules()

HEALTHY = b"""<?xml version="1.0" encoding="utf-8"?>
<rss xmlns:a10="http://www.w3.org/2005/Atom" version="2.0">
  <channel>
    <title>Azure Status</title>
    <link>https://azure.status.microsoft/en-us/status/</link>
    <description>Azure Status</description>
    <language>en-US</language>
    <lastBuildDate>Thu, 23 Jul 2026 17:58:01 Z</lastBuildDate>
  </channel>
</rss>"""

ITEM = """<item>
      <guid isPermaLink="false">{guid}</guid>
      <link>https://azure.status.microsoft/en-us/status/</link>
      <category>Network Infrastructure</category>
      <category>West US</category>
      <title>{title}</title>
      <description>&lt;p&gt;&lt;strong&gt;Impact Statement:&lt;/strong&gt; Starting at 14:05 UTC customers
      may experience {words} when connecting to resources in West US.&lt;/p&gt;</description>
      <pubDate>{date}</pubDate>
    </item>"""


def feed(*items: str) -> bytes:
    return HEALTHY.replace(b"</lastBuildDate>", b"</lastBuildDate>" + "".join(items).encode())


def item(
    guid: str, title: str, words: str = "intermittent errors", date: str = "Thu, 23 Jul 2026 16:29:09 Z"
) -> str:
    return ITEM.format(guid=guid, title=title, words=words, date=date)


def test_empty_channel_synthetic_is_operational() -> None:
    snapshot = parse_feed(HEALTHY, URL, now=NOW, rules=RULES)
    assert snapshot.page_url == "https://azure.status.microsoft/en-us/status/"
    assert (snapshot.incidents, snapshot.maintenances, snapshot.indicator) == ((), (), Impact.NONE)
    assert snapshot.warnings == ()


def test_one_active_item_synthetic_is_an_open_incident() -> None:
    doc = feed(
        item(
            "QK1T-5Z8",
            "Network Infrastructure - West US - Issues connecting to resources",
            "degraded performance",
        )
    )
    snapshot = parse_feed(doc, URL, now=NOW, rules=RULES)
    (incident,) = snapshot.incidents
    assert incident.id == "QK1T-5Z8"  # every item links the status page itself: told apart by guid
    assert incident.name == "Network Infrastructure - West US - Issues connecting to resources"
    assert incident.status is IncidentStatus.UNKNOWN  # Azure writes no status word
    assert incident.impact is Impact.MINOR  # "degraded performance" in the description
    assert incident.url == "https://azure.status.microsoft/en-us/status/"
    assert incident.started_at == incident.updated_at == datetime(2026, 7, 23, 16, 29, 9, tzinfo=UTC)
    assert incident.latest_update == (
        "Impact Statement: Starting at 14:05 UTC customers may experience degraded performance "
        "when connecting to resources in West US."
    )
    assert snapshot.indicator is Impact.MINOR


def test_items_stay_open_however_old_synthetic() -> None:
    """Azure removes an item when its incident ends: an item still listed is open, even after weeks."""
    doc = feed(item("OLD-1", "Storage - Outage in East US", date="Mon, 01 Jun 2026 10:00:00 Z"))
    (incident,) = parse_feed(doc, URL, now=NOW, rules=RULES).incidents
    assert (incident.id, incident.impact) == ("OLD-1", Impact.MAJOR)


def test_an_item_titled_resolved_synthetic_is_not_open() -> None:
    doc = feed(item("R-1", "[RESOLVED] Storage - East US"), item("A-1", "App Service - East US"))
    assert [i.id for i in parse_feed(doc, URL, now=NOW, rules=RULES).incidents] == ["A-1"]


def test_max_age_can_be_configured() -> None:
    rules = AzureSource(AzureConfig(name="azure", type="azure", max_age="7d")).rules()
    doc = feed(item("OLD-1", "Storage - East US", date="Mon, 01 Jun 2026 10:00:00 Z"))
    assert parse_feed(doc, URL, now=NOW, rules=rules).incidents == ()


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (
            b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title></feed>',
            "root element",
        ),
        (b'<rss version="2.0"/>', "'rss' has no 'channel'"),
        (b"<html><head><title>Service Unavailable</title></head><body/></html>", "root element is 'html'"),
        (b"", "not well-formed XML"),
    ],
    ids=["atom", "no-channel", "html", "empty-body"],
)
def test_what_is_not_an_rss_channel_synthetic_is_a_parse_error(doc: bytes, message: str) -> None:
    with pytest.raises(ParseError, match=r"^not the Azure status feed \(an RSS channel\): ") as caught:
        parse_feed(doc, URL, now=NOW, rules=RULES)
    assert message in str(caught.value)
