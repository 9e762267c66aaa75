"""`outage-monitor replay` as a user runs it: the text and JSON outputs, silences from a file in the API's
shape, and a timeline it cannot read."""

from __future__ import annotations

import json
from pathlib import Path

from monitor.alerting.silences import parse_silence_request
from monitor.silencing import silence_json
from tests.cli.cli_process import run_cli
from tests.replay import corpus


def setup(tmp_path: Path) -> None:
    (tmp_path / "providers.yaml").write_text(corpus.CONFIG)
    corpus.write_directory(tmp_path / "timeline", "github", corpus.outage())


def silences_file(tmp_path: Path, until: str) -> str:
    """A silence of every github alert from the timeline's start, as `GET /api/v1/silences` lists it."""
    now = corpus.START
    body = {
        "matchers": ['provider="github"'],
        "endsAt": until,
        "createdBy": "alice",
        "comment": "vendor ticket",
    }
    path = tmp_path / "silences.json"
    path.write_text(json.dumps([silence_json(parse_silence_request(body, now), now)]))
    return str(path)


async def test_prints_each_notification_with_its_time_and_notifier(tmp_path: Path) -> None:
    setup(tmp_path)
    done = await run_cli("replay", "timeline", "-c", "providers.yaml", cwd=tmp_path)
    assert done.code == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 7
    assert lines[1] == (
        "2024-05-01T12:21:00Z  oncall (pagerduty)  firing     critical  route=0|provider=github  "
        "github: major outage — Git Operations"
    )
    assert lines[6].startswith("2024-05-01T12:41:00Z  chat (slack)  resolved ")


async def test_a_silence_that_ends_mid_outage_holds_the_page_until_then(tmp_path: Path) -> None:
    setup(tmp_path)
    silences = silences_file(tmp_path, "2024-05-01T12:25:00Z")
    done = await run_cli(
        "replay", "timeline", "-c", "providers.yaml", "--silences", silences, "--json", cwd=tmp_path
    )
    assert done.code == 0, done.stderr
    sent = [json.loads(line) for line in done.stdout.splitlines()]
    assert [(s["at"], s["notifier"], s["reason"], s["severity"]) for s in sent] == [
        ("2024-05-01T12:25:00Z", "oncall", "firing", "critical"),
        ("2024-05-01T12:25:00Z", "chat", "firing", "critical"),
        ("2024-05-01T12:31:00Z", "oncall", "changed", "minor"),
        ("2024-05-01T12:31:00Z", "chat", "changed", "minor"),
        ("2024-05-01T12:41:00Z", "oncall", "resolved", "minor"),
        ("2024-05-01T12:41:00Z", "chat", "resolved", "minor"),
    ]


async def test_an_outage_inside_a_silence_sends_nothing(tmp_path: Path) -> None:
    setup(tmp_path)
    silences = silences_file(tmp_path, "2024-05-01T13:00:00Z")
    done = await run_cli("replay", "timeline", "-c", "providers.yaml", "--silences", silences, cwd=tmp_path)
    assert (done.code, done.stdout) == (0, ""), done.stderr


async def test_names_the_line_it_cannot_read_and_the_providers_it_skips(tmp_path: Path) -> None:
    (tmp_path / "providers.yaml").write_text(corpus.CONFIG)
    good = {"at": "2024-05-01T12:00:00Z", "provider": "nobody", "status": 200, "headers": {}, "body": "{}"}
    (tmp_path / "timeline.jsonl").write_text(
        json.dumps(good) + "\n" + json.dumps({**good, "at": "noon"}) + "\n"
    )
    done = await run_cli("replay", "timeline.jsonl", "-c", "providers.yaml", cwd=tmp_path)
    assert done.code == 1
    assert "timeline.jsonl:2: 'noon' is not an ISO 8601 time with a zone" in done.stderr

    (tmp_path / "timeline.jsonl").write_text(json.dumps(good) + "\n")
    done = await run_cli("replay", "timeline.jsonl", "-c", "providers.yaml", cwd=tmp_path)
    assert (done.code, done.stdout) == (0, "")
    assert "not in the config, skipped: nobody" in done.stderr
