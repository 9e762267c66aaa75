"""`python -m monitor ...` as a user runs it, in a subprocess with a clean environment.

Async, so that loopback servers the test started in its own event loop keep answering meanwhile.
"""

from __future__ import annotations

import asyncio
import os
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Finished:
    code: int
    stdout: str
    stderr: str


def clean_env(**extra: str) -> dict[str, str]:
    """Only what Python needs to find the package: no OUTAGE_MONITOR_CONFIG, no secrets."""
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(REPO), **extra}


async def start_cli(*args: str, cwd: Path, env: dict[str, str] | None = None) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "monitor",
        *args,
        cwd=cwd,
        env=clean_env() if env is None else env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def finish(process: asyncio.subprocess.Process, timeout: float = 30.0) -> Finished:
    try:
        stdout, stderr = await asyncio.wait_for(process.communicate(), timeout)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise AssertionError(f"the command did not exit within {timeout:g}s") from None
    assert process.returncode is not None
    return Finished(process.returncode, stdout.decode(), stderr.decode())


async def run_cli(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 30.0
) -> Finished:
    return await finish(await start_cli(*args, cwd=cwd, env=env), timeout)
