"""The real daemon refuses a watched page's redirect to its own API: the provider is unknown, and both the
API and the status page for people say why."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from tests.e2e.harness import DaemonProcess, eventually, serve

pytestmark = pytest.mark.e2e


async def test_a_redirect_to_the_daemons_own_api_is_refused(tmp_path: Path) -> None:
    daemon = DaemonProcess(tmp_path, "")
    own_api = f"{daemon.base}/api/v1/providers"

    async def moved(request: web.Request) -> web.Response:
        raise web.HTTPFound(own_api)

    app = web.Application()
    app.router.add_get("/api/v2/summary.json", moved)
    runner, page = await serve(app)
    daemon.config_path.write_text(f"""
settings:
  state: sqlite://state.db
  listen: "0.0.0.0:{daemon.port}"
  interval: 1s
  timeout: 1s
  log_format: json
providers:
  - {{name: sneaky, type: statuspage, url: "{page}"}}
""")
    try:
        await daemon.start()
        providers: list[dict[str, Any]] = []

        async def refused() -> bool:
            providers[:] = (await daemon.get_json("/api/v1/providers"))["providers"]
            return providers[0]["last_error"] is not None

        await eventually(refused, what="the poll's error")
        async with aiohttp.ClientSession() as session, session.get(daemon.base + "/") as answer:
            html = await answer.text()
    finally:
        daemon.cleanup()
        await runner.cleanup()
    (sneaky,) = providers
    assert sneaky["status"] == "unknown"
    assert sneaky["last_error"] == (
        f"redirect to 127.0.0.1:{daemon.port} refused: the daemon's own listen address"
    )
    assert "refused: the daemon&#39;s own listen address" in html  # the page for people says why too
