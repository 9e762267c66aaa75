"""The recorder on a real directory: what an earlier run left counts toward the bound, a document larger
than the bound is not kept, and a GET made for no provider (discovery, `poll`) is not recorded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from monitor.fetch import Response
from monitor.recorder import Recorder
from monitor.timeline import read_timeline

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now


def page(body: bytes) -> Response:
    return Response("https://status.example.com/api/v2/summary.json", 200, body, "application/json")


def test_an_earlier_runs_captures_count_and_go_first(tmp_path: Path) -> None:
    clock = Clock()
    first = Recorder(tmp_path, max_bytes=250, clock=clock)
    with first.reading("acme"):
        first(page(b'{"n": 1}'.ljust(100)))
        first(page(b'{"n": 2}'.ljust(100)))
    restarted = Recorder(tmp_path, max_bytes=250, clock=clock)
    with restarted.reading("acme"):
        restarted(page(b'{"n": 3}'.ljust(100)))
    kept = read_timeline(tmp_path)
    assert [c.body.strip() for c in kept] == [b'{"n": 2}', b'{"n": 3}']


def test_a_document_over_the_bound_or_for_no_provider_is_not_kept(tmp_path: Path) -> None:
    recorder = Recorder(tmp_path, max_bytes=1024, clock=Clock())
    recorder(page(b"{}"))  # discovery or `poll`: no provider
    with recorder.reading("acme"):
        recorder(page(b"[" + b" " * 2000 + b"]"))
        recorder(page(b"{}"))
        recorder(page(b"{}"))  # the same body again: a page without validators, unchanged
    assert [(c.provider, c.body) for c in read_timeline(tmp_path)] == [("acme", b"{}")]


def test_a_write_cut_short_leaves_nothing_a_replay_reads(tmp_path: Path) -> None:
    recorder = Recorder(tmp_path, max_bytes=1024, clock=Clock())
    with recorder.reading("acme"):
        recorder(page(b"{}"))
    (tmp_path / "acme" / ".2024-05-01T13:00:00.000Z.json.partial").write_bytes(b'{"torn')  # a crash mid-write
    assert [c.body for c in read_timeline(tmp_path)] == [b"{}"]
