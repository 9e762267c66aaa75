"""The processes a benchmark starts, and what Linux says they cost (/proc and wait4)."""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

REPO = Path(__file__).resolve().parents[1]
_CLK_TCK = os.sysconf("SC_CLK_TCK")
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """In the child before exec: get SIGTERM if the benchmark dies, so no server outlives it."""
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def child_env() -> dict[str, str]:
    """This environment, but children may write bytecode: with PYTHONDONTWRITEBYTECODE set (as in some
    containers and CI images), `python -m monitor` run from the checkout would compile every module of
    the package at each start, which an installed package never does."""
    return {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


def cpu_times(pid: int) -> tuple[float, float]:
    """(user, system) CPU seconds of a live process, all threads, from /proc/<pid>/stat (utime, stime)."""
    text = Path(f"/proc/{pid}/stat").read_text()
    fields = text[text.rindex(")") + 2 :].split()  # the command name may hold spaces and parentheses
    return int(fields[11]) / _CLK_TCK, int(fields[12]) / _CLK_TCK


def cpu_seconds(pid: int) -> float:
    return sum(cpu_times(pid))


def memory_mb(pid: int, key: str = "VmHWM") -> float:
    """A /proc/<pid>/status memory line in MiB: VmHWM is peak RSS, VmRSS the current one."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    raise KeyError(key)


@dataclass(frozen=True, slots=True)
class Finished:
    """A child that ran to its end: exit code and what it cost, from wait4's rusage of that child only."""

    returncode: int
    cpu_seconds: float
    max_rss_mb: float
    wall_seconds: float


class Children:
    """Every process the benchmark started; `stop_all` ends them (TERM, then KILL), however the run ends."""

    def __init__(self) -> None:
        self._running: list[subprocess.Popen[bytes]] = []

    def start(
        self, argv: Sequence[str], *, stdout: int | IO[bytes] | None, stderr: int | IO[bytes] | None
    ) -> subprocess.Popen[bytes]:
        proc = subprocess.Popen(
            list(argv),
            cwd=REPO,
            env=child_env(),
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
            start_new_session=True,  # a Ctrl-C reaches the benchmark only; it stops the children in order
            preexec_fn=_die_with_parent,
        )
        self._running.append(proc)
        return proc

    def run_to_end(self, argv: Sequence[str], *, stdout: IO[bytes], stderr: IO[bytes]) -> Finished:
        """Run a child to completion and account for exactly its CPU and peak RSS."""
        started = time.monotonic()
        proc = self.start(argv, stdout=stdout, stderr=stderr)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        self._running.remove(proc)
        return Finished(
            returncode=proc.returncode,
            cpu_seconds=usage.ru_utime + usage.ru_stime,
            max_rss_mb=usage.ru_maxrss / 1024,
            wall_seconds=time.monotonic() - started,
        )

    def stop(self, proc: subprocess.Popen[bytes], timeout: float = 20.0) -> float:
        """SIGTERM, wait up to `timeout`, then SIGKILL; the seconds it took to exit."""
        started = time.monotonic()
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if proc in self._running:
            self._running.remove(proc)
        return time.monotonic() - started

    def stop_all(self) -> None:
        for proc in reversed(self._running[:]):
            self.stop(proc)
