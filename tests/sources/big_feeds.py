"""Feeds built to size for the parse limits: one nested beyond any real feed, one long but real."""

from __future__ import annotations

_HEAD = b'<?xml version="1.0"?><rss version="2.0"><channel><title>S</title><link>https://status.example.com</link>'
_TAIL = b"</channel></rss>"


def nested_feed(depth: int) -> bytes:
    """An item whose description holds `depth` nested elements (1M: 7 MB, under the 10 MB body cap)."""
    return _HEAD + b"<item><title>x</title>" + b"<d>" * depth + b"</d>" * depth + b"</item>" + _TAIL


def long_feed(items: int, text_bytes: int = 1500) -> bytes:
    """`items` open incidents (5 elements each) with `text_bytes` of description: 3,000 are about 5 MB."""
    text = b"Investigating - the API is degraded. " * (text_bytes // 37)
    entries = b"".join(
        b"<item><title>Incident %d</title><link>https://status.example.com/i/%d</link><description>%s"
        b"</description><pubDate>Thu, 01 Jan 2099 00:00:00 GMT</pubDate></item>" % (i, i, text)
        for i in range(items)
    )
    return _HEAD + entries + _TAIL
