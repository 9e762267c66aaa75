"""`Source._get_documents`: several documents that make one page, each fetched conditionally."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aiohttp import web

from monitor.errors import ParseError
from monitor.fetch import NOT_MODIFIED, HttpClient, NotModified
from monitor.model import Component, ComponentStatus, Snapshot
from monitor.sources.base import Source, SourceConfig

from .conftest import Serve


class TwoDocumentSource(Source):
    """Components from /a, a status word from /b; records what it was asked to parse."""

    type_name = "two-documents"
    Config = SourceConfig

    def __init__(self, config: SourceConfig) -> None:
        super().__init__(config)
        self.parsed: list[list[Any]] = []

    async def fetch(self, http: HttpClient, timeout: float) -> Snapshot | NotModified:
        base = self.config.url
        return await self._get_documents(http, [base + "/a", base + "/b"], timeout, self._parse)

    def _parse(self, docs: list[Any], final_url: str) -> Snapshot:
        self.parsed.append(docs)
        a, b = docs
        if not isinstance(b, dict) or "status" not in b:
            raise ParseError("no status")
        return Snapshot(
            page_url=final_url, components=(Component("1", a["name"], ComponentStatus(b["status"])),)
        )


class Versioned:
    """An endpoint serving the current body with an ETag of its version, 304 when the client has it."""

    def __init__(self, body: dict[str, Any]) -> None:
        self.body, self.version, self.hits = body, 1, 0

    async def handle(self, request: web.Request) -> web.Response:
        self.hits += 1
        etag = f'"v{self.version}"'
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304)
        return web.json_response(self.body, headers={"ETag": etag})

    def change(self, body: dict[str, Any]) -> None:
        self.body, self.version = body, self.version + 1


async def test_unchanged_documents_are_reused_and_all_unchanged_is_not_modified(
    serve: Serve, http: HttpClient
) -> None:
    a, b = Versioned({"name": "API"}), Versioned({"status": "operational"})
    server = await serve({"/a": a.handle, "/b": b.handle})
    source = TwoDocumentSource(SourceConfig(name="t", type="two-documents", url=str(server.make_url(""))))

    first = await source.fetch(http, 5)
    assert isinstance(first, Snapshot) and first.components[0].status is ComponentStatus.OPERATIONAL
    assert first.page_url.endswith("/a")

    b.change({"status": "major_outage"})
    second = await source.fetch(http, 5)
    assert isinstance(second, Snapshot)
    assert second.components[0] == Component("1", "API", ComponentStatus.MAJOR_OUTAGE)  # /a came from memory
    assert source.parsed[-1] == [{"name": "API"}, {"status": "major_outage"}]

    assert await source.fetch(http, 5) is NOT_MODIFIED
    assert len(source.parsed) == 2 and (a.hits, b.hits) == (3, 3)


async def test_a_rejected_document_is_not_remembered(serve: Serve, http: HttpClient) -> None:
    a, b = Versioned({"name": "API"}), Versioned({"garbage": True})
    server = await serve({"/a": a.handle, "/b": b.handle})
    source = TwoDocumentSource(SourceConfig(name="t", type="two-documents", url=str(server.make_url(""))))
    with pytest.raises(ParseError):
        await source.fetch(http, 5)
    with pytest.raises(ParseError):  # no validator was kept, so the broken body is fetched and refused again
        await source.fetch(http, 5)
    assert json.dumps(source.parsed[-1][1]) == '{"garbage": true}'
