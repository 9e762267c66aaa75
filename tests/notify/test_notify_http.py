"""The shared HTTP helper: one POST, one classified answer, a detail that is safe to log."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import aiohttp
import pytest

from monitor.fetch import parse_retry_after
from monitor.notify.base import Outcome
from monitor.notify.group import rfc3339
from monitor.notify.http import (
    SNIPPET_CHARS,
    classify,
    post_json,
    truncate,
)
from monitor.notify.secrets import Secrets, url_secrets
from tests.notify.receiver import Receiver

NOW = datetime(2026, 11, 23, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize("status", [200, 201, 202, 204])
def test_2xx_is_delivered(status: int) -> None:
    assert classify(status, {}).outcome is Outcome.DELIVERED


@pytest.mark.parametrize("status", [408, 425, 429, 500, 502, 503, 504, 599])
def test_transient_statuses_are_retried(status: int) -> None:
    assert classify(status, {}).outcome is Outcome.RETRY


@pytest.mark.parametrize("status", [400, 401, 403, 404, 405, 410, 413, 418, 422, 301, 302, 307])
def test_request_errors_and_redirects_are_permanent(status: int) -> None:
    delivery = classify(status, {"Retry-After": "5"})
    assert delivery.outcome is Outcome.PERMANENT
    assert delivery.retry_after is None


def test_retry_after_seconds_is_read_whatever_the_header_case() -> None:
    assert classify(429, {"retry-after": "30"}).retry_after == 30.0
    assert classify(503, {"Retry-After": " 7 "}).retry_after == 7.0
    assert classify(503, {}).retry_after is None


def test_retry_after_http_date_is_seconds_from_now() -> None:
    assert parse_retry_after("Mon, 23 Nov 2026 12:02:00 GMT", now=NOW.timestamp()) == 120.0
    assert parse_retry_after("Mon, 23 Nov 2026 11:00:00 GMT", now=NOW.timestamp()) == 0.0  # already past


@pytest.mark.parametrize("value", [None, "", "soon", "-", "Mon, 99 Foo 2026"])
def test_unreadable_retry_after_is_none(value: str | None) -> None:
    assert parse_retry_after(value, now=NOW.timestamp()) is None


def test_negative_retry_after_is_clamped() -> None:
    assert parse_retry_after("-5", now=NOW.timestamp()) == 0.0


@pytest.mark.parametrize(("value", "expected"), [("inf", 3600.0), ("1e12", 3600.0), ("nan", None)])
def test_absurd_retry_after_is_bounded(value: str, expected: float | None) -> None:
    """An unbounded value once overflowed the dispatcher's date arithmetic and re-sent the notification."""
    assert classify(429, {"Retry-After": value}).retry_after == expected


def test_detail_has_status_and_a_bounded_single_line_snippet() -> None:
    delivery = classify(
        400, {}, b'{"status":"invalid event",\n  "message":"Event object is invalid"}' + b"x" * 500
    )
    assert delivery.detail.startswith(
        'HTTP 400: {"status":"invalid event", "message":"Event object is invalid"}'
    )
    assert "\n" not in delivery.detail
    assert len(delivery.detail) <= len("HTTP 400: ") + SNIPPET_CHARS
    assert classify(200, {}, b"").detail == "HTTP 200"


def test_detail_blanks_out_secrets_echoed_by_the_server() -> None:
    delivery = classify(404, {}, b"no such key R0UT1NGKEY", secrets=Secrets(["R0UT1NGKEY"]))
    assert "R0UT1NGKEY" not in delivery.detail
    assert "[redacted]" in delivery.detail


def test_truncate_marks_the_cut() -> None:
    assert truncate("abc", 3) == "abc"
    assert truncate("abcdef", 4) == "abc…"
    assert len(truncate("x" * 5000, 150)) == 150


def test_rfc3339_is_utc_with_z() -> None:
    assert rfc3339(datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)) == "2026-01-02T03:04:05Z"
    assert (
        rfc3339(datetime(2026, 1, 2, 5, 4, 5, tzinfo=timezone(timedelta(hours=2)))) == "2026-01-02T03:04:05Z"
    )
    assert rfc3339(datetime(2026, 1, 2, 3, 4, 5)) == "2026-01-02T03:04:05Z"  # naive means UTC
    assert rfc3339(datetime(2026, 1, 2, 3, 4, 5, 250000, tzinfo=UTC)) == "2026-01-02T03:04:05.250000Z"


