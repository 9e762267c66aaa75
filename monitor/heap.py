"""The garbage collector tuned for a daemon whose heap is mostly long-lived.

Almost everything the daemon holds lives as long as it runs: modules, the config, every provider's
state and last snapshot. Python's collector would keep walking all of it: a full collection of
10,000 providers' objects takes about 0.2 s, and young collections every 700 allocations (each poll
makes dozens) add up to several percent of the daemon's CPU. So, once start-up and once every
provider has its baseline, the heap is collected and then frozen (`gc.freeze`: moved to a permanent
generation the collector no longer walks; objects there are still freed when their last reference
goes, and state is replaced, never mutated into cycles), and young collections run every
`YOUNG_THRESHOLD` allocations instead of 700. A command that runs once (`poll`) sets the heap aside
the same way while it runs (`set_aside`): a full collection during a 1,000-provider poll walks every
module's objects for nothing.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterator
from contextlib import contextmanager

from monitor.logging import get_logger

log = get_logger(__name__)

YOUNG_THRESHOLD = 10_000  # allocations between young collections (Python's default: 700)


def tune() -> None:
    """Young collections less often; the older generations' thresholds are left as they are."""
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)


def freeze(reason: str) -> None:
    """Collect what is garbage now, then set everything left aside from future collections."""
    gc.collect()
    gc.freeze()
    log.info("heap_frozen", reason=reason, objects=gc.get_freeze_count())


async def freeze_after(seconds: float, reason: str) -> None:
    """`freeze` once `seconds` have passed (the first interval: every provider has its baseline)."""
    await asyncio.sleep(seconds)
    freeze(reason)


@contextmanager
def set_aside() -> Iterator[None]:
    """Within the block, what exists now is frozen (no collection first: what a short command leaves
    as garbage is little) and young collections run as in the daemon; both as they were afterwards."""
    threshold = gc.get_threshold()
    gc.freeze()
    tune()
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()
