"""The floor `outage-monitor poll` is compared with: the least a Python program does to read N pages.

One aiohttp session, at most `--concurrency` requests at a time, GET and `json.loads` of every page
once, nothing else. It runs in a fresh interpreter, as `poll` does, so both pay start-up and imports;
it prints one JSON line with its own count of pages read and the CPU its loop alone took.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections.abc import Sequence

import aiohttp

SUMMARY_PATH = "/api/v2/summary.json"


async def read_all(urls: Sequence[str], concurrency: int) -> int:
    """GET and decode every URL once; the number of bodies that decoded to a JSON object."""
    gate = asyncio.Semaphore(concurrency)

    async def one(session: aiohttp.ClientSession, url: str) -> bool:
        async with gate, session.get(url) as response:
            body = await response.read()
        return response.status == 200 and isinstance(json.loads(body), dict)

    async with aiohttp.ClientSession() as session:
        results = await asyncio.gather(*(one(session, url) for url in urls))
    return sum(results)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--base", required=True, help="fleet root, e.g. http://127.0.0.1:8080")
    parser.add_argument("--pages", type=int, required=True, help="read pages 0..N-1")
    parser.add_argument("--concurrency", type=int, default=50)
    args = parser.parse_args(argv)
    urls = [f"{args.base}/p/{i}{SUMMARY_PATH}" for i in range(args.pages)]
    started = time.process_time()
    ok = asyncio.run(read_all(urls, args.concurrency))
    loop_cpu = time.process_time() - started
    print(json.dumps({"pages": args.pages, "ok": ok, "loop_cpu_seconds": round(loop_cpu, 4)}))
    return 0 if ok == args.pages else 1


if __name__ == "__main__":
    raise SystemExit(main())
