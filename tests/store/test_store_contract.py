"""What every Store must do, whatever the database behind it (see conftest.store_factory)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from monitor.model import (
    ComponentState,
    ComponentStatus,
    Impact,
    Incident,
    IncidentStatus,
    Maintenance,
    MaintenanceStatus,
    Notification,
)
from monitor.store import Store, StoreError

from .store_builders import T0, StoreFactory, later, make_event, make_notification, make_state

LEASE = 60.0


def ids(notifications: list[Notification]) -> list[str]:
    return [n.id for n in notifications]


async def test_a_fresh_store_is_empty(store: Store) -> None:
    assert await store.load_states() == {}
    assert await store.recent_events(10) == []
    assert await store.open_alerts("github") == {}
    assert await store.pending_count() == 0
    assert await store.notification_counts() == {"pending": 0, "delivered": 0, "dead": 0}
    assert await store.claim_due(later(3600), 10, LEASE) == []


async def test_states_round_trip_and_upsert(store: Store) -> None:
    state = make_state(
        components={
            "api": ComponentState("API", ComponentStatus.PARTIAL_OUTAGE, group="Core"),
            "web": ComponentState(
                "Web", ComponentStatus.OPERATIONAL, pending=ComponentStatus.MAJOR_OUTAGE, pending_count=1
            ),
        },
        incidents={
            "inc1": Incident(
                "inc1",
                "Elevated errors",
                IncidentStatus.INVESTIGATING,
                Impact.MAJOR,
                url="https://github.example/incidents/inc1",
                started_at=T0,
                updated_at=later(60),
                latest_update="We are investigating.",
                component_ids=("api", "web"),
            )
        },
        maintenances={
            "m1": Maintenance(
                "m1",
                "DB upgrade",
                MaintenanceStatus.IN_PROGRESS,
                scheduled_for=T0,
                scheduled_until=later(7200),
            )
        },
        description="Partial outage",
        last_poll_at=later(5),
        last_success_at=later(5),
    )
    other = make_state("slack", consecutive_failures=3, unreachable=True, last_error="timeout")
    await store.commit(state, [], [])
    await store.commit(other, [], [])
    assert await store.load_states() == {"github": state, "slack": other}

    updated = make_state(description="All Systems Operational", last_poll_at=later(65))
    await store.commit(updated, [], [])
    assert await store.load_states() == {"github": updated, "slack": other}


async def test_recent_events_newest_first_with_increasing_ids(store: Store) -> None:
    first, second, third = (make_event(f"github/component/c{i}", at=later(i)) for i in range(3))
    await store.commit(make_state(), [first, second], [])
    await store.commit(make_state(), [third], [])

    recent = await store.recent_events(10)
    assert [stored.event for stored in recent] == [third, second, first]
    assert recent[0].id > recent[1].id > recent[2].id
    assert [stored.event for stored in await store.recent_events(2)] == [third, second]


async def test_committed_notification_is_claimed_with_its_event(store: Store) -> None:
    event = make_event()
    await store.commit(make_state(), [event], [make_notification("n1", "pager", event, created_at=later(1))])

    assert await store.pending_count() == 1
    claimed = await store.claim_due(later(1), 10, LEASE)
    assert claimed == [make_notification("n1", "pager", event, created_at=later(1))]
    assert claimed[0].attempts == 0


async def test_one_event_routed_to_several_notifiers_by_identity_or_equality(store: Store) -> None:
    event = make_event()
    equal_copy = make_event()  # a distinct object equal to `event`
    assert equal_copy is not event and equal_copy == event
    await store.commit(
        make_state(),
        [event],
        [make_notification("n1", "pager", event), make_notification("n2", "slack", equal_copy)],
    )

    claimed = await store.claim_due(T0, 10, LEASE)
    assert [(n.id, n.notifier, n.event) for n in claimed] == [("n1", "pager", event), ("n2", "slack", event)]
    assert len(await store.recent_events(10)) == 1


async def test_notification_due_only_from_its_creation(store: Store) -> None:
    event = make_event()
    await store.commit(make_state(), [event], [make_notification("n1", "pager", event, created_at=later(10))])

    assert await store.claim_due(later(9), 10, LEASE) == []
    assert ids(await store.claim_due(later(10), 10, LEASE)) == ["n1"]


async def test_open_alerts_follow_triggers_and_resolves(store: Store) -> None:
    api, web = make_event("github/component/api"), make_event("github/component/web")
    await store.commit(
        make_state(),
        [api, web],
        [
            make_notification("n1", "pager", api),
            make_notification("n2", "slack", api),
            make_notification("n3", "pager", web),
        ],
    )
    slack_event = make_event("slack/component/calls", provider="slack")
    await store.commit(make_state("slack"), [slack_event], [make_notification("s1", "pager", slack_event)])
    assert await store.open_alerts("github") == {
        "github/component/api": {"pager", "slack"},
        "github/component/web": {"pager"},
    }

    # A second trigger on an open key changes nothing; a resolve closes it for that notifier only.
    again = make_event("github/component/api", at=later(30))
    resolved = make_event("github/component/api", resolves=True, at=later(60))
    await store.commit(
        make_state(),
        [again, resolved],
        [make_notification("n4", "pager", again), make_notification("n5", "pager", resolved)],
    )
    assert await store.open_alerts("github") == {
        "github/component/api": {"slack"},
        "github/component/web": {"pager"},
    }
    assert await store.open_alerts("slack") == {"slack/component/calls": {"pager"}}
    assert await store.open_alerts("nobody") == {}


async def test_failed_commit_writes_nothing(store: Store) -> None:
    first = make_event()
    before_state = make_state(description="before")
    await store.commit(before_state, [first], [make_notification("n1", "pager", first)])

    event = make_event("github/component/web", at=later(60))
    resolve = make_event("github/component/api", resolves=True, at=later(60))
    with pytest.raises(StoreError):
        await store.commit(
            make_state(description="after"),
            [event, resolve],
            [
                make_notification("n2", "pager", event),
                make_notification("n3", "pager", resolve),
                make_notification("n1", "slack", event),  # an id already enqueued: the commit must fail
            ],
        )

    assert await store.load_states() == {"github": before_state}
    assert [stored.event for stored in await store.recent_events(10)] == [first]
    assert await store.open_alerts("github") == {"github/component/api": {"pager"}}
    assert ids(await store.claim_due(later(3600), 10, LEASE)) == ["n1"]
    assert await store.notification_counts() == {"pending": 1, "delivered": 0, "dead": 0}


async def test_notification_for_an_event_outside_the_commit_is_rejected(store: Store) -> None:
    stray = make_event("github/component/stray")
    with pytest.raises(ValueError, match="n1"):
        await store.commit(make_state(), [make_event()], [make_notification("n1", "pager", stray)])
    assert await store.load_states() == {}
    assert await store.recent_events(10) == []
    assert await store.pending_count() == 0


async def test_everything_survives_close_and_reopen(store_factory: StoreFactory) -> None:
    state = make_state(description="Partial outage")
    event = make_event()
    async with store_factory() as store:
        await store.commit(state, [event], [make_notification("n1", "pager", event)])

    async with store_factory() as reopened:
        assert await reopened.load_states() == {"github": state}
        assert [stored.event for stored in await reopened.recent_events(10)] == [event]
        assert await reopened.open_alerts("github") == {"github/component/api": {"pager"}}
        assert ids(await reopened.claim_due(T0, 10, LEASE)) == ["n1"]


async def test_release_leases_frees_claims_of_the_previous_process(store_factory: StoreFactory) -> None:
    event = make_event()
    async with store_factory() as store:
        await store.commit(make_state(), [event], [make_notification("n1", "pager", event)])
        assert ids(await store.claim_due(T0, 10, LEASE)) == ["n1"]
        assert await store.claim_due(T0, 10, LEASE) == []

    async with store_factory() as reopened:
        assert await reopened.claim_due(T0, 10, LEASE) == [], "opening alone must not steal a live claim"
        assert await reopened.release_leases() == 1
        assert ids(await reopened.claim_due(T0, 10, LEASE)) == ["n1"]


async def test_a_lease_hides_a_notification_until_it_expires(store: Store) -> None:
    event = make_event()
    await store.commit(make_state(), [event], [make_notification("n1", "pager", event)])

    assert ids(await store.claim_due(T0, 10, LEASE)) == ["n1"]
    assert await store.claim_due(T0, 10, LEASE) == []
    assert await store.claim_due(later(LEASE - 0.001), 10, LEASE) == []
    assert ids(await store.claim_due(later(LEASE), 10, LEASE)) == ["n1"]


async def test_retry_releases_the_lease_counts_the_attempt_and_reschedules(store: Store) -> None:
    event = make_event()
    await store.commit(make_state(), [event], [make_notification("n1", "pager", event)])
    await store.claim_due(T0, 10, LEASE)

    await store.mark_retry("n1", later(30), "HTTP 503")
    assert await store.claim_due(later(29), 10, LEASE) == []
    claimed = await store.claim_due(later(30), 10, LEASE)
    assert ids(claimed) == ["n1"] and claimed[0].attempts == 1

    await store.mark_retry("n1", later(31), "HTTP 503")
    assert (await store.claim_due(later(31), 10, LEASE))[0].attempts == 2
    assert await store.pending_count() == 1


async def test_delivered_and_dead_are_final(store: Store) -> None:
    one, two = make_event("github/component/one"), make_event("github/component/two")
    await store.commit(
        make_state(),
        [one, two],
        [make_notification("n1", "pager", one), make_notification("n2", "pager", two)],
    )
    await store.claim_due(T0, 10, LEASE)

    await store.mark_delivered("n1", later(1))
    await store.mark_dead("n2", later(1), "permanent failure: HTTP 400")

    assert await store.notification_counts() == {"pending": 0, "delivered": 1, "dead": 1}
    assert await store.pending_count() == 0
    assert await store.claim_due(later(86400), 10, LEASE) == []
    for mark_again in (
        store.mark_delivered("n1", later(2)),
        store.mark_retry("n2", later(2), "again"),
        store.mark_dead("n1", later(2), "again"),
    ):
        with pytest.raises(StoreError):
            await mark_again
    with pytest.raises(StoreError):
        await store.mark_delivered("no-such-id", later(2))


async def test_an_earlier_pending_notification_blocks_later_ones_for_its_notifier_and_key(
    store: Store,
) -> None:
    trigger = make_event("github/component/api")
    resolve = make_event("github/component/api", resolves=True, at=later(5))
    other_key = make_event("github/component/web")
    await store.commit(
        make_state(),
        [trigger, resolve, other_key],
        [
            make_notification("trigger-pager", "pager", trigger),
            make_notification("trigger-slack", "slack", trigger),
            make_notification("resolve-pager", "pager", resolve),
            make_notification("web-pager", "pager", other_key),
        ],
    )

    assert ids(await store.claim_due(T0, 10, LEASE)) == ["trigger-pager", "trigger-slack", "web-pager"]
    # Retrying: the trigger is still pending, so the resolve must wait even when due and unleased.
    await store.mark_retry("trigger-pager", later(30), "HTTP 500")
    assert await store.claim_due(later(10), 10, LEASE) == []
    assert ids(await store.claim_due(later(30), 10, LEASE)) == ["trigger-pager"]
    await store.mark_delivered("trigger-pager", later(30))
    assert ids(await store.claim_due(later(30), 10, LEASE)) == ["resolve-pager"]


async def test_a_dead_notification_no_longer_blocks_the_next(store: Store) -> None:
    trigger = make_event()
    resolve = make_event(resolves=True, at=later(5))
    await store.commit(
        make_state(),
        [trigger, resolve],
        [make_notification("t", "pager", trigger), make_notification("r", "pager", resolve)],
    )
    assert ids(await store.claim_due(T0, 10, LEASE)) == ["t"]
    await store.mark_dead("t", T0, "permanent failure")
    assert ids(await store.claim_due(T0, 10, LEASE)) == ["r"]


async def test_claim_filters_by_notifier_and_respects_limit_in_enqueue_order(store: Store) -> None:
    events = [make_event(f"github/component/c{i}") for i in range(5)]
    notifications = [
        make_notification(f"n{i}", "pager" if i % 2 else "slack", e) for i, e in enumerate(events)
    ]
    await store.commit(make_state(), events, notifications)

    assert await store.claim_due(T0, 10, LEASE, notifiers=[]) == []
    assert await store.claim_due(T0, 10, LEASE, notifiers=["nobody"]) == []
    assert ids(await store.claim_due(T0, 10, LEASE, notifiers=["pager"])) == ["n1", "n3"]
    assert ids(await store.claim_due(T0, 2, LEASE)) == ["n0", "n2"]
    assert ids(await store.claim_due(T0, 2, LEASE, notifiers={"slack", "pager"})) == ["n4"]
    assert await store.claim_due(later(1), 0, LEASE) == []


async def test_pending_count_follows_outcomes(store: Store) -> None:
    events = [make_event(f"github/component/c{i}") for i in range(3)]
    await store.commit(
        make_state(), events, [make_notification(f"n{i}", "pager", e) for i, e in enumerate(events)]
    )
    assert await store.pending_count() == 3
    await store.claim_due(T0, 10, LEASE)
    assert await store.pending_count() == 3  # claimed is still pending until an outcome is recorded
    await store.mark_retry("n0", T0 + timedelta(seconds=5), "HTTP 502")
    await store.mark_delivered("n1", T0)
    await store.mark_dead("n2", T0, "permanent failure")
    assert await store.pending_count() == 1
    assert await store.notification_counts() == {"pending": 1, "delivered": 1, "dead": 1}


async def test_pending_by_notifier_counts_only_pending(store: Store) -> None:
    events = [make_event(f"github/component/c{i}") for i in range(3)]
    await store.commit(
        make_state(),
        events,
        [
            make_notification("n0", "pager", events[0]),
            make_notification("n1", "pager", events[1]),
            make_notification("n2", "chat", events[2]),
        ],
    )
    assert await store.pending_by_notifier() == {"pager": 2, "chat": 1}
    await store.mark_delivered("n2", T0)
    assert await store.pending_by_notifier() == {"pager": 2}
