"""The fixed-host formats (gcp, aws, slack, heroku) over real HTTP on 127.0.0.1, and their config."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp import web

from monitor.config import ConfigError, parse_config
from monitor.errors import ParseError
from monitor.fetch import NOT_MODIFIED, HttpClient
from monitor.model import Snapshot
from monitor.sources import SOURCES
from monitor.sources.aws import AwsConfig, AwsSource
from monitor.sources.base import Source
from monitor.sources.gcp import GcpConfig, GcpSource
from monitor.sources.heroku import HerokuSource
from monitor.sources.slack import SlackSource

from .conftest import FIXTURES, Serve
from .endpoint import Endpoint

CDN_504 = (FIXTURES / "errors/cdn-504-gateway-timeout.html").read_bytes()


@dataclass(frozen=True)
class Format:
    source: type[Source]
    path: str
    body: bytes
    host: str

    @property
    def type_name(self) -> str:
        return self.source.type_name


FORMATS = [
    Format(
        GcpSource,
        "/incidents.json",
        (FIXTURES / "gcp/status.cloud.google.com-incidents-2022-07.json").read_bytes(),
        "status.cloud.google.com",
    ),
    Format(
        AwsSource,
        "/public/currentevents",
        (FIXTURES / "aws/health.aws.amazon.com-public-currentevents-2026-09.json")
        .read_bytes()
        .decode("utf-8")
        .encode("utf-16"),  # as the live endpoint serves it: UTF-16 with a byte-order mark
        "health.aws.amazon.com",
    ),
    Format(
        SlackSource,
        "/api/v2.0.0/current",
        (FIXTURES / "slack/slack-status.com-api-v2.0.0-current-2026-06-ok.json").read_bytes(),
        "slack-status.com",
    ),
    Format(
        HerokuSource,
        "/api/v4/current-status",
        (FIXTURES / "heroku/status.heroku.com-api-v4-current-status-2019-10-24-incident.json").read_bytes(),
        "status.heroku.com",
    ),
]
each_format = pytest.mark.parametrize("fmt", FORMATS, ids=lambda fmt: fmt.type_name)


def source_for(fmt: Format, url: str, **options: Any) -> Source:
    return fmt.source(fmt.source.Config(name="test", type=fmt.type_name, url=url, **options))


@each_format
async def test_reads_its_path_under_url_then_not_modified(
    fmt: Format, serve: Serve, http: HttpClient
) -> None:
    endpoint = Endpoint(fmt.body)
    server = await serve({fmt.path: endpoint.handle})
    base = str(server.make_url("")).rstrip("/")
    source = source_for(fmt, base + "/")
    snapshot = await source.fetch(http, 5)
    assert isinstance(snapshot, Snapshot)
    assert snapshot.page_url == base
    assert snapshot.components or snapshot.incidents
    assert await source.fetch(http, 5) is NOT_MODIFIED
    assert endpoint.seen == [None, '"v1"']


async def test_aws_utf16_body_is_read(serve: Serve, http: HttpClient) -> None:
    server = await serve({FORMATS[1].path: Endpoint(FORMATS[1].body).handle})
    snapshot = await source_for(FORMATS[1], str(server.make_url(""))).fetch(http, 5)
    assert isinstance(snapshot, Snapshot)
    assert [i.name for i in snapshot.incidents] == [
        "Multiple services (UAE): Increased Error Rates",
        "Multiple services (Bahrain): Increased Error Rates",
    ]


async def test_filters_from_the_config_apply(serve: Serve, http: HttpClient) -> None:
    gcp, aws = FORMATS[0], FORMATS[1]
    server = await serve({gcp.path: Endpoint(gcp.body).handle, aws.path: Endpoint(aws.body).handle})
    base = str(server.make_url(""))
    gcp_snapshot = await source_for(gcp, base, products=["Google BigQuery"]).fetch(http, 5)
    assert isinstance(gcp_snapshot, Snapshot)
    assert [c.name for c in gcp_snapshot.components] == ["Google BigQuery"]
    aws_snapshot = await source_for(aws, base, regions=["me-south-1"], services=["bedrock"]).fetch(http, 5)
    assert isinstance(aws_snapshot, Snapshot)
    assert [i.name for i in aws_snapshot.incidents] == ["Multiple services (Bahrain): Increased Error Rates"]


@each_format
async def test_html_error_page_is_a_parse_error(fmt: Format, serve: Serve, http: HttpClient) -> None:
    server = await serve({fmt.path: Endpoint(CDN_504, content_type="text/html").handle})
    with pytest.raises(ParseError, match=r"got text/html"):
        await source_for(fmt, str(server.make_url(""))).fetch(http, 5)


@each_format
async def test_wrong_json_is_a_parse_error(fmt: Format, serve: Serve, http: HttpClient) -> None:
    server = await serve({fmt.path: Endpoint(b'{"error": "rate limited"}').handle})
    with pytest.raises(ParseError, match=r"^not "):
        await source_for(fmt, str(server.make_url(""))).fetch(http, 5)


@each_format
async def test_redirect_is_followed_and_the_final_page_reported(
    fmt: Format, serve: Serve, http: HttpClient
) -> None:
    async def moved(request: web.Request) -> web.Response:
        raise web.HTTPFound("/mirror" + fmt.path)

    server = await serve({fmt.path: moved, "/mirror" + fmt.path: Endpoint(fmt.body).handle})
    base = str(server.make_url("")).rstrip("/")
    snapshot = await source_for(fmt, base).fetch(http, 5)
    assert isinstance(snapshot, Snapshot)
    assert snapshot.page_url == base + "/mirror"


@each_format
def test_url_defaults_to_the_vendor_host(fmt: Format) -> None:
    config = parse_config(f"providers:\n  - {{name: p, type: {fmt.type_name}}}\n", "providers.yaml", env={})
    assert config.providers[0].url == f"https://{fmt.host}"
    assert SOURCES.load(fmt.type_name) is fmt.source


@each_format
def test_candidate_only_on_the_vendor_host(fmt: Format) -> None:
    found = fmt.source.candidate(f"https://{fmt.host}/some/page?x=1")
    assert found is not None and (found.type, found.url) == (fmt.type_name, f"https://{fmt.host}")
    assert fmt.source.candidate("https://status.example.com") is None
    assert fmt.source.candidate(f"https://{fmt.host}.example.com") is None


def test_filter_options_parse() -> None:
    text = (
        "providers:\n"
        "  - {name: gcp, type: gcp, products: [Google BigQuery, 9CcrhHUcFevXPSVaSxkf], locations: [global]}\n"
        "  - {name: aws, type: aws, url: 'http://127.0.0.1:8080', services: [ec2], regions: [us-east-1]}\n"
    )
    gcp, aws = parse_config(text, "providers.yaml", env={}).providers
    assert isinstance(gcp, GcpConfig) and gcp.products == ["Google BigQuery", "9CcrhHUcFevXPSVaSxkf"]
    assert gcp.locations == ["global"]
    assert isinstance(aws, AwsConfig) and (aws.url, aws.services, aws.regions) == (
        "http://127.0.0.1:8080",
        ["ec2"],
        ["us-east-1"],
    )


@pytest.mark.parametrize(
    ("entry", "error"),
    [
        ("{name: g, type: gcp, products: []}", "providers[0].products: List should have at least 1 item"),
        (
            "{name: g, type: gcp, locations: us-central1}",
            "providers[0].locations: Input should be a valid list",
        ),
        ("{name: a, type: aws, services: ['']}", "providers[0].services[0]: String should have at least 1"),
        ("{name: a, type: aws, region: [us-east-1]}", "providers[0].region: unknown key"),
        ("{name: s, type: slack, url: 'ftp://slack-status.com'}", "providers[0].url: String should match"),
        ("{name: h, type: heroku, products: [x]}", "providers[0].products: unknown key"),
    ],
)
def test_bad_options_are_config_errors(entry: str, error: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(f"providers:\n  - {entry}\n", "providers.yaml", env={})
    assert any(error in line for line in caught.value.errors), caught.value.errors
