"""The paced floor the daemon is compared with: the least a Python program does to poll N pages forever.

Each page every `--interval` seconds, first polls spread evenly over the first interval, one shared
aiohttp session, a conditional GET (`If-None-Match` with the page's last ETag), `json.loads` of every
200, nothing else: no scheduler per page, no parse into a model, no state, no store, no metrics. It
runs until SIGTERM; the benchmark reads its CPU from `/proc` over the same window it uses for the daemon
and divides by the polls the fleet served, so the two figures are measured the same way.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
from collections.abc import Sequence
from types import FrameType

import aiohttp

from bench.bare import SUMMARY_PATH


async def poll_forever(urls: Sequence[str], interval: float) -> None:
    """One timer drives every poll: poll k (page k mod N) starts at k * interval / N."""
    etags: list[str | None] = [None] * len(urls)
    tasks: set[asyncio.Task[None]] = set()
    step = interval / len(urls)

    async def one(session: aiohttp.ClientSession, index: int) -> None:
        etag = etags[index]
        headers = {"If-None-Match": etag} if etag else None
        try:
            async with session.get(urls[index], headers=headers) as response:
                body = await response.read()
                if response.status == 200:
                    json.loads(body)
                    etags[index] = response.headers.get("ETag")
        except aiohttp.ClientError:
            pass  # the floor does not handle failures; the fleet on loopback does not fail

    loop = asyncio.get_running_loop()
    started = loop.time()
    async with aiohttp.ClientSession() as session:
        k = 0
        while True:
            delay = started + k * step - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            task = loop.create_task(one(session, k % len(urls)))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
            k += 1


def _stop(signum: int, _: FrameType | None) -> None:
    raise SystemExit(0)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--base", required=True, help="fleet root, e.g. http://127.0.0.1:8080")
    parser.add_argument("--pages", type=int, required=True, help="poll pages 0..N-1")
    parser.add_argument("--interval", type=float, default=60.0, help="seconds between polls of a page")
    args = parser.parse_args(argv)
    urls = [f"{args.base}/p/{i}{SUMMARY_PATH}" for i in range(args.pages)]
    signal.signal(signal.SIGTERM, _stop)
    with contextlib.suppress(SystemExit, KeyboardInterrupt):
        asyncio.run(poll_forever(urls, args.interval))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
