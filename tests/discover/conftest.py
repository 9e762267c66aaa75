"""Discovery against real loopback servers, with test formats registered beside the real ones."""

import pytest

from monitor.sources import SOURCES
from tests.loopback import http, release, serve

__all__ = ["http", "release", "serve"]


@pytest.fixture(autouse=True)
def statuspage_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test sees Statuspage plus the test formats it registers, whatever else this build has, so
    the attempts it counts are its own (the CLI and poller tests run with the whole registry)."""
    for name in [name for name in SOURCES if name != "statuspage"]:
        monkeypatch.delitem(SOURCES, name)
