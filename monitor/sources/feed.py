"""RSS and Atom feeds (Statuspage's `/history.rss` and `/history.atom`, custom status feeds).

A feed is a history, not a state: the current state is derived from its *open* items.

- Items are grouped per incident: by the item's link (unless it is the page's own link, which some
  feeds put on every item), else its guid/id, else its title. The newest item of each group (by
  updated/published time, feed order breaking ties) speaks for the incident.
- That item is *closed* when its title starts with, or one of its categories is, Resolved /
  Completed / Postmortem, or when the first status word of its text is one of those (Statuspage
  writes the trail newest first: "Dec 23, 10:30 CET Resolved - ..."; "Update" is not a status).
- It is *open* when it is not closed and was updated within `max_age` of now (default 7 days):
  feeds that never say "resolved" would otherwise keep every incident open forever. An item with no
  readable time cannot age and stays open while it is not closed (with a warning).
- Status words of Statuspage's vocabulary map to IncidentStatus / MaintenanceStatus (`_STATUS`);
  an item whose status word is a maintenance one (Scheduled, In progress, Verifying), or that has
  none but mentions maintenance, is a Maintenance. Impact comes from the first of "major outage",
  "partial outage", "degraded", ... in title, categories and text (`_IMPACT`); none: unknown.
- A feed names no components, so a snapshot has none; `indicator` is derived (the worst open
  impact), since feeds carry no overall reading of their own.

XML safety: the body is parsed first by defusedxml with DTDs forbidden, so a DOCTYPE or ENTITY
declaration is refused before anything is expanded. feedparser alone is not enough: it strips
entity declarations only from what precedes the first element-like `<x`, and a comment placed
before the DOCTYPE defeats that, leaving expat to expand a billion-laughs document up to its own
amplification limit (about a second of CPU per poll). That first pass also rejects anything that is
not well-formed XML (a truncated feed could silently drop an open item) or whose root is not a feed.
Size is bounded by the HttpClient's body cap, and work by that same pass: past `MAX_FEED_ELEMENTS`
elements or `MAX_FEED_DEPTH` levels of nesting it stops and the page is a parse error, since
feedparser's time grows with the elements (about 35 us each, 20 s for a 7 MB feed of 1M nested
elements) and a real feed has a few hundred. Only then does feedparser normalize the elements.
"""

from __future__ import annotations

import io
import re
from abc import abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Literal
from xml.etree.ElementTree import ParseError as XmlParseError

from pydantic import Field

from monitor.durations import Duration
from monitor.errors import ParseError
from monitor.fetch import HttpClient, NotModified, Response
from monitor.model import (
    Impact,
    Incident,
    IncidentStatus,
    Maintenance,
    MaintenanceStatus,
    Snapshot,
)
from monitor.sources.base import Source, SourceConfig
from monitor.sources.reader import EARLIEST, Reader, link, plain_text, quote, text

DEFAULT_MAX_AGE = 7 * 86400.0
MAX_FEED_ELEMENTS = 20_000  # about 0.7 s of feedparser; real feeds have tens to hundreds
MAX_FEED_DEPTH = 64  # rss > channel > item > description is 4; Atom's XHTML content adds a few more
_ATOM = "{http://www.w3.org/2005/Atom}feed"
_ATOM_03 = "{http://purl.org/atom/ns#}feed"
_RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}RDF"
_RSS_10_CHANNEL = "{http://purl.org/rss/1.0/}channel"

_CLOSED = ("resolved", "completed", "postmortem", "post-mortem")
_STATUS: dict[str, IncidentStatus | MaintenanceStatus] = {
    "investigating": IncidentStatus.INVESTIGATING,
    "identified": IncidentStatus.IDENTIFIED,
    "monitoring": IncidentStatus.MONITORING,
    "resolved": IncidentStatus.RESOLVED,
    "postmortem": IncidentStatus.POSTMORTEM,
    "post-mortem": IncidentStatus.POSTMORTEM,
    "scheduled": MaintenanceStatus.SCHEDULED,
    "in progress": MaintenanceStatus.IN_PROGRESS,
    "verifying": MaintenanceStatus.VERIFYING,
    "completed": MaintenanceStatus.COMPLETED,
}
_IMPACT = {
    "major outage": Impact.CRITICAL,
    "full outage": Impact.CRITICAL,
    "partial outage": Impact.MAJOR,
    "outage": Impact.MAJOR,
    "disruption": Impact.MAJOR,
    "degraded performance": Impact.MINOR,
    "degraded": Impact.MINOR,
    "degradation": Impact.MINOR,
    "maintenance": Impact.MAINTENANCE,
}


