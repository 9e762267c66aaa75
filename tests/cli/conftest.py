"""In-process CLI commands configure structlog for the process, bound to the stderr pytest captured for
that test: put the previous configuration back so later tests do not log into a closed stream."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import structlog


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    saved = structlog.get_config()
    yield
    structlog.configure(**saved)
