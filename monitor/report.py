"""Plain-text tables for people at a terminal: `poll` and `status` output."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from monitor.model import ComponentStatus, ProviderState, Snapshot


def table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    lines = [list(header), *[list(r) for r in rows]]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip() for line in lines
    )


def snapshot_text(provider: str, snapshot: Snapshot) -> str:
    """One provider's freshly fetched page, normalized: the output of `outage-monitor poll`."""
    worst = max((c.status.level or 0 for c in snapshot.components), default=0)
    lines = [f"{provider}: {snapshot.description or snapshot.indicator.value} ({snapshot.page_url})"]
    lines.append(
        f"  indicator {snapshot.indicator.value}, {len(snapshot.components)} components, worst level {worst}"
    )
    for c in snapshot.components:
        if c.status is not ComponentStatus.OPERATIONAL:
            where = f"{c.group} / {c.name}" if c.group else c.name
            lines.append(f"  component {where}: {c.status.value}")
    for i in snapshot.incidents:
        lines.append(f"  incident {i.id}: {i.name} [{i.status.value}, impact {i.impact.value}]")
    for m in snapshot.maintenances:
        lines.append(f"  maintenance {m.id}: {m.name} [{m.status.value}]")
    for w in snapshot.warnings:
        lines.append(f"  warning: {w}")
    return "\n".join(lines)


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%SZ") if value else "-"


def _status(state: ProviderState) -> str:
    if not state.baselined:
        return "unknown (never read)"
    now = state.overall_status().value
    return now if state.up else f"unknown (last {now})"


def status_table(states: Iterable[ProviderState]) -> str:
    """The stored state of every provider: the output of `outage-monitor status`."""
    rows = []
    for s in sorted(states, key=lambda s: s.provider):
        bad = [c for c in s.components.values() if c.status.is_outage]
        rows.append(
            [
                s.provider,
                _status(s),
                f"{len(bad)}/{len(s.components)}",
                str(len(s.incidents)),
                str(len(s.maintenances)),
                _when(s.last_poll_at),
                (s.last_error or "")[:60],
            ]
        )
    header = ["PROVIDER", "STATUS", "DEGRADED", "INCIDENTS", "MAINT", "LAST POLL", "LAST ERROR"]
    return table(header, rows)
