"""A loopback fake of the two Slack Web API methods the bot-token mode calls, checking what Slack checks.

`chat.postMessage` and `chat.update` answer like Slack: HTTP 200 with `{"ok": true, "channel", "ts", ...}`
or `{"ok": false, "error": ...}`. The fake refuses a missing or wrong Bearer token (`not_authed`,
`invalid_auth`), an unknown channel (`channel_not_found`), a message with neither text nor blocks
(`no_text`), a reply to a thread that does not exist (`thread_not_found`) and an edit of a message that
does not exist (`message_not_found`). Tests read its final state: the channel's messages and threads.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

CHANNEL_ID = "C123"


@dataclass
class Posted:
    text: str
    blocks: list[dict[str, Any]]
    replies: list[Posted] = field(default_factory=list)
    edits: int = 0


class FakeSlack:
    def __init__(self, token: str, channels: dict[str, str] | None = None) -> None:
        self.token = token
        self.channels = channels or {"#ops": CHANNEL_ID, CHANNEL_ID: CHANNEL_ID}  # name or id -> id
        self.messages: dict[str, Posted] = {}  # parent ts -> message, in CHANNEL_ID
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.failures: dict[str, list[web.Response]] = {}  # method -> answers to give before working
        self.server: TestServer | None = None
        self._next_ts = 100

    @property
    def api_url(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("/api"))

    def fail(
        self, method: str, error: str, *, status: int = 200, headers: dict[str, str] | None = None
    ) -> None:
        """The next call of `method` answers this error instead of working."""
        answer = web.json_response({"ok": False, "error": error}, status=status, headers=headers)
        self.failures.setdefault(method, []).append(answer)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/api/chat.postMessage", self._post_message)
        app.router.add_post("/api/chat.update", self._update)
        self.server = TestServer(app, host="127.0.0.1", port=0)
        await self.server.start_server()

    async def close(self) -> None:
        if self.server is not None:
            await self.server.close()

    async def _checked(self, method: str, request: web.Request) -> dict[str, Any] | web.Response:
        """The request's arguments, or the error answer Slack would give before looking at them."""
        authorization = request.headers.get("Authorization")
        if authorization is None:
            return _error("not_authed")
        if authorization != f"Bearer {self.token}":
            return _error("invalid_auth")
        if request.content_type != "application/json":
            return _error("invalid_post_type")
        arguments: dict[str, Any] = json.loads(await request.read())
        self.calls.append((method, arguments))
        if self.failures.get(method):
            return self.failures[method].pop(0)
        if self.channels.get(arguments.get("channel", "")) is None:
            return _error("channel_not_found")
        if not arguments.get("text") and not arguments.get("blocks"):
            return _error("no_text")
        return arguments

    async def _post_message(self, request: web.Request) -> web.Response:
        arguments = await self._checked("chat.postMessage", request)
        if isinstance(arguments, web.Response):
            return arguments
        posted = Posted(arguments.get("text", ""), arguments.get("blocks", []))
        ts = f"1700000000.{self._next_ts:06d}"
        self._next_ts += 100
        thread = arguments.get("thread_ts")
        if thread is None:
            self.messages[ts] = posted
        elif thread in self.messages:
            self.messages[thread].replies.append(posted)
        else:
            return _error("thread_not_found")
        return _ok(ts, posted)

    async def _update(self, request: web.Request) -> web.Response:
        arguments = await self._checked("chat.update", request)
        if isinstance(arguments, web.Response):
            return arguments
        message = self.messages.get(arguments.get("ts", ""))
        if message is None:
            return _error("message_not_found")
        message.text, message.blocks = arguments.get("text", ""), arguments.get("blocks", [])
        message.edits += 1
        return _ok(arguments["ts"], message)


def _ok(ts: str, posted: Posted) -> web.Response:
    message = {"type": "message", "text": posted.text, "blocks": posted.blocks, "ts": ts}
    return web.json_response({"ok": True, "channel": CHANNEL_ID, "ts": ts, "message": message})


def _error(error: str) -> web.Response:
    return web.json_response({"ok": False, "error": error})
