"""The status page for people: the providers as the JSON API shows them, problems first, as one HTML page,
with the silences in force (or about to be) so nobody wonders why a visible outage paged no one.

It is read in a hurry: a healthy provider is one line, and a provider with problems shows what is wrong
(its components that are not operational, its open incidents and maintenance) with the operational
components folded behind a count in a `<details>` (no script needed). Each links to its own page.

Everything on it but our own labels comes from third-party status pages, so it is untrusted: Jinja2
escapes every value, links are kept only when they are http(s), and the response's Content-Security-Policy
allows no script and no request to anywhere (the page needs nothing from outside: it works in a closed
network).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined

from monitor.alerting.silences import Silence
from monitor.human_time import ago, clock
from monitor.model import ComponentStatus
from monitor.report import utc_minute
from monitor.store.codec import parse_time

RECENT_EVENTS = 25
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)

# Worst first. A page we cannot read hides whatever is happening: below the outages we can see, above
# maintenance and all-clear.
_RANK = {
    ComponentStatus.MAJOR_OUTAGE: 0,
    ComponentStatus.PARTIAL_OUTAGE: 1,
    ComponentStatus.DEGRADED_PERFORMANCE: 2,
    ComponentStatus.UNKNOWN: 3,
    ComponentStatus.UNDER_MAINTENANCE: 4,
    ComponentStatus.OPERATIONAL: 5,
}
_LABELS = {
    ComponentStatus.MAJOR_OUTAGE: "Major outage",
    ComponentStatus.PARTIAL_OUTAGE: "Partial outage",
    ComponentStatus.DEGRADED_PERFORMANCE: "Degraded performance",
    ComponentStatus.UNKNOWN: "Unknown",
    ComponentStatus.UNDER_MAINTENANCE: "Under maintenance",
    ComponentStatus.OPERATIONAL: "Operational",
}

_env = Environment(
    loader=PackageLoader("monitor", "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True, slots=True)
class ComponentGroup:
    name: str | None  # None: components outside any group
    components: list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Card:
    """What a provider's card shows: one line when healthy; else its problems, the rest folded."""

    href: str  # its own page
    healthy: bool  # operational, nothing open
    problems: list[ComponentGroup]  # components not operational
    operational: list[ComponentGroup]  # folded
    operational_count: int


def render(
    providers: list[dict[str, Any]],
    events: list[dict[str, Any]],
    now: datetime,
    refresh: int,
    *,
    silences: Iterable[Silence],
    by_category: bool = False,
    replicas: Sequence[Mapping[str, Any]] = (),
) -> str:
    """The page for `provider_json` dicts, `event_to_dict` dicts (newest first) and the silences kept,
    as of `now`; expired silences are left out, the rest end soonest first. `by_category` puts the
    providers under their categories' headings (A to Z, uncategorised last), problems first in each.
    `replicas` (`/api/v1/cluster`'s, when replicas share the store) are listed in a Cluster section."""
    ordered = sorted(providers, key=lambda p: (_RANK[ComponentStatus(p["status"])], p["name"]))
    problems = sum(1 for p in ordered if is_problem(p["status"]))
    shown = sorted((s for s in silences if s.state(now) != "expired"), key=lambda s: (s.ends_at, s.id))
    template = _env.get_template("status.html")
    return template.render(
        providers=ordered,
        sections=by_category_sections(ordered) if by_category else _one_section(ordered),
        problems=problems,
        events=events,
        silences=shown,
        replicas=replicas,
        utc=utc_minute,
        now=now,
        refresh=refresh,
        label=status_label,
        is_problem=is_problem,
        link=safe_link,
        ago=lambda text: ago(text, now),
        clock=lambda text: clock(text, now),
        card=provider_card,
    )


@dataclass(frozen=True, slots=True)
class ProviderSection:
    heading: str | None  # a category; None: no heading (the page is not grouped)
    providers: list[dict[str, Any]]


