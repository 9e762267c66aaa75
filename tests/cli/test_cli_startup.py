"""Start-up pays only for what the config uses (issue 14): the command runs in a fresh interpreter, which
then lists every module it imported. A Statuspage poll loads no other format, no notifier but its own,
no catalog, no PostgreSQL driver, no Jinja2, no alerting stage, grouping, silences or time intervals; a
`catalog:` entry loads the catalog, `time_intervals:` their model; an unknown type still gets the error
naming every type."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from monitor.notify import NOTIFIERS
from monitor.sources import SOURCES
from tests.cli.cli_process import Finished, clean_env, finish
from tests.poller.page_double import PageDouble, serving

# `python -c` with this: run the CLI on argv[2:], then write the names of all imported modules to argv[1]
RUN_AND_LIST = (
    "import json, sys\n"
    "from monitor.cli import main\n"
    "code = main(sys.argv[2:])\n"
    "with open(sys.argv[1], 'w') as out:\n"
    "    json.dump(sorted(sys.modules), out)\n"
    "raise SystemExit(code)\n"
)
NOT_FOR_A_STATUSPAGE_POLL = {
    "monitor.catalog",
    "monitor.store.base",  # a poll reads the state URL (config validation) but opens no store
    "monitor.store.postgres",
    "monitor.store.sqlite",
    "psycopg",
    "jinja2",
    "apprise",
    "aiosmtplib",
    "feedparser",
    "monitor.alerting.stage",  # the alerting stage and silences run in the daemon, replay and `status`
    "monitor.alerting.silences",
    "monitor.alerting.grouping",  # routes are grouped by the daemon; a poll only validates them
    "monitor.alerting.intervals",  # only a config with time_intervals loads them (and matchers' did_you_mean)
    "monitor.alerting.matchers",
    "structlog",  # imported for the first line logged; a poll whose pages all read logs none
    "difflib",  # for the "did you mean" of a mistake
    "concurrent.futures.thread",  # parser threads, for the first document too large to parse in the loop
}
SOURCE_MODULES = {module for module, _ in SOURCES.places.values()}
NOTIFIER_MODULES = {module for module, _ in NOTIFIERS.places.values()}


async def run_listing(tmp_path: Path, *args: str) -> tuple[Finished, set[str]]:
    listed = tmp_path / "modules.json"
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        RUN_AND_LIST,
        str(listed),
        *args,
        cwd=tmp_path,
        env=clean_env(),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    finished = await finish(process)
    return finished, set(json.loads(listed.read_text()))


@pytest.fixture
async def page() -> AsyncIterator[PageDouble]:
    async with serving(PageDouble()) as served:
        yield served


async def test_a_statuspage_poll_imports_only_statuspage_and_its_notifier(
    tmp_path: Path, page: PageDouble
) -> None:
    (tmp_path / "providers.yaml").write_text(
        "settings: {state: 'postgresql://monitor@127.0.0.1:1/monitor'}\n"
        f"providers: [{{name: acme, type: statuspage, url: '{page.url}'}}]\n"
        "notifiers: [{name: out, type: log}]\n"
        "routes: [{notify: [out]}]\n"
    )

    finished, modules = await run_listing(tmp_path, "poll", "-c", "providers.yaml")

    assert finished.code == 0, finished.stderr
    assert finished.stdout.startswith(f"acme: synthetic page ({page.url})")
    assert modules & SOURCE_MODULES == {"monitor.sources.statuspage"}
    assert modules & NOTIFIER_MODULES == {"monitor.notify.log"}
    assert modules & NOT_FOR_A_STATUSPAGE_POLL == set()


async def test_a_catalog_entry_loads_the_catalog_and_the_format_it_names(tmp_path: Path) -> None:
    (tmp_path / "providers.yaml").write_text("providers: [{catalog: github}]\n")

    finished, modules = await run_listing(tmp_path, "check", "-c", "providers.yaml")

    assert finished.code == 0, finished.stderr
    assert "monitor.catalog" in modules
    assert modules & SOURCE_MODULES == {"monitor.sources.statuspage"}


async def test_time_intervals_are_loaded_by_a_config_that_has_them(tmp_path: Path) -> None:
    (tmp_path / "providers.yaml").write_text(
        "notifiers: [{name: out, type: log}]\n"
        "routes: [{notify: [out], mute_time_intervals: [nights]}]\n"
        "time_intervals:\n"
        "  - {name: nights, time_intervals: [{times: [{start_time: '22:00', end_time: '24:00'}]}]}\n"
    )

    finished, modules = await run_listing(tmp_path, "check", "-c", "providers.yaml")

    assert finished.code == 0, finished.stderr
    assert "monitor.alerting.intervals" in modules


async def test_an_unknown_type_is_checked_against_every_format_and_named_with_them(tmp_path: Path) -> None:
    (tmp_path / "providers.yaml").write_text(
        "providers:\n  - {name: acme, type: statuspag, url: 'https://status.acme.example'}\n"
    )

    finished, modules = await run_listing(tmp_path, "check", "-c", "providers.yaml")

    assert finished.code == 1
    assert finished.stderr == (
        "providers.yaml:2: providers[0].type: unknown provider type 'statuspag'; did you mean 'statuspage'? "
        f"known types: {', '.join(sorted(SOURCES))}\n"
    )
    assert modules >= SOURCE_MODULES
