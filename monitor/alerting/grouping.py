"""Grouping: one notification per group of alerts, not one per event. Pure; `now` is passed in.

Each route takes the alerts its filters match (`takes`) and groups them by its `group_by` labels
(default `[provider]`; `[]` is one group for everything the route takes; `["..."]` makes every alert its
own group). The group key is `route=<index>` followed by `|label=value` for each `group_by` label in the
order given (`route=0|provider=github`), or `route=<index>|alert=<alert key>` for `["..."]`; `%`, `|` and
`=` in values are escaped as `%25`, `%7C`, `%3D`. A key longer than 255 characters (PagerDuty's dedup_key
limit) keeps its first 238 and ends with `~` and 16 hex digits of its SHA-256, so it stays unique.

What each notifier was last told about a group is a `Told` (Alertmanager's notification log). Per group
and notifier, `decide()` applies the first matching row (each row is a test in tests/alerting/):

| told?                 | now                                            | decision                          |
|-----------------------|------------------------------------------------|-----------------------------------|
| never (or of nothing) | nothing firing                                 | Idle: an alert that fired and     |
|                       |                                                | resolved unseen sends nothing     |
| never (or of nothing) | firing                                         | Send("firing") at group start +   |
|                       |                                                | group_wait; Hold until then       |
| told                  | nothing it was told of still fires, nothing    | Send("resolved") now: one resolve,|
|                       | new                                            | not delayed by group_interval     |
| told                  | worst severity above the told severity         | Send("escalated") now: no waiting |
| told                  | same firing set and severity, nothing resolved | Idle; with repeat_interval > 0,   |
|                       |                                                | Send("repeat") at sent_at +       |
|                       |                                                | repeat_interval, Hold until then  |
| told                  | any other change (alerts added at the same or  | Send("changed") at sent_at +      |
|                       | a lower severity, some resolved, severity      | group_interval; Hold until then   |
|                       | dropped)                                       |                                   |

`evaluate()` runs the whole pass over all alerts and routes:

| situation                                                 | what the group's notifier hears           |
|-----------------------------------------------------------|-------------------------------------------|
| an alert `held` (silenced/muted) or folded under a cause  | counts as not firing in its group         |
| ... while the notifier was told it fires                  | neither a change nor a resolution; it     |
|                                                           | stays in `alert_keys`, so its resolution  |
|                                                           | still reaches that notifier               |
| a suppression ends while the alert fires                  | it fires from then (group_wait from then) |
| it fired and resolved while suppressed, never told        | nothing                                   |
| told of an alert the route no longer takes (its severity  | still listed as firing to that notifier   |
| dropped below min_severity), still firing                 | until it resolves; the resolution goes to |
|                                                           | it too: whoever was paged hears the end   |
| an alert resolved that the notifier was told of           | listed as resolved, once                  |
| a dependent alert folded under a cause the route takes    | listed in the cause's group as `related`; |
|                                                           | it does not trigger a send by itself      |
| the route does not take the cause                         | not folded for that route: pages alone    |
| the notifier must hear again within `repeat_every`        | its repeat_interval and group_interval    |
| (Alertmanager: its `resend_interval`)                     | are at most that, whatever the route says |

A notification lists at most 20 alerts of each list (firing, resolved, related) and counts the rest, so a
page with 3,000 incidents gives one bounded notification; `alert_keys` has every key for the next `Told`.
Titles name the worst severity: critical "major outage", major "partial outage", minor "degraded", info
"notice" (a resolution: "resolved"), then at most 2 names of each kind, e.g.
`github: major outage — Git Operations, API Requests and 4 more; incident "Degraded availability"`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from fnmatch import fnmatchcase

from monitor.alerting.alerts import event_kinds
from monitor.alerting.dependencies import causes
from monitor.model import Alert, AlertKind, EventKind, GroupNotification, Severity, Told

MAX_LISTED = 20  # alerts listed per list of a notification; the rest are counted
TITLE_NAMES = 2  # names per kind in a title
MAX_TITLE = 250  # characters; a longer title ends with "…"
MAX_KEY = 255  # PagerDuty's dedup_key limit
EVERY_ALERT = "..."
FOLDED = "folded"
_TITLE_KINDS = (  # the order of a title's parts, and the word before quoted names
    (AlertKind.COMPONENT, ""),
    (AlertKind.INCIDENT, "incident"),
    (AlertKind.MAINTENANCE, "maintenance"),
    (AlertKind.SOURCE, ""),
)
SEVERITY_WORDS = {
    Severity.CRITICAL: "major outage",
    Severity.MAJOR: "partial outage",
    Severity.MINOR: "degraded",
    Severity.INFO: "notice",
}


@dataclass(frozen=True, slots=True)
class Timing:
    group_wait: timedelta = timedelta(0)  # before a new group's first notification
    group_interval: timedelta = timedelta(minutes=5)  # between notifications of a changing group
    repeat_interval: timedelta = timedelta(0)  # re-send an unchanged firing group; 0 = never


@dataclass(frozen=True, slots=True)
class RouteSpec:
    """What grouping needs of a configured route; `index` is its position in the config."""

    index: int
    notify: tuple[str, ...]
    providers: tuple[str, ...] | None = None  # fnmatch globs
    min_severity: Severity | None = None
    kinds: frozenset[EventKind] | None = None
    group_by: tuple[str, ...] = ("provider",)
    timing: Timing = Timing()
    mute_intervals: tuple[str, ...] = ()  # names, for the `held` callback
    active_intervals: tuple[str, ...] = ()
    remind_before: timedelta = timedelta(0)  # maintenance reminders (monitor/alerting/reminders.py); 0 = none


@dataclass(frozen=True, slots=True)
class Send:
    reason: str  # firing | escalated | changed | repeat | resolved


@dataclass(frozen=True, slots=True)
class Hold:
    until: datetime


@dataclass(frozen=True, slots=True)
class Idle:
    pass


Decision = Send | Hold | Idle


@dataclass(frozen=True)
class Evaluation:
    notifications: list[GroupNotification]
    next_wakeup: datetime | None  # the earliest Hold: when to evaluate again without news
    group_started: dict[str, datetime]  # groups with something firing: when that began
    counts: dict[str, int]  # firing alerts by state: firing, silenced, muted, folded, ...
    settled: frozenset[str]  # resolved alerts no notifier still needs to hear of: safe to forget


Held = Callable[[Alert, RouteSpec], str | None]


def _never_held(alert: Alert, route: RouteSpec) -> str | None:
    return None


def takes(route: RouteSpec, alert: Alert) -> bool:
    """The route's filters match the alert (providers globs, min_severity, kinds)."""
    if route.providers is not None and not any(fnmatchcase(alert.provider, g) for g in route.providers):
        return False
    if route.min_severity is not None and alert.severity < route.min_severity:
        return False
    return route.kinds is None or bool(route.kinds & event_kinds(alert.kind))


