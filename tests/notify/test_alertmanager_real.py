"""The alertmanager notifier against a REAL Alertmanager (Debian's prometheus-alertmanager) on loopback: what
we send shows up in its /api/v2/alerts with our labels, and is gone from its active alerts once resolved."""

from __future__ import annotations

import subprocess
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import yaml

from monitor.model import Severity
from monitor.notify.alertmanager import AlertmanagerConfig, AlertmanagerNotifier
from monitor.notify.base import Outcome
from tests.e2e.harness import eventually, free_port
from tests.notify.conftest import make_alert, make_message, make_notification_for
from tests.tools import require_tool


class Alertmanager:
    """One Alertmanager, clustering off, routing everything to a receiver that sends nowhere."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.log = workdir / "alertmanager.log"
        self.config = workdir / "alertmanager.yml"
        self.config.write_text(
            yaml.safe_dump({"route": {"receiver": "nowhere"}, "receivers": [{"name": "nowhere"}]})
        )
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        binary = require_tool("prometheus-alertmanager")
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(  # noqa: ASYNC220 - starting a process does not block for long
                [
                    binary,
                    f"--config.file={self.config}",
                    f"--storage.path={self.workdir / 'data'}",
                    "--cluster.listen-address=",
                    f"--web.listen-address=127.0.0.1:{self.port}",
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        await eventually(self._ready, timeout=30, what="alertmanager /-/ready")

    async def _ready(self) -> bool:
        assert self.proc is not None
        if self.proc.poll() is not None:
            raise AssertionError(f"alertmanager exited with {self.proc.returncode}:\n{self.log.read_text()}")
        try:
            async with aiohttp.ClientSession() as s, s.get(f"{self.base}/-/ready") as r:
                return r.status == 200
        except aiohttp.ClientError:
            return False

    async def alerts(self) -> list[dict[str, Any]]:
        """Its active alerts (resolved ones are not listed)."""
        async with aiohttp.ClientSession() as s, s.get(f"{self.base}/api/v2/alerts") as r:
            assert r.status == 200
            found: list[dict[str, Any]] = await r.json()
            return found

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture
async def alertmanager(tmp_path: Path) -> AsyncIterator[Alertmanager]:
    server = Alertmanager(tmp_path)
    try:
        await server.start()
        yield server
    finally:
        server.stop()


async def test_a_real_alertmanager_shows_the_alert_and_its_resolution(alertmanager: Alertmanager) -> None:
    started = datetime.now(UTC) - timedelta(minutes=3)
    firing = make_alert("Git Operations", severity=Severity.CRITICAL, started_at=started, updated_at=started)
    config = AlertmanagerConfig.model_validate(
        {"name": "am", "type": "alertmanager", "urls": [alertmanager.base], "labels": {"team": "platform"}}
    )
    async with aiohttp.ClientSession() as session:
        notifier = AlertmanagerNotifier(config, session)
        delivery = await notifier.send(make_notification_for(make_message(firing=(firing,))))
        assert delivery.outcome is Outcome.DELIVERED, delivery.detail

        [shown] = await alertmanager.alerts()
        assert shown["labels"] == {
            "alertname": "ThirdPartyOutage",
            "provider": "github",
            "kind": "component",
            "component": "Git Operations",
            "severity": "critical",
            "alert_key": "github/component/git-operations",
            "team": "platform",
        }
        assert shown["status"]["state"] == "active"
        assert shown["annotations"]["summary"] == "github: Git Operations is partial_outage"
        assert shown["generatorURL"] == "http://localhost:9110/providers/github"
        assert abs(datetime.fromisoformat(shown["startsAt"]) - started) < timedelta(milliseconds=1)

        resolved = firing._replace(resolved_at=datetime.now(UTC))
        done = make_notification_for(make_message(firing=(), resolved=(resolved,)), receipt=delivery.receipt)
        assert (await notifier.send(done)).outcome is Outcome.DELIVERED
    assert await alertmanager.alerts() == []
