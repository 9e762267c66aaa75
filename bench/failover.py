"""Failover time with two replicas sharing PostgreSQL: the leader is SIGKILLed (no lease released), and the
follower's /metrics is read every 0.1 s until it leads (`outage_monitor_leader 1`) and then until it has
polled (its first `outage_monitor_polls_total` series: a follower exports none). Measured, not asserted."""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass

from bench.scrape import get

POLL_EVERY = 0.1


class FailoverError(RuntimeError):
    """The follower did not take over in time."""


@dataclass(frozen=True, slots=True)
class Failover:
    takeover_s: float  # leader killed -> the follower reports it leads
    first_poll_s: float  # leader killed -> the follower's first poll counted


def kill_and_time(leader: subprocess.Popen[bytes], follower_url: str, timeout: float) -> Failover:
    leader.kill()
    killed = time.monotonic()
    leader.wait()
    takeover: float | None = None
    while (elapsed := time.monotonic() - killed) < timeout:
        status, body = get(follower_url + "/metrics", timeout=timeout)
        lines = body.decode().splitlines() if status == 200 else []
        if takeover is None and "outage_monitor_leader 1.0" in lines:
            takeover = elapsed
        if takeover is not None and any(line.startswith("outage_monitor_polls_total{") for line in lines):
            return Failover(takeover_s=takeover, first_poll_s=time.monotonic() - killed)
        time.sleep(POLL_EVERY)
    raise FailoverError(f"the follower did not lead and poll within {timeout:g} s of the leader's SIGKILL")
