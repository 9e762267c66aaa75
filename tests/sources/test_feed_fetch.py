"""The feed and Azure sources over real HTTP on 127.0.0.1, and their config options."""

from __future__ import annotations

import pytest
from aiohttp import web

from monitor.config import ConfigError, parse_config
from monitor.errors import FetchError, ParseError
from monitor.fetch import NOT_MODIFIED, HttpClient
from monitor.model import Impact, Snapshot
from monitor.sources import SOURCES
from monitor.sources.azure import DEFAULT_URL, AzureConfig, AzureSource
from monitor.sources.feed import DEFAULT_MAX_AGE, FeedConfig, FeedSource

from .conftest import FIXTURES, Serve
from .endpoint import Endpoint

STAFFBASE = (
    FIXTURES / "statuspage/rss/status.staffbase.com-history.rss-2021-12-tab-indented.xml"
).read_bytes()
CDN_504 = (FIXTURES / "errors/cdn-504-gateway-timeout.html").read_bytes()
# An open incident dated far in the future, so the real clock the source passes keeps it within max_age.
OPEN = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>S</title>
<item><title>Major outage of the API</title><description>Investigating</description>
<pubDate>Thu, 01 Jan 2099 00:00:00 GMT</pubDate><guid>i-1</guid></item></channel></rss>"""
RSS = "application/rss+xml"
EMPTY_AZURE = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Azure Status</title></channel></rss>'


async def test_feed_reads_the_configured_url_as_is(serve: Serve, http: HttpClient) -> None:
    server = await serve({"/history.rss": Endpoint(OPEN, RSS, etag=None).handle})
    url = str(server.make_url("/history.rss"))
    snapshot = await FeedSource(FeedConfig(name="s", type="feed", url=url)).fetch(http, 5)
    assert isinstance(snapshot, Snapshot)
    assert snapshot.page_url == url  # the channel names no page of its own
    ((incident_id, impact),) = [(i.id, i.impact) for i in snapshot.incidents]
    assert (incident_id, impact) == ("i-1", Impact.CRITICAL)


async def test_feed_etag_then_304_is_not_modified(serve: Serve, http: HttpClient) -> None:
    endpoint = Endpoint(STAFFBASE, RSS)
    server = await serve({"/history.rss": endpoint.handle})
    source = FeedSource(FeedConfig(name="s", type="feed", url=str(server.make_url("/history.rss"))))
    first = await source.fetch(http, 5)
    assert isinstance(first, Snapshot) and first.page_url == "https://status.staffbase.com"
    assert await source.fetch(http, 5) is NOT_MODIFIED
    assert endpoint.seen == [None, '"v1"']


async def test_feed_html_error_page_is_a_parse_error_and_leaves_no_validator(
    serve: Serve, http: HttpClient
) -> None:
    endpoint = Endpoint(CDN_504, "text/html", etag='"bad"')
    server = await serve({"/history.rss": endpoint.handle})
    source = FeedSource(FeedConfig(name="s", type="feed", url=str(server.make_url("/history.rss"))))
    for _ in range(2):
        with pytest.raises(ParseError, match=r"^not an RSS or Atom feed: the root element is 'html'$"):
            await source.fetch(http, 5)
    assert endpoint.seen == [None, None]


async def test_feed_follows_redirects_and_reports_the_final_url(serve: Serve, http: HttpClient) -> None:
    async def moved(request: web.Request) -> web.Response:
        raise web.HTTPFound("/new/feed.xml")

    server = await serve({"/feed.xml": moved, "/new/feed.xml": Endpoint(OPEN, RSS, etag=None).handle})
    source = FeedSource(FeedConfig(name="s", type="feed", url=str(server.make_url("/feed.xml"))))
    snapshot = await source.fetch(http, 5)
    assert isinstance(snapshot, Snapshot)
    assert snapshot.page_url == str(server.make_url("/new/feed.xml"))
    assert snapshot.incidents[0].url == snapshot.page_url


async def test_feed_http_error_is_a_fetch_error(serve: Serve, http: HttpClient) -> None:
    async def gone(request: web.Request) -> web.Response:
        return web.Response(status=404, body=CDN_504, content_type="text/html")

    server = await serve({"/feed.xml": gone})
    source = FeedSource(FeedConfig(name="s", type="feed", url=str(server.make_url("/feed.xml"))))
    with pytest.raises(FetchError, match=r"^HTTP 404 from 127\.0\.0\.1/feed\.xml$"):
        await source.fetch(http, 5)


async def test_azure_reads_its_url_and_an_empty_channel_is_healthy(serve: Serve, http: HttpClient) -> None:
    server = await serve({"/en-us/status/feed/": Endpoint(EMPTY_AZURE, "text/xml", etag=None).handle})
    url = str(server.make_url("/en-us/status/feed/"))
    snapshot = await AzureSource(AzureConfig(name="azure", type="azure", url=url)).fetch(http, 5)
    assert isinstance(snapshot, Snapshot)
    assert (snapshot.page_url, snapshot.incidents, snapshot.indicator) == (url, (), Impact.NONE)


async def test_azure_refuses_an_atom_feed(serve: Serve, http: HttpClient) -> None:
    atom = b'<feed xmlns="http://www.w3.org/2005/Atom"><title>Azure Status</title></feed>'
    server = await serve({"/feed/": Endpoint(atom, RSS, etag=None).handle})
    source = AzureSource(AzureConfig(name="azure", type="azure", url=str(server.make_url("/feed/"))))
    with pytest.raises(ParseError, match=r"^not the Azure status feed \(an RSS channel\): the root element"):
        await source.fetch(http, 5)


def test_registered_with_discovery_orders() -> None:
    assert (SOURCES.load("feed"), SOURCES.load("azure")) == (FeedSource, AzureSource)
    assert (FeedSource.detect_order, AzureSource.detect_order) == (90, 10)


def test_feed_candidate_is_the_url_itself() -> None:
    candidate = FeedSource.candidate("https://www.githubstatus.com/history.atom")
    assert candidate == FeedConfig(
        name="discovered", type="feed", url="https://www.githubstatus.com/history.atom"
    )


@pytest.mark.parametrize(
    "url",
    [
        "https://azure.status.microsoft/en-us/status",
        "https://rssfeed.azure.status.microsoft/en-us/status/feed/",
        "https://status.azure.com/",
    ],
)
def test_azure_candidate_only_on_azure_hosts(url: str) -> None:
    assert AzureSource.candidate(url) == AzureConfig(name="discovered", type="azure", url=DEFAULT_URL)


@pytest.mark.parametrize(
    "url", ["https://www.githubstatus.com", "https://azure.status.microsoft.evil.example/", "x"]
)
def test_azure_candidate_not_elsewhere(url: str) -> None:
    assert AzureSource.candidate(url) is None


def config(provider: str) -> list[object]:
    return list(parse_config(f"providers:\n  - {provider}\n", "providers.yaml", env={}).providers)


def test_config_defaults() -> None:
    (feed,) = config("{name: gh, type: feed, url: 'https://www.githubstatus.com/history.rss'}")
    assert isinstance(feed, FeedConfig) and feed.max_age == DEFAULT_MAX_AGE == 604800.0
    (azure,) = config("{name: azure, type: azure}")
    assert isinstance(azure, AzureConfig)
    assert (azure.url, azure.max_age) == ("https://azure.status.microsoft/en-us/status/feed/", None)
    (custom,) = config("{name: az, type: azure, url: 'http://127.0.0.1:8080/feed', max_age: 3d}")
    assert isinstance(custom, AzureConfig) and (custom.url, custom.max_age) == (
        "http://127.0.0.1:8080/feed",
        259200.0,
    )


@pytest.mark.parametrize(
    ("provider", "message"),
    [
        ("{name: gh, type: feed}", "providers.yaml:2: providers[0].url: "),
        (
            "{name: gh, type: feed, url: 'https://x/feed', max_age: soon}",
            "providers.yaml:2: providers[0].max_age: ",
        ),
        (
            "{name: gh, type: feed, url: 'https://x/feed', max_age: 0}",
            "providers.yaml:2: providers[0].max_age: ",
        ),
        ("{name: az, type: azure, url: 'ftp://x/feed'}", "providers.yaml:2: providers[0].url: "),
        ("{name: az, type: azure, region: westus}", "providers.yaml:2: providers[0].region: "),
    ],
    ids=["feed-needs-url", "bad-duration", "zero-duration", "bad-url", "unknown-key"],
)
def test_bad_options_are_config_errors(provider: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        config(provider)
    assert [line for line in caught.value.errors if line.startswith(message)], caught.value.errors
