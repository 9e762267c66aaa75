"""Sources over real HTTP on 127.0.0.1: conditional requests, validators, error pages, redirects."""

from __future__ import annotations

import gzip
from typing import Any

import pytest
from aiohttp import web

from monitor.errors import FetchError, ParseError
from monitor.fetch import NOT_MODIFIED, HttpClient, NotModified
from monitor.model import Impact, Snapshot
from monitor.sources.base import Source, SourceConfig
from monitor.sources.statuspage import StatuspageConfig, StatuspageSource, parse_summary

from .conftest import FIXTURES, Handler, Serve

SUMMARY = "/api/v2/summary.json"
GITHUB = (FIXTURES / "statuspage/summary/github-2022-11-25-active-incident-minor.json").read_bytes()
CDN_504 = (FIXTURES / "errors/cdn-504-gateway-timeout.html").read_bytes()


class RecordingSource(Source):
    """A source whose parse step is observable: the list of documents it was asked to parse."""

    type_name = "recording"
    Config = SourceConfig

    def __init__(self, config: SourceConfig) -> None:
        super().__init__(config)
        self.parsed: list[Any] = []

    async def fetch(self, http: HttpClient, timeout: float) -> Snapshot | NotModified:
        return await self._get_json(http, self.config.url, timeout, self._parse)

    def _parse(self, doc: Any, final_url: str) -> Snapshot:
        self.parsed.append(doc)
        return parse_summary(doc, final_url)


class Page:
    """A status endpoint whose answers the test scripts one by one; it records each request's validators."""

    def __init__(self, *answers: web.Response) -> None:
        self.answers = list(answers)
        self.seen: list[tuple[str | None, str | None]] = []

    async def handle(self, request: web.Request) -> web.Response:
        validators = (request.headers.get("If-None-Match"), request.headers.get("If-Modified-Since"))
        self.seen.append(validators)
        answer = self.answers.pop(0)
        current = (answer.headers.get("ETag"), answer.headers.get("Last-Modified"))
        if answer.status == 200 and any(v is not None and v in current for v in validators):
            return web.Response(status=304)
        return answer


def summary_response(etag: str | None = None, last_modified: str | None = None) -> web.Response:
    headers = {"ETag": etag, "Last-Modified": last_modified}
    return web.Response(
        body=GITHUB, content_type="application/json", headers={k: v for k, v in headers.items() if v}
    )


async def recording(serve: Serve, page: Page) -> RecordingSource:
    server = await serve({"/s": page.handle})
    return RecordingSource(SourceConfig(name="test", type="recording", url=str(server.make_url("/s"))))


async def test_etag_then_304_is_not_modified_without_parsing(serve: Serve, http: HttpClient) -> None:
    page = Page(summary_response(etag='"a"'), summary_response(etag='"a"'))
    source = await recording(serve, page)
    assert isinstance(await source.fetch(http, 5), Snapshot)
    assert await source.fetch(http, 5) is NOT_MODIFIED
    assert page.seen == [(None, None), ('"a"', None)]
    assert len(source.parsed) == 1


async def test_last_modified_then_304_is_not_modified_without_parsing(serve: Serve, http: HttpClient) -> None:
    stamp = "Fri, 25 Nov 2022 15:50:05 GMT"
    page = Page(summary_response(last_modified=stamp), summary_response(last_modified=stamp))
    source = await recording(serve, page)
    assert isinstance(await source.fetch(http, 5), Snapshot)
    assert await source.fetch(http, 5) is NOT_MODIFIED
    assert page.seen == [(None, None), (None, stamp)]
    assert len(source.parsed) == 1


@pytest.mark.parametrize(
    "garbage",
    [
        web.Response(body=CDN_504, content_type="text/html", headers={"ETag": '"bad"'}),
        web.Response(body=b'{"page": {}', content_type="application/json", headers={"ETag": '"bad"'}),
        web.Response(
            body=b'["not", "a", "summary"]', content_type="application/json", headers={"ETag": '"bad"'}
        ),
    ],
    ids=["html", "truncated-json", "wrong-shape"],
)
async def test_validators_not_remembered_after_garbage(
    serve: Serve, http: HttpClient, garbage: web.Response
) -> None:
    page = Page(summary_response(etag='"good"'), garbage, summary_response(etag='"good"'))
    source = await recording(serve, page)
    assert isinstance(await source.fetch(http, 5), Snapshot)
    with pytest.raises(ParseError):
        await source.fetch(http, 5)
    assert await source.fetch(http, 5) is NOT_MODIFIED  # still the good page's validator
    assert page.seen == [(None, None), ('"good"', None), ('"good"', None)]


async def test_garbage_first_leaves_no_validator(serve: Serve, http: HttpClient) -> None:
    page = Page(
        web.Response(body=CDN_504, content_type="text/html", headers={"ETag": '"bad"'}),
        summary_response(etag='"bad"'),
    )
    source = await recording(serve, page)
    with pytest.raises(ParseError):
        await source.fetch(http, 5)
    assert isinstance(await source.fetch(http, 5), Snapshot)  # a 304 here would confirm the error page
    assert page.seen == [(None, None), (None, None)]


