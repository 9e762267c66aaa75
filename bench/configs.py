"""The providers.yaml files the benchmark runs the daemon and `poll` with: N fleet pages, one log notifier."""

from __future__ import annotations

from pathlib import Path


def provider_name(index: int) -> str:
    return f"p{index:05d}"


def write_config(
    path: Path,
    *,
    fleet_url: str,
    providers: int,
    state: Path | str,
    listen: str = "127.0.0.1:0",
    interval: float = 60.0,
    max_concurrent_fetches: int = 50,
) -> Path:
    """Pages 0..providers-1 of the fleet; every event goes to a `log` notifier (quiet at level warning).
    `state`: a SQLite file, or a store URL (postgresql://...)."""
    lines = [
        "settings:",
        f"  state: sqlite://{state}" if isinstance(state, Path) else f"  state: '{state}'",
        f"  listen: {listen}",
        f"  interval: {interval:g}s",
        "  timeout: 10s",
        "  log_format: json",
        "  log_level: warning",
        f"  max_concurrent_fetches: {max_concurrent_fetches}",
        "notifiers:",
        "  - {name: bench-log, type: log}",
        "routes:",
        "  - {notify: [bench-log]}",
        "providers:",
    ]
    lines += [
        f"  - {{name: {provider_name(i)}, type: statuspage, url: '{fleet_url}/p/{i}'}}"
        for i in range(providers)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
