"""The sources' tests: real loopback servers (tests/loopback.py) and the captured fixtures."""

from pathlib import Path

from tests.loopback import Handler, Serve, http, release, serve

FIXTURES = Path(__file__).parent / "fixtures"
SHARED_FIXTURES = Path(__file__).resolve().parents[2] / ".." / "shared" / "fixtures"

__all__ = ["FIXTURES", "SHARED_FIXTURES", "Handler", "Serve", "http", "release", "serve"]
