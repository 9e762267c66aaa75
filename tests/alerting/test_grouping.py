"""Grouping: one test per row of the two tables in monitor/alerting/grouping.py, then whole outages.

The caller's bookkeeping (what each notifier was told after a send) is `record()` here, as the store will
do it: the next `Told.firing` is the notification's `alert_keys`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from monitor.alerting.alerts import Alert, AlertKind, apply_events
from monitor.alerting.grouping import (
    MAX_KEY,
    Evaluation,
    Hold,
    Idle,
    RouteSpec,
    Send,
    Timing,
    decide,
    evaluate,
    for_notifier,
    group_key,
    title,
)
from monitor.engine import Policy, diff
from monitor.model import (
    Component,
    ComponentStatus,
    EventKind,
    Impact,
    Incident,
    IncidentStatus,
    Severity,
    Told,
)
from monitor.model import Snapshot as Page
from tests.alerting.alert_factory import T0, alert, at

FIVE_MIN = timedelta(minutes=5)
ROUTE = RouteSpec(index=0, notify=("pagerduty", "slack"))
API = alert("API Requests", severity=Severity.MAJOR)
GIT = alert("Git Operations", severity=Severity.MAJOR)


def told(*alerts: Alert, severity: Severity = Severity.MAJOR, sent: float = 0) -> Told:
    return Told(frozenset(a.key for a in alerts), severity, at(sent), {"ts": "1700000000.0001"})


def record(
    ev: Evaluation, now: datetime, before: Mapping[tuple[str, str], Told] = {}
) -> dict[tuple[str, str], Told]:
    result = dict(before)
    for n in ev.notifications:
        result[(n.group_key, n.notifier)] = Told(n.alert_keys, n.severity, now, n.receipt)
    return result


def sent(ev: Evaluation) -> list[tuple[str, str, str]]:
    return [(n.notifier, n.status, n.reason) for n in ev.notifications]


# decide(): the first table


def test_never_told_and_nothing_firing_is_idle() -> None:
    assert decide([], [], None, T0, at(600), Timing()) == Idle()


def test_never_told_and_firing_sends_once_group_wait_has_passed_and_holds_before() -> None:
    wait = Timing(group_wait=timedelta(seconds=30))
    assert decide([API], [], None, T0, at(10), wait) == Hold(at(30))
    assert decide([API], [], None, T0, at(30), wait) == Send("firing")
    assert decide([API], [], None, T0, T0, Timing()) == Send("firing")  # default group_wait 0
    told_nothing = Told(frozenset(), Severity.MAJOR, at(-100))  # after a resolve: a new episode waits again
    assert decide([API], [], told_nothing, T0, at(10), wait) == Hold(at(30))


def test_told_and_nothing_it_was_told_of_still_fires_sends_resolved_now() -> None:
    done = API._replace(resolved_at=at(20))
    assert decide([], [done], told(API, sent=10), T0, at(20), Timing()) == Send("resolved")


def test_told_and_the_worst_severity_rose_sends_now() -> None:
    worse = API._replace(severity=Severity.CRITICAL)
    assert decide([worse], [], told(API, sent=10), T0, at(11), Timing()) == Send("escalated")
    new_critical = alert("Webhooks", severity=Severity.CRITICAL)
    assert decide([API, new_critical], [], told(API, sent=10), T0, at(11), Timing()) == Send("escalated")


def test_told_and_unchanged_is_idle_or_repeats_after_repeat_interval() -> None:
    assert decide([API], [], told(API), T0, at(86400), Timing()) == Idle()
    hourly = Timing(repeat_interval=timedelta(hours=1))
    assert decide([API], [], told(API), T0, at(60), hourly) == Hold(at(3600))
    assert decide([API], [], told(API), T0, at(3600), hourly) == Send("repeat")


def test_told_and_any_other_change_sends_at_group_interval() -> None:
    t = told(API, GIT, sent=100)
    webhooks = alert("Webhooks", severity=Severity.MINOR)
    git_done = GIT._replace(resolved_at=at(120))
    lower = [a._replace(severity=Severity.MINOR) for a in (API, GIT)]
    for firing, resolved in [([API, GIT, webhooks], []), ([API], [git_done]), (lower, [])]:
        assert decide(firing, resolved, t, T0, at(200), Timing()) == Hold(at(400))
        assert decide(firing, resolved, t, T0, at(400), Timing()) == Send("changed")


# evaluate(): the second table


def test_a_held_alert_counts_as_not_firing_in_its_group() -> None:
    alerts = {API.key: API, GIT.key: GIT}
    ev = evaluate(alerts, [ROUTE], {}, {}, T0, held=lambda a, r: "silenced" if a is API else None)
    assert [n.firing for n in ev.notifications] == [(GIT,), (GIT,)]
    assert ev.counts == {"firing": 1, "silenced": 1}
    everything = evaluate(alerts, [ROUTE], {}, {}, T0, held=lambda a, r: "muted")
    assert (everything.notifications, everything.counts, everything.group_started) == ([], {"muted": 2}, {})


def test_a_held_alert_the_notifier_was_told_of_is_no_change_and_its_resolution_still_reaches_it() -> None:
    gk = group_key(ROUTE, API)
    before = {(gk, "pagerduty"): told(API, GIT), (gk, "slack"): told(API, GIT)}
    alerts = {API.key: API, GIT.key: GIT}
    quiet = evaluate(alerts, [ROUTE], before, {gk: T0}, at(3600), held=lambda a, r: "silenced")
    assert quiet.notifications == []
    api_only = evaluate(
        alerts, [ROUTE], before, {gk: T0}, at(3600), held=lambda a, r: "s" if a is GIT else None
    )
    assert api_only.notifications == []  # GIT held, API unchanged: nothing to say
    done = {API.key: API, GIT.key: GIT._replace(resolved_at=at(3600))}
    ev = evaluate(done, [ROUTE], before, {gk: T0}, at(3600), held=lambda a, r: "silenced")
    assert sent(ev) == [("pagerduty", "firing", "resolved"), ("slack", "firing", "resolved")]
    assert ev.notifications[0].resolved == (done[GIT.key],)
    assert ev.notifications[0].alert_keys == {API.key}  # still told of API: its resolution will reach it


def test_a_suppression_ending_while_the_alert_fires_sends_then() -> None:
    alerts = {API.key: API}
    during = evaluate(alerts, [ROUTE], {}, {}, at(60), held=lambda a, r: "silenced")
    assert during.notifications == []
    after = evaluate(alerts, [ROUTE], {}, during.group_started, at(120))
    assert sent(after) == [("pagerduty", "firing", "firing"), ("slack", "firing", "firing")]


def test_an_alert_that_fired_and_resolved_while_suppressed_sends_nothing() -> None:
    gone = API._replace(resolved_at=at(60))
    ev = evaluate({API.key: gone}, [ROUTE], {}, {}, at(120), held=lambda a, r: "silenced")
    assert (ev.notifications, ev.settled) == ([], frozenset({API.key}))


def test_a_notifier_told_of_an_alert_the_route_no_longer_takes_follows_it_until_it_resolves() -> None:
    pager = RouteSpec(index=1, notify=("pagerduty",), min_severity=Severity.MAJOR)
    gk = group_key(pager, API)
    before = {(gk, "pagerduty"): told(API, sent=0)}
    minor = API._replace(severity=Severity.MINOR)
    ev = evaluate({API.key: minor}, [pager], before, {gk: T0}, at(300))
    assert [(n.reason, n.severity, n.firing) for n in ev.notifications] == [
        ("changed", Severity.MINOR, (minor,))
    ]
    later = record(ev, at(300), before)
    done = evaluate({API.key: minor._replace(resolved_at=at(400))}, [pager], later, {}, at(400))
    assert [(n.status, n.resolved_total) for n in done.notifications] == [("resolved", 1)]


def test_a_resolved_alert_is_listed_once_to_the_notifier_told_of_it() -> None:
    first = evaluate({API.key: API, GIT.key: GIT}, [ROUTE], {}, {}, T0)
    before = record(first, T0)
    alerts = {API.key: API, GIT.key: GIT._replace(resolved_at=at(400))}
    ev = evaluate(alerts, [ROUTE], before, first.group_started, at(400))
    assert [(n.reason, n.resolved_total, n.alert_keys) for n in ev.notifications] == [
        ("changed", 1, frozenset({API.key})),
        ("changed", 1, frozenset({API.key})),
    ]
    again = evaluate(alerts, [ROUTE], record(ev, at(400), before), ev.group_started, at(800))
    assert (again.notifications, again.settled) == ([], frozenset({GIT.key}))


CDN = alert("CDN", provider="cloudflare", severity=Severity.CRITICAL, started=0)
DEPS = {"github": ["cloudflare"]}


def test_a_folded_alert_is_listed_under_its_cause_and_does_not_send_by_itself() -> None:
    api = API._replace(started_at=at(30))
    first = evaluate({CDN.key: CDN}, [ROUTE], {}, {}, T0, depends_on=DEPS)
    before = record(first, T0)
    ev = evaluate({CDN.key: CDN, api.key: api}, [ROUTE], before, first.group_started, at(30), depends_on=DEPS)
    assert (ev.notifications, ev.counts) == ([], {"firing": 1, "folded": 1})
    alerts = {CDN.key: CDN, api.key: api, GIT.key: GIT._replace(started_at=at(40))}
    shown = evaluate(alerts, [ROUTE], {}, {}, at(40), depends_on=DEPS)
    assert [(n.group_key, n.related_total) for n in shown.notifications] == [
        ("route=0|provider=cloudflare", 2)
    ] * 2
    assert shown.notifications[0].related == (api, alerts[GIT.key])


def test_a_dependency_resolving_unfolds_the_dependent_whose_own_group_is_told_then() -> None:
    api = API._replace(started_at=at(30))
    alerts = {CDN.key: CDN, api.key: api}
    first = evaluate(alerts, [ROUTE], {}, {}, at(30), depends_on=DEPS)
    before = record(first, at(30))
    alerts[CDN.key] = CDN._replace(resolved_at=at(600))
    ev = evaluate(alerts, [ROUTE], before, first.group_started, at(600), depends_on=DEPS)
    assert sorted((n.group_key, n.status) for n in ev.notifications) == [
        ("route=0|provider=cloudflare", "resolved"),
        ("route=0|provider=cloudflare", "resolved"),
        ("route=0|provider=github", "firing"),
        ("route=0|provider=github", "firing"),
    ]


def test_a_route_that_does_not_take_the_cause_is_not_folded_and_pages_on_its_own() -> None:
    github_only = RouteSpec(index=2, notify=("slack",), providers=("git*",))
    api = API._replace(started_at=at(30))
    ev = evaluate({CDN.key: CDN, api.key: api}, [github_only], {}, {}, at(30), depends_on=DEPS)
    assert [(n.group_key, n.firing, n.related) for n in ev.notifications] == [
        ("route=2|provider=github", (api,), ())
    ]


# group keys and titles


def test_group_keys_are_readable_stable_escaped_and_bounded() -> None:
    assert group_key(ROUTE, API) == "route=0|provider=github"
    by_component = RouteSpec(index=3, notify=("x",), group_by=("provider", "component"))
    odd = alert("a|b=c%")
    assert group_key(by_component, odd) == "route=3|provider=github|component=a%7Cb%3Dc%25"
    incident = alert("i1", kind=AlertKind.INCIDENT)
    assert group_key(by_component, incident) == "route=3|provider=github|component="
    assert group_key(RouteSpec(index=4, notify=("x",), group_by=()), API) == "route=4"
    each = RouteSpec(index=5, notify=("x",), group_by=("...",))
    assert group_key(each, API) == "route=5|alert=github/component/API Requests"
    long_a, long_b = alert("x" * 300 + "a"), alert("x" * 300 + "b")
    ka, kb = group_key(each, long_a), group_key(each, long_b)
    assert len(ka) == len(kb) == MAX_KEY and ka != kb and ka.startswith("route=5|alert=")
    assert group_key(each, long_a) == ka


def test_titles_name_the_worst_severity_and_a_bounded_list_of_names() -> None:
    inc = alert("Slow pushes", kind=AlertKind.INCIDENT, severity=Severity.MINOR)
    assert title([API], []) == "github: partial outage — API Requests"
    assert (
        title([API, GIT, inc], [])
        == 'github: partial outage — API Requests and Git Operations; incident "Slow pushes"'
    )
    unreachable = alert(
        "status page unreachable", provider="aws", kind=AlertKind.SOURCE, severity=Severity.MINOR
    )
    assert title([unreachable], []) == "aws: degraded — status page unreachable"
    maint = alert("DB upgrade", kind=AlertKind.MAINTENANCE, severity=Severity.INFO)
    assert title([maint], []) == 'github: notice — maintenance "DB upgrade"'
    assert title([], [API]) == "github: resolved — API Requests"
    assert title([CDN, API], []) == "cloudflare and github: major outage — CDN and API Requests"
    assert len(title([alert("n" * 400)], [])) == 250


# whole outages


def github_pages() -> tuple[Page, Page, Page]:
    names = ["Git Operations", "API Requests", "Webhooks", "Issues", "Pull Requests", "Actions"]

    def page(status: ComponentStatus, incidents: tuple[Incident, ...] = ()) -> Page:
        comps = tuple(Component(f"c{i}", n, status) for i, n in enumerate(names, 1))
        return Page("https://www.githubstatus.com", comps, incidents)

    outage = Incident("inc1", "Degraded availability", IncidentStatus.INVESTIGATING, Impact.CRITICAL)
    return (
        page(ComponentStatus.OPERATIONAL),
        page(ComponentStatus.MAJOR_OUTAGE, (outage,)),
        page(ComponentStatus.OPERATIONAL),
    )


def test_the_github_outage_in_one_poll_pages_once_per_notifier_and_recovers_once() -> None:
    baseline, outage, recovered = github_pages()
    state, _ = diff(None, "github", baseline, T0, Policy())
    state, events = diff(state, "github", outage, at(60), Policy())
    assert len(events) == 7
    alerts = apply_events({}, events)
    ev = evaluate(alerts, [ROUTE], {}, {}, at(60))
    expected = (
        'github: major outage — Git Operations, API Requests and 4 more; incident "Degraded availability"'
    )
    assert [(n.notifier, n.status, n.severity, n.title, n.firing_total) for n in ev.notifications] == [
        ("pagerduty", "firing", Severity.CRITICAL, expected, 7),
        ("slack", "firing", Severity.CRITICAL, expected, 7),
    ]
    before = record(ev, at(60))
    _, events = diff(state, "github", recovered, at(600), Policy())
    alerts = apply_events(alerts, events)
    done = evaluate(alerts, [ROUTE], before, ev.group_started, at(600))
    assert [(n.notifier, n.status, n.reason, n.resolved_total) for n in done.notifications] == [
        ("pagerduty", "resolved", "resolved", 7),
        ("slack", "resolved", "resolved", 7),
    ]
    assert done.notifications[0].receipt == {} and done.group_started == {}
    quiet = evaluate(alerts, [ROUTE], record(done, at(600), before), {}, at(1200))
    assert (quiet.notifications, quiet.settled) == ([], frozenset(alerts))


def test_two_providers_failing_are_two_groups() -> None:
    ev = evaluate({API.key: API, CDN.key: CDN}, [ROUTE], {}, {}, T0)
    assert sorted({n.group_key for n in ev.notifications}) == [
        "route=0|provider=cloudflare",
        "route=0|provider=github",
    ]
    assert len(ev.notifications) == 4


def test_group_by_nothing_is_one_group_and_group_by_dots_one_group_per_alert() -> None:
    alerts = {a.key: a for a in (API, GIT, CDN)}
    one = evaluate(alerts, [RouteSpec(index=0, notify=("slack",), group_by=())], {}, {}, T0)
    assert [(n.group_key, n.firing_total) for n in one.notifications] == [("route=0", 3)]
    each = evaluate(alerts, [RouteSpec(index=0, notify=("slack",), group_by=("...",))], {}, {}, T0)
    assert len(each.notifications) == 3 and {n.firing_total for n in each.notifications} == {1}


def test_three_thousand_alerts_give_one_bounded_notification() -> None:
    alerts = {a.key: a for a in (alert(f"i{n}", kind=AlertKind.INCIDENT, started=n) for n in range(3000))}
    ev = evaluate(alerts, [RouteSpec(index=0, notify=("slack",))], {}, {}, at(3000))
    (n,) = ev.notifications
    assert (len(n.firing), n.firing_total, n.truncated, len(n.alert_keys)) == (20, 3000, True, 3000)
    assert n.firing[0].key == "github/incident/i0"
    assert n.title == 'github: partial outage — incidents "i0", "i1" and 2,998 more'


def test_repeat_interval_resends_an_unchanged_group_and_next_wakeup_says_when() -> None:
    hourly = RouteSpec(index=0, notify=("slack",), timing=Timing(repeat_interval=timedelta(hours=1)))
    first = evaluate({API.key: API}, [hourly], {}, {}, T0)
    assert first.next_wakeup == at(3600), "the send itself says when the repeat is due"
    before = record(first, T0)
    held = evaluate({API.key: API}, [hourly], before, first.group_started, at(60))
    assert (held.notifications, held.next_wakeup) == ([], at(3600))
    again = evaluate({API.key: API}, [hourly], before, first.group_started, at(3600))
    assert sent(again) == [("slack", "firing", "repeat")]


def test_a_notifier_that_must_hear_again_gets_repeats_and_changes_within_its_repeat_every() -> None:
    route = RouteSpec(index=0, notify=("alertmanager", "slack"))  # the route itself never repeats
    every = {"alertmanager": timedelta(minutes=1)}
    first = evaluate({API.key: API}, [route], {}, {}, T0, repeat_every=every)
    before = record(first, T0)
    held = evaluate({API.key: API}, [route], before, first.group_started, at(30), repeat_every=every)
    assert (held.notifications, held.next_wakeup) == ([], at(60))
    again = evaluate({API.key: API}, [route], before, first.group_started, at(60), repeat_every=every)
    assert sent(again) == [("alertmanager", "firing", "repeat")]
    grown = {API.key: API, GIT.key: GIT}
    changed = evaluate(grown, [route], before, first.group_started, at(60), repeat_every=every)
    assert (sent(changed), changed.next_wakeup) == ([("alertmanager", "firing", "changed")], T0 + FIVE_MIN)


def test_repeat_every_only_shortens_the_routes_timing() -> None:
    minute = timedelta(minutes=1)
    assert for_notifier(Timing(), None) == Timing()
    assert for_notifier(Timing(), minute) == Timing(group_interval=minute, repeat_interval=minute)
    quick = Timing(group_interval=timedelta(seconds=10), repeat_interval=timedelta(seconds=30))
    assert for_notifier(quick, minute) == quick


def test_group_interval_holds_a_second_alert_until_it_has_passed() -> None:
    first = evaluate({API.key: API}, [ROUTE], {}, {}, T0)
    before = record(first, T0)
    alerts = {API.key: API, GIT.key: GIT._replace(started_at=at(60))}
    held = evaluate(alerts, [ROUTE], before, first.group_started, at(60))
    assert (held.notifications, held.next_wakeup) == ([], T0 + FIVE_MIN)
    later = evaluate(alerts, [ROUTE], before, first.group_started, T0 + FIVE_MIN)
    assert [(n.reason, n.firing_total, n.receipt) for n in later.notifications] == [("changed", 2, {})] * 2


def test_kinds_filter_takes_only_alerts_of_the_kinds_it_asks_for() -> None:
    maint = alert("DB upgrade", kind=AlertKind.MAINTENANCE, severity=Severity.INFO)
    incidents = RouteSpec(index=0, notify=("log",), kinds=frozenset({EventKind.INCIDENT_OPENED}))
    maintenance = RouteSpec(index=1, notify=("log",), kinds=frozenset({EventKind.MAINTENANCE_STARTED}))
    ev = evaluate({maint.key: maint, API.key: API}, [incidents, maintenance], {}, {}, T0)
    assert [(n.route, n.firing) for n in ev.notifications] == [(1, (maint,))]
