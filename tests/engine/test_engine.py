"""The engine's behaviour table, one test per row. Scenarios are sequences of polls fed to `diff`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime, timedelta

import pytest

from monitor.engine import Policy, diff
from monitor.model import (
    Component,
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
from monitor.poller import settled

OP = ComponentStatus.OPERATIONAL
MAINT = ComponentStatus.UNDER_MAINTENANCE
DEG = ComponentStatus.DEGRADED_PERFORMANCE
PART = ComponentStatus.PARTIAL_OUTAGE
MAJOR = ComponentStatus.MAJOR_OUTAGE
UNK = ComponentStatus.UNKNOWN
T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
PAGE = "https://status.example.com"
DEFAULT = Policy()
FAIL = PollFailure("timeout", "timed out after 10s")


def snap(
    api: ComponentStatus = OP,
    web: ComponentStatus = OP,
    incidents: Sequence[Incident] = (),
    maintenances: Sequence[Maintenance] = (),
) -> Snapshot:
    return Snapshot(
        page_url=PAGE,
        components=(Component("c-api", "API", api, "Core"), Component("c-web", "Web", web)),
        incidents=tuple(incidents),
        maintenances=tuple(maintenances),
    )


def inc(
    status: IncidentStatus = IncidentStatus.INVESTIGATING,
    impact: Impact = Impact.MAJOR,
    components: tuple[str, ...] = (),
    iid: str = "i1",
) -> Incident:
    return Incident(
        iid, "Elevated errors", status, impact, url=f"{PAGE}/incidents/{iid}", component_ids=components
    )


def mnt(status: MaintenanceStatus, components: tuple[str, ...] = ()) -> Maintenance:
    return Maintenance("m1", "Database upgrade", status, component_ids=components)


@dataclass
class Run:
    state: ProviderState | None = None
    events: list[list[Event]] = field(default_factory=list)


def run(polls: Sequence[Snapshot | PollFailure], policy: Policy = DEFAULT) -> Run:
    result = Run()
    for n, poll in enumerate(polls):
        result.state, events = diff(result.state, "acme", poll, T0 + timedelta(minutes=n), policy)
        result.events.append(events)
    return result


def kinds(r: Run) -> list[list[str]]:
    return [[e.kind.value for e in poll] for poll in r.events]


def flat(r: Run) -> list[Event]:
    return [e for poll in r.events for e in poll]


# --- baseline --------------------------------------------------------------------------------------


def test_first_sight_is_a_silent_baseline_even_mid_outage() -> None:
    r = run([snap(api=MAJOR, incidents=[inc()], maintenances=[mnt(MaintenanceStatus.IN_PROGRESS)])])
    assert r.events == [[]]
    assert r.state is not None and r.state.baselined
    assert r.state.components["c-api"].status is MAJOR
    assert set(r.state.incidents) == {"i1"} and set(r.state.maintenances) == {"m1"}


def test_baseline_outage_that_recovers_is_announced_as_recovery() -> None:
    r = run([snap(api=MAJOR), snap(api=OP)])
    (event,) = r.events[1]
    assert (event.old_status, event.new_status, event.resolves) == ("major_outage", "operational", True)


# --- component changes and confirmation --------------------------------------------------------------


@pytest.mark.parametrize(
    ("new", "severity"),
    [(DEG, Severity.MINOR), (PART, Severity.MAJOR), (MAJOR, Severity.CRITICAL)],
)
def test_component_outage_severity(new: ComponentStatus, severity: Severity) -> None:
    r = run([snap(), snap(api=new)])
    (event,) = r.events[1]
    assert event.kind is EventKind.COMPONENT_CHANGED
    assert event.severity is severity and not event.resolves
    assert event.dedup_key == "acme/component/c-api"
    assert (event.old_status, event.new_status) == ("operational", new.value)
    assert event.subject_name == "API" and event.group == "Core" and event.url == PAGE


def test_recovery_is_info_and_resolves_the_same_key() -> None:
    r = run([snap(), snap(api=PART), snap(api=OP)])
    trigger, recovery = r.events[1][0], r.events[2][0]
    assert recovery.dedup_key == trigger.dedup_key
    assert recovery.resolves and recovery.severity is Severity.INFO


def test_escalation_is_a_new_event_on_the_same_key() -> None:
    r = run([snap(), snap(api=DEG), snap(api=MAJOR)])
    assert [e.severity for e in flat(r)] == [Severity.MINOR, Severity.CRITICAL]
    assert {e.dedup_key for e in flat(r)} == {"acme/component/c-api"}


@pytest.mark.parametrize(
    ("polls", "expected"),
    [
        pytest.param(
            [OP, DEG, OP, DEG, OP], [[], [], [], [], []], id="flapping inside the window sends nothing"
        ),
        pytest.param([OP, DEG, DEG], [[], [], ["component_changed"]], id="two agreeing polls confirm"),
        pytest.param(
            [OP, DEG, PART, PART], [[], [], [], ["component_changed"]], id="a different status restarts"
        ),
        pytest.param(
            [OP, DEG, UNK, DEG],
            [[], [], [], ["component_changed"]],
            id="unknown neither confirms nor cancels",
        ),
        pytest.param(
            [OP, DEG, DEG, OP, DEG], [[], [], ["component_changed"], [], []], id="recovery needs confirm too"
        ),
    ],
)
def test_confirm_two(polls: list[ComponentStatus], expected: list[list[str]]) -> None:
    assert kinds(run([snap(api=s) for s in polls], Policy(confirm=2))) == expected


def test_confirmed_change_carries_the_status_of_the_confirming_polls() -> None:
    r = run([snap(api=s) for s in (OP, PART, PART, PART)], Policy(confirm=3))
    (event,) = r.events[3]
    assert event.new_status == "partial_outage"


@pytest.mark.parametrize(
    "sequence",
    [[OP, MAINT], [OP, MAINT, OP]],
    ids=["into maintenance", "out of maintenance"],
)
def test_maintenance_does_not_page(sequence: list[ComponentStatus]) -> None:
    assert flat(run([snap(api=s) for s in sequence])) == []


def test_outage_during_maintenance_pages_and_ending_in_maintenance_resolves() -> None:
    r = run([snap(api=MAINT), snap(api=MAJOR), snap(api=MAINT)])
    trigger, end = flat(r)
    assert trigger.severity is Severity.CRITICAL and not trigger.resolves
    assert end.resolves and end.new_status == "under_maintenance"


def test_unknown_component_status_is_not_an_observation() -> None:
    r = run([snap(api=PART), snap(api=UNK), snap(api=PART)])
    assert flat(r) == []
    assert r.state is not None and r.state.components["c-api"].status is PART


def test_new_component_after_baseline_is_compared_with_operational() -> None:
    base = Snapshot(page_url=PAGE, components=(Component("c-api", "API", OP),))
    grown = Snapshot(
        page_url=PAGE, components=(Component("c-api", "API", OP), Component("c-new", "New", DEG))
    )
    quiet_new = Snapshot(
        page_url=PAGE, components=(Component("c-api", "API", OP), Component("c-new", "New", OP))
    )
    assert kinds(run([base, grown])) == [[], ["component_changed"]]
    assert kinds(run([base, quiet_new])) == [[], []]


def test_new_component_after_baseline_reading_unknown_is_unknown_until_read() -> None:
    base = Snapshot(page_url=PAGE, components=(Component("c-api", "API", OP),))
    unread = Snapshot(page_url=PAGE, components=(*base.components, Component("c-new", "New", UNK)))
    down = Snapshot(page_url=PAGE, components=(*base.components, Component("c-new", "New", MAJOR)))
    r = run([base, unread, unread, down])
    assert kinds(r) == [[], [], [], ["component_changed"]]
    assert (r.events[3][0].old_status, r.events[3][0].new_status) == ("operational", "major_outage")
    second = run([base, unread])
    assert second.state is not None and second.state.components["c-new"].status is UNK


def test_component_removed_while_in_outage_resolves_quiet_one_vanishes() -> None:
    only_web = Snapshot(page_url=PAGE, components=(Component("c-web", "Web", OP),))
    r = run([snap(api=MAJOR, web=OP), only_web])
    (event,) = r.events[1]
    assert event.resolves and event.new_status == "removed" and event.dedup_key == "acme/component/c-api"
    assert r.state is not None and set(r.state.components) == {"c-web"}


def test_page_listing_no_components_keeps_what_we_knew() -> None:
    r = run([snap(api=MAJOR), Snapshot(page_url=PAGE)])
    assert flat(r) == []
    assert r.state is not None and r.state.components["c-api"].status is MAJOR


# --- incidents ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("impact", "severity"),
    [
        (Impact.NONE, Severity.INFO),
        (Impact.MINOR, Severity.MINOR),
        (Impact.MAJOR, Severity.MAJOR),
        (Impact.CRITICAL, Severity.CRITICAL),
        (Impact.UNKNOWN, Severity.MINOR),
    ],
)
def test_incident_opened_severity_from_impact(impact: Impact, severity: Severity) -> None:
    r = run([snap(), snap(incidents=[inc(impact=impact)])])
    (event,) = r.events[1]
    assert event.kind is EventKind.INCIDENT_OPENED and event.severity is severity
    assert event.dedup_key == "acme/incident/i1" and event.url == f"{PAGE}/incidents/i1"


def test_incident_lifecycle() -> None:
    r = run(
        [
            snap(),
            snap(incidents=[inc(IncidentStatus.INVESTIGATING, Impact.MINOR)]),
            snap(incidents=[inc(IncidentStatus.INVESTIGATING, Impact.MINOR)]),  # nothing new
            snap(incidents=[inc(IncidentStatus.IDENTIFIED, Impact.MINOR)]),  # status change
            snap(incidents=[inc(IncidentStatus.IDENTIFIED, Impact.CRITICAL)]),  # impact change
            snap(incidents=[inc(IncidentStatus.RESOLVED, Impact.CRITICAL)]),
            snap(),  # gone afterwards: already resolved, nothing more
        ]
    )
    assert kinds(r) == [
        [],
        ["incident_opened"],
        [],
        ["incident_updated"],
        ["incident_updated"],
        ["incident_resolved"],
        [],
    ]
    updated = r.events[4][0]
    assert (updated.old_status, updated.new_status, updated.severity) == (
        "identified",
        "identified",
        Severity.CRITICAL,
    )
    resolved = r.events[5][0]
    assert resolved.resolves and resolved.severity is Severity.INFO and resolved.new_status == "resolved"


def test_postmortem_resolves() -> None:
    r = run([snap(), snap(incidents=[inc()]), snap(incidents=[inc(IncidentStatus.POSTMORTEM)])])
    assert r.events[2][0].new_status == "postmortem" and r.events[2][0].resolves


def test_incident_gone_from_a_successful_fetch_is_resolved() -> None:
    r = run([snap(), snap(incidents=[inc()]), snap()])
    (event,) = r.events[2]
    assert event.kind is EventKind.INCIDENT_RESOLVED and event.new_status == "resolved"


def test_unknown_incident_status_or_impact_changes_nothing() -> None:
    r = run(
        [
            snap(),
            snap(incidents=[inc(IncidentStatus.IDENTIFIED, Impact.MAJOR)]),
            snap(incidents=[inc(IncidentStatus.UNKNOWN, Impact.UNKNOWN)]),
        ]
    )
    assert kinds(r)[2] == []
    assert r.state is not None
    assert r.state.incidents["i1"].status is IncidentStatus.IDENTIFIED
    assert r.state.incidents["i1"].impact is Impact.MAJOR


def test_incident_already_resolved_when_first_seen_is_not_news() -> None:
    assert flat(run([snap(), snap(incidents=[inc(IncidentStatus.RESOLVED)])])) == []


# --- maintenance ---------------------------------------------------------------------------------------


def test_maintenance_lifecycle() -> None:
    r = run(
        [
            snap(),
            snap(maintenances=[mnt(MaintenanceStatus.SCHEDULED)]),
            snap(api=MAINT, maintenances=[mnt(MaintenanceStatus.IN_PROGRESS)]),
            snap(api=MAINT, maintenances=[mnt(MaintenanceStatus.VERIFYING)]),
            snap(maintenances=[mnt(MaintenanceStatus.COMPLETED)]),
        ]
    )
    assert kinds(r) == [[], [], ["maintenance_started"], [], ["maintenance_completed"]]
    started, completed = flat(r)
    assert started.severity is Severity.INFO and not started.resolves
    assert completed.resolves and completed.dedup_key == started.dedup_key == "acme/maintenance/m1"


def test_maintenance_gone_is_completed_unknown_status_keeps_it_running() -> None:
    r = run(
        [
            snap(),
            snap(maintenances=[mnt(MaintenanceStatus.IN_PROGRESS)]),
            snap(maintenances=[mnt(MaintenanceStatus.UNKNOWN)]),
            snap(),
        ]
    )
    assert kinds(r) == [[], ["maintenance_started"], [], ["maintenance_completed"]]


# --- failures --------------------------------------------------------------------------------------------


def test_failures_never_resolve_and_unreachable_fires_once_at_threshold() -> None:
    r = run([snap(api=MAJOR, incidents=[inc()]), snap(api=MAJOR, incidents=[inc()])] + [FAIL] * 5)
    assert kinds(r)[2:] == [[], [], ["source_unreachable"], [], []]
    event = r.events[4][0]
    assert event.dedup_key == "acme/source" and event.severity is Severity.MINOR
    assert event.detail == "timed out after 10s"
    assert r.state is not None
    assert r.state.components["c-api"].status is MAJOR and set(r.state.incidents) == {"i1"}
    assert (
        r.state.consecutive_failures == 5 and not r.state.up and r.state.last_error == "timed out after 10s"
    )


def test_recovery_then_normal_comparison_with_last_known_state() -> None:
    r = run([snap(incidents=[inc()]), FAIL, FAIL, FAIL, snap(api=PART)])
    assert kinds(r)[4] == ["source_recovered", "component_changed", "incident_resolved"]
    recovered = r.events[4][0]
    assert recovered.resolves and recovered.dedup_key == "acme/source"
    assert r.state is not None and r.state.up


def test_short_failure_streak_is_silent() -> None:
    assert flat(run([snap(), FAIL, FAIL, snap()])) == []


def test_failure_threshold_is_configurable() -> None:
    assert kinds(run([snap(), FAIL], Policy(failure_threshold=1)))[1] == ["source_unreachable"]


def test_failures_before_any_baseline_still_report_unreachable_then_baseline_silently() -> None:
    r = run([FAIL, FAIL, FAIL, snap(api=MAJOR)])
    assert kinds(r) == [[], [], ["source_unreachable"], ["source_recovered"]]


def test_confirmation_window_survives_a_failure() -> None:
    r = run([snap(), snap(api=DEG), FAIL, snap(api=DEG)], Policy(confirm=2))
    assert kinds(r) == [[], [], [], ["component_changed"]]


# --- component filter -------------------------------------------------------------------------------------


def test_filter_by_name_or_id_only_selected_components_page() -> None:
    for selector in ("API", "c-api"):
        r = run([snap(), snap(api=DEG, web=MAJOR)], Policy(components=frozenset({selector})))
        assert [e.subject_name for e in flat(r)] == ["API"]
        assert r.state is not None and set(r.state.components) == {"c-api"}


@pytest.mark.parametrize(
    ("affected", "counts"),
    [(("c-api",), True), (("c-web",), False), ((), True), (("c-web", "c-api"), True)],
    ids=["selected", "other", "names none", "mixed"],
)
def test_filter_incidents_by_affected_components(affected: tuple[str, ...], counts: bool) -> None:
    r = run([snap(), snap(incidents=[inc(components=affected)])], Policy(components=frozenset({"API"})))
    assert kinds(r)[1] == (["incident_opened"] if counts else [])


def test_filter_applies_to_maintenance() -> None:
    policy = Policy(components=frozenset({"API"}))
    other = run([snap(), snap(maintenances=[mnt(MaintenanceStatus.IN_PROGRESS, ("c-web",))])], policy)
    mine = run([snap(), snap(maintenances=[mnt(MaintenanceStatus.IN_PROGRESS, ("c-api",))])], policy)
    assert flat(other) == [] and kinds(mine)[1] == ["maintenance_started"]


def test_announced_incident_is_followed_until_it_closes_even_if_it_moves_off_the_filter() -> None:
    policy = Policy(components=frozenset({"API"}))
    r = run(
        [
            snap(),
            snap(incidents=[inc(components=("c-api",))]),
            snap(incidents=[inc(components=("c-web",))]),
            snap(),
        ],
        policy,
    )
    assert kinds(r) == [[], ["incident_opened"], [], ["incident_resolved"]]


# --- purity ---


def test_diff_does_not_mutate_the_previous_state() -> None:
    first, _ = diff(None, "acme", snap(incidents=[inc()]), T0, Policy())
    before = (dict(first.components), dict(first.incidents), first.last_poll_at)
    diff(first, "acme", snap(api=MAJOR), T0 + timedelta(minutes=1), Policy())
    diff(first, "acme", FAIL, T0 + timedelta(minutes=1), Policy())
    assert (first.components, first.incidents, first.last_poll_at) == before
    assert first.consecutive_failures == 0


def test_same_input_same_output() -> None:
    polls: list[Snapshot | PollFailure] = [snap(), snap(api=PART, incidents=[inc()]), FAIL, snap()]
    assert run(polls).events == run(polls).events


# --- the poller's quiet-304 shortcut rests on this ---

SCENARIOS: dict[str, list[Snapshot | PollFailure]] = {
    "operational": [snap()],
    "in outage with an incident": [snap(), snap(api=MAJOR, incidents=[inc()])],
    "in maintenance": [snap(), snap(api=MAINT, maintenances=[mnt(MaintenanceStatus.IN_PROGRESS)])],
    "recovered from failures": [snap(), FAIL, FAIL, FAIL, snap(api=PART)],
    "component removed": [
        snap(api=MAJOR),
        Snapshot(page_url=PAGE, components=(Component("c-web", "Web", OP),)),
    ],
}


@pytest.mark.parametrize("polls", SCENARIOS.values(), ids=SCENARIOS.keys())
def test_a_settled_state_given_its_last_snapshot_again_changes_only_timestamps(
    polls: list[Snapshot | PollFailure],
) -> None:

    checked = 0
    for policy in (DEFAULT, Policy(confirm=3), Policy(components=frozenset({"API"}))):
        r = run(polls, policy)
        assert r.state is not None
        if not settled(r.state):  # a change awaiting confirmation: the poller runs diff() in full
            continue
        checked += 1
        last = polls[-1]
        later = T0 + timedelta(hours=1)
        again, events = diff(r.state, "acme", last, later, policy)
        assert events == []
        assert again == replace(r.state, last_poll_at=later, last_success_at=later)
        assert again == r.state.read_again(later)  # what the poller uses instead of diff()
    assert checked >= 2


def test_read_again_keeps_every_other_field() -> None:
    """`read_again` lists the fields by hand (for speed): a field added to ProviderState and not to it
    would be lost on every quiet poll. Every field here holds its own marker."""
    markers = {f.name: object() for f in fields(ProviderState)}
    at = T0 + timedelta(minutes=5)
    again = ProviderState(**markers).read_again(at)  # type: ignore[arg-type]
    for name, marker in markers.items():
        expected = at if name in ("last_poll_at", "last_success_at") else marker
        assert getattr(again, name) is expected, name


def test_pending_confirmation_or_failure_is_not_settled() -> None:

    pending = run([snap(), snap(api=DEG)], Policy(confirm=2))
    failing = run([snap(), FAIL])
    assert pending.state is not None and not settled(pending.state)
    assert failing.state is not None and not settled(failing.state)


def test_a_page_whose_components_all_read_unknown_is_unknown_not_operational() -> None:
    r = run([snap(api=UNK, web=UNK)])
    assert r.state is not None and r.state.overall_status() is ComponentStatus.UNKNOWN
    partly = run([snap(api=UNK, web=OP)])
    assert partly.state is not None and partly.state.overall_status() is OP
