"""GET /api/v1/cluster: the replicas sharing the store, from the store, so any replica answers the same.

A store of its own (SQLite) has one replica, this process, always the leader."""

from __future__ import annotations

import socket
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from monitor.store import codec
from monitor.store.base import Store
from monitor.store.cluster import ClusterStore, Replica


async def replicas_json(store: Store) -> list[dict[str, Any]]:
    if isinstance(store, ClusterStore):
        replicas = await store.replicas()
    else:
        now = datetime.now(UTC)
        replicas = [Replica("local", socket.gethostname(), now, now, leader=True, token=None)]
    return [
        {
            "id": r.id,
            "host": r.host,
            "started_at": codec.format_time(r.started_at),
            "last_heartbeat": codec.format_time(r.heartbeat_at),
            "leader": r.leader,
            "token": r.token,
        }
        for r in replicas
    ]


def add_route(app: web.Application, store_of: Callable[[], Store]) -> None:
    """`store_of()` gives the daemon's store (opened before the server starts)."""

    async def cluster(_: web.Request) -> web.Response:
        return web.json_response({"replicas": await replicas_json(store_of())})

    app.router.add_get("/api/v1/cluster", cluster)
