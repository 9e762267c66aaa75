"""The structural limits of the feed reader and the worker thread large documents are parsed in."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import pytest

from monitor.errors import ParseError
from monitor.sources import base
from monitor.sources.base import LARGE_DOCUMENT_BYTES, parse_off_loop
from monitor.sources.feed import MAX_FEED_DEPTH, MAX_FEED_ELEMENTS, parse_feed

from .big_feeds import long_feed, nested_feed

NOW = datetime(2026, 12, 7, tzinfo=UTC)


def test_a_feed_nested_deeper_than_any_real_one_is_refused() -> None:
    with pytest.raises(ParseError, match=f"elements nested more than {MAX_FEED_DEPTH} deep"):
        parse_feed(nested_feed(10_000), "https://status.example.com", now=NOW)


def test_the_7_mb_feed_of_a_million_nested_elements_is_refused() -> None:
    doc = nested_feed(1_000_000)
    assert 7_000_000 <= len(doc) < 10 * 1024 * 1024  # under the HttpClient's body cap
    with pytest.raises(ParseError, match="nested more than"):
        parse_feed(doc, "https://status.example.com", now=NOW)


def test_a_feed_of_more_elements_than_any_real_one_is_refused() -> None:
    doc = long_feed(MAX_FEED_ELEMENTS // 5 + 1, text_bytes=0)
    with pytest.raises(
        ParseError, match=f"refused an RSS or Atom feed: more than {MAX_FEED_ELEMENTS} elements"
    ):
        parse_feed(doc, "https://status.example.com", now=NOW)


def test_feeds_within_the_limits_are_read() -> None:
    depth = MAX_FEED_DEPTH - 4  # rss > channel > item > d...
    assert parse_feed(nested_feed(depth), "https://status.example.com", now=NOW).page_url
    items = MAX_FEED_ELEMENTS // 5 - 1  # rss, channel, title, link and 5 per item
    snapshot = parse_feed(long_feed(items, text_bytes=0), "https://status.example.com", now=NOW)
    assert len(snapshot.incidents) == items


async def test_a_small_document_is_parsed_on_the_loop_a_large_one_in_a_parser_thread() -> None:
    def where() -> str:
        return threading.current_thread().name

    assert await parse_off_loop(LARGE_DOCUMENT_BYTES, where) == threading.main_thread().name
    assert (await parse_off_loop(LARGE_DOCUMENT_BYTES + 1, where)).startswith("parse")


async def test_a_parse_over_the_budget_is_a_parse_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(base, "PARSE_BUDGET_SECONDS", 0.05)
    with pytest.raises(ParseError, match=r"the document \(300000 bytes\) took longer than 0.05s to parse"):
        await parse_off_loop(300_000, lambda: time.sleep(0.5))
