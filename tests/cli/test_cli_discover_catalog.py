"""`outage-monitor discover URL`, `catalog [search TERM]` and `check` on entries that say `catalog:`."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from monitor.catalog import catalog
from monitor.config import parse_config
from monitor.sources import SOURCES
from tests.cli.cli_process import clean_env, run_cli
from tests.poller.page_double import PageDouble, incident, serving


async def test_discover_prints_the_format_the_page_the_components_and_an_entry_to_paste(
    tmp_path: Path,
) -> None:
    page = PageDouble()
    page.components["c-db-eu"] = ("Database", "degraded_performance", "EU")
    page.incidents = [incident("inc-1", "Replication lag")]
    async with serving(page):
        finished = await run_cli("discover", page.url + "/incidents/inc-1", cwd=tmp_path)

    assert finished.code == 0, finished.stderr
    lines = finished.stdout.splitlines()
    tried_first = [line for line in lines if line.startswith("  tried first: ")]
    assert (  # the deeper URL was tried first, by every format that applies to it; then its origin
        f"  tried first: statuspage at {page.url}/incidents/inc-1: "
        "HTTP 404 from 127.0.0.1/incidents/inc-1/api/v2/summary.json"
    ) in tried_first
    assert [line for line in lines if line not in tried_first] == [
        f"format: statuspage ({page.url})",
        "headline: synthetic page (indicator none)",
        "components (3):",
        "  API: operational",
        "  Infra:",
        "    Database: operational",
        "  EU:",
        "    Database: degraded_performance",
        "  incident inc-1: Replication lag [investigating, impact major]",
        "",
        "providers:",
        "  - name: provider",
        "    type: statuspage",
        f"    url: {page.url}",
        "    # components:  # to watch only some, uncomment these lines and keep those you need",
        '    #   - "API"',
        '    #   - "c-db"  # Infra / Database',  # "Database" alone would match both
        '    #   - "c-db-eu"  # EU / Database',
    ]
    entry = finished.stdout[finished.stdout.index("providers:") :]
    assert [p.url for p in parse_config(entry, "pasted.yaml", env={}).providers] == [page.url]
    picked = entry.replace("    # components:", "    components:").replace("    #   - ", "      - ")
    [provider] = parse_config(picked, "picked.yaml", env={}).providers
    assert provider.components == ["API", "c-db", "c-db-eu"]


async def test_discover_exits_1_saying_what_each_format_got(tmp_path: Path) -> None:
    async with serving(PageDouble(mode="html")) as page:
        finished = await run_cli("discover", page.url, "--timeout", "3s", cwd=tmp_path)

    assert finished.code == 1
    assert finished.stdout == ""
    first, *attempts = finished.stderr.splitlines()
    tried = re.fullmatch(rf"no known status-page format reads {re.escape(page.url)} \(tried: (.*)\):", first)
    assert tried is not None, first
    applicable = sorted(  # fixed-host formats apply only on their vendor's host
        (source for source in SOURCES.every().values() if source.candidate(page.url) is not None),
        key=lambda source: source.detect_order or 0,
    )
    assert tried.group(1).split(", ") == [source.type_name for source in applicable]
    assert len(attempts) == len(applicable)
    assert all(re.fullmatch(rf"  [a-z]+ at {re.escape(page.url)}: .+", line) for line in attempts), attempts
    statuspage = (
        f"  statuspage at {page.url}: expected JSON from 127.0.0.1/api/v2/summary.json, got text/html"
    )
    assert statuspage in attempts


async def test_discover_refuses_what_is_not_a_web_url(tmp_path: Path) -> None:
    finished = await run_cli("discover", "ftp://status.example.com", cwd=tmp_path)
    assert finished.code == 1
    assert finished.stderr.strip() == "not an http(s) URL of a status page: ftp://status.example.com"


async def test_discover_refuses_a_malformed_timeout(tmp_path: Path) -> None:
    finished = await run_cli("discover", "https://status.example.com", "--timeout", "soon", cwd=tmp_path)
    assert finished.code == 2
    assert "argument --timeout: invalid duration 'soon'" in finished.stderr


async def test_catalog_lists_every_entry(tmp_path: Path) -> None:
    finished = await run_cli("catalog", cwd=tmp_path)

    assert finished.code == 0, finished.stderr
    header, *rows = finished.stdout.splitlines()
    assert header.split() == ["NAME", "CATEGORY", "FORMAT", "URL", "TITLE"]
    assert len(rows) == len(catalog().root)
    github = r"github +Developer tools +statuspage +https://www\.githubstatus\.com +GitHub"
    assert re.fullmatch(github, rows[0])


async def test_catalog_search_filters_on_name_title_and_notes_in_any_case(tmp_path: Path) -> None:
    finished = await run_cli("catalog", "search", "HASHICORP", cwd=tmp_path)
    assert finished.code == 0, finished.stderr
    assert [row.split()[0] for row in finished.stdout.splitlines()[1:]] == ["hashicorp"]

    by_notes = await run_cli("catalog", "search", "status.anthropic.com", cwd=tmp_path)
    assert [row.split()[0] for row in by_notes.stdout.splitlines()[1:]] == ["claude"]


async def test_catalog_category_keeps_only_that_category_in_any_case(tmp_path: Path) -> None:
    finished = await run_cli("catalog", "--category", "payments & FINANCE", cwd=tmp_path)
    assert finished.code == 0, finished.stderr
    names = [row.split()[0] for row in finished.stdout.splitlines()[1:]]
    assert names == [e.name for e in catalog().root if e.category == "Payments & Finance"]
    assert "stripe" in names and "github" not in names

    searched = await run_cli("catalog", "search", "pay", "--category", "Payments & Finance", cwd=tmp_path)
    assert {row.split()[0] for row in searched.stdout.splitlines()[1:]} >= {"paypal", "authorize-net"}


async def test_catalog_search_matches_the_category_too(tmp_path: Path) -> None:
    finished = await run_cli("catalog", "search", "media & gaming", cwd=tmp_path)
    assert finished.code == 0, finished.stderr
    assert {row.split()[0] for row in finished.stdout.splitlines()[1:]} >= {"twitch", "roblox", "epicgames"}


async def test_an_unknown_category_exits_1_with_a_did_you_mean(tmp_path: Path) -> None:
    finished = await run_cli("catalog", "--category", "payment", cwd=tmp_path)
    assert finished.code == 1
    assert finished.stdout == ""
    assert "unknown category 'payment'; did you mean 'Payments & Finance'?" in finished.stderr


async def test_catalog_search_without_a_match_exits_1(tmp_path: Path) -> None:
    finished = await run_cli("catalog", "search", "no-such-vendor", cwd=tmp_path)
    assert finished.code == 1
    assert finished.stdout == ""
    assert finished.stderr.strip() == "no catalog entry matches 'no-such-vendor'"


async def test_check_accepts_catalog_entries_and_reports_a_misspelt_one_at_its_line(tmp_path: Path) -> None:
    (tmp_path / "providers.yaml").write_text(
        "providers:\n  - catalog: github\n  - {catalog: courier, components: [API]}\n"
        "  - {name: own, type: statuspage, url: https://status.own.example}\n"
    )
    finished = await run_cli("check", cwd=tmp_path)
    assert finished.code == 0, finished.stderr
    assert finished.stdout.strip() == "providers.yaml: OK (3 providers, 0 notifiers, 0 routes)"

    (tmp_path / "bad.yaml").write_text("providers:\n  - catalog: github\n  - catalog: gitbub\n")
    failed = await run_cli("check", "-c", "bad.yaml", cwd=tmp_path)
    assert failed.code == 1
    assert failed.stderr.strip() == (
        "bad.yaml:3: providers[1].catalog: unknown catalog provider 'gitbub'; did you mean 'github'? "
        "(`outage-monitor catalog search TERM` finds one)"
    )


def test_a_reader_that_stops_early_is_no_error(tmp_path: Path) -> None:
    """`outage-monitor catalog | head -1`, at its harshest: the reader is gone before the first write.
    No BrokenPipeError traceback, exit 0."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        writer = subprocess.run(
            [sys.executable, "-m", "monitor", "catalog"],
            stdout=write_end,
            stderr=subprocess.PIPE,
            env=clean_env(),
            cwd=tmp_path,
            timeout=30,
            check=False,
        )
    finally:
        os.close(write_end)
    assert writer.stderr.decode() == ""
    assert writer.returncode == 0
