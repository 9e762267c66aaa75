"""`discover()`: every applicable format tried at once over loopback, the winner picked by detect order."""

from __future__ import annotations

import asyncio
import time
from collections import Counter

import pytest
from aiohttp import web

from monitor.fetch import NOT_MODIFIED, HttpClient
from monitor.sources.base import SourceConfig
from monitor.sources.discovery import NoFormat, discover, is_web_url, normalize_url, origin, suggested_name
from monitor.sources.statuspage import StatuspageSource
from tests.loopback import Handler, Serve
from tests.sources.conftest import FIXTURES

from .formats import fake_format, with_statuspage

SUMMARY = "/api/v2/summary.json"
GITHUB = (FIXTURES / "statuspage/summary/github-2022-11-25-active-incident-minor.json").read_bytes()
HTML = "<html><body><h1>504 Gateway Time-out</h1></body></html>"


def page(name: str, delay: float = 0.0, hits: Counter[str] | None = None) -> Handler:
    """Answers `{"page": name}` (what the test format `name` reads) after `delay` seconds."""

    async def handle(request: web.Request) -> web.StreamResponse:
        if hits is not None:
            hits[request.path] += 1
        await asyncio.sleep(delay)
        return web.json_response({"page": name})

    return handle


def hanging(release: asyncio.Event) -> Handler:
    async def handle(request: web.Request) -> web.StreamResponse:
        await release.wait()
        return web.Response(status=503)

    return handle


async def summary(request: web.Request) -> web.StreamResponse:
    etag = '"v1"'
    if request.headers.get("If-None-Match") == etag:
        return web.Response(status=304, headers={"ETag": etag})
    return web.Response(body=GITHUB, content_type="application/json", headers={"ETag": etag})


async def html(request: web.Request) -> web.StreamResponse:
    return web.Response(text=HTML, content_type="text/html")


def base(server: object) -> str:
    return str(server.make_url("")).rstrip("/")  # type: ignore[attr-defined]


async def test_a_statuspage_page_is_read_by_statuspage_whose_source_keeps_its_validators(
    serve: Serve, http: HttpClient
) -> None:
    url = base(await serve({SUMMARY: summary}))

    found = await discover(http, url + "/", 5, with_statuspage())

    assert found.config.type == "statuspage" and found.config.url == url
    assert isinstance(found.source, StatuspageSource)
    assert found.snapshot.description == "Minor Service Outage"
    assert [c.name for c in found.snapshot.components][:2] == ["Git Operations", "API Requests"]
    assert len(found.snapshot.components) == 11
    assert found.tried == ()
    assert await found.source.fetch(http, 5) is NOT_MODIFIED  # the ETag of the probe was kept


async def test_the_first_format_in_order_wins_even_when_a_later_one_answers_sooner(
    serve: Serve, http: HttpClient
) -> None:
    formats_tried = with_statuspage(
        fake_format("early", 10, "/early.json"), fake_format("late", 30, "/late.json")
    )
    url = base(await serve({"/early.json": page("early", delay=0.3), "/late.json": page("late")}))

    found = await discover(http, url, 5, formats_tried)

    assert found.config.type == "early"
    assert found.tried == ()


async def test_formats_that_fail_give_way_to_the_next_and_say_why(serve: Serve, http: HttpClient) -> None:
    formats_tried = with_statuspage(
        fake_format("early", 10, "/early.json"), fake_format("late", 30, "/late.json")
    )
    url = base(await serve({"/early.json": page("someone-else"), "/late.json": page("late")}))

    found = await discover(http, url, 5, formats_tried)

    assert found.config.type == "late"
    assert [(a.format, a.outcome) for a in found.tried] == [
        ("early", "parse_error"),
        ("statuspage", "http_error"),
    ]
    assert found.tried[0].reason == "not a early page"
    assert found.tried[1].reason == "HTTP 404 from 127.0.0.1/api/v2/summary.json"


async def test_candidates_are_fetched_concurrently(serve: Serve, http: HttpClient) -> None:
    formats = [fake_format(f"f{i}", 10 + i, f"/f{i}.json") for i in range(3)]
    formats_tried = with_statuspage(*formats)
    url = base(await serve({f"/f{i}.json": page("nobody", delay=0.5) for i in range(3)}))

    started = time.monotonic()
    with pytest.raises(NoFormat) as caught:
        await discover(http, url, 5, formats_tried)

    assert time.monotonic() - started < 1.2  # one after the other would take 1.5 s
    assert [a.format for a in caught.value.tried] == ["f0", "f1", "f2", "statuspage"]


async def test_a_hanging_later_format_does_not_hold_up_an_earlier_success(
    serve: Serve, http: HttpClient, release: asyncio.Event
) -> None:
    formats_tried = with_statuspage(
        fake_format("early", 10, "/early.json"), fake_format("late", 30, "/late.json")
    )
    url = base(await serve({"/early.json": page("early"), "/late.json": hanging(release)}))

    started = time.monotonic()
    found = await discover(http, url, 20, formats_tried)

    assert found.config.type == "early"
    assert time.monotonic() - started < 2


