"""parse_feed on synthetic feeds built from the documented shapes (Atom, RSS 1.0, per-update RSS),
what counts as open, and the XML it refuses (entity bombs, external entities, non-feeds)."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from monitor.errors import ParseError
from monitor.model import Impact, IncidentStatus, MaintenanceStatus
from monitor.sources.feed import ANY_FEED, FeedRules, parse_feed

from .conftest import FIXTURES

URL = "https://status.example.com/history.atom"
NOW = datetime(2024, 3, 5, 12, 0, tzinfo=UTC)


def atom(*entries: str, link: str = '<link rel="alternate" href="https://status.example.com"/>') -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<feed xml:lang="en-US" xmlns="http://www.w3.org/2005/Atom">
  <id>tag:status.example.com,2005:/history</id>
  {link}
  <title>Example Status - Incident History</title>
  <updated>2024-03-05T11:00:00Z</updated>
  {"".join(entries)}
</feed>""".encode()


def atom_entry(number: int, title: str, content: str, updated: str, published: str | None = None) -> str:
    return f"""<entry>
    <id>tag:status.example.com,2005:Incident/{number}</id>
    <published>{published or updated}</published>
    <updated>{updated}</updated>
    <link rel="alternate" type="text/html" href="https://status.example.com/incidents/{number}"/>
    <title>{title}</title>
    <content type="html">{content}</content>
  </entry>"""


def rss(*items: str, channel_link: str = "https://status.example.com") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel>
  <title>Example Status</title><link>{channel_link}</link><description>x</description>
  {"".join(items)}
</channel></rss>""".encode()


def rss_item(title: str, description: str, date: str | None, *, link: str = "", guid: str = "") -> str:
    parts = [f"<title>{title}</title>", f"<description>{description}</description>"]
    parts += [f"<pubDate>{date}</pubDate>"] if date else []
    parts += [f"<link>{link}</link>"] if link else []
    parts += [f'<guid isPermaLink="false">{guid}</guid>'] if guid else []
    return f"<item>{''.join(parts)}</item>"


def trail(*updates: tuple[str, str]) -> str:
    """Statuspage's update trail, newest first, HTML-escaped as in its feeds."""
    return "".join(
        f"&lt;p&gt;&lt;small&gt;Mar 5, {when} UTC&lt;/small&gt;&lt;br&gt;&lt;strong&gt;{status}"
        f"&lt;/strong&gt; - body&lt;/p&gt;"
        for when, status in updates
    )


def test_atom_synthetic_open_and_closed_entries() -> None:
    doc = atom(
        atom_entry(
            1,
            "API errors",
            trail(("11:00", "Identified"), ("10:00", "Investigating")),
            "2024-03-05T11:00:00Z",
            "2024-03-05T10:00:00Z",
        ),
        atom_entry(
            2,
            "Dashboard slow",
            trail(("09:00", "Resolved"), ("08:00", "Investigating")),
            "2024-03-05T09:00:00Z",
        ),
        atom_entry(
            3,
            "Major outage of builds",
            trail(("07:00", "Update"), ("06:00", "Monitoring")),
            "2024-03-05T07:00:00+01:00",
        ),
    )
    snapshot = parse_feed(doc, URL, now=NOW)
    assert snapshot.page_url == "https://status.example.com"
    api, builds = snapshot.incidents
    assert api.id == api.url == "https://status.example.com/incidents/1"
    assert (api.name, api.status, api.impact) == ("API errors", IncidentStatus.IDENTIFIED, Impact.UNKNOWN)
    assert api.started_at == datetime(2024, 3, 5, 10, 0, tzinfo=UTC)
    assert api.updated_at == datetime(2024, 3, 5, 11, 0, tzinfo=UTC)
    assert api.latest_update == "Mar 5, 11:00 UTC Identified - body Mar 5, 10:00 UTC Investigating - body"
    # "Update" is no status: the one before it (Monitoring) still holds
    assert (builds.status, builds.impact) == (IncidentStatus.MONITORING, Impact.CRITICAL)
    assert builds.updated_at == datetime(2024, 3, 5, 6, 0, tzinfo=UTC)
    assert snapshot.indicator is Impact.CRITICAL
    assert snapshot.warnings == ()


