"""Microsoft Azure's status RSS feed: the feed reader (`monitor.sources.feed`) with Azure's rules.

Azure lists only what is going on now: the channel has no items when everything is healthy and
an item disappears when its incident ends. So an empty channel is operational, every item that
does not say it is resolved is open however old it is (no `max_age` by default), and anything
that is not an RSS 2.0 channel (an error page, an Atom document, a bare `<rss/>`) is a ParseError.
Azure's titles carry no Statuspage-style status word, so such incidents read as status unknown,
with an impact from words like "outage" or "degraded" when present (else unknown, paged as minor).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from monitor.durations import Duration
from monitor.sources.base import SourceConfig
from monitor.sources.feed import FeedBasedSource, FeedRules
from monitor.sources.vendor import VendorSource

DEFAULT_URL = "https://azure.status.microsoft/en-us/status/feed/"
# The hosts Azure serves its status page and feed from; discovery offers this format only there.
AZURE_HOSTS = frozenset({"azure.status.microsoft", "rssfeed.azure.status.microsoft", "status.azure.com"})
AZURE_FEED = {"rss": "channel"}


class AzureConfig(SourceConfig):
    """`url` is the feed itself; it defaults to Azure's and may point at a mirror or proxy."""

    type: Literal["azure"]
    url: str = Field(default=DEFAULT_URL, pattern=r"^https?://")
    max_age: Duration | None = Field(default=None, description="None: an item is open until it is gone")


class AzureSource(VendorSource, FeedBasedSource):
    type_name = "azure"
    Config = AzureConfig
    vendor_hosts = AZURE_HOSTS

    def rules(self) -> FeedRules:
        assert isinstance(self.config, AzureConfig)
        return FeedRules("the Azure status feed (an RSS channel)", AZURE_FEED, self.config.max_age)
