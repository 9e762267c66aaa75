"""A provider whose page has never been read, with the real daemon and a loopback page that always answers
500: `/`, `/providers/{name}` and the API show when it was last checked and why it could not be read (its
status unknown, no last known status), no event is emitted below `failure_threshold`, and the store keeps
it, as `outage-monitor status` shows once the daemon is gone."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import aiohttp

from tests.cli.cli_process import run_cli
from tests.e2e.harness import DaemonProcess, StatusPage, eventually, running

ERROR = "HTTP 500 from 127.0.0.1/api/v2/summary.json"


class _Text(HTMLParser):
    """The page's text, one line per block, whitespace collapsed."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("p", "h1", "h2", "section", "div", "li", "tr"):
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data.replace("\n", " "))

    def lines(self) -> list[str]:
        return [" ".join(line.split()) for line in "".join(self.parts).splitlines() if line.strip()]


async def page_lines(base: str, path: str) -> list[str]:
    async with aiohttp.ClientSession() as session, session.get(base + path) as response:
        assert response.status == 200
        text = _Text()
        text.feed(await response.text())
        return text.lines()


async def test_a_page_never_read_shows_when_it_was_last_checked_and_why(tmp_path: Path) -> None:
    page = StatusPage(mode="500")
    async with running(page):
        config = f"""
settings:
  state: sqlite://state.db
  listen: "{{LISTEN}}"
  interval: 1s
  timeout: 1s
  log_format: json
providers:
  - {{name: acme, type: statuspage, url: "{page.url}", failure_threshold: 100}}
"""
        daemon = DaemonProcess(tmp_path, config)
        try:
            await daemon.start()

            async def three_failures_recorded() -> bool:
                """Asked of the daemon: the page counts a request before the daemon has read its answer."""
                provider = (await daemon.get_json("/api/v1/providers/acme"))["provider"]
                return bool(provider["consecutive_failures"] >= 3)

            await eventually(three_failures_recorded, what="three failed polls recorded")
            found = (await daemon.get_json("/api/v1/providers/acme"))["provider"]
            overview = await page_lines(daemon.base, "/")
            detail = await page_lines(daemon.base, "/providers/acme")
            events = (await daemon.get_json("/api/v1/events"))["events"]
        finally:
            daemon.cleanup()

    assert (found["status"], found["last_known_status"], found["last_error"]) == ("unknown", None, ERROR)
    assert found["last_poll_at"] is not None and found["last_success_at"] is None
    assert found["consecutive_failures"] >= 3
    assert events == []  # failing is not news below failure_threshold, and nothing is resolved
    for lines in (overview, detail):
        checked = next(line for line in lines if line.startswith("Last checked"))
        assert re.match(r"Last checked \d+ s ago, last read never\b", checked), checked
        assert f"Its status page cannot be read: {ERROR}" in lines
        assert "Last known status: none yet" in lines
    assert "Not known yet: the page has not been read." in detail

    status = await run_cli("status", "-c", "providers.yaml", cwd=tmp_path)  # the store, read afresh
    assert status.code == 0, status.stderr
    row = next(line for line in status.stdout.splitlines() if line.startswith("acme"))
    assert "unknown (never read)" in row and ERROR in row
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ", row), row  # last polled, not "-"