def group_key(route: RouteSpec, alert: Alert) -> str:
    """The key of the route's group that `alert` belongs to (see the module docstring)."""
    prefix = f"route={route.index}"
    if EVERY_ALERT in route.group_by:
        parts = [f"alert={escape(alert.key)}"]
    else:
        labels = alert.labels
        parts = [f"{escape(name)}={escape(labels.get(name, ''))}" for name in route.group_by]
    return bounded_key("|".join([prefix, *parts]))


def bounded_key(key: str) -> str:
    """`key`, or when longer than MAX_KEY its start, `~` and 16 hex digits of its SHA-256: still unique."""
    if len(key) <= MAX_KEY:
        return key
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    return f"{key[: MAX_KEY - 17]}~{digest}"


def escape(value: str) -> str:
    return value.replace("%", "%25").replace("|", "%7C").replace("=", "%3D")


def _in_route(key: str, route: RouteSpec) -> bool:
    prefix = f"route={route.index}"
    return key == prefix or key.startswith(prefix + "|")


def decide(
    firing: Sequence[Alert],
    resolved: Sequence[Alert],
    told: Told | None,
    group_started_at: datetime,
    now: datetime,
    timing: Timing,
) -> Decision:
    """Whether to tell one notifier about one group now (the table in the module docstring)."""
    if told is None or not told.firing:
        if not firing:
            return Idle()
        return _at(group_started_at + timing.group_wait, now, "firing")
    if not firing:
        return Send("resolved")
    worst = max(a.severity for a in firing)
    if worst > told.severity:
        return Send("escalated")
    if not resolved and worst == told.severity and {a.key for a in firing} == told.firing:
        if timing.repeat_interval <= timedelta(0):
            return Idle()
        return _at(told.sent_at + timing.repeat_interval, now, "repeat")
    return _at(told.sent_at + timing.group_interval, now, "changed")