# Over real loopback HTTP


async def test_post_sends_the_exact_body_as_json(receiver: Receiver, session: aiohttp.ClientSession) -> None:
    receiver.reply(202, '{"status":"success"}')
    body = b'{"a":1,"text":"caf\xc3\xa9"}'
    delivery = await post_json(
        session,
        receiver.url("/hook?x=1"),
        body,
        {"content-type": "text/plain", "User-Agent": "test-agent", "X-Extra": "yes"},
        5.0,
    )
    assert delivery.outcome is Outcome.DELIVERED
    assert delivery.detail == 'HTTP 202: {"status":"success"}'
    [request] = receiver.requests
    assert (request.method, request.path, request.query) == ("POST", "/hook", "x=1")
    assert request.body == body
    assert request.headers.getall("Content-Type") == ["application/json"]
    assert request.headers["User-Agent"] == "test-agent"
    assert request.headers["X-Extra"] == "yes"


async def test_redirects_are_not_followed(receiver: Receiver, session: aiohttp.ClientSession) -> None:
    receiver.reply(302, "", {"Location": "/elsewhere"})
    delivery = await post_json(session, receiver.url("/hook"), b"{}", {}, 5.0)
    assert delivery.outcome is Outcome.PERMANENT
    assert [r.path for r in receiver.requests] == ["/hook"]


async def test_retry_after_arrives_from_a_real_server(
    receiver: Receiver, session: aiohttp.ClientSession
) -> None:
    receiver.reply(429, "rate_limited", {"Retry-After": "12"})
    delivery = await post_json(session, receiver.url("/hook"), b"{}", {}, 5.0)
    assert (delivery.outcome, delivery.retry_after) == (Outcome.RETRY, 12.0)
    assert delivery.detail == "HTTP 429: rate_limited"


async def test_a_large_answer_is_not_buffered_whole(
    receiver: Receiver, session: aiohttp.ClientSession
) -> None:
    receiver.reply(500, "E" * 2_000_000)
    delivery = await post_json(session, receiver.url("/hook"), b"{}", {}, 5.0)
    assert delivery.outcome is Outcome.RETRY
    assert delivery.detail == "HTTP 500: " + "E" * (SNIPPET_CHARS - 1) + "…"


async def test_the_url_and_its_path_never_reach_the_detail(
    receiver: Receiver, session: aiohttp.ClientSession
) -> None:
    url = receiver.url("/services/T000/B000/s3cr3tT0ken?token=q5ecret")
    receiver.reply(404, "Cannot POST /services/T000/B000/s3cr3tT0ken (token=q5ecret) at " + url)
    delivery = await post_json(session, url, b"{}", {}, 5.0, secrets=Secrets(url_secrets(url)))
    assert delivery.outcome is Outcome.PERMANENT
    assert "s3cr3tT0ken" not in delivery.detail
    assert "q5ecret" not in delivery.detail
    assert delivery.detail.startswith("HTTP 404: Cannot POST [redacted]")


async def test_timeout_is_retried(receiver: Receiver, session: aiohttp.ClientSession) -> None:
    receiver.reply(200, "ok", delay=2.0)
    delivery = await post_json(session, receiver.url("/slow"), b"{}", {}, 0.2)
    assert delivery.outcome is Outcome.RETRY
    assert delivery.detail == "timeout after 0.2s"


async def test_connection_refused_is_retried_without_naming_the_url(
    session: aiohttp.ClientSession, refused_url: Callable[[str], str]
) -> None:
    delivery = await post_json(session, refused_url("/hook/t0ken"), b"{}", {}, 2.0)
    assert delivery.outcome is Outcome.RETRY
    assert delivery.detail == "connection error: ConnectionRefusedError"


@pytest.mark.parametrize("url", ["ftp://example.com/x", "not a url", "/relative/path", "http://[::1"])
async def test_unusable_urls_are_permanent(session: aiohttp.ClientSession, url: str) -> None:
    delivery = await post_json(session, url, b"{}", {}, 1.0)
    assert delivery.outcome is Outcome.PERMANENT
    assert delivery.detail.startswith("invalid URL")
