"""The normalized vocabulary every room speaks: what a status page says, and what we tell people.

Plain typed data. Sources produce `Snapshot`s, the engine turns them into `Event`s, the alerting stage
turns events into `Alert`s and alert groups into `GroupNotification`s, queued as `Notification`s in the
outbox. Nothing here does I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum, StrEnum
from types import MappingProxyType
from typing import NamedTuple


class ComponentStatus(StrEnum):
    """A component's status, the vocabulary of Atlassian Statuspage (the most common format)."""

    OPERATIONAL = "operational"
    UNDER_MAINTENANCE = "under_maintenance"
    DEGRADED_PERFORMANCE = "degraded_performance"
    PARTIAL_OUTAGE = "partial_outage"
    MAJOR_OUTAGE = "major_outage"
    UNKNOWN = "unknown"

    @property
    def level(self) -> int | None:
        """Metric value: 0 operational .. 4 major outage; None when unknown (keep the last known)."""
        return _LEVELS.get(self)

    @property
    def is_outage(self) -> bool:
        """Degraded, partial or major: a state worth paging about."""
        return self in (
            ComponentStatus.DEGRADED_PERFORMANCE,
            ComponentStatus.PARTIAL_OUTAGE,
            ComponentStatus.MAJOR_OUTAGE,
        )

    @property
    def severity(self) -> Severity:
        return _COMPONENT_SEVERITY.get(self, Severity.INFO)


class IncidentStatus(StrEnum):
    INVESTIGATING = "investigating"
    IDENTIFIED = "identified"
    MONITORING = "monitoring"
    RESOLVED = "resolved"
    POSTMORTEM = "postmortem"
    UNKNOWN = "unknown"

    @property
    def is_closed(self) -> bool:
        return self in (IncidentStatus.RESOLVED, IncidentStatus.POSTMORTEM)


class Impact(StrEnum):
    NONE = "none"
    MINOR = "minor"
    MAJOR = "major"
    CRITICAL = "critical"
    MAINTENANCE = "maintenance"
    UNKNOWN = "unknown"

    @property
    def severity(self) -> Severity:
        """Impact maps like component status: minor -> minor, major -> major, critical -> critical.

        An impact we cannot read is treated as minor: an open incident is news even when unlabelled.
        """
        return _IMPACT_SEVERITY[self]

    @property
    def component_status(self) -> ComponentStatus:
        """The component status an incident of this impact implies, for a page-level reading."""
        return _IMPACT_STATUS[self]


class MaintenanceStatus(StrEnum):
    SCHEDULED = "scheduled"
    IN_PROGRESS = "in_progress"
    VERIFYING = "verifying"
    COMPLETED = "completed"
    UNKNOWN = "unknown"

    @property
    def is_active(self) -> bool:
        return self in (MaintenanceStatus.IN_PROGRESS, MaintenanceStatus.VERIFYING)


class Severity(IntEnum):
    """How loudly to tell people. Ordered, so routes can say `min_severity: major`."""

    INFO = 0
    MINOR = 1
    MAJOR = 2
    CRITICAL = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, value: str) -> Severity:
        return cls[value.upper()]


_LEVELS = {
    ComponentStatus.OPERATIONAL: 0,
    ComponentStatus.UNDER_MAINTENANCE: 1,
    ComponentStatus.DEGRADED_PERFORMANCE: 2,
    ComponentStatus.PARTIAL_OUTAGE: 3,
    ComponentStatus.MAJOR_OUTAGE: 4,
}
_COMPONENT_SEVERITY = {
    ComponentStatus.DEGRADED_PERFORMANCE: Severity.MINOR,
    ComponentStatus.PARTIAL_OUTAGE: Severity.MAJOR,
    ComponentStatus.MAJOR_OUTAGE: Severity.CRITICAL,
}
_IMPACT_SEVERITY = {
    Impact.NONE: Severity.INFO,
    Impact.MINOR: Severity.MINOR,
    Impact.MAJOR: Severity.MAJOR,
    Impact.CRITICAL: Severity.CRITICAL,
    Impact.MAINTENANCE: Severity.INFO,
    Impact.UNKNOWN: Severity.MINOR,
}
_IMPACT_STATUS = {
    Impact.NONE: ComponentStatus.OPERATIONAL,
    Impact.MINOR: ComponentStatus.DEGRADED_PERFORMANCE,
    Impact.MAJOR: ComponentStatus.PARTIAL_OUTAGE,
    Impact.CRITICAL: ComponentStatus.MAJOR_OUTAGE,
    Impact.MAINTENANCE: ComponentStatus.UNDER_MAINTENANCE,
    Impact.UNKNOWN: ComponentStatus.DEGRADED_PERFORMANCE,
}


