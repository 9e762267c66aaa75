"""The fetcher's tests run against real loopback servers (tests/loopback.py)."""

from tests.loopback import Handler, Serve, http, release, serve

__all__ = ["Handler", "Serve", "http", "release", "serve"]