def _words(vocabulary: Iterable[str]) -> re.Pattern[str]:
    """Whole words or phrases, longest first so "major outage" wins over "outage"."""
    alternatives = sorted(vocabulary, key=len, reverse=True)
    return re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, alternatives)) + r")(?![\w-])", re.I)


_STATUS_WORD = _words(_STATUS)
_IMPACT_WORD = _words(_IMPACT)
_LEADING_CLOSED = re.compile(r"^\W*(" + "|".join(_CLOSED) + r")\b", re.I)


@dataclass(frozen=True, slots=True)
class FeedRules:
    """What a format accepts as its document and when an item is open."""

    what: str  # named in errors: "an RSS or Atom feed"
    roots: Mapping[str, str | None]  # accepted root element -> the child it must have (None: any)
    max_age: float | None  # seconds an item stays open without news; None: until it is closed or gone


ANY_FEED = {"rss": "channel", _ATOM: None, _ATOM_03: None, _RDF: _RSS_10_CHANNEL}
FEED_RULES = FeedRules("an RSS or Atom feed", ANY_FEED, DEFAULT_MAX_AGE)


class FeedConfig(SourceConfig):
    """`url` is the feed's own URL (e.g. `https://status.example.com/history.rss`), not the page's."""

    type: Literal["feed"]
    max_age: Duration = Field(default=DEFAULT_MAX_AGE, description="an item older than this is not open")


class FeedBasedSource(Source):
    """A source that reads one feed document with its format's `rules()`."""

    @abstractmethod
    def rules(self) -> FeedRules:
        """What this format accepts and when its items are open."""

    async def fetch(self, http: HttpClient, timeout: float) -> Snapshot | NotModified:
        rules = self.rules()

        def parse(body: bytes, final_url: str) -> Snapshot:
            return parse_feed(body, final_url, now=datetime.now(UTC), rules=rules)

        return await self._get_json(http, self.config.url, timeout, parse, decode=_body)


class FeedSource(FeedBasedSource):
    type_name = "feed"
    Config = FeedConfig
    detect_order = 90  # last: many pages link a feed, but a format with a state of its own says more

    def rules(self) -> FeedRules:
        assert isinstance(self.config, FeedConfig)
        return replace(FEED_RULES, max_age=self.config.max_age)


def _body(response: Response) -> bytes:
    """The raw bytes: XML names its own encoding (BOM or declaration), which the parsers honour."""
    return response.body


def parse_feed(doc: bytes, page_url: str, *, now: datetime, rules: FeedRules = FEED_RULES) -> Snapshot:
    """Normalize a feed document; `page_url` is used when the feed names no page, `now` ages items."""
    if not isinstance(doc, bytes):
        raise ParseError(f"not {rules.what}: expected bytes, got {type(doc).__name__}")
    stripped = doc.lstrip(b" \t\r\n")
    doc = stripped if stripped.startswith(b"<") else doc  # servers that emit a newline before <?xml
    _check_document(doc, rules)
    import feedparser  # here, not at the top: ~15 ms that `check` and `poll` of non-feed pages need not pay

    parsed = feedparser.parse(io.BytesIO(doc), sanitize_html=True, resolve_relative_uris=False)
    channel_link = link(parsed.feed.get("link"))
    return _FeedReader(channel_link or page_url, channel_link, now, rules).read(parsed.entries)


