"""`outage-monitor poll` guards redirects as the daemon does: a page that redirects to the configured
listen address (where a running daemon answers) is refused, and the output says why."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from tests.cli.cli_process import run_cli
from tests.e2e.harness import serve


async def test_poll_refuses_a_redirect_to_the_daemons_listen_address(tmp_path: Path) -> None:
    hits: list[str] = []

    async def own_api(request: web.Request) -> web.Response:
        hits.append(request.path)
        return web.json_response({"providers": []})

    daemon_app = web.Application()
    daemon_app.router.add_get("/api/v1/providers", own_api)
    daemon, daemon_url = await serve(daemon_app)

    async def moved(request: web.Request) -> web.Response:
        raise web.HTTPFound(f"{daemon_url}/api/v1/providers")

    page_app = web.Application()
    page_app.router.add_get("/api/v2/summary.json", moved)
    page, page_url = await serve(page_app)
    port = daemon_url.rsplit(":", 1)[1]
    (tmp_path / "providers.yaml").write_text(
        f'settings: {{state: sqlite://state.db, listen: "0.0.0.0:{port}", timeout: 5s}}\n'
        f'providers:\n  - {{name: sneaky, type: statuspage, url: "{page_url}"}}\n'
    )
    try:
        finished = await run_cli("poll", "-c", "providers.yaml", cwd=tmp_path)
    finally:
        await page.cleanup()
        await daemon.cleanup()
    assert finished.code == 1
    refused = f"redirect to 127.0.0.1:{port} refused: the daemon's own listen address"
    assert finished.stdout.splitlines() == [f"sneaky: connect_error: {refused} (unknown)"]
    assert hits == []
