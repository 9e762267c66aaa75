"""`outage-monitor run | check | poll | status | discover | catalog`."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from monitor import __version__
from monitor.durations import parse_duration

DEFAULT_CONFIG = "providers.yaml"


def _config_path(value: str | None) -> Path:
    return Path(value or os.environ.get("OUTAGE_MONITOR_CONFIG") or DEFAULT_CONFIG)


def _duration(text: str) -> float:
    try:
        return parse_duration(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="outage-monitor", description=__doc__)
    parser.add_argument("--version", action="version", version=f"outage-monitor {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    config_help = f"config file (default ${{OUTAGE_MONITOR_CONFIG}} or ./{DEFAULT_CONFIG})"
    for name, help_text in (
        ("run", "run the daemon"),
        ("check", "validate the config and exit 0, or 1 with the errors"),
        ("poll", "fetch once and print the normalized status (no state change, no notification)"),
        ("status", "print the stored state as a table"),
    ):
        command = commands.add_parser(name, help=help_text, description=help_text)
        command.add_argument("-c", "--config", help=config_help)
        if name == "poll":
            command.add_argument("providers", nargs="*", metavar="PROVIDER", help="only these providers")
    discover_help = "detect a status page's format and print the provider entry to paste"
    discover = commands.add_parser("discover", help=discover_help, description=discover_help)
    discover.add_argument("url", metavar="URL", help="the status page, e.g. https://www.githubstatus.com")
    discover.add_argument("--timeout", type=_duration, default=10.0, help="for the whole probe (default 10s)")
    catalog_help = "list the built-in catalog of providers (usable as `catalog: NAME` in the config)"
    catalog = commands.add_parser("catalog", help=catalog_help, description=catalog_help)
    search = catalog.add_subparsers(dest="action").add_parser(
        "search", help="only entries whose name, title or notes contain TERM (any case)"
    )
    search.add_argument("term", metavar="TERM")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
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
        return lookup.list_catalog(args.term if args.action == "search" else None)
    path = _config_path(args.config)
    if args.command == "run":
        from monitor.app import run

        return run(path)
    from monitor.config import ConfigError, load_config

    try:
        config = load_config(path)
    except ConfigError as error:
        print(str(error), file=sys.stderr)
        return 1
    if args.command == "check":
        print(
            f"{path}: OK ({len(config.providers)} providers, {len(config.notifiers)} notifiers, "
            f"{len(config.routes)} routes)"
        )
        return 0
    from monitor import oneshot

    if args.command == "poll":
        return asyncio.run(oneshot.poll(config, args.providers))
    return asyncio.run(oneshot.status(config))