async def test_the_timeout_bounds_discovery_and_a_silent_host_reads_as_a_timeout(
    serve: Serve, http: HttpClient, release: asyncio.Event
) -> None:
    formats_tried = with_statuspage(fake_format("early", 10, "/early.json"))
    url = base(await serve({"/early.json": hanging(release), SUMMARY: hanging(release)}))

    started = time.monotonic()
    with pytest.raises(NoFormat) as caught:
        await discover(http, url, 0.5, formats_tried)

    assert time.monotonic() - started < 2
    assert caught.value.outcome == "timeout"
    assert {a.outcome for a in caught.value.tried} == {"timeout"}


async def test_a_deeper_url_falls_back_to_its_origin(serve: Serve, http: HttpClient) -> None:
    url = base(await serve({SUMMARY: summary}))

    found = await discover(http, url + "/incidents/abc123?utm=x", 5, with_statuspage())

    assert found.config.type == "statuspage" and found.config.url == url
    [attempt] = found.tried
    assert attempt.url == url + "/incidents/abc123?utm=x" and attempt.outcome == "http_error"


async def test_a_page_no_format_reads_names_every_format_tried_and_why(
    serve: Serve, http: HttpClient
) -> None:
    formats_tried = with_statuspage(fake_format("early", 10, "/early.json"))
    url = base(await serve({"/{tail:.*}": html}))

    with pytest.raises(NoFormat) as caught:
        await discover(http, url + "/incidents/1", 5, formats_tried)

    failure = caught.value
    assert str(failure) == f"no known status-page format reads {url}/incidents/1 (tried: early, statuspage)"
    assert failure.outcome == "parse_error"
    assert [(a.format, a.url) for a in failure.tried] == [
        ("early", url + "/incidents/1"),
        ("statuspage", url + "/incidents/1"),
        ("early", url),
        ("statuspage", url),
    ]
    assert failure.tried[3].reason == "expected JSON from 127.0.0.1/api/v2/summary.json, got text/html"


async def test_a_fixed_host_format_is_only_tried_on_its_host_and_unordered_ones_never(
    serve: Serve, http: HttpClient
) -> None:
    hits: Counter[str] = Counter()
    formats_tried = with_statuspage(
        fake_format("vendor", 5, "/vendor.json", host="status.vendor.example"),
        fake_format("manual", None, "/manual.json"),
    )
    routes = {"/vendor.json": page("vendor", hits=hits), "/manual.json": page("manual", hits=hits)}
    url = base(await serve({**routes, SUMMARY: summary}))

    found = await discover(http, url, 5, formats_tried)

    assert found.config.type == "statuspage" and found.tried == ()
    assert hits == Counter()


class NeedsPageId(SourceConfig):
    page_id: str


async def test_a_format_whose_config_cannot_be_built_from_the_url_is_one_failed_attempt_in_its_place(
    serve: Serve, http: HttpClient
) -> None:
    picky = fake_format("picky", 10, "/picky.json")
    picky.Config = NeedsPageId
    formats_tried = with_statuspage(picky)
    url = base(await serve({SUMMARY: summary}))

    found = await discover(http, url, 5, formats_tried)

    assert found.config.type == "statuspage"
    [attempt] = found.tried
    assert (attempt.format, attempt.outcome) == ("picky", "parse_error")
    assert attempt.reason.startswith("1 validation error for NeedsPageId")


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("https://www.githubstatus.com", "github"),
        ("https://status.openai.com/incidents/01J", "openai"),
        ("https://www.vercel-status.com", "vercel"),
        ("https://status.cloud.google.com", "cloud-google"),
        ("https://openai.statuspage.io", "openai"),
        ("https://status.example.co.uk", "example"),
        ("https://STATUS.Acme.IO.", "acme"),
        ("http://127.0.0.1:8080", "provider"),
        ("http://[::1]:8080", "provider"),
    ],
)
def test_suggested_name(url: str, name: str) -> None:
    assert suggested_name(url) == name


def test_a_pasted_url_gets_a_scheme_and_loses_its_trailing_slash() -> None:
    assert normalize_url(" www.githubstatus.com/ ") == "https://www.githubstatus.com"
    assert normalize_url("http://127.0.0.1:81/x/") == "http://127.0.0.1:81/x"


def test_only_http_urls_with_a_host_are_page_urls() -> None:
    assert is_web_url("https://www.githubstatus.com") and is_web_url("http://127.0.0.1:81/x")
    assert not is_web_url("ftp://x.example")
    assert not is_web_url(normalize_url("http://"))
    assert not is_web_url("https://::::")


def test_origin_only_for_urls_with_more_than_a_host() -> None:
    assert origin("https://www.githubstatus.com/incidents/x") == "https://www.githubstatus.com"
    assert origin("https://a.example?x=1") == "https://a.example"
    assert origin("https://a.example") is None
    assert origin("https://a.example/") is None


async def test_the_found_config_is_for_the_named_provider(serve: Serve, http: HttpClient) -> None:
    url = base(await serve({SUMMARY: summary}))
    found = await discover(http, url, 5, with_statuspage(), name="acme")
    assert found.config.name == "acme"