def for_notifier(timing: Timing, repeat_every: timedelta | None) -> Timing:
    """The route's timing for a notifier that must hear of a firing group at least every `repeat_every`
    (Alertmanager resolves alerts not re-sent within its resolve_timeout): repeats and changes no later."""
    if repeat_every is None:
        return timing
    repeat = (
        repeat_every if timing.repeat_interval <= timedelta(0) else min(timing.repeat_interval, repeat_every)
    )
    return replace(timing, group_interval=min(timing.group_interval, repeat_every), repeat_interval=repeat)


def _at(when: datetime, now: datetime, reason: str) -> Decision:
    return Send(reason) if now >= when else Hold(when)


def evaluate(
    alerts: Mapping[str, Alert],
    routes: Sequence[RouteSpec],
    told: Mapping[tuple[str, str], Told],
    group_started: Mapping[str, datetime],
    now: datetime,
    held: Held = _never_held,
    depends_on: Mapping[str, Sequence[str]] | None = None,
    repeat_every: Mapping[str, timedelta] | None = None,
) -> Evaluation:
    """The notifications due now for every (group, notifier) of every route, and when to look again.
    `repeat_every`: notifier -> how often it must hear of a group still firing."""
    notifications: list[GroupNotification] = []
    holds: list[datetime] = []
    started: dict[str, datetime] = {}
    delivered: set[str] = set()
    reasons: dict[str, str] = {}
    for route in routes:
        plan = _plan(alerts, route, held, depends_on or {})
        for key, reason in plan.reasons.items():
            reasons.setdefault(key, reason)
        for gk, members in plan.active.items():
            delivered.update(a.key for a in members)
            started[gk] = group_started.get(gk, now)
        told_here = {gk for gk, notifier in told if notifier in route.notify and _in_route(gk, route)}
        for gk in sorted(set(plan.active) | told_here):
            for notifier in route.notify:
                entry = told.get((gk, notifier))
                timing = for_notifier(route.timing, (repeat_every or {}).get(notifier))
                decision, note = _notify(
                    plan, gk, notifier, entry, alerts, route, timing, started.get(gk, now), now
                )
                if isinstance(decision, Hold):
                    holds.append(decision.until)
                elif note is not None:
                    notifications.append(note)
                    if note.status == "firing" and route.timing.repeat_interval > timedelta(0):
                        holds.append(now + route.timing.repeat_interval)  # the repeat falls due then
    counts: dict[str, int] = {}
    for alert in alerts.values():
        if alert.firing:
            state = "firing" if alert.key in delivered else reasons.get(alert.key, "firing")
            counts[state] = counts.get(state, 0) + 1
    still_told = {key for entry in told.values() for key in entry.firing}
    settled = frozenset(k for k, a in alerts.items() if not a.firing and k not in still_told)
    return Evaluation(notifications, min(holds, default=None), started, counts, settled)


@dataclass(frozen=True)
class _Plan:
    """One route's view of the firing alerts: its groups, what is held and why, what is folded where."""

    active: dict[str, list[Alert]]  # group key -> taken alerts neither held nor folded
    reasons: dict[str, str]  # alert key -> why it is not firing in this route (held reason or "folded")
    related: dict[str, list[Alert]]  # group key of a cause -> alerts folded under it


def _plan(
    alerts: Mapping[str, Alert], route: RouteSpec, held: Held, depends_on: Mapping[str, Sequence[str]]
) -> _Plan:
    firing = [a for a in alerts.values() if a.firing]
    reasons = {a.key: r for a in firing if (r := held(a, route)) is not None}
    unheld = [a for a in firing if a.key not in reasons and takes(route, a)]
    folded = causes(unheld, depends_on)
    active: dict[str, list[Alert]] = {}
    related: dict[str, list[Alert]] = {}
    for alert in unheld:
        cause = folded.get(alert.key)
        if cause is None:
            active.setdefault(group_key(route, alert), []).append(alert)
        else:
            reasons[alert.key] = FOLDED
            related.setdefault(group_key(route, cause), []).append(alert)
    return _Plan(active, reasons, related)


