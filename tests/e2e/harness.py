"""Loopback doubles for end-to-end tests: a Statuspage page whose state a test changes, receivers that
play Slack, PagerDuty and webhook endpoints, and the real daemon started as a subprocess."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import aiohttp
from aiohttp import web
from prometheus_client.parser import text_string_to_metric_families

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


async def serve(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, f"http://127.0.0.1:{port}"


@dataclass
class StatusPage:
    """A Statuspage-compatible page. `mode` selects a failure: html, garbage, timeout, 500."""

    components: dict[str, str] = field(default_factory=lambda: {"API": "operational", "Web": "operational"})
    incidents: list[dict[str, Any]] = field(default_factory=list)
    maintenances: list[dict[str, Any]] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)  # incidents.json's items
    mode: str = "json"
    hits: int = 0
    url: str = ""

    def summary(self) -> dict[str, Any]:
        return {
            "page": {"id": "e2etest", "name": "Acme", "url": self.url, "updated_at": "2026-11-23T12:00:00Z"},
            "status": {"indicator": "none", "description": "synthetic page"},
            "components": [
                {"id": f"c-{name.lower()}", "name": name, "status": status, "group": False, "group_id": None}
                for name, status in self.components.items()
            ],
            "incidents": self.incidents,
            "scheduled_maintenances": self.maintenances,
        }

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.hits += 1
        if self.mode == "html":
            html = "<html><body><h1>504 Gateway Time-out</h1></body></html>"
            return web.Response(text=html, content_type="text/html")
        if self.mode == "garbage":
            return web.Response(body=b"\x00\xffnot json{{", content_type="application/json")
        if self.mode == "wrong-shape":
            return web.json_response({"hello": "world"})
        if self.mode == "500":
            return web.Response(status=500, text="oops")
        if self.mode == "timeout":
            await asyncio.sleep(30)
        body = json.dumps(self.summary()).encode()
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(body=body, content_type="application/json", headers={"ETag": etag})

    async def handle_history(self, _: web.Request) -> web.Response:
        return web.json_response({"page": self.summary()["page"], "incidents": self.history})

    async def start(self) -> web.AppRunner:
        app = web.Application()
        app.router.add_get("/api/v2/summary.json", self.handle)
        app.router.add_get("/api/v2/incidents.json", self.handle_history)
        runner, self.url = await serve(app)
        return runner


@dataclass
class Received:
    at: float
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def alert_keys(body: dict[str, Any], which: str = "firing") -> set[str]:
    """The keys of the alerts a webhook body lists as `which` (firing, resolved or related)."""
    return {alert["key"] for alert in body[which]}


def providers_in(body: dict[str, Any]) -> set[str]:
    """The providers of the alerts a webhook body is about (firing and resolved)."""
    return {alert["provider"] for alert in body["firing"] + body["resolved"]}


@dataclass
class Receiver:
    """Records every request per path and answers from a script, then `default` (200)."""

    script: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    hang_first: bool = False
    default: int = 200
    requests: list[Received] = field(default_factory=list)
    url: str = ""

    async def handle(self, request: web.Request) -> web.Response:
        received = Received(time.monotonic(), dict(request.headers), await request.read())
        self.requests.append(received)
        if self.hang_first and len(self.requests) == 1:
            await asyncio.sleep(3600)
        if self.script:
            status, headers = self.script.pop(0)
            return web.Response(status=status, headers=headers, text="scripted")
        return web.Response(status=self.default, text='{"status":"success"}' if self.default == 202 else "ok")

    async def start(self) -> web.AppRunner:
        app = web.Application()
        app.router.add_post("/{tail:.*}", self.handle)
        runner, self.url = await serve(app)
        return runner


class DaemonProcess:
    """`python -m monitor run -c FILE` in a subprocess, as a user runs it."""

    def __init__(
        self, workdir: Path, config: str, env: dict[str, str] | None = None, nofile: int | None = None
    ) -> None:
        """`nofile`: the process's open-file limit (soft and hard), as `prlimit --nofile=N:N` sets it."""
        self.workdir = workdir
        self.nofile = nofile
        self.port = free_port()
        self.config_path = workdir / "providers.yaml"
        self.config_path.write_text(config.replace("{LISTEN}", f"127.0.0.1:{self.port}"))
        self.env = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = workdir / "daemon.log"

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(  # noqa: ASYNC220 - starting a process does not block for long
                [sys.executable, "-m", "monitor", "run", "-c", str(self.config_path)],
                cwd=self.workdir,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                preexec_fn=self._limit_files if self.nofile else None,  # only setrlimit: safe after fork
            )
        await eventually(self._ready, timeout=20, what="daemon /readyz")

    def _limit_files(self) -> None:
        assert self.nofile is not None
        resource.setrlimit(resource.RLIMIT_NOFILE, (self.nofile, self.nofile))

    async def _ready(self) -> bool:
        assert self.proc is not None
        if self.proc.poll() is not None:
            raise AssertionError(f"daemon exited with {self.proc.returncode}:\n{self.log.read_text()}")
        try:
            async with aiohttp.ClientSession() as s, s.get(f"{self.base}/readyz") as r:
                return r.status == 200
        except aiohttp.ClientError:
            return False

    async def get_json(self, path: str) -> Any:
        async with aiohttp.ClientSession() as s, s.get(self.base + path) as r:
            assert r.status == 200, await r.text()
            return await r.json()

    async def metric(self, name: str, **labels: str) -> float | None:
        """One sample of the live /metrics, read with Prometheus' own parser; None if absent."""
        async with aiohttp.ClientSession() as s, s.get(self.base + "/metrics") as r:
            text = await r.text()
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                if sample.name == name and sample.labels == labels:
                    return float(sample.value)
        return None

    def terminate(self, timeout: float = 10) -> tuple[int, float]:
        """SIGTERM; returns (exit code, seconds it took)."""
        assert self.proc is not None
        started = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout)
        return code, time.monotonic() - started

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.kill()
        self.proc.wait(10)

    def signal(self, sig: int) -> None:
        assert self.proc is not None
        self.proc.send_signal(sig)

    def cleanup(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


async def eventually(
    check: Callable[[], Any], timeout: float = 15, interval: float = 0.1, what: str = "condition"
) -> None:
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(interval)


class Startable(Protocol):
    async def start(self) -> web.AppRunner: ...


@contextlib.asynccontextmanager
async def running(*servers: Startable) -> AsyncIterator[None]:
    runners = [await s.start() for s in servers]
    try:
        yield
    finally:
        for runner in runners:
            await runner.cleanup()


ROUTES = """
  - {notify: [pagerduty], min_severity: major}
  - {notify: [oncall-slack, audit], providers: ["acme*"]}"""


def notifiers_yaml(slack: Receiver, pd: Receiver, hook: Receiver) -> str:
    """Slack (incoming webhook), PagerDuty and a signed webhook, posting to the three receivers."""
    return f"""
  - {{name: oncall-slack, type: slack, webhook_url: "{slack.url}/services/T000/B000/XXXX"}}
  - {{name: pagerduty, type: pagerduty, routing_key: "${{PD_KEY}}", url: "{pd.url}/v2/enqueue"}}
  - {{name: audit, type: webhook, url: "{hook.url}/outages", secret: "${{HOOK_SECRET}}"}}"""


def daemon_yaml(providers: str, notifiers: str, routes: str, extra: str = "", tail: str = "") -> str:
    """A config polling every second; `extra`: more settings lines; `tail`: more top-level sections."""
    return f"""
settings:
  state: sqlite://state.db
  listen: "{{LISTEN}}"
  interval: 1s
  timeout: 1s
  log_format: json
  retry_initial_delay: 0.2s
  retry_max_delay: 1s
{extra}
providers:
{providers}
notifiers:
{notifiers}
routes:
{routes}
{tail}
"""


def config_yaml(
    page: StatusPage, slack: Receiver, pd: Receiver, hook: Receiver, extra: str = "", more_providers: str = ""
) -> str:
    """`extra`: more settings lines; `more_providers`: provider lines after acme's."""
    providers = f'  - {{name: acme, type: statuspage, url: "{page.url}"}}\n{more_providers}'
    return daemon_yaml(providers, notifiers_yaml(slack, pd, hook), ROUTES, extra)


def pages_yaml(pages: dict[str, StatusPage], interval: str = "1s") -> str:
    """A config watching each page under its name, with no notifiers."""
    providers = "".join(
        f'  - {{name: {name}, type: statuspage, url: "{p.url}"}}\n' for name, p in pages.items()
    )
    return f"""
settings:
  state: sqlite://state.db
  listen: "{{LISTEN}}"
  interval: {interval}
  timeout: 1s
  log_format: json
providers:
{providers}"""


E2E_ENV = {"PD_KEY": "R0UT1NGKEY0000000000000000000000", "HOOK_SECRET": "whsec_c2VjcmV0LXNpZ25pbmcta2V5"}