# The records built often (what a page says, events, alerts, component states) are named tuples, not frozen
# dataclasses: a parse builds one per component, incident and update listed, and a named tuple costs a third
# as much to build; its class costs a sixth as much to create, which every command pays at start-up.


class Component(NamedTuple):
    """One component as the page shows it."""

    id: str
    name: str
    status: ComponentStatus
    group: str | None = None  # the name of the group container, when the page groups components


class IncidentUpdate(NamedTuple):
    """One entry of an incident's timeline as the vendor wrote it (investigating, identified, ...)."""

    at: datetime | None
    status: IncidentStatus
    text: str


class Incident(NamedTuple):
    id: str
    name: str
    status: IncidentStatus
    impact: Impact
    url: str | None = None
    started_at: datetime | None = None
    updated_at: datetime | None = None
    latest_update: str | None = None  # body of the newest update, plain text
    component_ids: tuple[str, ...] = ()  # affected components; empty when the page names none
    updates: tuple[IncidentUpdate, ...] = ()  # the timeline, oldest first, where the format gives one
    resolved_at: datetime | None = None  # when the page says it was resolved


class Maintenance(NamedTuple):
    id: str
    name: str
    status: MaintenanceStatus
    url: str | None = None
    scheduled_for: datetime | None = None
    scheduled_until: datetime | None = None
    latest_update: str | None = None
    component_ids: tuple[str, ...] = ()


class Snapshot(NamedTuple):
    """Everything one successful fetch + parse learned about a page."""

    page_url: str
    components: tuple[Component, ...] = ()
    incidents: tuple[Incident, ...] = ()  # unresolved ones, plus any the page still shows as resolved
    maintenances: tuple[Maintenance, ...] = ()
    indicator: Impact = Impact.NONE  # the page's own overall reading
    description: str | None = None  # the page's own headline, e.g. "All Systems Operational"
    warnings: tuple[str, ...] = ()  # things the parser could not read (unknown enum values, ...)


class PollFailure(NamedTuple):
    """A fetch or parse that failed; carries a message safe to show."""

    outcome: str
    message: str
    retry_after: float | None = None  # what the server asked for, for the poller's backoff


class EventKind(StrEnum):
    COMPONENT_CHANGED = "component_changed"
    INCIDENT_OPENED = "incident_opened"
    INCIDENT_UPDATED = "incident_updated"
    INCIDENT_RESOLVED = "incident_resolved"
    MAINTENANCE_STARTED = "maintenance_started"
    MAINTENANCE_COMPLETED = "maintenance_completed"
    SOURCE_UNREACHABLE = "source_unreachable"
    SOURCE_RECOVERED = "source_recovered"


class Event(NamedTuple):
    """One piece of news about a provider, as the engine decided it.

    `dedup_key` names the thing the news is about (`github/component/<id>`); a notifier that alerts
    on a key and later sees an event with `resolves=True` for the same key closes that alert.
    """

    kind: EventKind
    provider: str
    severity: Severity
    dedup_key: str
    title: str  # one line for humans: "GitHub: API Requests is partial_outage"
    occurred_at: datetime  # when we detected it (UTC)
    resolves: bool = False
    subject_id: str | None = None  # component, incident or maintenance id
    subject_name: str | None = None
    old_status: str | None = None
    new_status: str | None = None
    impact: str | None = None
    detail: str | None = None  # latest update text, or the error for source events
    url: str | None = None  # link to the page or the incident
    group: str | None = None


UNREACHABLE = "status page unreachable"  # the summary of a source alert


class AlertKind(StrEnum):
    """What an alert is about: the first word of the event kinds that open it."""

    COMPONENT = "component"
    INCIDENT = "incident"
    MAINTENANCE = "maintenance"
    SOURCE = "source"


class Alert(NamedTuple):
    """One open (or just resolved) problem of one provider, keyed by the engine's dedup key."""

    key: str
    provider: str
    kind: AlertKind
    severity: Severity
    summary: str  # short human name: the component's or incident's name, or "status page unreachable"
    title: str  # the latest event's title
    started_at: datetime
    updated_at: datetime
    url: str | None = None
    component: str | None = None
    detail: str | None = None
    resolved_at: datetime | None = None

    @property
    def firing(self) -> bool:
        return self.resolved_at is None

    @property
    def labels(self) -> dict[str, str]:
        labels = {"provider": self.provider, "kind": self.kind.value, "severity": self.severity.label}
        if self.component is not None:
            labels["component"] = self.component
        return labels

    @classmethod
    def from_event(cls, event: Event) -> Alert:
        """The alert a non-resolving event opens."""
        kind = AlertKind(event.kind.value.partition("_")[0])
        name = event.subject_name or event.subject_id or event.dedup_key
        return cls(
            key=event.dedup_key,
            provider=event.provider,
            kind=kind,
            severity=event.severity,
            summary=UNREACHABLE if kind is AlertKind.SOURCE else name,
            title=event.title,
            started_at=event.occurred_at,
            updated_at=event.occurred_at,
            url=event.url,
            component=name if kind is AlertKind.COMPONENT else None,
            detail=event.detail,
        )


