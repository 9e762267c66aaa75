"""The engine: the single authority on what counts as news. Pure: no I/O, no clock, no randomness.

`diff(previous, provider, result, now, policy) -> (new_state, events)`.

Behaviour table (each row is a test in tests/engine/):

| situation                                              | events                                        |
|--------------------------------------------------------|-----------------------------------------------|
| first successful poll of a provider                    | none: a silent baseline                       |
| component status differs from the confirmed one        | none until `confirm` consecutive polls agree  |
| ... confirmed, to degraded/partial/major outage        | component_changed (minor/major/critical)      |
| ... confirmed, from an outage to operational/maint.    | component_changed, resolves, info             |
| ... confirmed, between operational and maintenance     | none (maintenance does not page)              |
| component reads `unknown`                              | none; counts neither for nor against a change |
| component appears after the baseline                   | as if it had been operational                 |
| ... reading `unknown`, or never read since             | none; remembered as unknown, not operational  |
| component gone from a page that still lists some       | if it was in an outage: component_changed to |
|                                                        | `removed`, resolves; else none                |
| new open incident (relevant to the filter)             | incident_opened, severity from impact         |
| open incident's status or impact changes               | incident_updated, severity from impact        |
| incident resolved/postmortem, or gone from the page    | incident_resolved, resolves, info             |
| maintenance becomes in_progress/verifying              | maintenance_started, info                     |
| active maintenance completed or gone                   | maintenance_completed, resolves, info         |
| failed fetch or parse                                  | none; nothing resolved; state kept as it was  |
| `failure_threshold` consecutive failures               | one source_unreachable, minor                 |
| first success after source_unreachable                 | source_recovered (resolves, info), then the   |
|                                                        | normal comparison with the last known state   |

With a component filter only selected components are tracked; an incident or maintenance counts if
it affects a selected component or names none (and, once announced, is followed until it closes).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime
from typing import NamedTuple

from monitor.model import (
    Component,
    ComponentState,
    ComponentStatus,
    Event,
    EventKind,
    Impact,
    Incident,
    IncidentStatus,
    Maintenance,
    MaintenanceStatus,
    PollFailure,
    ProviderState,
    Severity,
    Snapshot,
)

_QUIET = {ComponentStatus.OPERATIONAL, ComponentStatus.UNDER_MAINTENANCE}


class Policy(NamedTuple):
    """Per-provider rules from the config."""

    confirm: int = 1
    failure_threshold: int = 3
    components: frozenset[str] | None = None  # names or ids to watch; None watches all


def diff(
    previous: ProviderState | None,
    provider: str,
    result: Snapshot | PollFailure,
    now: datetime,
    policy: Policy,
) -> tuple[ProviderState, list[Event]]:
    """Compare one poll's result with the remembered state; return the new state and the news."""
    state = _copy(previous) if previous is not None else ProviderState(provider=provider)
    state.last_poll_at = now
    if isinstance(result, PollFailure):
        return state, _failed(state, result, now, policy)
    events = _recovered(state, now)
    state.consecutive_failures = 0
    state.last_error = None
    state.last_success_at = now
    state.page_url = result.page_url
    state.description = result.description
    news = _News(provider, now, result.page_url)
    selected = [c for c in result.components if _selected(c, policy)]
    selected_ids = _selected_ids(selected, policy)
    watch_all = policy.components is None
    if state.baselined:
        state.components = _components(state.components, selected, bool(result.components), policy, news)
    else:
        state.components = {c.id: ComponentState(c.name, c.status, c.group) for c in selected}
    incidents = [
        i for i in result.incidents if watch_all or i.id in state.incidents or _affects(i, selected_ids)
    ]
    maintenances = [
        m for m in result.maintenances if watch_all or m.id in state.maintenances or _affects(m, selected_ids)
    ]
    state.incidents = _incidents(state.incidents, incidents, news, announce=state.baselined)
    state.maintenances = _maintenances(state.maintenances, maintenances, news, announce=state.baselined)
    state.baselined = True
    return state, events + news.events


def _copy(state: ProviderState) -> ProviderState:
    """A shallow copy is enough: the values in the dicts are immutable."""
    return replace(
        state,
        components=dict(state.components),
        incidents=dict(state.incidents),
        maintenances=dict(state.maintenances),
    )


