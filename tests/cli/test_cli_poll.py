"""`outage-monitor poll`: fetch loopback pages once, print what they say, change no state."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

import monitor.sources.statuspage as statuspage
from monitor import oneshot
from monitor.config import load_config
from monitor.model import Snapshot
from monitor.store import SqliteStore
from tests.cli.cli_process import run_cli
from tests.poller.page_double import PageDouble, incident, serving


@pytest.fixture
async def good() -> AsyncIterator[PageDouble]:
    page = PageDouble()
    page.set_status("c-db", "partial_outage")
    page.incidents = [incident("inc-1", "Replication lag", impact="major")]
    async with serving(page) as served:
        yield served


@pytest.fixture
async def broken() -> AsyncIterator[PageDouble]:
    async with serving(PageDouble(mode="html")) as served:
        yield served


def write_config(directory: Path, **pages: PageDouble) -> Path:
    providers = "\n".join(
        f'  - {{name: {name}, type: statuspage, url: "{page.url}"}}' for name, page in pages.items()
    )
    path = directory / "providers.yaml"
    path.write_text(f"settings: {{state: sqlite://state.db, timeout: 5s}}\nproviders:\n{providers}\n")
    return path


def files(directory: Path) -> dict[str, tuple[bytes, int]]:
    """Every file's content and modification time."""
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(directory.iterdir())}


async def test_poll_prints_the_normalized_status_and_creates_no_state(
    tmp_path: Path, good: PageDouble
) -> None:
    write_config(tmp_path, acme=good)
    before = files(tmp_path)

    finished = await run_cli("poll", "-c", "providers.yaml", cwd=tmp_path)

    assert finished.code == 0, finished.stderr
    assert finished.stdout.splitlines() == [
        f"acme: synthetic page ({good.url})",
        "  indicator none, 2 components, worst level 3",
        "  component Infra / Database: partial_outage",
        "  incident inc-1: Replication lag [investigating, impact major]",
    ]
    assert files(tmp_path) == before  # no state file, no journal: nothing written
    assert good.hits == 1


async def test_poll_leaves_an_existing_state_file_untouched(tmp_path: Path, good: PageDouble) -> None:
    write_config(tmp_path, acme=good)
    async with SqliteStore(tmp_path / "state.db"):
        pass
    before = files(tmp_path)

    finished = await run_cli("poll", "-c", "providers.yaml", cwd=tmp_path)

    assert finished.code == 0, finished.stderr
    assert files(tmp_path) == before  # not even a -wal or -shm file appeared


async def test_poll_exits_1_when_a_provider_cannot_be_read_and_still_prints_the_others(
    tmp_path: Path, good: PageDouble, broken: PageDouble
) -> None:
    write_config(tmp_path, acme=good, flaky=broken)

    finished = await run_cli("poll", "-c", "providers.yaml", cwd=tmp_path)

    assert finished.code == 1
    lines = finished.stdout.splitlines()
    assert lines[0] == f"acme: synthetic page ({good.url})"
    assert lines[-1].startswith(
        "flaky: parse_error: expected JSON from 127.0.0.1/api/v2/summary.json, got text/html"
    )
    assert lines[-1].endswith("(unknown)")


async def test_poll_only_the_named_providers(tmp_path: Path, good: PageDouble, broken: PageDouble) -> None:
    write_config(tmp_path, acme=good, flaky=broken)
    finished = await run_cli("poll", "-c", "providers.yaml", "acme", cwd=tmp_path)
    assert finished.code == 0, finished.stdout
    assert finished.stdout.startswith("acme: ")
    assert "flaky" not in finished.stdout
    assert broken.hits == 0


async def test_poll_of_an_unknown_provider_exits_1_and_fetches_nothing(
    tmp_path: Path, good: PageDouble
) -> None:
    write_config(tmp_path, acme=good)
    finished = await run_cli("poll", "-c", "providers.yaml", "acme", "nope", "zed", cwd=tmp_path)
    assert finished.code == 1
    assert finished.stderr.strip() == "unknown provider(s): nope, zed"
    assert finished.stdout == ""
    assert good.hits == 0


async def test_poll_reports_a_parser_crash_as_unreadable_and_goes_on(
    tmp_path: Path, good: PageDouble, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = load_config(write_config(tmp_path, first=good, second=good))
    calls = 0
    real = statuspage.parse_summary

    def crash_once(doc: object, page_url: str) -> Snapshot:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise KeyError("a parser bug")
        return real(doc, page_url)

    monkeypatch.setattr(statuspage, "parse_summary", crash_once)

    assert await oneshot.poll(config, []) == 1

    out = capsys.readouterr().out
    assert "internal error parsing the page: KeyError (unknown)" in out
    assert out.count(": synthetic page (") == 1  # the other provider was still read and printed