NO_RECEIPT: Mapping[str, str] = MappingProxyType(
    {}
)  # nothing returned yet (read-only: shared by every record)


class Told(NamedTuple):
    """What one notifier was last sent about one group (Alertmanager's notification log entry)."""

    firing: frozenset[str]  # alert keys
    severity: Severity
    sent_at: datetime
    receipt: Mapping[str, str] = NO_RECEIPT  # what the service returned, for the next send


class GroupNotification(NamedTuple):
    """What one notifier is told about one alert group: the outbox's payload."""

    group_key: str
    route: int
    notifier: str
    reason: str  # firing (a new episode) | escalated | changed | repeat | resolved
    status: str  # "firing" | "resolved"
    severity: Severity  # worst firing, or worst resolved when nothing fires
    title: str
    firing: tuple[Alert, ...]  # worst severity first, then oldest; at most MAX_LISTED
    resolved: tuple[Alert, ...]  # resolved since the notifier was last told; at most MAX_LISTED
    related: tuple[Alert, ...]  # dependents' alerts folded under this group; at most MAX_LISTED
    firing_total: int
    resolved_total: int
    related_total: int
    alert_keys: frozenset[str]  # what the notifier will have been told fires: the next Told.firing
    receipt: Mapping[str, str] = NO_RECEIPT
    text: str | None = None  # a notifier's `text_template` rendered at send time; never stored

    @property
    def truncated(self) -> bool:
        return (self.firing_total, self.resolved_total, self.related_total) != (
            len(self.firing),
            len(self.resolved),
            len(self.related),
        )


class Notification(NamedTuple):
    """One group notification to be delivered to one notifier. `id` is stable across retries (webhook-id);
    `receipt` is what the notifier's last delivery for the same group returned (Slack's thread ts, ...)."""

    id: str
    notifier: str
    message: GroupNotification
    created_at: datetime
    attempts: int = 0
    receipt: Mapping[str, str] = NO_RECEIPT


class ComponentState(NamedTuple):
    """What the engine remembers about one component between polls."""

    name: str
    status: ComponentStatus  # the confirmed status
    group: str | None = None
    pending: ComponentStatus | None = None  # a different status seen, awaiting confirmation
    pending_count: int = 0


@dataclass(slots=True)
class ProviderState:
    """What the engine remembers about one provider between polls; persisted as JSON."""

    provider: str
    page_url: str | None = None
    baselined: bool = False
    components: dict[str, ComponentState] = field(default_factory=dict)
    incidents: dict[str, Incident] = field(default_factory=dict)  # open incidents we have announced
    maintenances: dict[str, Maintenance] = field(default_factory=dict)  # active maintenances
    description: str | None = None
    consecutive_failures: int = 0
    unreachable: bool = False  # a source_unreachable event was emitted and not yet recovered
    last_error: str | None = None
    last_poll_at: datetime | None = None
    last_success_at: datetime | None = None

    def read_again(self, at: datetime) -> ProviderState:
        """This state, its page read successfully again at `at` with nothing new: what
        `dataclasses.replace(self, last_poll_at=at, last_success_at=at)` gives, for a seventh of its
        cost (the poller calls it on every quiet 304)."""
        return ProviderState(
            self.provider,
            self.page_url,
            self.baselined,
            self.components,
            self.incidents,
            self.maintenances,
            self.description,
            self.consecutive_failures,
            self.unreachable,
            self.last_error,
            at,
            at,
        )

    @property
    def up(self) -> bool:
        """The last fetch+parse succeeded."""
        return self.last_success_at is not None and self.consecutive_failures == 0

    def overall_status(self) -> ComponentStatus:
        """The worst of the confirmed components and the open incidents; maintenance if nothing worse.
        Unknown when the page lists components and none of them could be read: never "operational"
        from a page we could not understand."""
        worst = ComponentStatus.OPERATIONAL
        candidates = [c.status for c in self.components.values()]
        candidates += [i.impact.component_status for i in self.incidents.values()]
        if self.maintenances:
            candidates.append(ComponentStatus.UNDER_MAINTENANCE)
        if candidates and all(status.level is None for status in candidates):
            return ComponentStatus.UNKNOWN
        for status in candidates:
            level = status.level
            if level is not None and level > (worst.level or 0):
                worst = status
        return worst
