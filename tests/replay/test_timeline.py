"""The timeline format on real files: a directory's sidecars say a capture's URL, status, headers, latency
or error (defaults without one, as timelines recorded before sidecars), the JSON Lines form says the same
in its fields, a file's label tells documents of a poll apart, and each mistake is named with its file."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor.timeline import Capture, NoAnswer, TimelineError, read_timeline

NOON = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
TIMED_OUT = NoAnswer("timeout", "no complete answer from acme.example/health within 10s")
TIMEOUT = {"outcome": TIMED_OUT.outcome, "message": TIMED_OUT.message}


def test_a_directory_without_sidecars_serves_each_file_with_200_and_its_media_type(tmp_path: Path) -> None:
    folder = tmp_path / "acme"
    folder.mkdir()
    (folder / "2024-05-01T12:00:00.000Z.json").write_text("{}")
    (folder / "2024-05-01T12:00:00.000Z~incidents.json").write_text("[]")
    assert read_timeline(tmp_path) == [
        Capture(NOON, "acme", b"{}", 200, {"Content-Type": "application/json"}),
        Capture(NOON, "acme", b"[]", 200, {"Content-Type": "application/json"}),
    ]


def test_a_sidecar_says_the_url_status_headers_latency_or_error(tmp_path: Path) -> None:
    folder = tmp_path / "acme"
    folder.mkdir()
    sidecars = {
        "2024-05-01T12:00:00.000Z.html": {"url": "/api/v2/summary.json", "status": 503},
        "2024-05-01T12:01:00.000Z.txt": {
            "url": "https://acme.example/health",
            "headers": {"content-type": "application/json"},
            "elapsed": 2.5,
        },
        "2024-05-01T12:02:00.000Z.txt": {"url": "https://acme.example/health", "error": TIMEOUT},
    }
    for name, sidecar in sidecars.items():
        (folder / name).write_bytes(b"<html>down</html>" if name.endswith(".html") else b"")
        (folder / f"{name}.meta").write_text(json.dumps(sidecar))
    assert [(c.url, c.status, c.content_type, c.elapsed, c.error) for c in read_timeline(tmp_path)] == [
        ("/api/v2/summary.json", 503, "text/html", None, None),
        ("https://acme.example/health", 200, "application/json", 2.5, None),
        ("https://acme.example/health", None, "text/plain", None, TIMED_OUT),
    ]


def test_json_lines_say_the_same_in_their_fields(tmp_path: Path) -> None:
    lines = [
        {
            "at": "2024-05-01T12:00:00Z",
            "provider": "acme",
            "url": "/summary.json",
            "status": 200,
            "body": "{}",
        },
        {
            "at": "2024-05-01T12:01:00Z",
            "provider": "acme",
            "url": "/health",
            "status": 200,
            "elapsed": 0.1,
            "body": "",
        },
        {"at": "2024-05-01T12:02:00Z", "provider": "acme", "url": "/health", "error": TIMEOUT},
    ]
    (tmp_path / "t.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))
    assert [(c.url, c.status, c.elapsed, c.error) for c in read_timeline(tmp_path / "t.jsonl")] == [
        ("/summary.json", 200, None, None),
        ("/health", 200, 0.1, None),
        ("/health", None, None, TIMED_OUT),
    ]


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"url": ""}, "'url' must be a URL or a path"),
        ({"status": 700}, "'status' must be an HTTP status code"),
        ({"elapsed": -1}, "'elapsed' must be a number of seconds"),
        ({"error": {"outcome": "boom", "message": "x"}}, "'error' must be {\"outcome\": one of timeout"),
        ({"error": TIMEOUT, "status": 200}, "a capture with an 'error' got no answer: it has no 'status'"),
    ],
)
def test_a_bad_field_is_named_with_its_file(tmp_path: Path, fields: dict[str, object], problem: str) -> None:
    folder = tmp_path / "acme"
    folder.mkdir()
    (folder / "2024-05-01T12:00:00.000Z.json").write_text("{}")
    sidecar = folder / "2024-05-01T12:00:00.000Z.json.meta"
    sidecar.write_text(json.dumps(fields))
    with pytest.raises(TimelineError) as caught:
        read_timeline(tmp_path)
    assert str(caught.value).startswith(f"{sidecar}: {problem}")

    line = {"at": "2024-05-01T12:00:00Z", "provider": "acme", "status": 200, "body": "{}", **fields}
    (tmp_path / "t.jsonl").write_text(json.dumps(line) + "\n")
    with pytest.raises(TimelineError) as caught:
        read_timeline(tmp_path / "t.jsonl")
    assert str(caught.value).startswith(f"{tmp_path / 't.jsonl'}:1: {problem}")
