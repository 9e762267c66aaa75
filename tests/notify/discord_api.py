"""A loopback fake of Discord's "execute webhook" endpoint, checking what Discord checks.

`POST /api/webhooks/{id}/{token}` answers like Discord: 401 for a wrong token (`Invalid Webhook Token`),
404 for an unknown webhook, 400 `{"code": 50035, "errors": {...}, "message": "Invalid Form Body"}` for a
message beyond the limits (no content and no embeds, more than 10 embeds, title > 256, description > 4096,
more than 25 fields, an empty or too long field name (256) or value (1024), footer > 2048, author > 256,
more than 6000 characters across the embeds, a colour outside 0..0xFFFFFF), and 429 with Discord's shape
(`retry_after` in the body, `Retry-After` rounded up and `X-RateLimit-Reset-After` in the headers) when
told to. With `?wait=true` a posted message is answered 200 with the message, else 204. Tests read the
messages it keeps.
"""

from __future__ import annotations

import json
import math
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

WEBHOOK_ID = "1234567890"
LIMITS = {"title": 256, "description": 4096}
FIELD_LIMITS = {"name": 256, "value": 1024}
TOTAL_CHARS = 6000


class FakeDiscord:
    def __init__(self, token: str) -> None:
        self.token = token
        self.messages: list[dict[str, Any]] = []
        self.queries: list[str] = []
        self.rate_limits: list[float] = []  # retry_after of the 429s to answer before working
        self.server: TestServer | None = None

    @property
    def webhook_url(self) -> str:
        assert self.server is not None
        return str(self.server.make_url(f"/api/webhooks/{WEBHOOK_ID}/{self.token}"))

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/api/webhooks/{id}/{token}", self._execute)
        self.server = TestServer(app, host="127.0.0.1", port=0)
        await self.server.start_server()

    async def close(self) -> None:
        if self.server is not None:
            await self.server.close()

    async def _execute(self, request: web.Request) -> web.Response:
        if request.match_info["id"] != WEBHOOK_ID:
            return web.json_response({"message": "Unknown Webhook", "code": 10015}, status=404)
        if request.match_info["token"] != self.token:
            return web.json_response({"message": "Invalid Webhook Token", "code": 50027}, status=401)
        if self.rate_limits:
            wait = self.rate_limits.pop(0)
            headers = {"Retry-After": str(math.ceil(wait)), "X-RateLimit-Reset-After": f"{wait:.3f}"}
            body = {"message": "You are being rate limited.", "retry_after": wait, "global": False}
            return web.json_response(body, status=429, headers=headers)
        try:
            message = json.loads(await request.read())
        except ValueError:
            return _invalid({"_errors": [{"code": "BASE_TYPE_BAD_JSON", "message": "Invalid JSON"}]})
        errors = problems(message)
        if errors:
            return _invalid(errors)
        self.messages.append(message)
        self.queries.append(request.query_string)
        if request.query.get("wait") == "true":
            return web.json_response({"id": str(len(self.messages)), "webhook_id": WEBHOOK_ID, **message})
        return web.Response(status=204)


def problems(message: Any) -> dict[str, Any]:
    """Discord's `errors` object for what breaks its limits; empty for a message it takes."""
    if not isinstance(message, dict) or not (message.get("content") or message.get("embeds")):
        return {"_errors": [{"code": "MESSAGE_EMPTY", "message": "Cannot send an empty message"}]}
    embeds = message.get("embeds", [])
    if len(embeds) > 10:
        return {"embeds": {"_errors": [{"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 10 or fewer"}]}}
    errors: dict[str, Any] = {}
    total = 0
    for index, embed in enumerate(embeds):
        found: dict[str, str] = {}
        for name, limit in LIMITS.items():
            if len(embed.get(name, "")) > limit:
                found[name] = f"Must be {limit} or fewer in length."
        fields = embed.get("fields", [])
        if len(fields) > 25:
            found["fields"] = "Must be 25 or fewer in length."
        for number, field in enumerate(fields):
            for name, limit in FIELD_LIMITS.items():
                if not 0 < len(field.get(name, "")) <= limit:
                    found[f"fields.{number}.{name}"] = f"Must be between 1 and {limit} in length."
        footer = embed.get("footer", {}).get("text", "")
        author = embed.get("author", {}).get("name", "")
        if len(footer) > 2048:
            found["footer.text"] = "Must be 2048 or fewer in length."
        if len(author) > 256:
            found["author.name"] = "Must be 256 or fewer in length."
        if not 0 <= embed.get("color", 0) <= 0xFFFFFF:
            found["color"] = "Int value should be less than or equal to 16777215."
        total += len(embed.get("title", "")) + len(embed.get("description", "")) + len(footer) + len(author)
        total += sum(len(field.get("name", "")) + len(field.get("value", "")) for field in fields)
        if found:
            errors[str(index)] = {
                key: {"_errors": [{"code": "BASE_TYPE_BAD_LENGTH", "message": text}]}
                for key, text in found.items()
            }
    if total > TOTAL_CHARS:
        errors["_errors"] = [
            {"code": "MAX_EMBED_SIZE_EXCEEDED", "message": "Embed size exceeds maximum size of 6000"}
        ]
    return {"embeds": errors} if errors else {}


def _invalid(errors: dict[str, Any]) -> web.Response:
    return web.json_response({"code": 50035, "errors": errors, "message": "Invalid Form Body"}, status=400)
