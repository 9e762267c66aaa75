"""Commands that need no config: `discover URL` (which format a page speaks) and `catalog [search TERM]`."""

from __future__ import annotations

import sys

from monitor.catalog import catalog, category_named, listed_at
from monitor.fetch import HttpClient
from monitor.logging import setup_logging
from monitor.report import catalog_table, discovery_text
from monitor.sources import SOURCES
from monitor.sources.discovery import NoFormat, discover, is_web_url, normalize_url, suggested_name


async def discover_page(url: str, timeout: float) -> int:
    """Print the page's format, what it says and the entry to paste; exit 1 when no format reads it."""
    setup_logging("auto", "warning")
    page = normalize_url(url)
    if not is_web_url(page):
        print(f"not an http(s) URL of a status page: {url}", file=sys.stderr)
        return 1
    async with HttpClient() as http:
        try:
            found = await discover(http, page, timeout, SOURCES.every().values())
        except NoFormat as failure:
            print(f"{failure}:", file=sys.stderr)
            for attempt in failure.tried:
                print(f"  {attempt.format} at {attempt.url}: {attempt.reason}", file=sys.stderr)
            return 1
    print(discovery_text(found, suggested_name(page), listed_at(page)))
    return 0


def list_catalog(term: str | None, category: str | None = None) -> int:
    """Print the catalog, or the entries matching `term` and in `category`; exit 1 when none does,
    or naming the categories (with a did-you-mean) when `category` is none of them."""
    try:
        wanted = category_named(category) if category is not None else None
    except ValueError as error:
        print(error, file=sys.stderr)
        return 1
    entries = [
        e
        for e in catalog().root
        if (term is None or e.matches(term)) and (wanted is None or e.category == wanted)
    ]
    if not entries:
        print(f"no catalog entry matches {term!r}", file=sys.stderr)
        return 1
    print(catalog_table(entries))
    return 0
