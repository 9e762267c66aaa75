"""The parser built for one command (what a run needs) reads that command's arguments exactly as the whole
parser does, and its usage line still names every command."""

from __future__ import annotations

import pytest

from monitor.cli import COMMANDS, _parser

ARGVS = [
    ["run", "-c", "a.yaml"],
    ["check"],
    ["poll", "-c", "a.yaml", "github", "stripe"],
    ["status", "--config", "a.yaml"],
    ["silence", "add", "provider=github", "--for", "2h", "--comment", "upgrade", "-c", "a.yaml"],
    ["silence", "-c", "a.yaml", "list", "--expired"],
    ["silence", "expire", "s1", "s2"],
    ["routes", "test", "provider=github", "severity=major"],
    ["discover", "https://status.example.com", "--timeout", "30s"],
    ["catalog", "search", "pay", "--category", "Payments & Finance"],
    ["catalog"],
    ["migrate", "--from", "sqlite:///s.db", "--to", "postgresql://u@h:5432/d"],
    ["replay", "timeline.jsonl", "--tail", "10m", "--json"],
]


def test_every_command_is_covered() -> None:
    assert {argv[0] for argv in ARGVS} == set(COMMANDS)


@pytest.mark.parametrize("argv", ARGVS, ids=[" ".join(argv[:2]) for argv in ARGVS])
def test_one_commands_parser_reads_its_arguments_as_the_whole_parser_does(argv: list[str]) -> None:
    assert vars(_parser(argv).parse_args(argv)) == vars(_parser().parse_args(argv))


def test_one_commands_parser_builds_no_other_command_and_its_usage_names_every_command() -> None:
    whole, one = _parser(), _parser(["poll"])
    assert whole.format_usage() == one.format_usage()
    with pytest.raises(SystemExit):
        one.parse_args(["check"])  # `check` was not built: argv said `poll`
