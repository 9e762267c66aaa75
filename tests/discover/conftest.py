"""Discovery against real loopback servers, with test formats registered beside the real ones."""

from tests.loopback import http, release, serve

__all__ = ["http", "release", "serve"]
