"""A synthetic Atlassian Statuspage on 127.0.0.1 whose content a test changes: ETags, groups, slow answers
and failure modes (an HTML error page, a 429 with Retry-After). Shared by the poller and CLI tests."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

from aiohttp import web
from aiohttp.test_utils import TestServer

Mode = Literal["json", "html", "429"]


@dataclass
class PageDouble:
    """`components` maps id -> (name, status, group name or None); `incidents` are summary.json items."""

    components: dict[str, tuple[str, str, str | None]] = field(
        default_factory=lambda: {
            "c-api": ("API", "operational", None),
            "c-db": ("Database", "operational", "Infra"),
        }
    )
    incidents: list[dict[str, Any]] = field(default_factory=list)
    maintenances: list[dict[str, Any]] = field(default_factory=list)  # summary.json scheduled_maintenances
    null_incidents: bool = False  # write `"incidents": null` instead of the list
    history: list[dict[str, Any]] = field(default_factory=list)  # incidents.json's items
    history_hits: int = 0
    mode: Mode = "json"
    retry_after: str = "1"
    delay: float = 0.0  # seconds before answering, to keep a poll in flight
    hits: int = 0
    arrived: asyncio.Event = field(default_factory=asyncio.Event)  # set on every request
    conditional_hits: int = 0  # requests that carried If-None-Match
    not_modified: int = 0  # 304s answered
    url: str = ""

    def set_status(self, component_id: str, status: str) -> None:
        name, _, group = self.components[component_id]
        self.components[component_id] = (name, status, group)

    def summary(self) -> dict[str, Any]:
        groups = sorted({g for _, _, g in self.components.values() if g})
        items: list[dict[str, Any]] = [
            {
                "id": f"g-{g.lower()}",
                "name": g,
                "status": "operational",
                "group": True,
                "group_id": None,
                "components": [cid for cid, (_, _, cg) in self.components.items() if cg == g],
            }
            for g in groups
        ]
        items += [
            {
                "id": cid,
                "name": name,
                "status": status,
                "group": False,
                "group_id": f"g-{group.lower()}" if group else None,
            }
            for cid, (name, status, group) in self.components.items()
        ]
        return {
            "page": {
                "id": "synthetic",
                "name": "Acme",
                "url": self.url,
                "updated_at": "2026-11-23T12:00:00Z",
            },
            "status": {"indicator": "none", "description": "synthetic page"},
            "components": items,
            "incidents": None if self.null_incidents else self.incidents,
            "scheduled_maintenances": self.maintenances,
        }

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.hits += 1
        self.arrived.set()
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.mode == "html":
            html = "<html><body><h1>504 Gateway Time-out</h1></body></html>"
            return web.Response(text=html, content_type="text/html")
        if self.mode == "429":
            return web.Response(status=429, text="slow down", headers={"Retry-After": self.retry_after})
        body = json.dumps(self.summary()).encode()
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if "If-None-Match" in request.headers:
            self.conditional_hits += 1
            if request.headers["If-None-Match"] == etag:
                self.not_modified += 1
                return web.Response(status=304, headers={"ETag": etag})
        return web.Response(body=body, content_type="application/json", headers={"ETag": etag})

    async def handle_history(self, _: web.Request) -> web.Response:
        self.history_hits += 1
        return web.json_response({"page": self.summary()["page"], "incidents": self.history})


def incident(
    incident_id: str, name: str, impact: str = "major", status: str = "investigating"
) -> dict[str, Any]:
    """A minimal summary.json incident item."""
    return {
        "id": incident_id,
        "name": name,
        "status": status,
        "impact": impact,
        "shortlink": f"https://stspg.io/{incident_id}",
        "created_at": "2026-11-23T11:00:00Z",
        "updated_at": "2026-11-23T11:30:00Z",
        "incident_updates": [{"body": "We are looking into it.", "created_at": "2026-11-23T11:30:00Z"}],
        "components": [],
    }


@asynccontextmanager
async def serving(page: PageDouble) -> AsyncIterator[PageDouble]:
    """Serve summary.json and incidents.json on 127.0.0.1 until the block ends; sets `page.url`."""
    app = web.Application()
    app.router.add_get("/api/v2/summary.json", page.handle)
    app.router.add_get("/api/v2/incidents.json", page.handle_history)
    server = TestServer(app, host="127.0.0.1", port=0)
    await server.start_server()
    page.url = str(server.make_url("")).rstrip("/")
    try:
        yield page
    finally:
        await server.close()
