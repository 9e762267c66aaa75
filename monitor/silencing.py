"""Silences kept in the store: what the HTTP API and the `silence` command do with them, in one place.

The daemon reads the silences from the store at every evaluation, so one added here (by the API of any
replica, or by the CLI beside a running daemon) takes effect at the next evaluation, and survives restarts.
"""

from __future__ import annotations

import json
from datetime import datetime

from monitor.alerting.silences import Silence, SilenceError, parse_silence_request
from monitor.logging import get_logger
from monitor.store.base import Store, StoredSilence

log = get_logger(__name__)


class UnknownSilence(KeyError):
    """No silence has that id."""


async def add(store: Store, request: object, now: datetime) -> Silence:
    """Validate an Alertmanager-shaped request and keep the silence; SilenceError says what is wrong."""
    silence = parse_silence_request(request, now)
    await store.put_silence(_stored(silence))
    return silence


async def all_silences(store: Store) -> list[Silence]:
    """Every silence the store holds, expired ones included, ending soonest first; one that cannot be read
    (written by a newer version, edited by hand) is logged and skipped."""
    found = []
    for stored in await store.silences():
        try:
            found.append(Silence.from_json(json.loads(stored.body_json)))
        except (SilenceError, ValueError) as error:
            log.warning("silence_unreadable", id=stored.id, error=str(error))
    return found


async def expire(store: Store, silence_id: str, now: datetime) -> Silence:
    """End a silence now (a pending one never starts); expiring an expired one changes nothing."""
    for silence in await all_silences(store):
        if silence.id == silence_id:
            ended = silence.expire(now)
            if ended != silence:
                await store.put_silence(_stored(ended))
            return ended
    raise UnknownSilence(silence_id)


def silence_json(silence: Silence, now: datetime) -> dict[str, object]:
    """A silence as the API shows it: Alertmanager's fields plus its state at `now`."""
    return {**silence.to_json(), "status": {"state": silence.state(now)}}


def _stored(silence: Silence) -> StoredSilence:
    return StoredSilence(silence.id, json.dumps(silence.to_json(), separators=(",", ":")), silence.ends_at)
