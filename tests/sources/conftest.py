"""The sources' tests: real loopback servers (tests/loopback.py) and the captured fixtures."""

from pathlib import Path

from tests.loopback import Handler, Serve, http, release, serve

FIXTURES = Path(__file__).parent / "fixtures"

__all__ = ["FIXTURES", "Handler", "Serve", "http", "release", "serve"]
