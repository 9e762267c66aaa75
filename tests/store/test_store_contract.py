"""What every Store must do, whatever the database behind it (see conftest.store_factory)."""

from __future__ import annotations

from dataclasses import replace
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
from monitor.store.base import AlertingChange, AlertingMemory, StoredSilence

from .store_builders import (
    T0,
    StoreFactory,
    later,
    make_alert,
    make_event,
    make_notification,
    make_state,
    make_told,
)

LEASE = 60.0
GROUP = "route=0|provider=github"


def ids(notifications: list[Notification]) -> list[str]:
    return [n.id for n in notifications]


async def test_a_fresh_store_is_empty(store: Store) -> None:
    assert await store.load_states() == {}
    assert await store.recent_events(10) == []
    assert await store.load_alerting() == AlertingMemory()
    assert await store.silences() == []
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


async def test_touch_rewrites_stored_states_in_one_call_and_adds_none(store: Store) -> None:
    github, slack = make_state("github", last_poll_at=later(5)), make_state("slack", last_poll_at=later(5))
    await store.commit(github, [], [])
    await store.commit(slack, [], [])
    beats = [replace(github, last_poll_at=later(300)), replace(slack, last_poll_at=later(301))]
    await store.touch([*beats, make_state("never-committed", last_poll_at=later(302))])
    assert await store.load_states() == {"github": beats[0], "slack": beats[1]}
    assert await store.recent_events(10) == []
    await store.touch([])  # an empty batch is no error
    assert await store.load_states() == {"github": beats[0], "slack": beats[1]}


async def test_touch_writes_only_the_poll_times(store: Store) -> None:
    """A heartbeat's state has nothing new but its poll times: those two fields are all it writes, so a
    beat can never put back an older substance, and a time that is None is stored as None."""
    stored = make_state("github", description="All Systems Operational", last_poll_at=later(5))
    await store.commit(stored, [], [])
    beat = replace(stored, description="stale text", last_poll_at=later(300), last_success_at=None)
    await store.touch([beat])
    assert await store.load_states() == {
        "github": replace(stored, last_poll_at=later(300), last_success_at=None)
    }
    await store.touch([replace(stored, last_poll_at=later(600), last_success_at=later(600))])
    assert await store.load_states() == {
        "github": replace(stored, last_poll_at=later(600), last_success_at=later(600))
    }


async def test_recent_events_newest_first_with_increasing_ids(store: Store) -> None:
    first, second, third = (make_event(f"github/component/c{i}", at=later(i)) for i in range(3))
    await store.commit(make_state(), [first, second], [])
    await store.commit(make_state(), [third], [])

    recent = await store.recent_events(10)
    assert [stored.event for stored in recent] == [third, second, first]
    assert recent[0].id > recent[1].id > recent[2].id
    assert [stored.event for stored in await store.recent_events(2)] == [third, second]


async def test_committed_notification_is_claimed_with_its_group_message(store: Store) -> None:
    event = make_event()
    queued = make_notification("n1", "pager", event, created_at=later(1), group=GROUP)
    await store.commit(make_state(), [event], [queued])

    assert await store.pending_count() == 1
    claimed = await store.claim_due(later(1), 10, LEASE)
    assert claimed == [queued]
    assert claimed[0].message.group_key == GROUP
    assert claimed[0].message.firing[0].key == event.dedup_key
    assert (claimed[0].attempts, claimed[0].receipt) == (0, {})


async def test_one_group_queued_for_several_notifiers_in_one_commit(store: Store) -> None:
    event = make_event()
    await store.commit(
        make_state(),
        [event],
        [make_notification("n1", "pager", event), make_notification("n2", "slack", event)],
    )

    claimed = await store.claim_due(T0, 10, LEASE)
    assert [(n.id, n.notifier, n.message.notifier) for n in claimed] == [
        ("n1", "pager", "pager"),
        ("n2", "slack", "slack"),
    ]
    assert {n.message.group_key for n in claimed} == {event.dedup_key}
    assert len(await store.recent_events(10)) == 1