UNCATEGORISED = "Uncategorised"


def by_category_sections(providers: list[dict[str, Any]]) -> list[ProviderSection]:
    """The providers under their categories, A to Z in any case, uncategorised last; order kept within."""
    by_category: dict[str, list[dict[str, Any]]] = {}
    for provider in providers:
        by_category.setdefault(provider["category"] or UNCATEGORISED, []).append(provider)
    headings = sorted(by_category, key=lambda h: (h == UNCATEGORISED, h.casefold()))
    return [ProviderSection(heading, by_category[heading]) for heading in headings]


def _one_section(providers: list[dict[str, Any]]) -> list[ProviderSection]:
    """The ungrouped page: one section without a heading, none at all without providers."""
    return [ProviderSection(None, providers)] if providers else []


def is_problem(status: str) -> bool:
    return _RANK[ComponentStatus(status)] < _RANK[ComponentStatus.UNDER_MAINTENANCE]


def status_label(status: str | None) -> str:
    """A component status in words; anything outside the vocabulary is shown as it is."""
    if status is None:
        return "none yet"
    try:
        return _LABELS[ComponentStatus(status)]
    except ValueError:
        return status


def component_groups(components: list[dict[str, Any]]) -> list[ComponentGroup]:
    """Components by group, in the page's order: ungrouped ones first, then each group as first seen."""
    by_group: dict[str | None, list[dict[str, Any]]] = {None: []}
    for component in components:
        by_group.setdefault(component["group"], []).append(component)
    return [ComponentGroup(name, members) for name, members in by_group.items() if members]


def provider_card(provider: dict[str, Any]) -> Card:
    """The card of a `provider_json` dict."""
    operational = [c for c in provider["components"] if c["status"] == ComponentStatus.OPERATIONAL]
    problems = [c for c in provider["components"] if c["status"] != ComponentStatus.OPERATIONAL]
    healthy = (
        provider["status"] == ComponentStatus.OPERATIONAL
        and not provider["incidents"]
        and not provider["maintenances"]
    )
    return Card(
        href=provider_href(provider["name"]),
        healthy=healthy,
        problems=component_groups(problems),
        operational=component_groups(operational),
        operational_count=len(operational),
    )


def provider_href(name: str) -> str:
    """The provider's own page, its name escaped as one path segment."""
    return "/providers/" + quote(name, safe="")


def safe_link(url: str | None) -> str | None:
    """The URL if it is http(s): a `javascript:` link from a hostile page must not become clickable."""
    if url is None:
        return None
    try:
        scheme = urlsplit(url).scheme
    except ValueError:
        return None
    return url if scheme.lower() in ("http", "https") else None


def render_provider(
    provider: dict[str, Any], history: list[dict[str, Any]], availability: list[dict[str, Any]], now: datetime
) -> str:
    """One provider's page (monitor/provider_detail.py): `provider_json`, its stored incidents (newest
    first, each with its updates) split into open and past, and its components' availability."""
    template = _env.get_template("provider.html")
    return template.render(
        p=provider,
        open_incidents=[i for i in history if i["resolved_at"] is None],
        past_incidents=[i for i in history if i["resolved_at"] is not None],
        availability=availability,
        now=now,
        groups=component_groups,
        label=status_label,
        link=safe_link,
        ago=lambda text: ago(text, now),
        when=lambda text: utc_minute(parse_time(text)) if text else "unknown time",
        percent=_percent,
        span=_span,
    )


def _percent(ratio: float | None) -> str:
    return "no data" if ratio is None else f"{ratio * 100:.2f}%"


def _span(seconds: float) -> str:
    """A duration for people: 2 h 5 min, 40 min, 12 s."""
    whole = int(seconds)
    if whole >= 3600:
        return f"{whole // 3600} h {whole % 3600 // 60} min"
    return f"{whole // 60} min" if whole >= 60 else f"{whole} s"