def _failed(state: ProviderState, failure: PollFailure, now: datetime, policy: Policy) -> list[Event]:
    state.consecutive_failures += 1
    state.last_error = failure.message
    if state.unreachable or state.consecutive_failures < policy.failure_threshold:
        return []
    state.unreachable = True
    return [
        Event(
            kind=EventKind.SOURCE_UNREACHABLE,
            provider=state.provider,
            severity=Severity.MINOR,
            dedup_key=f"{state.provider}/source",
            title=f"{state.provider}: status page unreachable ({state.consecutive_failures} failed polls)",
            occurred_at=now,
            new_status="unreachable",
            detail=failure.message,
            url=state.page_url,
        )
    ]


def _recovered(state: ProviderState, now: datetime) -> list[Event]:
    if not state.unreachable:
        return []
    state.unreachable = False
    return [
        Event(
            kind=EventKind.SOURCE_RECOVERED,
            provider=state.provider,
            severity=Severity.INFO,
            dedup_key=f"{state.provider}/source",
            title=f"{state.provider}: status page reachable again",
            occurred_at=now,
            resolves=True,
            old_status="unreachable",
            new_status="reachable",
            url=state.page_url,
        )
    ]


def scheduled(snapshot: Snapshot, policy: Policy) -> tuple[Maintenance, ...]:
    """The page's maintenances still to come (scheduled, with a start) that the component filter watches:
    what routes' `remind_before` reminds of."""
    selected_ids = _selected_ids([c for c in snapshot.components if _selected(c, policy)], policy)
    return tuple(
        m
        for m in snapshot.maintenances
        if m.status is MaintenanceStatus.SCHEDULED
        and m.scheduled_for is not None
        and (policy.components is None or _affects(m, selected_ids))
    )


def _selected_ids(selected: list[Component], policy: Policy) -> set[str]:
    return {c.id for c in selected} | (policy.components or frozenset())


def _selected(component: Component, policy: Policy) -> bool:
    return policy.components is None or bool({component.id, component.name} & policy.components)


def _affects(item: Incident | Maintenance, selected_ids: set[str] | frozenset[str]) -> bool:
    return not item.component_ids or any(cid in selected_ids for cid in item.component_ids)


class _News:
    """Collects events for one poll, filling in what every event of this poll shares."""

    def __init__(self, provider: str, now: datetime, page_url: str) -> None:
        self.provider, self.now, self.page_url = provider, now, page_url
        self.events: list[Event] = []

    def add(
        self, kind: EventKind, what: str, subject_id: str, severity: Severity, title: str, **fields: object
    ) -> None:
        fields.setdefault("url", self.page_url)
        self.events.append(
            Event(
                kind=kind,
                provider=self.provider,
                severity=severity,
                dedup_key=f"{self.provider}/{what}/{subject_id}",
                title=f"{self.provider}: {title}",
                occurred_at=self.now,
                subject_id=subject_id,
                **fields,  # type: ignore[arg-type]
            )
        )


def _components(
    known: dict[str, ComponentState],
    seen: Iterable[Component],
    page_lists_components: bool,
    policy: Policy,
    news: _News,
) -> dict[str, ComponentState]:
    result: dict[str, ComponentState] = {}
    for c in seen:
        before = known.get(c.id)
        if before is None or before.status is ComponentStatus.UNKNOWN:
            if c.status is ComponentStatus.UNKNOWN:  # no reading yet: unknown, not operational
                result[c.id] = ComponentState(c.name, ComponentStatus.UNKNOWN, c.group)
                continue
            before = ComponentState(c.name, ComponentStatus.OPERATIONAL, c.group)
        result[c.id] = _component(c, before._replace(name=c.name, group=c.group), policy, news)
    for cid, gone in known.items():
        if cid in result:
            continue
        if not page_lists_components:  # a page that suddenly lists nothing proves nothing: keep what we knew
            result[cid] = gone
        elif gone.status.is_outage:
            news.add(
                EventKind.COMPONENT_CHANGED,
                "component",
                cid,
                Severity.INFO,
                f"{gone.name} removed from the page (was {gone.status.value})",
                resolves=True,
                subject_name=gone.name,
                group=gone.group,
                old_status=gone.status.value,
                new_status="removed",
            )
    return result