def _check_document(doc: bytes, rules: FeedRules) -> None:
    """Well-formed XML without a DTD, whose root is one `rules` accepts; else a ParseError."""
    from defusedxml import DefusedXmlException  # imported on first use, like feedparser
    from defusedxml.ElementTree import DefusedXMLParser

    outline = _Outline()
    parser = DefusedXMLParser(target=outline, forbid_dtd=True)
    try:
        parser.feed(doc)
        parser.close()
    except DefusedXmlException:
        raise ParseError(
            f"not {rules.what}: a DOCTYPE or entity declaration (refused, never expanded)"
        ) from None
    except XmlParseError as exc:
        raise ParseError(f"not {rules.what}: not well-formed XML ({exc})") from None
    except LookupError as exc:  # the XML declaration names an encoding Python does not know
        raise ParseError(f"not {rules.what}: not readable XML ({exc})") from None
    except _OverLimit as exc:
        raise ParseError(f"refused {rules.what}: {exc} (not parsed further)") from None
    root = outline.root or ""
    if root not in rules.roots:
        raise ParseError(f"not {rules.what}: the root element is {quote(root)}")
    required = rules.roots[root]
    if required is not None and required not in outline.children:
        raise ParseError(f"not {rules.what}: {quote(outline.root)} has no {quote(required)}")


class _OverLimit(Exception):
    """The document is bigger in structure than any feed: raised from inside the XML pass to stop it."""


class _Outline:
    """A parser target that keeps only the root element's name and its children's: no tree built.
    It counts elements and nesting as they stream by and stops the parse past the limits."""

    def __init__(self) -> None:
        self.root: str | None = None
        self.children: set[str] = set()
        self._depth = 0
        self._elements = 0

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        if self._depth == 0:
            self.root = tag
        elif self._depth == 1:
            self.children.add(tag)
        self._depth += 1
        self._elements += 1
        if self._depth > MAX_FEED_DEPTH:
            raise _OverLimit(f"elements nested more than {MAX_FEED_DEPTH} deep")
        if self._elements > MAX_FEED_ELEMENTS:
            raise _OverLimit(f"more than {MAX_FEED_ELEMENTS} elements")

    def end(self, tag: str) -> None:
        self._depth -= 1

    def data(self, data: str) -> None:
        pass

    def close(self) -> None:
        pass


@dataclass(frozen=True, slots=True)
class _Item:
    key: str  # the incident it speaks for
    position: int
    entry: Mapping[str, Any]
    when: datetime | None  # updated, else published
    published: datetime | None


