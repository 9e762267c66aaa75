"""`outage-monitor run | check | poll | status`."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from monitor import __version__

DEFAULT_CONFIG = "providers.yaml"


def _config_path(value: str | None) -> Path:
    return Path(value or os.environ.get("OUTAGE_MONITOR_CONFIG") or DEFAULT_CONFIG)


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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
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
