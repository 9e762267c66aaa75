"""Property-based: the feed parsers on mutated real captures, random bytes and random JSON."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from hypothesis import given, settings

from monitor.sources.azure import AZURE_FEED
from monitor.sources.feed import FeedRules, parse_feed

from .conftest import FIXTURES
from .fuzzing import check_not_operational, check_parser, random_bytes, random_json, xml_mutations

URL = "https://status.example.com/history.rss"
NOW = datetime(2021, 12, 24, tzinfo=UTC)
CAPTURES = {
    "staffbase": (
        FIXTURES / "statuspage/rss/status.staffbase.com-history.rss-2021-12-tab-indented.xml"
    ).read_bytes(),
    "xai": (FIXTURES / "custom/status.x.ai-feed.xml").read_bytes(),
}
AZURE = FeedRules("the Azure status feed", AZURE_FEED, None)


def feed(doc: Any) -> Any:
    return parse_feed(doc, URL, now=NOW)


def azure(doc: Any) -> Any:
    return parse_feed(doc, URL, now=NOW, rules=AZURE)


@settings(max_examples=200, deadline=None)  # timing is not the property; CI load varies
@given(doc=xml_mutations(CAPTURES["staffbase"]))
def test_a_mutated_statuspage_feed_is_read_or_refused(doc: bytes) -> None:
    check_parser(feed, doc)
    check_parser(azure, doc)


@settings(max_examples=200, deadline=None)  # timing is not the property; CI load varies
@given(doc=xml_mutations(CAPTURES["xai"]))
def test_a_mutated_custom_feed_is_read_or_refused(doc: bytes) -> None:
    check_parser(feed, doc)


@settings(max_examples=200, deadline=None)  # timing is not the property; CI load varies
@given(doc=random_bytes())
def test_random_bytes_never_read_operational(doc: bytes) -> None:
    check_not_operational(feed, doc)
    check_not_operational(azure, doc)


@settings(max_examples=200, deadline=None)  # timing is not the property; CI load varies
@given(doc=random_json())
def test_random_json_never_reads_operational(doc: Any) -> None:
    check_not_operational(feed, json.dumps(doc).encode())
    check_not_operational(feed, doc)  # a decoded value, not bytes, is refused too
