"""The synthetic HTTP probe over real loopback servers: slow, 500, wrong body, closed port, timeout;
its options, and what the engine makes of a failing endpoint."""

from __future__ import annotations

import asyncio
import socket
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp import web

from monitor.config import ConfigError, parse_config
from monitor.engine import Policy, diff
from monitor.fetch import HttpClient
from monitor.model import ComponentStatus, EventKind, Impact, Severity, Snapshot
from monitor.sources import SOURCES
from monitor.sources.probe import ProbeConfig, ProbeSource

from .conftest import Serve


async def health(request: web.Request) -> web.Response:
    return web.Response(text='{"status": "ok", "db": "up"}', content_type="application/json")


async def slow(request: web.Request) -> web.Response:
    await asyncio.sleep(0.3)
    return await health(request)


async def failing(request: web.Request) -> web.Response:
    return web.Response(status=500, text="Internal Server Error")


async def maintenance_page(request: web.Request) -> web.Response:
    return web.Response(text="<html>We'll be right back</html>", content_type="text/html")


ROUTES = {"/health": health, "/slow": slow, "/fail": failing, "/wrong": maintenance_page}


def probe(url: str, **options: object) -> ProbeSource:
    return ProbeSource(ProbeConfig.model_validate({"name": "api", "type": "probe", "url": url, **options}))


async def read(
    source: ProbeSource, http: HttpClient, timeout: float = 5
) -> tuple[ComponentStatus, str | None, Snapshot]:
    snapshot = await source.fetch(http, timeout)
    assert isinstance(snapshot, Snapshot)
    (component,) = snapshot.components
    return component.status, snapshot.description, snapshot


async def test_healthy_endpoint_is_operational(serve: Serve, http: HttpClient) -> None:
    server = await serve(ROUTES)
    url = str(server.make_url("/health"))
    status, reason, snapshot = await read(
        probe(url, body_match=r'"status":\s*"ok"', latency_threshold="2s"), http
    )
    assert (status, reason, snapshot.indicator, snapshot.page_url) == (
        ComponentStatus.OPERATIONAL,
        "HTTP 200",
        Impact.NONE,
        url,
    )
    (component,) = snapshot.components
    assert component.id == component.name == "127.0.0.1"  # the host, by default
    assert snapshot.incidents == () and snapshot.warnings == ()


async def test_slower_than_the_threshold_is_degraded(serve: Serve, http: HttpClient) -> None:
    server = await serve(ROUTES)
    status, reason, snapshot = await read(
        probe(str(server.make_url("/slow")), latency_threshold="100ms"), http
    )
    assert (status, reason, snapshot.indicator) == (
        ComponentStatus.DEGRADED_PERFORMANCE,
        "HTTP 200, slower than 0.1s",
        Impact.MINOR,
    )


async def test_500_is_a_major_outage(serve: Serve, http: HttpClient) -> None:
    server = await serve(ROUTES)
    status, reason, snapshot = await read(probe(str(server.make_url("/fail"))), http)
    assert (status, reason, snapshot.indicator) == (
        ComponentStatus.MAJOR_OUTAGE,
        "HTTP 500, expected 200",
        Impact.CRITICAL,
    )


async def test_wrong_body_is_a_major_outage(serve: Serve, http: HttpClient) -> None:
    server = await serve(ROUTES)
    status, reason, _ = await read(probe(str(server.make_url("/wrong")), body_match='"status": "ok"'), http)
    assert (status, reason) == (
        ComponentStatus.MAJOR_OUTAGE,
        "HTTP 200, but the body does not match body_match",
    )


async def test_closed_port_is_a_major_outage_not_a_failed_poll(http: HttpClient) -> None:
    with socket.socket() as free:  # a port that was free a moment ago and has no listener now
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    url = f"http://127.0.0.1:{port}/health?key=secret"
    status, reason, snapshot = await read(probe(url, component="Public API"), http)
    assert (status, reason) == (
        ComponentStatus.MAJOR_OUTAGE,
        "cannot fetch 127.0.0.1/health: Connection refused",
    )
    assert snapshot.components[0].name == "Public API"
    assert snapshot.page_url == url


async def test_timeout_is_a_major_outage(serve: Serve, http: HttpClient, release: asyncio.Event) -> None:
    async def stalled(request: web.Request) -> web.Response:
        await release.wait()
        return web.Response(text="late")

    server = await serve({"/health": stalled})
    status, reason, _ = await read(probe(str(server.make_url("/health"))), http, timeout=0.2)
    assert (status, reason) == (
        ComponentStatus.MAJOR_OUTAGE,
        "no complete answer from 127.0.0.1/health within 0.2s",
    )