def _component(c: Component, before: ComponentState, policy: Policy, news: _News) -> ComponentState:
    if c.status is ComponentStatus.UNKNOWN:  # no reading: neither confirms nor cancels a pending change
        return before
    if c.status is before.status:
        return before._replace(pending=None, pending_count=0)
    count = before.pending_count + 1 if before.pending is c.status else 1
    if count < policy.confirm:
        return before._replace(pending=c.status, pending_count=count)
    old, new = before.status, c.status
    if not (old in _QUIET and new in _QUIET):
        recovered = not new.is_outage
        news.add(
            EventKind.COMPONENT_CHANGED,
            "component",
            c.id,
            Severity.INFO if recovered else new.severity,
            f"{c.name} {old.value} -> {new.value}",
            resolves=recovered,
            subject_name=c.name,
            group=c.group,
            old_status=old.value,
            new_status=new.value,
        )
    return ComponentState(c.name, new, c.group)


def _incidents(
    known: dict[str, Incident], seen: list[Incident], news: _News, *, announce: bool
) -> dict[str, Incident]:
    result: dict[str, Incident] = {}
    closed = {i.id: i for i in seen if i.status.is_closed}
    for inc in seen:
        if inc.status.is_closed:
            continue
        before = known.get(inc.id)
        if before is None:
            if announce:
                _incident_event(news, EventKind.INCIDENT_OPENED, inc, None)
            result[inc.id] = inc
            continue
        merged = inc._replace(
            status=before.status if inc.status is IncidentStatus.UNKNOWN else inc.status,
            impact=before.impact if inc.impact is Impact.UNKNOWN else inc.impact,
        )
        if (merged.status, merged.impact) != (before.status, before.impact):
            _incident_event(news, EventKind.INCIDENT_UPDATED, merged, before)
        result[inc.id] = merged
    for iid, before in known.items():
        if iid not in result:
            _incident_event(news, EventKind.INCIDENT_RESOLVED, closed.get(iid, before), before)
    return result


def _incident_event(news: _News, kind: EventKind, inc: Incident, before: Incident | None) -> None:
    resolved = kind is EventKind.INCIDENT_RESOLVED
    new_status = inc.status.value if inc.status.is_closed or not resolved else IncidentStatus.RESOLVED.value
    verb = {
        EventKind.INCIDENT_OPENED: "incident opened",
        EventKind.INCIDENT_UPDATED: "incident",
        EventKind.INCIDENT_RESOLVED: "resolved",
    }
    news.add(
        kind,
        "incident",
        inc.id,
        Severity.INFO if resolved else inc.impact.severity,
        f"{verb[kind]}: {inc.name} ({new_status}, impact {inc.impact.value})",
        resolves=resolved,
        subject_name=inc.name,
        old_status=before.status.value if before else None,
        new_status=new_status,
        impact=inc.impact.value,
        detail=inc.latest_update,
        url=inc.url or news.page_url,
    )


def _maintenances(
    known: dict[str, Maintenance], seen: list[Maintenance], news: _News, *, announce: bool
) -> dict[str, Maintenance]:
    result: dict[str, Maintenance] = {}
    for m in seen:
        still_running = m.id in known and m.status is MaintenanceStatus.UNKNOWN
        if not (m.status.is_active or still_running):
            continue
        if m.id not in known and announce:
            _maintenance_event(news, EventKind.MAINTENANCE_STARTED, m)
        result[m.id] = m
    for mid, before in known.items():
        if mid not in result:
            _maintenance_event(news, EventKind.MAINTENANCE_COMPLETED, before)
    return result


def _maintenance_event(news: _News, kind: EventKind, m: Maintenance) -> None:
    started = kind is EventKind.MAINTENANCE_STARTED
    news.add(
        kind,
        "maintenance",
        m.id,
        Severity.INFO,
        f"maintenance {'started' if started else 'completed'}: {m.name}",
        resolves=not started,
        subject_name=m.name,
        old_status=None if started else m.status.value,
        new_status=m.status.value if started else MaintenanceStatus.COMPLETED.value,
        impact=Impact.MAINTENANCE.value,
        detail=m.latest_update,
        url=m.url or news.page_url,
    )
