"""Discovery against real loopback servers."""

from tests.loopback import http, release, serve

__all__ = ["http", "release", "serve"]