def _notify(
    plan: _Plan,
    gk: str,
    notifier: str,
    told: Told | None,
    alerts: Mapping[str, Alert],
    route: RouteSpec,
    timing: Timing,
    group_started_at: datetime,
    now: datetime,
) -> tuple[Decision, GroupNotification | None]:
    firing = {a.key: a for a in plan.active.get(gk, [])}
    resolved: list[Alert] = []
    still_held: set[str] = set()
    for key in sorted(told.firing if told else ()):
        alert = alerts.get(key)
        if alert is None or key in firing:
            continue
        if not alert.firing:
            resolved.append(alert)
        elif key in plan.reasons:
            still_held.add(key)
        else:
            firing[key] = alert  # told of it, no longer taken: followed until it resolves
    effective = told._replace(firing=told.firing - still_held) if told else None
    ordered = sorted(firing.values(), key=_order)
    resolved.sort(key=_order)
    decision = decide(ordered, resolved, effective, group_started_at, now, timing)
    if not isinstance(decision, Send):
        return decision, None
    related = sorted(plan.related.get(gk, []), key=_order) if ordered else []
    return decision, GroupNotification(
        group_key=gk,
        route=route.index,
        notifier=notifier,
        reason=decision.reason,
        status="firing" if ordered or still_held else "resolved",
        severity=_worst(ordered or resolved, told.severity if told else Severity.INFO),
        title=title(ordered, resolved),
        firing=tuple(ordered[:MAX_LISTED]),
        resolved=tuple(resolved[:MAX_LISTED]),
        related=tuple(related[:MAX_LISTED]),
        firing_total=len(ordered),
        resolved_total=len(resolved),
        related_total=len(related),
        alert_keys=frozenset(firing) | still_held,
        receipt=told.receipt if told else {},
    )


def _order(alert: Alert) -> tuple[int, datetime, str]:
    """Worst severity first, then the oldest, then by key so the order is stable."""
    return (-alert.severity, alert.started_at, alert.key)


def _worst(alerts: Iterable[Alert], default: Severity) -> Severity:
    return max((a.severity for a in alerts), default=default)


def title(firing: Sequence[Alert], resolved: Sequence[Alert]) -> str:
    """One line naming the provider(s), the worst severity and what is affected (see the module docstring).

    Describes the firing alerts, or the resolved ones ("resolved") when nothing fires; `firing` is expected
    in notification order (worst first).
    """
    shown = firing or resolved
    state = SEVERITY_WORDS[_worst(firing, Severity.INFO)] if firing else "resolved"
    providers = _listing(list(dict.fromkeys(a.provider for a in shown)), TITLE_NAMES)
    parts: list[str] = []
    for kind, label in _TITLE_KINDS:
        names = list(dict.fromkeys(a.summary for a in shown if a.kind is kind))
        if not names:
            continue
        if kind is AlertKind.SOURCE:
            parts.append(names[0])
        elif kind is AlertKind.COMPONENT:
            parts.append(_listing(names, TITLE_NAMES))
        else:
            quoted = [f'"{n}"' for n in names]
            parts.append(f"{label}{'s' if len(names) > 1 else ''} {_listing(quoted, TITLE_NAMES)}")
    text = f"{providers}: {state} — {'; '.join(parts)}" if parts else f"{providers}: {state}"
    return text if len(text) <= MAX_TITLE else text[: MAX_TITLE - 1] + "…"


def _listing(names: Sequence[str], limit: int) -> str:
    """`a`, `a and b`, `a, b and 3 more` (thousands separated: `and 2,998 more`)."""
    if len(names) <= limit:
        return " and ".join([", ".join(names[:-1]), names[-1]]) if len(names) > 1 else "".join(names)
    return f"{', '.join(names[:limit])} and {len(names) - limit:,} more"
