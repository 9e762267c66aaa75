"""System tools some tests drive (promtool, ...): CI installs them in .ci/run, so there a missing tool fails
the test; elsewhere the test is skipped and says which tool it wants."""

from __future__ import annotations

import os
import shutil

import pytest


def require_tool(name: str) -> str:
    """The path of `name` on PATH; missing, it fails the test when CI=true and skips it otherwise."""
    path = shutil.which(name)
    if path is not None:
        return path
    message = f"{name} is not installed (.ci/run installs it)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)
