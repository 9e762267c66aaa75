"""A fleet of synthetic Statuspage pages in one aiohttp process: the far end of the benchmark.

Page i is served at `/p/<i>/api/v2/summary.json`: a summary shaped like a real one (page object,
status indicator, about ten leaf components, some of them in groups, incidents, maintenances),
different per page, with a strong ETag and a 304 for a matching If-None-Match, as Statuspage does.
`--churn F` changes a fraction F of the pages per minute (a component degrades with an incident,
or recovers), so some polls get a 200 and the daemon's parse, engine and store paths run.
`/p/<i>/api/v2/incidents.json` is the page's history (its open incident, if any), which the daemon
reads once per provider on first sight; it is counted apart (`history`), not as a poll.
`/stats` counts what was served, so the benchmark can measure polls without asking the daemon.

On start it prints one JSON line, `{"port": N, "pages": N}`, and serves until SIGTERM or SIGINT.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import random
import signal
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

SUMMARY_PATH = "/api/v2/summary.json"
HISTORY_PATH = "/api/v2/incidents.json"
CREATED = "2021-03-04T05:06:07.000Z"
_GROUP_NAMES = ("Core Platform", "Regions", "Integrations")
_LEAF_NAMES = (
    "API",
    "Dashboard",
    "Webhooks",
    "Authentication",
    "Billing",
    "Search",
    "Notifications",
    "CDN",
    "Background Jobs",
    "Status Emails",
    "US-East",
    "EU-West",
    "AP-Southeast",
    "Git Operations",
    "Packages",
)
_DEGRADED = ("degraded_performance", "partial_outage", "major_outage")
_IMPACT = {"degraded_performance": "minor", "partial_outage": "major", "major_outage": "critical"}


def _iso(epoch: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(epoch))


@dataclass(slots=True)
class Leaf:
    id: str
    name: str
    group_id: str | None
    status: str = "operational"
    updated_at: str = CREATED


@dataclass(slots=True)
class Page:
    """One vendor's page: fixed layout from its index, mutable statuses, a body cached per version."""

    index: int
    base_url: str
    page_id: str
    name: str
    groups: dict[str, tuple[str, list[str]]]  # group id -> (name, child ids)
    leaves: list[Leaf]
    incident: dict[str, Any] | None = None
    version: int = 0
    updated_at: str = CREATED
    _body: bytes = b""
    _etag: str = ""
    _built: int = -1

    @classmethod
    def build(cls, index: int, base_url: str, seed: int) -> Page:
        rng = random.Random(f"{seed}:{index}")
        page_id = _short_id(rng)
        leaf_names = rng.sample(_LEAF_NAMES, rng.randint(8, 12))
        groups: dict[str, tuple[str, list[str]]] = {}
        leaves: list[Leaf] = []
        cursor = 0
        for group_name in _GROUP_NAMES[: rng.randint(0, 2)]:
            group_id = _short_id(rng)
            children = leaf_names[cursor : cursor + 3]
            cursor += len(children)
            leaves += [Leaf(_short_id(rng), name, group_id) for name in children]
            groups[group_id] = (group_name, [leaf.id for leaf in leaves[-len(children) :]])
        leaves += [Leaf(_short_id(rng), name, None) for name in leaf_names[cursor:]]
        return cls(index, base_url, page_id, f"Vendor {index:05d}", groups, leaves)

    def change(self, rng: random.Random, now: float) -> None:
        """Degrade one operational component with an incident, or recover the page if it is degraded."""
        self.version += 1
        self.updated_at = _iso(now)
        broken = [leaf for leaf in self.leaves if leaf.status != "operational"]
        if broken:
            for leaf in broken:
                leaf.status, leaf.updated_at = "operational", self.updated_at
            self.incident = None
            return
        leaf = rng.choice(self.leaves)
        leaf.status, leaf.updated_at = rng.choice(_DEGRADED), self.updated_at
        self.incident = {
            "id": _short_id(rng),
            "name": f"{leaf.name}: elevated error rates",
            "status": "investigating",
            "impact": _IMPACT[leaf.status],
            "created_at": self.updated_at,
            "updated_at": self.updated_at,
            "started_at": self.updated_at,
            "monitoring_at": None,
            "resolved_at": None,
            "shortlink": f"https://stspg.io/{self.page_id}{self.version}",
            "page_id": self.page_id,
            "incident_updates": [
                {
                    "id": _short_id(rng),
                    "status": "investigating",
                    "body": f"We are investigating elevated error rates on <b>{leaf.name}</b>.",
                    "incident_id": "",
                    "created_at": self.updated_at,
                    "updated_at": self.updated_at,
                    "display_at": self.updated_at,
                    "affected_components": [
                        {
                            "code": leaf.id,
                            "name": leaf.name,
                            "old_status": "operational",
                            "new_status": leaf.status,
                        }
                    ],
                }
            ],
            "components": [self._component(leaf)],
        }

    def body(self) -> tuple[bytes, str]:
        """The JSON body and its strong ETag, rebuilt only after a change."""
        if self._built != self.version:
            self._body = json.dumps(self.summary(), separators=(",", ":")).encode()
            self._etag = '"' + hashlib.blake2b(self._body, digest_size=12).hexdigest() + '"'
            self._built = self.version
        return self._body, self._etag

    def summary(self) -> dict[str, Any]:
        worst = max(
            (_DEGRADED.index(leaf.status) for leaf in self.leaves if leaf.status in _DEGRADED), default=-1
        )
        indicator = "none" if worst < 0 else ("minor", "major", "critical")[worst]
        components: list[dict[str, Any]] = []
        position = 0
        for group_id, (group_name, children) in self.groups.items():
            position += 1
            components.append(
                self._entry(group_id, group_name, "operational", None, position, group=True)
                | {"components": children}
            )
        for leaf in self.leaves:
            position += 1
            components.append(self._component(leaf, position))
        return {
            "page": {
                "id": self.page_id,
                "name": self.name,
                "url": self.base_url,
                "time_zone": "Etc/UTC",
                "updated_at": self.updated_at,
            },
            "components": components,
            "incidents": [self.incident] if self.incident else [],
            "scheduled_maintenances": [],
            "status": {
                "indicator": indicator,
                "description": "All Systems Operational" if worst < 0 else "Partial System Outage",
            },
        }

    def _component(self, leaf: Leaf, position: int = 0) -> dict[str, Any]:
        return self._entry(
            leaf.id, leaf.name, leaf.status, leaf.group_id, position, updated_at=leaf.updated_at
        )

    def _entry(
        self,
        entry_id: str,
        name: str,
        status: str,
        group_id: str | None,
        position: int,
        *,
        group: bool = False,
        updated_at: str = CREATED,
    ) -> dict[str, Any]:
        return {
            "id": entry_id,
            "name": name,
            "status": status,
            "created_at": CREATED,
            "updated_at": updated_at,
            "position": position,
            "description": None if group else f"Availability of {name} for {self.name} customers",
            "showcase": not group,
            "start_date": "2021-03-04",
            "group_id": group_id,
            "page_id": self.page_id,
            "group": group,
            "only_show_if_degraded": False,
        }


