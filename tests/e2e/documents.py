"""A loopback server that plays status pages of any format: the test sets the body behind each path."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field

from aiohttp import web

from tests.e2e.harness import serve


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
