"""ReplayHttp: which capture answers a replayed request, and as what. The latest capture at the poll's time
whose URL matches wins: one naming no URL matches every request (timelines recorded before URLs), one
naming a path matches any query of it, one naming a query only that query; scheme and host are not
compared. A request nothing answers fails as a connection would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from monitor.errors import FetchError
from monitor.fetch import NOT_MODIFIED, ProbeResult, Response
from monitor.replay import ReplayHttp
from monitor.timeline import Capture, NoAnswer

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
JSON = {"Content-Type": "application/json; charset=utf-8"}


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def capture(
    minutes: int,
    body: bytes,
    url: str | None = None,
    status: int | None = 200,
    elapsed: float | None = None,
    error: NoAnswer | None = None,
) -> Capture:
    return Capture(at(minutes), "acme", body, status, JSON, url, elapsed, error)


async def body_of(http: ReplayHttp, url: str, minutes: int) -> bytes:
    http.now = at(minutes)
    response = await http.get(url, timeout=10)
    assert isinstance(response, Response)
    return response.body


async def test_the_latest_capture_matching_the_url_answers() -> None:
    http = ReplayHttp(
        [
            capture(0, b"any"),
            capture(3, b"api, any query", "/api"),
            capture(5, b"summary", "https://status.acme.example/summary.json"),
            capture(6, b"api page 2", "https://status.acme.example/api?page=2"),
        ]
    )
    assert await body_of(http, "http://127.0.0.1:8080/summary.json", 10) == b"summary"  # host not compared
    assert await body_of(http, "https://status.acme.example/api?page=2", 10) == b"api page 2"
    assert await body_of(http, "https://status.acme.example/api?page=1", 10) == b"api, any query"
    page_2_before_its_capture = await body_of(http, "https://status.acme.example/api?page=2", 4)
    assert page_2_before_its_capture == b"api, any query"
    assert await body_of(http, "https://status.acme.example/summary.json", 4) == b"any"
    assert await body_of(http, "https://status.acme.example/elsewhere", 10) == b"any"
    http.now = at(4)
    response = await http.get("https://status.acme.example/summary.json", timeout=10)
    assert response == Response(
        "https://status.acme.example/summary.json", 200, b"any", "application/json", charset="utf-8"
    )


async def test_a_request_nothing_answers_fails_as_a_connection_would() -> None:
    http = ReplayHttp([capture(5, b"{}", "/summary.json")])
    http.now = at(10)
    with pytest.raises(FetchError) as caught:
        await http.get("https://status.acme.example/v2/components.json?x=1", timeout=10)
    assert (caught.value.outcome, str(caught.value)) == (
        "connect_error",
        "nothing recorded for status.acme.example/v2/components.json by 2024-05-01T12:10:00Z",
    )
    http.now = at(1)
    with pytest.raises(FetchError):
        await http.get("https://status.acme.example/summary.json", timeout=10)  # not yet recorded


async def test_a_get_fails_as_the_recorded_answer_did() -> None:
    error = NoAnswer("timeout", "no complete answer from status.acme.example/summary.json within 10s")
    http = ReplayHttp(
        [
            capture(0, b"<html>", status=503),
            capture(1, b"", status=None, error=error),
            capture(2, b"", status=304),
        ]
    )
    http.now = at(0)
    with pytest.raises(FetchError) as caught:
        await http.get("https://status.acme.example/summary.json", timeout=10)
    assert (caught.value.outcome, str(caught.value)) == (
        "http_error",
        "HTTP 503 from status.acme.example/summary.json",
    )
    http.now = at(1)
    with pytest.raises(FetchError) as caught:
        await http.get("https://status.acme.example/summary.json", timeout=10)
    assert (caught.value.outcome, str(caught.value)) == ("timeout", error.message)
    http.now = at(2)
    assert await http.get("https://status.acme.example/summary.json", timeout=10) is NOT_MODIFIED


async def test_a_probe_gets_the_recorded_answer_and_times_out_past_the_replayed_timeout() -> None:
    url = "https://api.acme.example/health"
    http = ReplayHttp([capture(0, b'{"ok": true}', url, status=500, elapsed=3.0)])
    http.now = at(0)
    assert await http.probe(url, timeout=10, max_body=4) == ProbeResult(500, b'{"ok', 3.0, url)
    with pytest.raises(FetchError) as caught:
        await http.probe(url, timeout=2)
    assert (caught.value.outcome, str(caught.value)) == (
        "timeout",
        "no complete answer from api.acme.example/health within 2s",
    )
