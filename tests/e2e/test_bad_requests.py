"""A malformed HTTP request to the real daemon (any client can send one) gets a 400 and one structured
warning line, not an error with a traceback in the JSON log."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from tests.e2e.harness import DaemonProcess, StatusPage, eventually, pages_yaml, running

pytestmark = pytest.mark.e2e


async def test_a_malformed_request_is_a_400_and_one_json_warning(tmp_path: Path) -> None:
    page = StatusPage()
    async with running(page):
        daemon = DaemonProcess(tmp_path, pages_yaml({"acme": page}))
        try:
            await daemon.start()
            reader, writer = await asyncio.open_connection("127.0.0.1", daemon.port)
            writer.write(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Probe: \x00\r\n\r\n")
            await writer.drain()
            status_line = await asyncio.wait_for(reader.readline(), 5)
            writer.close()
            await writer.wait_closed()
            assert status_line.split()[1] == b"400", status_line

            def logged() -> list[dict[str, object]]:
                return [json.loads(line) for line in daemon.log.read_text().splitlines() if line.strip()]

            await eventually(
                lambda: any(e["event"] == "http_bad_request" for e in logged()), what="the warning"
            )
            code, _ = daemon.terminate()
            assert code == 0
        finally:
            daemon.cleanup()
    lines = logged()  # every line is JSON, or json.loads fails the test
    (warning,) = [e for e in lines if e["event"] == "http_bad_request"]
    assert warning["level"] == "warning" and warning["logger"] == "aiohttp.server"
    assert "Invalid header value char" in str(warning["error"])
    assert not [e for e in lines if e["level"] in ("error", "critical")]