async def test_notification_due_only_from_its_creation(store: Store) -> None:
    event = make_event()
    await store.commit(make_state(), [event], [make_notification("n1", "pager", event, created_at=later(10))])

    assert await store.claim_due(later(9), 10, LEASE) == []
    assert ids(await store.claim_due(later(10), 10, LEASE)) == ["n1"]


async def test_load_alerting_returns_what_the_commits_changed(store: Store) -> None:
    api, web = make_alert("github/component/api"), make_alert("github/component/web")
    await store.commit(
        make_state(),
        [],
        [],
        AlertingChange(
            alerts=[api, web],
            told={(GROUP, "pager"): make_told(api.key, web.key), (GROUP, "slack"): make_told(api.key)},
        ),
    )
    assert await store.load_alerting() == AlertingMemory(
        alerts={api.key: api, web.key: web},
        told={(GROUP, "pager"): make_told(api.key, web.key), (GROUP, "slack"): make_told(api.key)},
    )

    # An alert is upserted by key, a forgotten one deleted, a told entry replaced; the others stay.
    api_resolved = make_alert("github/component/api", at=later(60), resolved=True)
    await store.commit(
        make_state(),
        [],
        [],
        AlertingChange(
            alerts=[api_resolved],
            forgotten=[web.key, "github/component/never-stored"],
            told={(GROUP, "pager"): make_told(at=later(60))},
        ),
    )
    assert await store.load_alerting() == AlertingMemory(
        alerts={api.key: api_resolved},
        told={(GROUP, "pager"): make_told(at=later(60)), (GROUP, "slack"): make_told(api.key)},
    )


async def test_a_commit_without_a_state_writes_only_the_change_and_the_notifications(store: Store) -> None:
    """A timer evaluation (a held group comes due, a silence ends) has no provider state to write."""
    state, event = make_state(description="polled"), make_event()
    await store.commit(state, [event], [])

    alert = make_alert()
    queued = make_notification("n1", "pager", event, created_at=later(30), group=GROUP)
    change = AlertingChange(alerts=[alert], told={(GROUP, "pager"): make_told(alert.key, at=later(30))})
    await store.commit(None, [], [queued], change)

    assert await store.load_states() == {"github": state}
    assert [stored.event for stored in await store.recent_events(10)] == [event]
    assert await store.load_alerting() == AlertingMemory(alerts={alert.key: alert}, told=dict(change.told))
    assert await store.claim_due(later(30), 10, LEASE) == [queued]


async def test_failed_commit_writes_nothing(store: Store) -> None:
    first, api = make_event(), make_alert()
    before_state = make_state(description="before")
    before = AlertingMemory(alerts={api.key: api}, told={(GROUP, "pager"): make_told(api.key)})
    await store.commit(
        before_state,
        [first],
        [make_notification("n1", "pager", first, group=GROUP)],
        AlertingChange(alerts=[api], told=before.told),
    )

    event = make_event("github/component/web", at=later(60))
    resolve = make_event("github/component/api", resolves=True, at=later(60))
    change = AlertingChange(
        alerts=[make_alert("github/component/web", at=later(60))],
        forgotten=[api.key],
        told={(GROUP, "pager"): make_told(at=later(60)), (GROUP, "slack"): make_told(at=later(60))},
    )
    for state in (make_state(description="after"), None):
        with pytest.raises(StoreError):
            await store.commit(
                state,
                [event, resolve],
                [
                    make_notification("n2", "pager", event),
                    make_notification("n3", "pager", resolve),
                    make_notification("n1", "slack", event),  # an id already enqueued: the commit must fail
                ],
                change,
            )

    assert await store.load_states() == {"github": before_state}
    assert [stored.event for stored in await store.recent_events(10)] == [first]
    assert await store.load_alerting() == before
    assert ids(await store.claim_due(later(3600), 10, LEASE)) == ["n1"]
    assert await store.notification_counts() == {"pending": 1, "delivered": 0, "dead": 0}


