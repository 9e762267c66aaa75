"""Commands that run once and exit: `poll` (fetch and print) and `status` (print the stored state and
the silences in force, so a quiet pager during an outage has its explanation beside it)."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Sequence
from datetime import UTC, datetime

from monitor.config import Config
from monitor.fetch import HttpClient, NotModified
from monitor.logging import setup_logging
from monitor.model import PollFailure
from monitor.plan import ProviderPlan, plans_for
from monitor.report import silences_table, snapshot_text, status_table
from monitor.sources import build_source
from monitor.sources.read import read_page
from monitor.store import describe_store, open_store, store_exists


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
    from monitor import silencing  # silences (pydantic models) are for `status`, not `poll`

    setup_logging(config.settings.log_format, "warning")
    path = describe_store(config.settings.state)
    if not store_exists(config.settings.state):
        print(f"no state at {path}: the daemon has not run with this config here yet", file=sys.stderr)
        return 1
    store = open_store(config.settings.state, password=config.settings.state_password())
    await store.open()
    try:
        states = await store.load_states()
        silences = await silencing.all_silences(store)
    finally:
        await store.close()
    print(status_table(states.values()))
    now = datetime.now(UTC)
    active = [s for s in silences if s.state(now) == "active"]
    print(f"\nactive silences:\n{silences_table(active, now)}" if active else "\nno active silences")
    return 0