def _short_id(rng: random.Random) -> str:
    return "".join(rng.choices("abcdefghijklmnopqrstuvwxyz0123456789", k=12))


@dataclass
class Fleet:
    """All pages, their churn and the counters `/stats` reports."""

    pages: list[Page]
    churn: float  # fraction of pages changed per minute
    rng: random.Random
    counts: dict[str, int] = field(default_factory=lambda: {"200": 0, "304": 0, "404": 0, "history": 0})
    changes: int = 0
    started: float = field(default_factory=time.monotonic)

    def page(self, request: web.Request) -> Page:
        raw = request.match_info["index"]
        index = int(raw) if raw.isdigit() else -1
        if not 0 <= index < len(self.pages):
            self.counts["404"] += 1
            raise web.HTTPNotFound()
        return self.pages[index]

    async def summary(self, request: web.Request) -> web.Response:
        body, etag = self.page(request).body()
        headers = {"ETag": etag, "Cache-Control": "max-age=0, private, must-revalidate"}
        if _matches(request.headers.get("If-None-Match"), etag):
            self.counts["304"] += 1
            return web.Response(status=304, headers=headers)
        self.counts["200"] += 1
        return web.Response(body=body, content_type="application/json", headers=headers)

    async def history(self, request: web.Request) -> web.Response:
        summary = self.page(request).summary()
        self.counts["history"] += 1
        return web.json_response({"page": summary["page"], "incidents": summary["incidents"]})

    async def stats(self, _: web.Request) -> web.Response:
        served = self.counts["200"] + self.counts["304"]
        return web.json_response(
            {
                "pages": len(self.pages),
                "requests": served + self.counts["404"],
                "ok": self.counts["200"],
                "not_modified": self.counts["304"],
                "not_found": self.counts["404"],
                "history": self.counts["history"],
                "changes": self.changes,
                "uptime_seconds": round(time.monotonic() - self.started, 3),
            }
        )

    async def churn_forever(self, tick: float = 1.0) -> None:
        """Change `churn * pages / 60` random pages per second, carrying the fraction over."""
        per_tick = self.churn * len(self.pages) * tick / 60.0
        owed = 0.0
        while True:
            await asyncio.sleep(tick)
            owed += per_tick
            count, owed = int(owed), owed - int(owed)
            now = time.time()
            for page in self.rng.sample(self.pages, min(count, len(self.pages))):
                page.change(self.rng, now)
            self.changes += count


def _matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    tags = [tag.strip() for tag in if_none_match.split(",")]
    return "*" in tags or etag in tags


def build_app(fleet: Fleet) -> web.Application:
    app = web.Application()
    app.router.add_get("/p/{index}" + SUMMARY_PATH, fleet.summary)
    app.router.add_get("/p/{index}" + HISTORY_PATH, fleet.history)
    app.router.add_get("/stats", fleet.stats)
    return app


async def serve(pages: int, host: str, port: int, churn: float, seed: int) -> None:
    fleet = Fleet(
        [], churn, random.Random(seed)
    )  # pages are built once the port (part of their URL) is known
    runner = web.AppRunner(build_app(fleet), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound = int(runner.addresses[0][1])
    fleet.pages = [Page.build(i, f"http://{host}:{bound}/p/{i}", seed) for i in range(pages)]
    print(json.dumps({"port": bound, "pages": pages}), flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    churning = asyncio.create_task(fleet.churn_forever()) if churn > 0 else None
    try:
        await stop.wait()
    finally:
        if churning is not None:
            churning.cancel()
        await runner.cleanup()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--pages", type=int, default=10_000, help="number of pages (default 10000)")
    parser.add_argument("--host", default="127.0.0.1", help="listen address (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="listen port (default: any free port)")
    parser.add_argument("--churn", type=float, default=0.0, help="fraction of pages changed per minute")
    parser.add_argument("--seed", type=int, default=1, help="seed of page layouts and churn")
    args = parser.parse_args(argv)
    if args.pages < 1 or not 0.0 <= args.churn <= 60.0:
        parser.error("--pages must be >= 1 and --churn within 0..60")
    asyncio.run(serve(args.pages, args.host, args.port, args.churn, args.seed))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