async def test_everything_survives_close_and_reopen(store_factory: StoreFactory) -> None:
    state = make_state(description="Partial outage")
    event, alert = make_event(), make_alert()
    memory = AlertingMemory(alerts={alert.key: alert}, told={(GROUP, "pager"): make_told(alert.key)})
    silence = StoredSilence("s1", '{"id":"s1"}', later(3600))
    async with store_factory() as store:
        await store.commit(
            state,
            [event],
            [
                make_notification("n1", "pager", event, group=GROUP),
                make_notification("n2", "pager", event, later(1), group=GROUP),
            ],
            AlertingChange(alerts=[alert], told=memory.told),
        )
        await store.put_silence(silence)
        assert ids(await store.claim_due(T0, 10, LEASE)) == ["n1"]
        await store.mark_delivered("n1", T0, {"ts": "1714564800.000100"})

    async with store_factory() as reopened:
        assert await reopened.load_states() == {"github": state}
        assert [stored.event for stored in await reopened.recent_events(10)] == [event]
        assert await reopened.load_alerting() == AlertingMemory(
            alerts=memory.alerts,
            told={(GROUP, "pager"): make_told(alert.key)._replace(receipt={"ts": "1714564800.000100"})},
        )
        assert await reopened.silences() == [silence]
        [pending] = await reopened.claim_due(later(1), 10, LEASE)
        assert (pending.id, pending.receipt) == ("n2", {"ts": "1714564800.000100"})


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


async def test_an_earlier_pending_notification_blocks_later_ones_for_its_notifier_and_group(
    store: Store,
) -> None:
    api = make_event("github/component/api")
    web = make_event("github/component/web", at=later(5))  # another alert of the same group
    await store.commit(
        make_state(),
        [api, web],
        [
            make_notification("api-pager", "pager", api, group=GROUP),
            make_notification("api-slack", "slack", api, group=GROUP),
            make_notification("web-pager", "pager", web, later(5), group=GROUP),
            make_notification("other-pager", "pager", web, group="route=1|provider=github"),
        ],
    )

    assert ids(await store.claim_due(later(5), 10, LEASE)) == ["api-pager", "api-slack", "other-pager"]
    # Retrying: the first is still pending, so the group's next one must wait even when due and unleased.
    await store.mark_retry("api-pager", later(30), "HTTP 500")
    assert await store.claim_due(later(10), 10, LEASE) == []
    assert ids(await store.claim_due(later(30), 10, LEASE)) == ["api-pager"]
    await store.mark_delivered("api-pager", later(30))
    assert ids(await store.claim_due(later(30), 10, LEASE)) == ["web-pager"]


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


