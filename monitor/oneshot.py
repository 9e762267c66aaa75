"""Commands that run once and exit: `poll` (fetch and print) and `status` (print the stored state)."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Sequence

from monitor.app import USER_AGENT, plans_for
from monitor.config import Config
from monitor.errors import PollError
from monitor.fetch import HttpClient, NotModified
from monitor.logging import setup_logging
from monitor.poller import ProviderPlan
from monitor.report import snapshot_text, status_table
from monitor.sources import build_source
from monitor.store import open_store


async def poll(config: Config, only: Sequence[str]) -> int:
    """Fetch each provider once and print what it says. Exit 1 if any could not be read."""
    setup_logging(config.settings.log_format, "warning")
    plans = plans_for(config)
    unknown = set(only) - {p.config.name for p in plans}
    if unknown:
        print(f"unknown provider(s): {', '.join(sorted(unknown))}", file=sys.stderr)
        return 1
    chosen = [p for p in plans if not only or p.config.name in only]
    gate = asyncio.Semaphore(config.settings.max_concurrent_fetches)
    http = HttpClient(user_agent=USER_AGENT)
    try:
        results = await asyncio.gather(*(_fetch(http, gate, plan) for plan in chosen))
    finally:
        await http.close()
    for text in results:
        print(text)
    return 1 if any(text.endswith("(unknown)") for text in results) else 0


async def _fetch(http: HttpClient, gate: asyncio.Semaphore, plan: ProviderPlan) -> str:
    name = plan.config.name
    try:
        async with gate:
            snapshot = await build_source(plan.config).fetch(http, plan.timeout)
    except PollError as error:
        return f"{name}: {error.outcome}: {error} (unknown)"
    if isinstance(snapshot, NotModified):  # a fresh source has no validators; a 304 here is the server's bug
        return f"{name}: 304 without a conditional request (unknown)"
    return snapshot_text(name, snapshot)


async def status(config: Config) -> int:
    store = open_store(config.settings.state)
    await store.open()
    try:
        states = await store.load_states()
    finally:
        await store.close()
    print(status_table(states.values()))
    return 0
