"""The recorder on a real directory: what an earlier run left counts toward the bound, each URL's newest
capture is deleted last, a document larger than the bound is not kept, a GET made for no provider
(discovery, `poll`) is not recorded, and every answer (any status, no answer, a probe's latency) is kept
with the URL it answered, the documents of one poll under the poll's time."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from monitor.errors import FetchError
from monitor.fetch import Exchange
from monitor.recorder import Recorder
from monitor.timeline import Capture, NoAnswer, read_timeline

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
SUMMARY = "https://status.example.com/api/v2/summary.json"


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now


def page(
    body: bytes, url: str = SUMMARY, status: int = 200, content_type: str = "application/json"
) -> Exchange:
    return Exchange(url, status, content_type, body)


def poll(recorder: Recorder, *exchanges: Exchange, provider: str = "acme") -> None:
    """One poll of `provider` that made these requests."""
    with recorder.reading(provider):
        for exchange in exchanges:
            recorder(exchange)


def test_an_earlier_runs_captures_count_and_go_first(tmp_path: Path) -> None:
    clock = Clock()
    first = Recorder(tmp_path, max_bytes=500, clock=clock)
    poll(first, page(b'{"n": 1}'.ljust(100)))
    poll(first, page(b'{"n": 2}'.ljust(100)))
    restarted = Recorder(tmp_path, max_bytes=500, clock=clock)
    poll(restarted, page(b'{"n": 3}'.ljust(100)))
    kept = read_timeline(tmp_path)
    assert [c.body.strip() for c in kept] == [b'{"n": 2}', b'{"n": 3}']
    assert sum(f.stat().st_size for f in (tmp_path / "acme").iterdir()) <= 500  # sidecars counted too


def test_a_document_over_the_bound_or_for_no_provider_is_not_kept(tmp_path: Path) -> None:
    recorder = Recorder(tmp_path, max_bytes=1024, clock=Clock())
    recorder(page(b"{}"))  # discovery or `poll`: no provider
    poll(recorder, page(b"[" + b" " * 2000 + b"]"))
    poll(recorder, page(b"{}"))
    poll(recorder, page(b"{}"))  # the same body again: a page without validators, unchanged
    assert [(c.provider, c.body) for c in read_timeline(tmp_path)] == [("acme", b"{}")]


def test_a_write_cut_short_leaves_nothing_a_replay_reads(tmp_path: Path) -> None:
    recorder = Recorder(tmp_path, max_bytes=1024, clock=Clock())
    poll(recorder, page(b"{}"))
    folder = tmp_path / "acme"
    (folder / ".2024-05-01T13:00:00.000Z.json.partial").write_bytes(b'{"torn')  # a crash mid-write
    (folder / "2024-05-01T13:00:00.000Z.json.meta").write_text('{"status": 503}')  # its sidecar, alone
    assert [c.body for c in read_timeline(tmp_path)] == [b"{}"]


def test_the_documents_of_a_poll_share_its_time_each_with_its_url(tmp_path: Path) -> None:
    """Instatus reads two documents a poll: both kept under the poll's time, the second as `~2`; a later
    poll where only one changed keeps only that one."""
    recorder = Recorder(tmp_path, max_bytes=10_000, clock=Clock())
    summary, components = (
        "https://acme.instatus.example/summary.json",
        "https://acme.instatus.example/v2/components.json",
    )
    poll(recorder, page(b'{"page": 1}', summary), page(b'{"components": 1}', components))
    poll(recorder, page(b'{"page": 1}', summary), page(b'{"components": 2}', components))
    assert sorted(p.name for p in (tmp_path / "acme").iterdir()) == [
        "2024-05-01T12:01:00.000Z.json",
        "2024-05-01T12:01:00.000Z.json.meta",
        "2024-05-01T12:01:00.000Z~2.json",
        "2024-05-01T12:01:00.000Z~2.json.meta",
        "2024-05-01T12:02:00.000Z.json",  # only the components changed: the first kept of that poll
        "2024-05-01T12:02:00.000Z.json.meta",
    ]
    assert [(c.at.minute, c.url, c.body) for c in read_timeline(tmp_path)] == [
        (1, summary, b'{"page": 1}'),
        (1, components, b'{"components": 1}'),
        (2, components, b'{"components": 2}'),
    ]


def test_any_status_and_a_request_without_answer_are_kept(tmp_path: Path) -> None:
    recorder = Recorder(tmp_path, max_bytes=10_000, clock=Clock())
    error_page = b"<html><body><h1>503 Service Unavailable</h1></body></html>"
    timeout = FetchError(
        "timeout", "no complete answer from status.example.com/api/v2/summary.json within 10s"
    )
    poll(recorder, page(error_page, status=503, content_type="text/html; charset=utf-8"))
    poll(recorder, page(error_page, status=503, content_type="text/html; charset=utf-8"))  # the same
    poll(recorder, Exchange(SUMMARY, None, error=timeout))
    poll(recorder, Exchange("https://user:secret@status.example.com/health", 200, "", b"ok", elapsed=0.25))
    kept = read_timeline(tmp_path)
    assert kept == [
        Capture(
            T0 + timedelta(minutes=1),
            "acme",
            error_page,
            503,
            {"Content-Type": "text/html; charset=utf-8"},
            SUMMARY,
        ),
        Capture(
            T0 + timedelta(minutes=3),
            "acme",
            b"",
            None,
            {"Content-Type": "text/plain"},  # the extension's, for an empty body
            SUMMARY,
            error=NoAnswer("timeout", str(timeout)),
        ),
        Capture(
            T0 + timedelta(minutes=4),
            "acme",
            b"ok",
            200,
            {"Content-Type": "text/plain"},
            "https://status.example.com/health",  # no credentials on disk
            elapsed=0.25,
        ),
    ]
    assert [p.suffix for p in sorted((tmp_path / "acme").glob("*Z.*")) if p.suffix != ".meta"] == [
        ".html",
        ".txt",
        ".txt",
    ]


def test_a_probe_is_kept_at_every_poll(tmp_path: Path) -> None:
    recorder = Recorder(tmp_path, max_bytes=10_000, clock=Clock())
    for elapsed in (0.2, 0.2, 3.5):
        poll(recorder, Exchange("https://api.example.com/health", 200, "", b"ok", elapsed=elapsed))
    assert [c.elapsed for c in read_timeline(tmp_path)] == [0.2, 0.2, 3.5]


def test_each_urls_newest_capture_is_deleted_last(tmp_path: Path) -> None:
    """Over the bound, an old document that never changed since (Instatus' components) outlives newer
    captures of another URL: a replay of the page still has both."""
    recorder = Recorder(tmp_path, max_bytes=700, clock=Clock())
    components = "https://acme.instatus.example/v2/components.json"
    poll(recorder, page(b'{"components": "all up"}'.ljust(100), components))
    for n in range(6):
        poll(recorder, page(f'{{"page": {n}}}'.encode().ljust(100)))
    kept = read_timeline(tmp_path)
    assert kept[0].url == components
    assert [c.body.strip() for c in kept if c.url == SUMMARY][-1] == b'{"page": 5}'
    assert len(kept) < 7
    stored = sum(f.stat().st_size for f in (tmp_path / "acme").iterdir())
    assert stored <= 700
    meta = json.loads((tmp_path / "acme" / "2024-05-01T12:01:00.000Z.json.meta").read_text())
    assert meta == {"url": components, "status": 200, "headers": {"Content-Type": "application/json"}}
