"""Plain text for people at a terminal: the output of `poll`, `status`, `silence list`, `discover` and
`catalog`."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import yaml

from monitor.model import Component, ComponentStatus, ProviderState, Snapshot
from monitor.sources import SourceConfig

if TYPE_CHECKING:
    from monitor.alerting.silences import Silence
    from monitor.catalog import CatalogEntry
    from monitor.sources.discovery import Discovery


def table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    lines = [list(header), *[list(r) for r in rows]]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip() for line in lines
    )


def snapshot_text(provider: str, snapshot: Snapshot) -> str:
    """One provider's freshly fetched page, normalized: the output of `outage-monitor poll`."""
    operational = ComponentStatus.OPERATIONAL  # read once: reading an Enum member off its class costs a call
    troubled = [c for c in snapshot.components if c.status is not operational]
    worst = max((c.status.level or 0 for c in troubled), default=0)  # operational is level 0
    lines = [f"{provider}: {snapshot.description or snapshot.indicator.value} ({snapshot.page_url})"]
    lines.append(
        f"  indicator {snapshot.indicator.value}, {len(snapshot.components)} components, worst level {worst}"
    )
    for c in troubled:
        where = f"{c.group} / {c.name}" if c.group else c.name
        lines.append(f"  component {where}: {c.status.value}")
    if snapshot.incidents or snapshot.maintenances or snapshot.warnings:  # most pages: none of them
        lines += _open_items(snapshot)
    return "\n".join(lines)


def _open_items(snapshot: Snapshot) -> list[str]:
    """Incidents, maintenances and parser warnings, one indented line each."""
    lines = [
        f"  incident {i.id}: {i.name} [{i.status.value}, impact {i.impact.value}]" for i in snapshot.incidents
    ]
    lines += [f"  maintenance {m.id}: {m.name} [{m.status.value}]" for m in snapshot.maintenances]
    lines += [f"  warning: {w}" for w in snapshot.warnings]
    return lines


def discovery_text(discovery: Discovery, name: str, listed: CatalogEntry | None) -> str:
    """What `outage-monitor discover` found: the format, the page as read, and the entry to paste."""
    config, snapshot = discovery.config, discovery.snapshot
    lines = [
        f"format: {config.type} ({snapshot.page_url})",
        *(f"  tried first: {a.format} at {a.url}: {a.reason}" for a in discovery.tried),
        f"headline: {snapshot.description or '-'} (indicator {snapshot.indicator.value})",
        f"components ({len(snapshot.components)}):",
    ]
    for group, members in _grouped(snapshot.components):
        if group is not None:
            lines.append(f"  {group}:")
        lines += [f"{'    ' if group else '  '}{c.name}: {c.status.value}" for c in members]
    lines += _open_items(snapshot)
    lines += ["", "providers:", *provider_entry(config, name, snapshot.components)]
    if listed is not None:
        lines += ["", f"or, from the built-in catalog ({listed.title}):", f"  - catalog: {listed.name}"]
    return "\n".join(lines)


def _grouped(components: Sequence[Component]) -> list[tuple[str | None, list[Component]]]:
    """Components in page order, a group's members together where the group first appears."""
    blocks: list[tuple[str | None, list[Component]]] = []
    groups: dict[str, list[Component]] = {}
    for c in components:
        if c.group is None:
            blocks.append((None, [c]))
        elif c.group in groups:
            groups[c.group].append(c)
        else:
            groups[c.group] = [c]
            blocks.append((c.group, groups[c.group]))
    return blocks


def provider_entry(config: SourceConfig, name: str, components: Sequence[Component]) -> list[str]:
    """A provider entry as YAML lines under `providers:`, with a commented `components:` list to pick
    from (ids stand in for names that the page uses more than once, since names would match both)."""
    fields = {"name": name, **config.model_dump(mode="json", exclude_defaults=True, exclude={"name"})}
    lines = ["  " + line for line in yaml.safe_dump([fields], sort_keys=False).splitlines()]
    if components:
        lines.append("    # components:  # to watch only some, uncomment these lines and keep those you need")
        counts = Counter(c.name for c in components)
        for c in components:
            pick = c.name if counts[c.name] == 1 else c.id
            note = " / ".join(part for part in (c.group, c.name if pick != c.name else None) if part)
            lines.append(
                f"    #   - {json.dumps(pick, ensure_ascii=False)}" + (f"  # {note}" if note else "")
            )
    return lines


def catalog_table(entries: Iterable[CatalogEntry]) -> str:
    """The built-in catalog: the output of `outage-monitor catalog`."""
    rows = ([e.name, e.category, e.format, e.url, e.title] for e in entries)
    return table(["NAME", "CATEGORY", "FORMAT", "URL", "TITLE"], rows)


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


def silences_table(silences: Iterable[Silence], now: datetime) -> str:
    """Silences with their state at `now`: the output of `silence list` and the end of `status`."""
    header = ("ID", "STATE", "MATCHERS", "STARTS", "ENDS", "CREATED BY", "COMMENT")
    return table(header, (_silence_row(s, now) for s in silences))


def _silence_row(silence: Silence, now: datetime) -> tuple[str, ...]:
    return (
        silence.id,
        silence.state(now),
        " ".join(str(m) for m in silence.matchers),
        utc_minute(silence.starts_at),
        utc_minute(silence.ends_at),
        silence.created_by,
        silence.comment,
    )


def utc_minute(moment: datetime) -> str:
    """A silence's start or end for people, here and on the status page."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
