"""The real daemon, under an open-file limit of 256, held open by hundreds of idle and slowloris
connections: /healthz keeps answering, the timeouts close them, the polls of a healthy page keep
succeeding, and the log stays a few lines long."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from pathlib import Path

import aiohttp
import pytest

from tests.e2e.harness import DaemonProcess, StatusPage, running

pytestmark = pytest.mark.e2e

NOFILE = 256
IDLE, SLOWLORIS = 400, 100  # together twice the open-file limit


def config(page: StatusPage) -> str:
    return f"""
settings:
  state: sqlite://state.db
  listen: "{{LISTEN}}"
  interval: 1s
  timeout: 1s
  log_format: json
  max_connections: 64
  header_timeout: 2s
  keepalive_timeout: 2s
providers:
  - {{name: acme, type: statuspage, url: "{page.url}"}}
"""


async def healthz_seconds(base: str) -> float:
    started = time.monotonic()
    async with aiohttp.ClientSession() as s, s.get(f"{base}/healthz", timeout=aiohttp.ClientTimeout(5)) as r:
        assert r.status == 200
    return time.monotonic() - started


async def drip(writer: asyncio.StreamWriter, stop: asyncio.Event) -> None:
    """A request head sent a byte every 0.2 s, never finished."""
    with contextlib.suppress(ConnectionError):
        for byte in b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 10_000:
            if stop.is_set():
                return
            writer.write(bytes([byte]))
            await writer.drain()
            await asyncio.sleep(0.2)


async def closed_by_server(reader: asyncio.StreamReader) -> bool:
    with contextlib.suppress(ConnectionError):
        await reader.read()  # b"" at the server's FIN
    return True


async def test_idle_and_slowloris_connections_do_not_take_the_daemon_down(tmp_path: Path) -> None:
    page = StatusPage()
    async with running(page):
        daemon = DaemonProcess(tmp_path, config(page), nofile=NOFILE)
        connections: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        stop = asyncio.Event()
        try:
            await daemon.start()
            for _ in range(IDLE + SLOWLORIS):
                with contextlib.suppress(OSError):  # a full listen backlog: the SYN waits, then times out
                    connect = asyncio.open_connection("127.0.0.1", daemon.port)
                    connections.append(await asyncio.wait_for(connect, 1))
            drips = [asyncio.create_task(drip(w, stop)) for _, w in connections[IDLE:]]
            latencies = []
            for _ in range(20):  # 4 s under the flood: more than the head timeout
                latencies.append(await healthz_seconds(daemon.base))
                await asyncio.sleep(0.2)
            # every flood connection is closed by the server: evicted over the cap or timed out
            closing = [closed_by_server(r) for r, _ in connections]
            assert all(await asyncio.wait_for(asyncio.gather(*closing), timeout=10))
            stop.set()
            await asyncio.gather(*drips)
            acme = (await daemon.get_json("/api/v1/providers"))["providers"][0]
            events = (await daemon.get_json("/api/v1/events"))["events"]
            code, _ = daemon.terminate()
        finally:
            stop.set()
            for _, writer in connections:
                writer.close()
            daemon.cleanup()
    assert len(connections) > NOFILE
    assert max(latencies) < 1.0, latencies  # it was a 5 s timeout: no answer at all
    assert (acme["status"], acme["consecutive_failures"], acme["last_error"]) == ("operational", 0, None)
    assert not [e for e in events if e["kind"] == "source_unreachable"]
    assert code == 0
    lines = [json.loads(line) for line in daemon.log.read_text().splitlines() if line.strip()]
    assert len(lines) < 20, [e["event"] for e in lines]
    assert [e["event"] for e in lines].count("http_connections_at_cap") == 1
    assert not [e for e in lines if e["level"] in ("error", "critical")]
