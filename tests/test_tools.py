"""A missing system tool fails the run in CI and skips elsewhere; a present one is found."""

from __future__ import annotations

import pytest

from tests.tools import require_tool

MISSING = "no-such-tool-outage-monitor"


def test_a_present_tool_is_returned_by_path() -> None:
    assert require_tool("sh").endswith("/sh")


def test_a_missing_tool_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match=MISSING):
        require_tool(MISSING)


@pytest.mark.parametrize("ci", [None, "false", ""])
def test_a_missing_tool_skips_outside_ci(monkeypatch: pytest.MonkeyPatch, ci: str | None) -> None:
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    with pytest.raises(pytest.skip.Exception, match=MISSING):
        require_tool(MISSING)
