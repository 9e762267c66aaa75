"""One loopback document for the sources' fetch tests: a body behind a validator, and what was asked."""

from __future__ import annotations

from aiohttp import web


class Endpoint:
    """Answers `body` with `status` and the ETag `etag` (none: no validator); 304 when a 200 document's
    ETag comes back. Records each request's path and If-None-Match."""

    def __init__(
        self,
        body: bytes,
        content_type: str = "application/json",
        etag: str | None = '"v1"',
        status: int = 200,
    ) -> None:
        self.body, self.content_type, self.etag, self.status = body, content_type, etag, status
        self.paths: list[str] = []
        self.seen: list[str | None] = []

    @property
    def hits(self) -> int:
        return len(self.seen)

    async def handle(self, request: web.Request) -> web.Response:
        self.paths.append(request.path)
        self.seen.append(request.headers.get("If-None-Match"))
        if self.status == 200 and self.etag is not None and request.headers.get("If-None-Match") == self.etag:
            return web.Response(status=304)
        headers = {"ETag": self.etag} if self.etag else {}
        return web.Response(
            status=self.status, body=self.body, content_type=self.content_type, headers=headers
        )
