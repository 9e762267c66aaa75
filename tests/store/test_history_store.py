"""The incident history and status intervals every commit of a state writes, the backfill, and retention."""

from __future__ import annotations

from datetime import timedelta

from monitor.history import PAGE, READABLE, UNREADABLE
from monitor.model import ComponentState, ComponentStatus, Impact, Incident, IncidentStatus, IncidentUpdate
from monitor.store import Store

from .store_builders import T0, later, make_event, make_notification, make_state

OK = ComponentStatus.OPERATIONAL
DOWN = ComponentStatus.MAJOR_OUTAGE


def incident(*updates: IncidentUpdate, status: IncidentStatus = IncidentStatus.INVESTIGATING) -> Incident:
    return Incident("inc1", "API errors", status, Impact.MAJOR, started_at=T0, updates=updates)


def update(seconds: float, status: IncidentStatus, text: str) -> IncidentUpdate:
    return IncidentUpdate(later(seconds), status, text)


async def test_intervals_are_written_only_when_a_status_changes(store: Store) -> None:
    api = {"api": ComponentState("API", OK)}
    await store.commit(make_state(components=api, last_poll_at=T0), [], [])
    await store.commit(make_state(components=api, last_poll_at=later(60)), [], [])  # no change: no row
    await store.commit(
        make_state(components={"api": ComponentState("API", DOWN)}, last_poll_at=later(120)), [], []
    )
    failing = make_state(components={"api": ComponentState("API", DOWN)}, last_poll_at=later(180))
    failing.consecutive_failures = 1
    await store.commit(failing, [], [])

    rows = [
        (i.component, i.status, i.started_at, i.ended_at) for i in await store.status_intervals("github", T0)
    ]
    assert rows == [
        ("api", "operational", T0, later(120)),
        (PAGE, READABLE, T0, later(180)),
        ("api", "major_outage", later(120), None),
        (PAGE, UNREADABLE, later(180), None),
    ]
    assert await store.status_intervals("other", T0) == []


async def test_an_incident_timeline_unites_what_each_poll_showed_and_closes_when_gone(store: Store) -> None:
    first = incident(update(0, IncidentStatus.INVESTIGATING, "Looking"))
    await store.commit(make_state(incidents={"inc1": first}, last_poll_at=T0), [], [])
    second = incident(update(600, IncidentStatus.IDENTIFIED, "Found it"))  # the page shows only the newest
    await store.commit(make_state(incidents={"inc1": second}, last_poll_at=later(600)), [], [])
    failing = make_state(incidents={}, last_poll_at=later(900))
    failing.consecutive_failures = 1  # an unreadable page says nothing about the incident
    await store.commit(failing, [], [])
    [still_open] = await store.incident_history("github", T0, 10)
    assert still_open.resolved_at is None
    assert [u.text for u in still_open.updates] == ["Looking", "Found it"]

    await store.commit(make_state(incidents={}, last_poll_at=later(1200)), [], [])
    [closed] = await store.incident_history("github", T0, 10)
    assert (closed.status, closed.resolved_at) == (IncidentStatus.RESOLVED, later(1200))
    assert [u.status for u in closed.updates] == [IncidentStatus.INVESTIGATING, IncidentStatus.IDENTIFIED]


async def test_backfill_adds_resolved_incidents_and_since_bounds_what_is_listed(store: Store) -> None:
    old = incident(update(0, IncidentStatus.RESOLVED, "Fixed"), status=IncidentStatus.RESOLVED)._replace(
        id="old",
        started_at=T0 - timedelta(days=100),
        resolved_at=T0 - timedelta(days=99),
    )
    recent = old._replace(id="recent", started_at=T0 - timedelta(days=2), resolved_at=T0 - timedelta(days=1))
    await store.add_history("github", [old, recent])
    await store.add_history("github", [recent])  # twice: still one entry, one update
    listed = await store.incident_history("github", T0 - timedelta(days=90), 10)
    assert [(i.id, len(i.updates)) for i in listed] == [("recent", 1)]
    assert [i.id for i in await store.incident_history("github", T0 - timedelta(days=200), 1)] == ["recent"]


async def test_prune_deletes_what_ended_before_the_cutoff_and_keeps_what_is_pending_or_open(
    store: Store,
) -> None:
    old_event, new_event = make_event(at=T0), make_event(at=later(7200))
    open_incident = {"inc1": incident()}
    await store.commit(make_state(incidents=open_incident, last_poll_at=T0), [old_event, new_event], [])
    pending, sent = (
        make_notification("pending", "log", old_event),
        make_notification("sent", "log", old_event),
    )
    await store.commit(None, [], [pending, sent])
    await store.mark_delivered("sent", T0)
    await store.add_history(
        "github", [incident(status=IncidentStatus.RESOLVED)._replace(id="old", resolved_at=T0)]
    )
    for at, status in ((T0, OK), (later(60), DOWN)):
        api = {"api": ComponentState("API", status)}
        await store.commit(make_state(components=api, incidents=open_incident, last_poll_at=at), [], [])

    deleted = await store.prune(later(3600))

    # the delivered notification, the old event, the resolved incident, the ended interval
    assert deleted == 4
    assert await store.notification_counts() == {"pending": 1, "delivered": 0, "dead": 0}
    assert [i.id for i in await store.incident_history("github", T0, 10)] == ["inc1"]
    intervals = await store.status_intervals("github", T0)
    assert [i.status for i in intervals if i.component == "api"] == ["major_outage"]
    assert [e.event.occurred_at for e in await store.recent_events(10)] == [later(7200)]
