"""`/api/v1/silences`: list, add and expire silences over HTTP, as Alertmanager's API does.

Reading is open like the rest of the API. Changing anything needs `Authorization: Bearer <token>` equal to
`settings.api_token` (compared in constant time, never logged); without a configured token those endpoints
answer 403 saying how to enable them (401 when the request has no credentials at all, as HTTP and API
checkers expect). Every error is a JSON `{"error": ...}` and changes nothing.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Protocol

from aiohttp import web

from monitor import silencing
from monitor.alerting.silences import SilenceError
from monitor.logging import get_logger
from monitor.openapi import SILENCE_BODY_LIMIT
from monitor.store.base import Store

log = get_logger(__name__)

NO_TOKEN = (
    "changing silences over HTTP is disabled: set settings.api_token (or api_token_file) and send "
    "'Authorization: Bearer <token>'; or use `outage-monitor silence` on the daemon's host"
)
WRONG_TOKEN = "missing or wrong bearer token"


class SilenceView(Protocol):
    @property
    def store(self) -> Store: ...

    @property
    def api_token(self) -> str | None: ...

    def silences_changed(self) -> None: ...


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def add_routes(app: web.Application, daemon: SilenceView) -> None:
    app.router.add_get("/api/v1/silences", _bind(daemon, _list))
    app.router.add_post("/api/v1/silences", _bind(daemon, _add, write=True))
    app.router.add_delete("/api/v1/silences/{id}", _bind(daemon, _expire, write=True))


def _bind(
    daemon: SilenceView,
    handler: Callable[[web.Request, SilenceView], Awaitable[web.Response]],
    *,
    write: bool = False,
) -> Handler:
    async def bound(request: web.Request) -> web.StreamResponse:
        if write:
            _authorize(request, daemon.api_token)
        return await handler(request, daemon)

    return bound


def _authorize(request: web.Request, token: str | None) -> None:
    """No credentials: 401 (the challenge HTTP asks for; it says how to enable writes when they are off).
    Credentials while no token is configured: 403, since none could succeed. A wrong token: 401."""
    header = request.headers.get("Authorization")
    if header is None:
        _log_unauthorized(request)
        raise _unauthorized(NO_TOKEN if token is None else WRONG_TOKEN)
    if token is None:
        raise _error(web.HTTPForbidden, NO_TOKEN)
    scheme, _, given = header.partition(" ")
    # surrogateescape: aiohttp hands header bytes that are not UTF-8 over as lone surrogates
    given_bytes = given.strip().encode("utf-8", "surrogateescape")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given_bytes, token.encode()):
        _log_unauthorized(request)
        raise _unauthorized(WRONG_TOKEN)


def _log_unauthorized(request: web.Request) -> None:
    log.warning("api_unauthorized", method=request.method, path=request.path, remote=request.remote)


def _unauthorized(message: str) -> web.HTTPException:
    return _error(web.HTTPUnauthorized, message, headers={"WWW-Authenticate": "Bearer"})


async def _list(_: web.Request, daemon: SilenceView) -> web.Response:
    now = datetime.now(UTC)
    silences = await silencing.all_silences(daemon.store)
    return web.json_response({"silences": [silencing.silence_json(s, now) for s in silences]})


async def _add(request: web.Request, daemon: SilenceView) -> web.Response:
    try:
        body = json.loads(await _read_bounded(request))
    except (ValueError, RecursionError):  # RecursionError: arrays nested thousands deep
        raise _error(web.HTTPBadRequest, "the body is not JSON") from None
    now = datetime.now(UTC)
    try:
        silence = await silencing.add(daemon.store, body, now)
    except SilenceError as error:
        raise _error(web.HTTPBadRequest, str(error)) from None
    daemon.silences_changed()
    log.info(
        "silence_added", id=silence.id, matchers=[str(m) for m in silence.matchers], by=silence.created_by
    )
    return web.json_response({"silenceID": silence.id, **silencing.silence_json(silence, now)}, status=201)


async def _read_bounded(request: web.Request) -> bytes:
    """The body, refused past the limit whether or not it declares its length (a chunked upload does not)."""
    if request.content_length is not None and request.content_length > SILENCE_BODY_LIMIT:
        raise _too_large(request.content_length)
    body = bytearray()
    while chunk := await request.content.read(SILENCE_BODY_LIMIT + 1 - len(body)):
        body += chunk
        if len(body) > SILENCE_BODY_LIMIT:
            raise _too_large(len(body))
    return bytes(body)


def _too_large(size: int) -> web.HTTPException:
    message = json.dumps({"error": f"a silence request is at most {SILENCE_BODY_LIMIT} bytes"})
    return web.HTTPRequestEntityTooLarge(
        SILENCE_BODY_LIMIT, size, text=message, content_type="application/json"
    )


async def _expire(request: web.Request, daemon: SilenceView) -> web.Response:
    silence_id = request.match_info["id"]
    now = datetime.now(UTC)
    try:
        silence = await silencing.expire(daemon.store, silence_id, now)
    except silencing.UnknownSilence:
        raise _error(web.HTTPNotFound, f"no silence with id {silence_id!r}") from None
    daemon.silences_changed()
    log.info("silence_expired", id=silence.id)
    return web.json_response(silencing.silence_json(silence, now))


def _error(
    kind: type[web.HTTPException], message: str, headers: dict[str, str] | None = None
) -> web.HTTPException:
    return kind(text=json.dumps({"error": message}), content_type="application/json", headers=headers)
