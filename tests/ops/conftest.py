"""The daemon scene (scene.py) and a real Prometheus server scraping it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.e2e.harness import E2E_ENV, DaemonProcess, Receiver, StatusPage, config_yaml, running
from tests.ops.artifacts import RULES
from tests.ops.prometheus import PrometheusServer
from tests.ops.scene import Scene


@pytest.fixture
async def scene(tmp_path: Path) -> AsyncIterator[Scene]:
    """Servers up and the daemon configured, not started: call `play()`."""
    acme, flaky = StatusPage(), StatusPage(mode="500")
    slack, pd, hook = Receiver(), Receiver(default=202), Receiver(default=400)
    async with running(acme, flaky, slack, pd, hook):
        flaky_line = f'  - {{name: flaky, type: statuspage, url: "{flaky.url}"}}'
        config = config_yaml(acme, slack, pd, hook, more_providers=flaky_line)
        daemon = DaemonProcess(tmp_path, config, env=E2E_ENV)
        try:
            yield Scene(acme, flaky, slack, pd, hook, daemon)
        finally:
            daemon.cleanup()


@pytest.fixture
async def prometheus(scene: Scene, tmp_path: Path) -> AsyncIterator[PrometheusServer]:
    """A Prometheus server scraping the scene's daemon with the shipped rules loaded, started before it."""
    server = PrometheusServer(tmp_path / "prometheus", [f"127.0.0.1:{scene.daemon.port}"], [RULES])
    try:
        await server.start()
        yield server
    finally:
        server.stop()