@pytest.mark.parametrize(
    ("expect", "path", "status"),
    [
        ("2xx", "/fail", ComponentStatus.MAJOR_OUTAGE),
        ("5xx", "/fail", ComponentStatus.OPERATIONAL),
        ([200, "500-503"], "/fail", ComponentStatus.OPERATIONAL),
        (500, "/health", ComponentStatus.MAJOR_OUTAGE),
    ],
)
async def test_expected_statuses(
    serve: Serve, http: HttpClient, expect: object, path: str, status: ComponentStatus
) -> None:
    server = await serve(ROUTES)
    assert (await read(probe(str(server.make_url(path)), expect_status=expect), http))[0] is status


async def test_the_reason_names_the_expected_statuses(serve: Serve, http: HttpClient) -> None:
    server = await serve(ROUTES)
    _, reason, _ = await read(probe(str(server.make_url("/fail")), expect_status=["2xx", 304]), http)
    assert reason == "HTTP 500, expected 200-299, 304"


def test_a_failing_endpoint_pages_once_confirmed() -> None:
    """The engine reads the probe like any component: a baseline, then a page after `confirm` polls."""
    policy = Policy(confirm=2)
    source = probe("https://api.example.com/health")
    up = source.snapshot(ComponentStatus.OPERATIONAL, "HTTP 200", "https://api.example.com/health")
    down = source.snapshot(
        ComponentStatus.MAJOR_OUTAGE, "HTTP 502, expected 200", "https://api.example.com/health"
    )
    start = datetime(2024, 1, 1, tzinfo=UTC)
    state, events = diff(None, "api", up, start, policy)
    assert events == []
    state, events = diff(state, "api", down, start + timedelta(minutes=1), policy)
    assert events == []  # one poll is not yet confirmed
    state, events = diff(state, "api", down, start + timedelta(minutes=2), policy)
    assert [(e.kind, e.severity, e.dedup_key, e.new_status) for e in events] == [
        (EventKind.COMPONENT_CHANGED, Severity.CRITICAL, "api/component/api.example.com", "major_outage")
    ]


def test_registered_and_never_discovered() -> None:
    assert SOURCES.load("probe") is ProbeSource
    assert ProbeSource.detect_order is None
    assert ProbeSource.candidate("https://api.example.com/health") is None


def config(provider: str) -> ProbeConfig:
    (parsed,) = parse_config(f"providers:\n  - {provider}\n", "providers.yaml", env={}).providers
    assert isinstance(parsed, ProbeConfig)
    return parsed


def test_config_defaults_and_forms() -> None:
    plain = config("{name: api, type: probe, url: 'https://api.example.com/health'}")
    assert (plain.expect_status, plain.body_match, plain.latency_threshold, plain.component) == (
        ((200, 200),),
        None,
        None,
        None,
    )
    full = config(
        "{name: api, type: probe, url: 'https://x/h', expect_status: ['2xx', 304, '400-404'], "
        "body_match: 'ok|healthy', latency_threshold: 1500ms, component: API}"
    )
    assert full.expect_status == ((200, 299), (304, 304), (400, 404))
    assert (full.body_match, full.latency_threshold, full.component) == ("ok|healthy", 1.5, "API")


@pytest.mark.parametrize(
    ("options", "field", "message"),
    [
        (
            "body_match: '(unclosed'",
            "body_match",
            "body_match is not a valid regular expression: missing ), ",
        ),
        (
            "expect_status: 2xxx",
            "expect_status",
            "expected a status like 200, '2xx' or '200-299', got '2xxx'",
        ),
        ("expect_status: 700", "expect_status", "status 700 is not within 100-599"),
        ("expect_status: '299-200'", "expect_status", "status '299-200' is not within 100-599"),
        ("expect_status: []", "expect_status", "expect_status needs at least one status"),
        ("expect_status: true", "expect_status", "expected a status like 200"),
        ("latency_threshold: fast", "latency_threshold", "invalid duration 'fast'"),
        ("component: ''", "component", ""),
    ],
)
def test_bad_options_are_config_errors(options: str, field: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        config(f"{{name: api, type: probe, url: 'https://x/h', {options}}}")
    (error,) = caught.value.errors
    assert error.startswith(f"providers.yaml:2: providers[0].{field}: ")
    assert message in error