async def test_a_delivery_receipt_goes_to_the_next_notification_of_its_group(store: Store) -> None:
    api, web = make_event("github/component/api"), make_event("github/component/web", at=later(10))
    other_group = "route=1|provider=github"
    await store.commit(
        make_state(),
        [api],
        [
            make_notification("first", "slack", api, group=GROUP),
            make_notification("second", "slack", api, later(1), group=GROUP),  # queued before the delivery
            make_notification("pager", "pager", api, group=GROUP),
        ],
        AlertingChange(
            told={(GROUP, "slack"): make_told(api.dedup_key), (GROUP, "pager"): make_told(api.dedup_key)}
        ),
    )
    assert ids(await store.claim_due(later(1), 10, LEASE)) == ["first", "pager"]
    await store.mark_delivered("first", later(1), {"channel": "C1", "ts": "1714564800.000100"})
    await store.mark_delivered("pager", later(1))
    thread = {"channel": "C1", "ts": "1714564800.000100"}

    memory = await store.load_alerting()
    assert memory.told[(GROUP, "slack")] == make_told(api.dedup_key)._replace(receipt=thread)
    assert memory.told[(GROUP, "pager")].receipt == {}, "a receipt is per notifier"
    [second] = await store.claim_due(later(1), 10, LEASE)
    assert (second.id, second.receipt, second.message.receipt) == ("second", thread, thread)

    # A later evaluation queues more and upserts the log entry: the receipt stays; another group has none.
    await store.commit(
        make_state(),
        [web],
        [
            make_notification("third", "slack", web, later(10), group=GROUP),
            make_notification("elsewhere", "slack", web, later(10), group=other_group),
        ],
        AlertingChange(
            told={
                (GROUP, "slack"): make_told(api.dedup_key, web.dedup_key, at=later(10)),
                (other_group, "slack"): make_told(web.dedup_key, at=later(10)),
            }
        ),
    )
    assert (await store.load_alerting()).told[(GROUP, "slack")] == make_told(
        api.dedup_key, web.dedup_key, at=later(10)
    )._replace(receipt=thread)
    await store.mark_delivered("second", later(10))
    claimed = await store.claim_due(later(10), 10, LEASE)
    assert [(n.id, n.receipt) for n in claimed] == [("third", thread), ("elsewhere", {})]


async def test_a_delivery_without_a_receipt_keeps_the_last_and_an_empty_one_replaces_it(
    store: Store,
) -> None:
    event = make_event()
    await store.commit(
        make_state(),
        [event],
        [make_notification(f"n{i}", "slack", event, later(i), group=GROUP) for i in range(4)],
        AlertingChange(told={(GROUP, "slack"): make_told(event.dedup_key)}),
    )

    async def deliver_next(receipt: dict[str, str] | None) -> dict[str, str]:
        """Deliver the group's next notification and return the receipt it was claimed with."""
        [claimed] = await store.claim_due(later(10), 10, LEASE)
        await store.mark_delivered(claimed.id, later(10), receipt)
        return dict(claimed.receipt)

    assert await deliver_next({"ts": "1"}) == {}
    assert await deliver_next(None) == {"ts": "1"}
    assert await deliver_next({}) == {"ts": "1"}  # posted, but nothing to thread on
    assert await deliver_next(None) == {}
    assert (await store.load_alerting()).told[(GROUP, "slack")].receipt == {}


async def test_silences_round_trip_replaced_by_id_oldest_end_first(store: Store) -> None:
    late = StoredSilence("a", '{"id":"a","comment":"maintenance window"}', later(7200))
    early = StoredSilence("b", '{"id":"b"}', later(3600))
    await store.put_silence(late)
    await store.put_silence(early)
    assert await store.silences() == [early, late]

    expired = StoredSilence("a", '{"id":"a","comment":"expired early"}', T0)  # expiring is replacing
    await store.put_silence(expired)
    assert await store.silences() == [expired, early]


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


async def test_a_new_outage_is_claimed_before_other_groups_backlog(store: Store) -> None:
    """A storm: updates and resolutions of many groups are queued; a group's first page of a new outage,
    and an escalation, are claimed first, while each group keeps its own order."""
    backlog = [make_event(f"github/component/c{i}", resolves=True) for i in range(3)]  # resolutions
    await store.commit(
        make_state(), backlog, [make_notification(f"old{i}", "slack", e) for i, e in enumerate(backlog)]
    )
    outage = make_event("stripe/component/api", provider="stripe")
    first_page = make_notification("new", "slack", outage)
    assert first_page.message.reason == "firing"
    await store.commit(make_state("stripe"), [outage], [first_page])
    update = make_notification("new-update", "slack", make_event("stripe/component/api", provider="stripe"))
    changed = update._replace(message=update.message._replace(reason="changed"))
    await store.commit(make_state("stripe"), [], [changed])

    assert ids(await store.claim_due(T0, 2, LEASE)) == ["new", "old0"]
    assert ids(await store.claim_due(later(LEASE + 1), 10, LEASE)) == ["new", "old0", "old1", "old2"]
