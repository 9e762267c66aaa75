"""System tools some tests drive (promtool, prometheus, chromium): CI installs them in .ci/run and must
run those tests; elsewhere a missing tool is a skip that says what to install."""

from __future__ import annotations

import os
import shutil

import pytest


def require_tool(name: str) -> str:
    """The tool's path; missing, a failure when CI=true, else a skip with the reason."""
    path = shutil.which(name)
    if path is not None:
        return path
    reason = f"{name} not found on PATH (.ci/run installs the Debian package that provides it)"
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)
