"""`outage-monitor run | check | poll | status | silence | routes | discover | catalog | migrate | replay`."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from monitor import __version__
from monitor.durations import parse_duration

if TYPE_CHECKING:
    from typing import TypeAlias

    from monitor.config import Config

    Commands: TypeAlias = argparse._SubParsersAction[argparse.ArgumentParser]  # each command's parser goes in

DEFAULT_CONFIG = "providers.yaml"


def _config_path(value: str | None) -> Path:
    return Path(value or os.environ.get("OUTAGE_MONITOR_CONFIG") or DEFAULT_CONFIG)


def _duration(text: str) -> float:
    try:
        return parse_duration(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


CONFIG_HELP = f"config file (default ${{OUTAGE_MONITOR_CONFIG}} or ./{DEFAULT_CONFIG})"


def _with_config(command: argparse.ArgumentParser) -> argparse.ArgumentParser:
    command.add_argument("-c", "--config", help=CONFIG_HELP)
    return command


def _add_simple(commands: Commands, name: str, help_text: str) -> None:
    """run, check, poll, status: a config, and for `poll` the providers to fetch."""
    command = _with_config(commands.add_parser(name, help=help_text, description=help_text))
    if name == "poll":
        command.add_argument("providers", nargs="*", metavar="PROVIDER", help="only these providers")


def _add_silence(commands: Commands) -> None:
    silence_help = "add, list or expire silences (kept in the daemon's store; safe while it runs)"
    silence = _with_config(commands.add_parser("silence", help=silence_help, description=silence_help))
    actions = silence.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="silence the alerts every MATCHER matches, e.g. provider=github")
    add.add_argument(
        "matchers", nargs="+", metavar="MATCHER", help='label=value, label!=value, label=~"regex"'
    )
    add.add_argument("--for", dest="duration", type=_duration, required=True, help="how long, e.g. 2h")
    add.add_argument("--comment", required=True, help="why (shown with the silence)")
    add.add_argument("--author", help="who (default: the login name)")
    listing = actions.add_parser("list", help="the silences that are active or pending")
    listing.add_argument("--expired", action="store_true", help="expired ones too")
    expire = actions.add_parser("expire", help="end silences now")
    expire.add_argument("ids", nargs="+", metavar="ID")
    for action in (add, listing, expire):
        _config_after_action(action)


def _add_routes(commands: Commands) -> None:
    routes_help = "show which routes, groups and notifiers an alert reaches, and if it is held back now"
    routes = _with_config(commands.add_parser("routes", help=routes_help, description=routes_help))
    test = routes.add_subparsers(dest="action", required=True).add_parser("test", help=routes_help)
    test.add_argument("labels", nargs="+", metavar="LABEL", help="provider=NAME [severity=..] [kind=..]")
    _config_after_action(test)


def _config_after_action(action: argparse.ArgumentParser) -> None:
    """`-c` after the action too, as every other command takes it."""
    action.add_argument("-c", "--config", default=argparse.SUPPRESS, help=CONFIG_HELP)


def _add_discover(commands: Commands) -> None:
    discover_help = "detect a status page's format and print the provider entry to paste"
    discover = commands.add_parser("discover", help=discover_help, description=discover_help)
    discover.add_argument("url", metavar="URL", help="the status page, e.g. https://www.githubstatus.com")
    discover.add_argument("--timeout", type=_duration, default=10.0, help="for the whole probe (default 10s)")


def _add_catalog(commands: Commands) -> None:
    catalog_help = "list the built-in catalog of providers (usable as `catalog: NAME` in the config)"
    catalog = commands.add_parser("catalog", help=catalog_help, description=catalog_help)
    catalog.add_argument("--category", help="only this category (any case), e.g. 'Payments & Finance'")
    search = catalog.add_subparsers(dest="action").add_parser(
        "search", help="only entries whose name, title, category or notes contain TERM (any case)"
    )
    search.add_argument("term", metavar="TERM")
    search.add_argument("--category", default=argparse.SUPPRESS, help="only this category (any case)")


def _add_migrate(commands: Commands) -> None:
    migrate_help = (
        "copy a SQLite store into an empty PostgreSQL database, in one transaction (stop the daemon first)"
    )
    migrate = commands.add_parser("migrate", help=migrate_help, description=migrate_help)
    migrate.add_argument("--from", dest="source", required=True, help="sqlite:///path/state.db")
    migrate.add_argument("--to", dest="target", required=True, help="postgresql://user@host:5432/db")


def _add_replay(commands: Commands) -> None:
    replay_help = "print what the config would have sent over a recorded timeline (sends nothing)"
    replay = _with_config(commands.add_parser("replay", help=replay_help, description=replay_help))
    replay.add_argument("timeline", type=Path, metavar="TIMELINE", help="a directory or JSON Lines file")
    replay.add_argument(
        "--silences", type=Path, metavar="FILE", help="silences as GET /api/v1/silences lists them"
    )
    replay.add_argument(
        "--tail", type=_duration, default=3600.0, help="keep polling this long after the last capture (1h)"
    )
    replay.add_argument("--json", action="store_true", help="one JSON object per notification and line")


COMMANDS: dict[str, Callable[[Commands], None]] = {
    "run": partial(_add_simple, name="run", help_text="run the daemon"),
    "check": partial(
        _add_simple, name="check", help_text="validate the config and exit 0, or 1 with the errors"
    ),
    "poll": partial(
        _add_simple,
        name="poll",
        help_text="fetch once and print the normalized status (no state change, no notification)",
    ),
    "status": partial(_add_simple, name="status", help_text="print the stored state as a table"),
    "silence": _add_silence,
    "routes": _add_routes,
    "discover": _add_discover,
    "catalog": _add_catalog,
    "migrate": _add_migrate,
    "replay": _add_replay,
}


def _parser(argv: Sequence[str] = ()) -> argparse.ArgumentParser:
    """The command line's parser. When `argv` starts with a command, only that command's parser is built
    (argparse makes each at some cost: all of them took 14 M instructions more, 0.8% of a one-page `poll`);
    `--help`, `--version` and a mistyped command get them all."""
    parser = argparse.ArgumentParser(prog="outage-monitor", description=__doc__)
    parser.add_argument("--version", action="version", version=f"outage-monitor {__version__}")
    named = argv[0] if argv and argv[0] in COMMANDS else None
    every = "{" + ",".join(COMMANDS) + "}"  # the usage line names every command, built or not
    commands = parser.add_subparsers(dest="command", required=True, metavar=every if named else None)
    for name, add in COMMANDS.items():
        if named in (None, name):
            add(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # pydantic looks for plugins in every installed package's metadata when the first model is built; we
    # use none (12 M instructions, 0.7% of a one-page poll, plus the file reads). Set it to "" for them.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    given = sys.argv[1:] if argv is None else argv
    args = _parser(given).parse_args(given)
    try:
        return _command(args)
    except BrokenPipeError:  # `outage-monitor catalog | head`: the reader has all it wanted
        # Python's own advice: point stdout at /dev/null so the interpreter's final flush is quiet too.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _command(args: argparse.Namespace) -> int:
    if args.command in ("discover", "catalog"):
        from monitor import lookup

        if args.command == "discover":
            return asyncio.run(lookup.discover_page(args.url, args.timeout))
        return lookup.list_catalog(args.term if args.action == "search" else None, args.category)
    if args.command == "migrate":
        return _migrate(args.source, args.target)
    path = _config_path(args.config)
    if args.command == "run":
        from monitor.app import run

        return run(path)
    if args.command == "poll":
        from monitor import heap, oneshot  # what a poll imports, so that the heap set aside holds it

        with heap.set_aside():
            config = _load(path)
            return 1 if config is None else asyncio.run(oneshot.poll(config, args.providers))
    config = _load(path)
    if config is None:
        return 1
    if args.command == "check":
        print(
            f"{path}: OK ({len(config.providers)} providers, {len(config.notifiers)} notifiers, "
            f"{len(config.routes)} routes)"
        )
        return 0
    if args.command == "replay":
        from monitor import replay

        return replay.main(config, args.timeline, args.silences, args.tail, args.json)
    if args.command in ("silence", "routes"):
        from monitor import silence_command as tools

        if args.command == "routes":
            return asyncio.run(tools.routes_test(config, args.labels))
        if args.action == "add":
            return asyncio.run(tools.add(config, args.matchers, args.duration, args.comment, args.author))
        if args.action == "list":
            return asyncio.run(tools.list_silences(config, args.expired))
        return asyncio.run(tools.expire(config, args.ids))
    from monitor import oneshot

    return asyncio.run(oneshot.status(config))


def _load(path: Path) -> Config | None:
    """The config, or None once its errors are printed."""
    from monitor.config import ConfigError, load_config

    try:
        return load_config(path)
    except ConfigError as error:
        print(str(error), file=sys.stderr)
        return None


def _migrate(source: str, target: str) -> int:
    """Print the rows copied per table; 1 with the reason when nothing was copied."""
    import sqlite3

    from monitor.store.base import StoreError
    from monitor.store.postgres import redacted
    from monitor.store.transfer import migrate

    try:
        copied = asyncio.run(migrate(source, target))
    except (StoreError, ValueError, OSError, sqlite3.Error) as error:
        print(f"migrate: nothing copied: {error}", file=sys.stderr)
        return 1
    print(f"copied {source} to {redacted(target)} in one transaction:")
    for table, count in copied.items():
        print(f"  {table}: {count} rows")
    return 0