class _FeedReader(Reader):
    """One parse of one feed. Not `Reader.tracked`: a feed repeats an incident across items by
    design, so items are grouped per incident instead; an item that cannot be grouped fails the page."""

    def __init__(self, page_url: str, channel_link: str | None, now: datetime, rules: FeedRules) -> None:
        super().__init__(epochs=False)  # feeds write RFC 822 or ISO 8601 dates
        self.page_url = page_url
        self.channel_link = channel_link.rstrip("/") if channel_link else None
        self.now = now
        self.rules = rules

    def read(self, entries: list[Any]) -> Snapshot:
        groups: dict[str, list[_Item]] = {}
        for position, entry in enumerate(entries):
            item = self._item(position, entry)
            groups.setdefault(item.key, []).append(item)
        incidents: list[Incident] = []
        maintenances: list[Maintenance] = []
        for items in groups.values():
            newest = max(items, key=_recency)
            if not self._is_open(newest):
                continue
            started = min((i.published for i in items if i.published is not None), default=None)
            found = self._open_item(newest, started)
            if isinstance(found, Maintenance):
                maintenances.append(found)
            else:
                incidents.append(found)
        active = [Impact.MAINTENANCE for m in maintenances if m.status.is_active]
        return Snapshot(
            page_url=self.page_url,
            incidents=tuple(incidents),
            maintenances=tuple(maintenances),
            indicator=_worst([i.impact for i in incidents] + active),
            warnings=tuple(self.warnings),
        )

    def _item(self, position: int, entry: Any) -> _Item:
        """The item with its incident key; an item with nothing to tell it by fails the page, since it
        might be the one open incident (and the engine would resolve what it cannot see)."""
        if not isinstance(entry, dict):
            raise ParseError(f"unreadable feed item at position {position}")
        entry = dict(entry)  # plain keys: feedparser's dict answers `updated` with `published`, warning
        item_link = link(entry.get("link"))
        own_link = item_link is not None and item_link.rstrip("/") != self.channel_link
        key = (item_link if own_link else None) or text(entry.get("id")) or _title(entry) or item_link
        if not key:
            raise ParseError(f"feed item at position {position} has no link, id or title")
        what = _what(entry)
        published = self.time(entry.get("published"), what, "published")
        when = self.time(entry.get("updated"), what, "updated") or published
        return _Item(key, position, entry, when, published)

    def _is_open(self, item: _Item) -> bool:
        entry = item.entry
        if _LEADING_CLOSED.match(_title(entry)) or any(term in _CLOSED for term in _categories(entry)):
            return False
        status = _STATUS_WORD.search(_body_text(entry))
        if status is not None and status[1].lower() in _CLOSED:
            return False
        if self.rules.max_age is None:
            return True
        if item.when is None:
            self.warn(f"{_what(entry)} has no readable date; open while it does not say resolved")
            return True
        return self.now - item.when <= timedelta(seconds=self.rules.max_age)

    def _open_item(self, item: _Item, started: datetime | None) -> Incident | Maintenance:
        entry = item.entry
        title, categories, body = _title(entry), " ".join(_categories(entry)), _body_text(entry)
        status = _first_status(body, categories, title)
        impacts = _impacts(title, categories, body)
        url = link(entry.get("link")) or self.page_url
        if isinstance(status, MaintenanceStatus) or (status is None and impacts[:1] == [Impact.MAINTENANCE]):
            return Maintenance(
                id=item.key,
                name=title or item.key,
                status=status if isinstance(status, MaintenanceStatus) else MaintenanceStatus.UNKNOWN,
                url=url,
                latest_update=body or None,
            )
        return Incident(
            id=item.key,
            name=title or item.key,
            status=status or IncidentStatus.UNKNOWN,
            impact=next((i for i in impacts if i is not Impact.MAINTENANCE), Impact.UNKNOWN),
            url=url,
            started_at=started,
            updated_at=item.when,
            latest_update=body or None,
        )


def _recency(item: _Item) -> tuple[datetime, int]:
    """Newer by time (an item without one counts as oldest); earlier in the feed on a tie."""
    return (item.when or EARLIEST, -item.position)


def _what(entry: Mapping[str, Any]) -> str:
    return f"feed item {quote(_title(entry) or '?')}"


def _title(entry: Mapping[str, Any]) -> str:
    title = entry.get("title")
    return plain_text(title) if isinstance(title, str) else ""


def _categories(entry: Mapping[str, Any]) -> list[str]:
    tags = entry.get("tags")
    terms = (tag.get("term") for tag in tags if isinstance(tag, Mapping)) if isinstance(tags, list) else ()
    return [term.strip().lower() for term in terms if isinstance(term, str) and term.strip()]


def _body_text(entry: Mapping[str, Any]) -> str:
    """The item's text as one plain line: Atom content if present, else the RSS description."""
    content = entry.get("content")
    if isinstance(content, list) and content and isinstance(content[0], Mapping):
        value = content[0].get("value")
        if isinstance(value, str) and value.strip():
            return plain_text(value)
    summary = entry.get("summary")
    return plain_text(summary) if isinstance(summary, str) else ""


def _first_status(*texts: str) -> IncidentStatus | MaintenanceStatus | None:
    for candidate in texts:
        found = _STATUS_WORD.search(candidate)
        if found is not None:
            return _STATUS[found[1].lower()]
    return None


def _impacts(*texts: str) -> list[Impact]:
    """Every impact word of `texts`, in reading order."""
    return [_IMPACT[found[1].lower()] for candidate in texts for found in _IMPACT_WORD.finditer(candidate)]


def _worst(impacts: list[Impact]) -> Impact:
    """The impact whose implied component status is worst; none when nothing is open."""
    worst = Impact.NONE
    for impact in impacts:
        if (impact.component_status.level or 0) > (worst.component_status.level or 0):
            worst = impact
    return worst