def test_atom_synthetic_maintenance_entries() -> None:
    doc = atom(
        atom_entry(
            4,
            "Database upgrade",
            trail(("10:00", "In progress"), ("08:00", "Scheduled")),
            "2024-03-05T10:00:00Z",
        ),
        atom_entry(5, "Network work", trail(("09:00", "Scheduled")), "2024-03-05T09:00:00Z"),
        atom_entry(
            6, "Old work", trail(("07:00", "Completed"), ("06:00", "Verifying")), "2024-03-05T07:00:00Z"
        ),
        atom_entry(7, "Planned maintenance of the API", "We will be down briefly.", "2024-03-05T07:00:00Z"),
    )
    snapshot = parse_feed(doc, URL, now=NOW)
    assert snapshot.incidents == ()
    assert [(m.id.rsplit("/", 1)[1], m.name, m.status) for m in snapshot.maintenances] == [
        ("4", "Database upgrade", MaintenanceStatus.IN_PROGRESS),
        ("5", "Network work", MaintenanceStatus.SCHEDULED),
        ("7", "Planned maintenance of the API", MaintenanceStatus.UNKNOWN),
    ]
    assert snapshot.indicator is Impact.MAINTENANCE  # one is in progress


def test_atom_synthetic_with_no_page_link_uses_the_feed_url() -> None:
    doc = atom(
        atom_entry(1, "API errors", trail(("11:00", "Investigating")), "2024-03-05T11:00:00Z"), link=""
    )
    snapshot = parse_feed(doc, URL, now=NOW)
    assert snapshot.page_url == URL
    assert snapshot.incidents[0].url == "https://status.example.com/incidents/1"


def test_rss_synthetic_one_item_per_update_keeps_the_newest() -> None:
    """Custom feeds that post each update as an item: grouped by the incident's link."""
    incident = "https://status.example.com/i/42"
    doc = rss(
        rss_item(
            "[Resolved] Login failures", "Fixed.", "Tue, 05 Mar 2024 11:30:00 GMT", link=incident, guid="u3"
        ),
        rss_item(
            "Login failures",
            "We are investigating.",
            "Tue, 05 Mar 2024 10:00:00 GMT",
            link=incident,
            guid="u1",
        ),
        rss_item(
            "Login failures",
            "We have identified it.",
            "Tue, 05 Mar 2024 10:30:00 GMT",
            link=incident,
            guid="u2",
        ),
        rss_item(
            "Partial outage of search",
            "Investigating.",
            "Tue, 05 Mar 2024 09:00:00 +0100",
            link="https://status.example.com/i/43",
        ),
    )
    (search,) = parse_feed(doc, URL, now=NOW).incidents
    assert (search.id, search.impact) == ("https://status.example.com/i/43", Impact.MAJOR)
    assert search.started_at == datetime(2024, 3, 5, 8, 0, tzinfo=UTC)
    reordered = doc.replace(b"[Resolved] Login failures", b"Login failures (update)")
    login, _ = parse_feed(reordered, URL, now=NOW).incidents
    assert (login.id, login.status, login.latest_update) == (incident, IncidentStatus.UNKNOWN, "Fixed.")
    assert login.started_at == datetime(2024, 3, 5, 10, 0, tzinfo=UTC)  # its first item
    assert login.updated_at == datetime(2024, 3, 5, 11, 30, tzinfo=UTC)


def test_rss_synthetic_items_linking_the_page_itself_are_told_apart_by_guid() -> None:
    page = "https://status.example.com"
    doc = rss(
        rss_item(
            "Degraded performance of email",
            "Investigating",
            "Tue, 05 Mar 2024 11:00:00 GMT",
            link=page,
            guid="a",
        ),
        rss_item(
            "Webhooks delayed", "Monitoring", "Tue, 05 Mar 2024 10:00:00 GMT", link=page + "/", guid="b"
        ),
    )
    email, hooks = parse_feed(doc, URL, now=NOW).incidents
    assert (email.id, email.impact, email.url) == ("a", Impact.MINOR, page)
    assert (hooks.id, hooks.status) == ("b", IncidentStatus.MONITORING)


def test_rss_synthetic_unresolved_is_not_resolved_and_closed_words_are_whole_words() -> None:
    doc = rss(
        rss_item("Unresolved tickets not shown", "Investigating", "Tue, 05 Mar 2024 11:00:00 GMT", guid="a")
    )
    (incident,) = parse_feed(doc, URL, now=NOW).incidents
    assert incident.status is IncidentStatus.INVESTIGATING


def test_rss_synthetic_a_resolved_category_closes_an_item() -> None:
    item = rss_item("API down", "Investigating", "Tue, 05 Mar 2024 11:00:00 GMT", guid="a")
    doc = rss(item.replace("</item>", "<category>Resolved</category></item>"))
    assert parse_feed(doc, URL, now=NOW).incidents == ()


def test_rss_synthetic_item_without_date_stays_open_with_a_warning() -> None:
    doc = rss(
        rss_item("API down", "Investigating", None, guid="a"),
        rss_item("Old", "Investigating", "yesterday", guid="b"),
    )
    snapshot = parse_feed(doc, URL, now=NOW)
    assert [i.id for i in snapshot.incidents] == ["a", "b"]
    assert snapshot.warnings == (
        "feed item 'Old' has unparseable published 'yesterday'",
        "feed item 'API down' has no readable date; open while it does not say resolved",
        "feed item 'Old' has no readable date; open while it does not say resolved",
    )