async def test_validators_follow_the_page_and_are_dropped_when_absent(serve: Serve, http: HttpClient) -> None:
    page = Page(
        summary_response(etag='"1"'), summary_response(etag='"2"'), summary_response(), summary_response()
    )
    source = await recording(serve, page)
    for _ in range(4):
        assert isinstance(await source.fetch(http, 5), Snapshot)
    assert page.seen == [(None, None), ('"1"', None), ('"2"', None), (None, None)]


async def statuspage(
    serve: Serve, routes: dict[str, Handler], path: str = ""
) -> tuple[StatuspageSource, str]:
    server = await serve(routes)
    base = str(server.make_url(path)).rstrip("/")
    return StatuspageSource(StatuspageConfig(name="github", type="statuspage", url=base + "/")), base


async def test_statuspage_reads_summary_json(serve: Serve, http: HttpClient) -> None:
    async def summary(request: web.Request) -> web.Response:
        return web.Response(
            body=gzip.compress(GITHUB), content_type="application/json", headers={"Content-Encoding": "gzip"}
        )

    source, base = await statuspage(serve, {SUMMARY: summary})
    snapshot = await source.fetch(http, 5)
    assert isinstance(snapshot, Snapshot)
    assert snapshot.page_url == base
    assert snapshot.indicator is Impact.MINOR
    assert [i.id for i in snapshot.incidents] == ["ljwdk6qml8z8"]


async def test_statuspage_reports_the_page_it_was_redirected_to(serve: Serve, http: HttpClient) -> None:
    async def moved(request: web.Request) -> web.Response:
        raise web.HTTPMovedPermanently("/moved" + SUMMARY)

    incident = {"id": "i", "name": "n", "status": "identified", "impact": "minor", "shortlink": None}
    doc = {"page": {}, "components": [], "incidents": [incident], "scheduled_maintenances": []}

    async def summary(request: web.Request) -> web.Response:
        return web.json_response(doc)

    source, base = await statuspage(serve, {SUMMARY: moved, "/moved" + SUMMARY: summary})
    snapshot = await source.fetch(http, 5)
    assert isinstance(snapshot, Snapshot)
    assert snapshot.page_url == base + "/moved"
    assert snapshot.incidents[0].url == base + "/moved"


async def test_cdn_error_page_with_200_is_a_parse_error(serve: Serve, http: HttpClient) -> None:
    async def cdn(request: web.Request) -> web.Response:
        return web.Response(body=CDN_504, content_type="text/html")

    source, _ = await statuspage(serve, {SUMMARY: cdn})
    with pytest.raises(ParseError) as caught:
        await source.fetch(http, 5)
    assert str(caught.value) == f"expected JSON from 127.0.0.1{SUMMARY}, got text/html"


async def test_cdn_error_page_labelled_json_is_a_parse_error(serve: Serve, http: HttpClient) -> None:
    async def cdn(request: web.Request) -> web.Response:
        return web.Response(body=CDN_504, content_type="application/json")

    source, _ = await statuspage(serve, {SUMMARY: cdn})
    with pytest.raises(
        ParseError, match=r"^expected JSON from 127\.0\.0\.1/api/v2/summary\.json, got invalid JSON"
    ):
        await source.fetch(http, 5)


async def test_cdn_error_page_with_504_is_a_fetch_error(serve: Serve, http: HttpClient) -> None:
    async def cdn(request: web.Request) -> web.Response:
        return web.Response(status=504, body=CDN_504, content_type="text/html")

    source, _ = await statuspage(serve, {SUMMARY: cdn})
    with pytest.raises(FetchError) as caught:
        await source.fetch(http, 5)
    assert (caught.value.outcome, str(caught.value)) == ("http_error", f"HTTP 504 from 127.0.0.1{SUMMARY}")


async def test_undecodable_bytes_are_a_parse_error(serve: Serve, http: HttpClient) -> None:
    async def binary(request: web.Request) -> web.Response:
        return web.Response(body=b"\x81\xfe\x00\xff{}", content_type="application/json")

    source, _ = await statuspage(serve, {SUMMARY: binary})
    with pytest.raises(ParseError, match="got an undecodable body"):
        await source.fetch(http, 5)


async def test_a_number_too_long_to_convert_is_a_parse_error(serve: Serve, http: HttpClient) -> None:
    async def huge(request: web.Request) -> web.Response:
        return web.Response(body=b'{"page": ' + b"9" * 1_000_000 + b"}", content_type="application/json")

    source, _ = await statuspage(serve, {SUMMARY: huge})
    with pytest.raises(
        ParseError, match=r"^expected JSON from 127\.0\.0\.1/api/v2/summary\.json, got a number of"
    ):
        await source.fetch(http, 5)


async def test_json_content_type_variants_are_accepted(serve: Serve, http: HttpClient) -> None:
    async def vendor_json(request: web.Request) -> web.Response:
        return web.Response(body=GITHUB, content_type="application/vnd.statuspage+json")

    source, _ = await statuspage(serve, {SUMMARY: vendor_json})
    assert isinstance(await source.fetch(http, 5), Snapshot)
