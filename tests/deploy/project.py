"""What the deploy files must agree with, read from the real project: pyproject.toml, the files git
tracks, the CLI parser, the web app's routes and the config defaults."""

from __future__ import annotations

import argparse
import subprocess
import tomllib
from functools import cache
from pathlib import Path
from typing import Any, cast

from monitor.cli import _parser
from monitor.config import Settings
from monitor.web import DaemonView, build_app

REPO = Path(__file__).resolve().parents[2]
DEFAULT_PORT = Settings().listen_port


@cache
def pyproject() -> dict[str, Any]:
    return tomllib.loads((REPO / "pyproject.toml").read_text())


def tracked(*paths: str) -> list[str]:
    """Files git tracks under `paths` (all when none), relative to the repo, that exist in the work tree."""
    listing = subprocess.run(
        ["git", "ls-files", "-z", "--", *paths], cwd=REPO, capture_output=True, check=True
    ).stdout.decode()
    return [name for name in listing.split("\0") if name and (REPO / name).exists()]


def get_routes() -> set[str]:
    """The paths the real web app answers GET on. Only the route table is read: no handler runs."""
    app = build_app(cast(DaemonView, None))
    routes = app.router.routes()
    return {route.resource.canonical for route in routes if route.method == "GET" and route.resource}


def parse_cli(argv: list[str]) -> argparse.Namespace:
    """`argv` as `outage-monitor` reads it; what it does not accept fails the test."""
    try:
        return _parser().parse_args(argv)
    except SystemExit:
        raise AssertionError(f"outage-monitor does not accept the arguments {argv}") from None