def test_rss_synthetic_item_with_nothing_to_tell_it_by_fails_the_page() -> None:
    doc = rss(rss_item("", "Investigating", "Tue, 05 Mar 2024 11:00:00 GMT"))
    with pytest.raises(ParseError, match="feed item at position 0 has no link, id or title"):
        parse_feed(doc, URL, now=NOW)


def test_rss_synthetic_empty_channel_reads_operational() -> None:
    snapshot = parse_feed(rss(), URL, now=NOW)
    assert (snapshot.incidents, snapshot.maintenances, snapshot.indicator) == ((), (), Impact.NONE)


def test_rss_synthetic_leading_newline_before_the_declaration_is_tolerated() -> None:
    assert parse_feed(b"\n\n" + rss(), URL, now=NOW).page_url == "https://status.example.com"


def test_rss_10_synthetic_is_read() -> None:
    doc = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">
  <channel rdf:about="https://status.example.com"><title>S</title><link>https://status.example.com</link></channel>
  <item rdf:about="https://status.example.com/i/1"><title>Queue outage</title>
    <link>https://status.example.com/i/1</link><description>Identified</description></item>
</rdf:RDF>"""
    (incident,) = parse_feed(doc, URL, now=NOW).incidents
    assert (incident.id, incident.status, incident.impact) == (
        "https://status.example.com/i/1",
        IncidentStatus.IDENTIFIED,
        Impact.MAJOR,
    )


def test_no_max_age_keeps_old_items_open() -> None:
    doc = rss(rss_item("API down", "Investigating", "Tue, 05 Mar 2019 11:00:00 GMT", guid="a"))
    assert parse_feed(doc, URL, now=NOW).incidents == ()
    rules = FeedRules("a feed", ANY_FEED, None)
    assert [i.id for i in parse_feed(doc, URL, now=NOW, rules=rules).incidents] == ["a"]


LAUGHS = "".join(f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10))
BILLION_LAUGHS = (
    f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY lol0 "lol">{LAUGHS}]>'
    '<rss version="2.0"><channel><title>&lol9;</title></channel></rss>'
)


@pytest.mark.parametrize(
    "doc",
    [
        BILLION_LAUGHS.encode(),
        # a comment before the DOCTYPE defeats feedparser's own stripping of entity declarations
        BILLION_LAUGHS.replace("<!DOCTYPE", "<!-- <a --><!DOCTYPE").encode(),
        BILLION_LAUGHS.encode("utf-16"),
        b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<rss><channel><title>&x;</title></channel></rss>",
        b'<?xml version="1.0"?><!DOCTYPE rss SYSTEM "http://127.0.0.1:1/x.dtd"><rss><channel/></rss>',
    ],
    ids=["billion-laughs", "behind-a-comment", "utf-16", "external-entity", "external-dtd"],
)
def test_dtds_are_refused_before_any_expansion(doc: bytes) -> None:
    started = time.monotonic()
    with pytest.raises(
        ParseError,
        match=r"^not an RSS or Atom feed: a DOCTYPE or entity declaration \(refused, never expanded\)$",
    ):
        parse_feed(doc, URL, now=NOW)
    assert time.monotonic() - started < 0.1


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ((FIXTURES / "errors/cdn-504-gateway-timeout.html").read_bytes(), "the root element is 'html'"),
        (b"<!DOCTYPE html><html><body>Bad gateway</body></html>", "a DOCTYPE or entity declaration"),
        (b'{"status": "ok"}', "not well-formed XML"),
        (b"", "not well-formed XML"),
        (b"<html><body>maintenance</body></html><p>", "not well-formed XML"),
        (b'<rss version="2.0"/>', "'rss' has no 'channel'"),
        (rss(rss_item("A", "Investigating", None, guid="a"))[:-20], "not well-formed XML"),
        (b'<?xml version="1.0"?><Error><Code>AccessDenied</Code></Error>', "the root element is 'Error'"),
        (b'<?xml version="1.0" encoding="U-TF-8"?><rss version="2.0"><channel/></rss>', "unknown encoding"),
    ],
    ids=["cdn-html", "html5", "json", "empty", "html-junk", "bare-rss", "truncated", "s3-error", "encoding"],
)
def test_what_is_not_a_feed_is_a_parse_error(doc: bytes, message: str) -> None:
    with pytest.raises(ParseError, match=r"^not an RSS or Atom feed: ") as caught:
        parse_feed(doc, URL, now=NOW)
    assert message in str(caught.value)


def test_a_decoded_document_is_refused() -> None:
    with pytest.raises(ParseError, match="expected bytes, got str"):
        parse_feed("<rss/>", URL, now=NOW)  # type: ignore[arg-type]
