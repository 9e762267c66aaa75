"""A loopback server that plays status pages of any format (the test sets the body behind each path),
and a fleet: that server, a webhook receiver and the real daemon watching several formats on it."""

from __future__ import annotations

import contextlib
import hashlib
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

from tests.e2e.harness import DaemonProcess, Receiver, running, serve


@dataclass(frozen=True, slots=True)
class Document:
    body: bytes
    content_type: str = "application/json"


@dataclass
class DocumentServer:
    """Answers GET on each configured path with its document (ETag, 304 when unchanged); 404 elsewhere."""

    documents: dict[str, Document] = field(default_factory=dict)
    hits: Counter[str] = field(default_factory=Counter)
    url: str = ""

    def set(self, path: str, body: bytes, content_type: str = "application/json") -> None:
        self.documents[path] = Document(body, content_type)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path_qs if request.path_qs in self.documents else request.path
        self.hits[path] += 1
        document = self.documents.get(path)
        if document is None:
            return web.Response(status=404, text="no such page")
        etag = '"' + hashlib.sha256(document.body).hexdigest()[:16] + '"'
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(body=document.body, headers={"ETag": etag, "Content-Type": document.content_type})

    async def start(self) -> web.AppRunner:
        app = web.Application()
        app.router.add_get("/{tail:.*}", self.handle)
        runner, self.url = await serve(app)
        return runner


@dataclass
class Fleet:
    pages: DocumentServer
    hook: Receiver
    daemon: DaemonProcess

    def deliveries(self) -> list[dict[str, Any]]:
        """The webhook bodies received so far, in order."""
        return [received.json() for received in self.hook.requests]


def fleet_config(
    providers: Iterable[str], hook: Receiver, timeout: str, secret: str | None, settings: str = ""
) -> str:
    """A config with these provider entries, every change routed to one webhook (signed with `secret`);
    polled every `timeout` (a timeout may not be longer than the interval); `settings`: more lines."""
    entries = "\n".join(f"  - {entry}" for entry in providers)
    signed = f', secret: "{secret}"' if secret is not None else ""
    return f"""
settings:
  state: sqlite://state.db
  listen: "{{LISTEN}}"
  interval: {timeout}
  timeout: {timeout}
  log_format: json
  retry_initial_delay: 0.2s
{settings}
providers:
{entries}
notifiers:
  - {{name: audit, type: webhook, url: "{hook.url}/outages"{signed}}}
routes:
  - {{notify: [audit]}}
"""


@contextlib.asynccontextmanager
async def running_fleet(
    workdir: Path,
    providers: Callable[[str], Iterable[str]],
    timeout: str = "1s",
    secret: str | None = None,
    settings: str = "",
) -> AsyncIterator[Fleet]:
    """A running document server and receiver, and a daemon (not yet started) configured with
    `providers(server_url)` and more `settings` lines; all stopped at exit."""
    pages, hook = DocumentServer(), Receiver()
    async with running(pages, hook):
        config = fleet_config(providers(pages.url), hook, timeout, secret, settings)
        daemon = DaemonProcess(workdir, config)
        try:
            yield Fleet(pages, hook, daemon)
        finally:
            daemon.cleanup()
