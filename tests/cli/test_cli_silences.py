"""`outage-monitor silence add | list | expire` and `routes test`, run as a user runs them: a subprocess
on a config file, writing and reading a real SQLite store."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.cli.cli_process import Finished, run_cli

ALWAYS = """\
time_intervals:
  - name: always
    time_intervals:
      - times: [{start_time: "00:00", end_time: "24:00"}]
"""


def write_config(directory: Path, pager_route_extra: str = "") -> Path:
    """Two routes: chat hears every alert; the pager hears github's major ones (with `pager_route_extra`)."""
    path = directory / "providers.yaml"
    path.write_text(
        f"""\
settings: {{state: "sqlite://{directory / "state.db"}"}}
providers:
  - {{name: github, type: statuspage, url: "https://www.githubstatus.com"}}
notifiers:
  - {{name: chat, type: log}}
  - {{name: pager, type: log}}
{ALWAYS}routes:
  - {{notify: [chat]}}
  - {{notify: [pager, chat], providers: [github], min_severity: major{pager_route_extra}}}
"""
    )
    return path


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return write_config(tmp_path)


async def cli(config: Path, *args: str) -> Finished:
    command, *rest = args
    return await run_cli(command, "-c", str(config), *rest, cwd=config.parent)


def rows(output: str) -> list[list[str]]:
    return [re.split(r" {2,}", line.rstrip()) for line in output.splitlines()[1:]]


async def test_a_silence_added_is_listed_then_expired(config: Path) -> None:
    added = await cli(config, "silence", "add", "provider=github", "--for", "2h", "--comment", "GitHub knows")
    assert (added.code, added.stderr) == (0, "")
    silence_id = added.stdout.strip()
    assert re.fullmatch(r"[0-9a-f-]{36}", silence_id)

    listed = await cli(config, "silence", "list")
    assert listed.code == 0
    [row] = rows(listed.stdout)
    assert row[:3] == [silence_id, "active", 'provider="github"'] and row[-1] == "GitHub knows"

    expired = await cli(config, "silence", "expire", silence_id)
    assert (expired.code, expired.stdout) == (0, f"expired {silence_id}\n")
    assert rows((await cli(config, "silence", "list")).stdout) == []
    [row] = rows((await cli(config, "silence", "list", "--expired")).stdout)
    assert row[:2] == [silence_id, "expired"]

    unknown = await cli(config, "silence", "expire", "no-such-id")
    assert (unknown.code, unknown.stderr) == (1, "no silence with id 'no-such-id'\n")


@pytest.mark.parametrize(
    ("matcher", "message"),
    [
        ("team=infra", "unknown label 'team'"),
        ('provider=~"(git"', "bad regular expression '(git'"),
        ("severity=majr", "unknown severity 'majr'"),
        ('component=~".*"', "every alert is silenced"),
    ],
)
async def test_a_bad_matcher_exits_1_saying_what_is_wrong(config: Path, matcher: str, message: str) -> None:
    added = await cli(config, "silence", "add", matcher, "--for", "2h", "--comment", "x")
    assert added.code == 1 and added.stdout == ""
    assert added.stderr.startswith("silence not added: ") and message in added.stderr
    assert rows((await cli(config, "silence", "list")).stdout) == []


async def test_routes_test_shows_route_group_and_notifiers_then_silenced(config: Path) -> None:
    labels = ("provider=github", "severity=major", "kind=component")
    tested = await cli(config, "routes", "test", *labels)
    assert (tested.code, tested.stderr) == (0, "")
    assert rows(tested.stdout) == [
        ["routes[0]", "route=0|provider=github", "chat", "sent"],
        ["routes[1]", "route=1|provider=github", "pager, chat", "sent"],
    ]
    minor = await cli(config, "routes", "test", "provider=github", "severity=minor")
    assert rows(minor.stdout) == [["routes[0]", "route=0|provider=github", "chat", "sent"]]

    silence_id = (
        await cli(config, "silence", "add", "provider=github", "--for", "1h", "--comment", "k")
    ).stdout
    silenced = await cli(config, "routes", "test", *labels)
    assert [row[-1] for row in rows(silenced.stdout)[:2]] == ["silenced", "silenced"]
    assert silenced.stdout.splitlines()[-1] == f"silenced by {silence_id.strip()}"

    other = await cli(config, "routes", "test", "provider=stripe", "severity=major")
    assert rows(other.stdout) == [["routes[0]", "route=0|provider=stripe", "chat", "sent"]]


async def test_routes_test_says_muted_while_a_mute_interval_holds(tmp_path: Path) -> None:
    config = write_config(tmp_path, ", mute_time_intervals: [always]")
    tested = await cli(config, "routes", "test", "provider=github", "severity=major", "kind=component")
    assert tested.code == 0
    assert rows(tested.stdout) == [
        ["routes[0]", "route=0|provider=github", "chat", "sent"],
        ["routes[1]", "route=1|provider=github", "pager, chat", "muted"],
    ]
    assert not (tmp_path / "state.db").exists()  # testing routes creates no store


async def test_routes_test_without_a_provider_exits_2_with_a_message(config: Path) -> None:
    tested = await cli(config, "routes", "test", "severity=major")
    assert (tested.code, tested.stdout) == (2, "")
    assert (
        tested.stderr
        == "routes test: give at least provider=NAME (labels: provider, kind, component, severity)\n"
    )
