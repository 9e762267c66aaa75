"""Commands that run once and exit: `poll` (fetch and print) and `status` (print the stored state)."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Sequence

from monitor.config import Config
from monitor.fetch import HttpClient, NotModified
from monitor.logging import setup_logging
from monitor.model import PollFailure
from monitor.plan import ProviderPlan, plans_for
from monitor.report import snapshot_text, status_table
from monitor.sources import build_source
from monitor.sources.read import read_page
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
    http = HttpClient(listen=(config.settings.listen_host, config.settings.listen_port))
    try:
        results = await asyncio.gather(*(_fetch(http, gate, plan) for plan in chosen))
    finally:
        await http.close()
    for text, _ in results:
        print(text)
    return 0 if all(read for _, read in results) else 1


async def _fetch(http: HttpClient, gate: asyncio.Semaphore, plan: ProviderPlan) -> tuple[str, bool]:
    """What one provider's page says, and whether it could be read at all."""
    name = plan.config.name
    async with gate:
        snapshot = await read_page(name, build_source(plan.config), http, plan.timeout)
    if isinstance(snapshot, PollFailure):
        return f"{name}: {snapshot.outcome}: {snapshot.message} (unknown)", False
    if isinstance(snapshot, NotModified):  # a fresh source has no validators; a 304 here is the server's bug
        return f"{name}: 304 without a conditional request (unknown)", False
    return snapshot_text(name, snapshot), True


async def status(config: Config) -> int:
    """Print the stored state. Exit 1 when there is none: opening the store would create an empty one."""
    setup_logging(config.settings.log_format, "warning")
    path = config.settings.state_path
    if config.settings.state_is_file and not path.exists():
        print(f"no state at {path}: the daemon has not run with this config here yet", file=sys.stderr)
        return 1
    store = open_store(config.settings.state, password=config.settings.state_password())
    await store.open()
    try:
        states = await store.load_states()
    finally:
        await store.close()
    print(status_table(states.values()))
    return 0
