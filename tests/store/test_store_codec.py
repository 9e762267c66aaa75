"""The stored JSON form of states, events, alerts, notification log entries and group notifications:
lossless, stable, tolerant of keys it does not know."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from monitor.model import (
    Alert,
    AlertKind,
    ComponentState,
    ComponentStatus,
    Event,
    EventKind,
    GroupNotification,
    Impact,
    Incident,
    IncidentStatus,
    IncidentUpdate,
    Maintenance,
    MaintenanceStatus,
    ProviderState,
    Severity,
    Told,
)
from monitor.store import codec

from .store_builders import T0, make_event

zones = st.sampled_from([UTC, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-8))])
aware = st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(9000, 1, 1), timezones=zones)
maybe_time = st.none() | aware
maybe_text = st.none() | st.text(max_size=30)
ids = st.text(min_size=1, max_size=12)

updates = st.builds(
    IncidentUpdate, at=maybe_time, status=st.sampled_from(IncidentStatus), text=st.text(max_size=40)
)
incidents = st.builds(
    Incident,
    id=ids,
    name=st.text(max_size=30),
    status=st.sampled_from(IncidentStatus),
    impact=st.sampled_from(Impact),
    url=maybe_text,
    started_at=maybe_time,
    updated_at=maybe_time,
    latest_update=maybe_text,
    component_ids=st.lists(ids, max_size=3).map(tuple),
    updates=st.lists(updates, max_size=3).map(tuple),
    resolved_at=maybe_time,
)
maintenances = st.builds(
    Maintenance,
    id=ids,
    name=st.text(max_size=30),
    status=st.sampled_from(MaintenanceStatus),
    url=maybe_text,
    scheduled_for=maybe_time,
    scheduled_until=maybe_time,
    latest_update=maybe_text,
    component_ids=st.lists(ids, max_size=3).map(tuple),
)
component_states = st.builds(
    ComponentState,
    name=st.text(max_size=30),
    status=st.sampled_from(ComponentStatus),
    group=maybe_text,
    pending=st.none() | st.sampled_from(ComponentStatus),
    pending_count=st.integers(0, 100),
)
states = st.builds(
    ProviderState,
    provider=ids,
    page_url=maybe_text,
    baselined=st.booleans(),
    components=st.dictionaries(ids, component_states, max_size=4),
    incidents=st.dictionaries(ids, incidents, max_size=3),
    maintenances=st.dictionaries(ids, maintenances, max_size=2),
    description=maybe_text,
    consecutive_failures=st.integers(0, 10_000),
    unreachable=st.booleans(),
    last_error=maybe_text,
    last_poll_at=maybe_time,
    last_success_at=maybe_time,
)
events = st.builds(
    Event,
    kind=st.sampled_from(EventKind),
    provider=ids,
    severity=st.sampled_from(Severity),
    dedup_key=st.text(min_size=1, max_size=40),
    title=st.text(max_size=60),
    occurred_at=aware,
    resolves=st.booleans(),
    subject_id=maybe_text,
    subject_name=maybe_text,
    old_status=maybe_text,
    new_status=maybe_text,
    impact=maybe_text,
    detail=maybe_text,
    url=maybe_text,
    group=maybe_text,
)

alerts = st.builds(
    Alert,
    key=st.text(min_size=1, max_size=40),
    provider=ids,
    kind=st.sampled_from(AlertKind),
    severity=st.sampled_from(Severity),
    summary=st.text(max_size=30),
    title=st.text(max_size=60),
    started_at=aware,
    updated_at=aware,
    url=maybe_text,
    component=maybe_text,
    detail=maybe_text,
    resolved_at=maybe_time,
)
keys = st.frozensets(st.text(min_size=1, max_size=40), max_size=4)
receipts = st.dictionaries(ids, st.text(max_size=20), max_size=3)
messages = st.builds(
    GroupNotification,
    group_key=st.text(min_size=1, max_size=40),
    route=st.integers(0, 50),
    notifier=ids,
    reason=st.sampled_from(["firing", "escalated", "changed", "repeat", "resolved"]),
    status=st.sampled_from(["firing", "resolved"]),
    severity=st.sampled_from(Severity),
    title=st.text(max_size=60),
    firing=st.lists(alerts, max_size=3).map(tuple),
    resolved=st.lists(alerts, max_size=3).map(tuple),
    related=st.lists(alerts, max_size=2).map(tuple),
    firing_total=st.integers(0, 1000),
    resolved_total=st.integers(0, 1000),
    related_total=st.integers(0, 1000),
    alert_keys=keys,
    receipt=receipts,
    text=st.none(),  # rendered at send time, never stored
)


@given(states)
def test_state_round_trips(state: ProviderState) -> None:
    assert codec.state_from_json(codec.state_to_json(state)) == state


@given(events)
def test_event_round_trips(event: Event) -> None:
    assert codec.event_from_json(codec.event_to_json(event)) == event


@given(alerts)
def test_alert_round_trips(alert: Alert) -> None:
    assert codec.alert_from_json(codec.alert_to_json(alert)) == alert


@given(keys, st.sampled_from(Severity), aware, receipts)
def test_a_log_entry_round_trips_with_its_receipt_kept_apart(
    firing: frozenset[str], severity: Severity, sent_at: datetime, receipt: dict[str, str]
) -> None:
    told = Told(firing, severity, sent_at, receipt)
    text = codec.told_to_json(told)
    assert codec.told_from_json(text, codec.receipt_to_json(receipt)) == told
    assert codec.told_from_json(text).receipt == {}


@given(messages)
def test_a_group_notification_round_trips_with_its_receipt_kept_apart(message: GroupNotification) -> None:
    text = codec.message_to_json(message)
    assert codec.message_from_json(text, message.receipt) == message
    assert codec.message_from_json(text).receipt == {}


def test_a_notification_queued_before_alert_groups_reads_as_a_one_alert_group() -> None:
    trigger, resolve = make_event(), make_event(resolves=True, at=T0 + timedelta(minutes=5))
    firing = codec.legacy_message(trigger, "pager")
    assert (firing.group_key, firing.notifier, firing.status, firing.reason) == (
        trigger.dedup_key,
        "pager",
        "firing",
        "firing",
    )
    assert firing.firing == (Alert.from_event(trigger),) and firing.resolved == ()
    assert firing.alert_keys == {trigger.dedup_key} and not firing.truncated

    resolved = codec.legacy_message(resolve, "pager")
    assert (resolved.group_key, resolved.status, resolved.reason) == (
        trigger.dedup_key,
        "resolved",
        "resolved",
    )
    assert resolved.firing == () and [a.resolved_at for a in resolved.resolved] == [resolve.occurred_at]
    assert resolved.alert_keys == frozenset() and not resolved.truncated


@given(aware, aware)
def test_time_text_is_fixed_width_utc_and_sorts_like_the_instants(a: datetime, b: datetime) -> None:
    text_a, text_b = codec.format_time(a), codec.format_time(b)
    assert len(text_a) == len("2024-01-02T03:04:05.000000Z") and text_a.endswith("Z")
    assert (text_a < text_b) == (a < b)
    assert codec.parse_time(text_a) == a and codec.parse_time(text_a).tzinfo == UTC


def test_stored_form_uses_enum_values_severity_labels_and_utc_text() -> None:
    event = make_event(at=datetime(2024, 5, 1, 14, 0, tzinfo=timezone(timedelta(hours=2))))
    doc = json.loads(codec.event_to_json(event))
    assert doc["kind"] == "component_changed"
    assert doc["severity"] == "major"
    assert doc["occurred_at"] == "2024-05-01T12:00:00.000000Z"

    state = ProviderState(
        "github",
        components={"api": ComponentState("API", ComponentStatus.PARTIAL_OUTAGE)},
        incidents={
            "i": Incident("i", "Errors", IncidentStatus.IDENTIFIED, Impact.MINOR, component_ids=("api",))
        },
    )
    doc = json.loads(codec.state_to_json(state))
    assert doc["components"]["api"]["status"] == "partial_outage"
    assert doc["incidents"]["i"]["status"] == "identified"
    assert doc["incidents"]["i"]["impact"] == "minor"
    assert doc["incidents"]["i"]["component_ids"] == ["api"]


def test_naive_datetimes_are_taken_as_utc() -> None:
    naive = datetime(2024, 5, 1, 12, 0)
    assert codec.format_time(naive) == "2024-05-01T12:00:00.000000Z"
    event = make_event(at=naive)
    assert codec.event_from_json(codec.event_to_json(event)).occurred_at == T0


def test_unknown_keys_are_ignored_and_absent_optional_fields_default() -> None:
    event_doc = {
        "kind": "incident_opened",
        "provider": "github",
        "severity": "critical",
        "dedup_key": "github/incident/x",
        "title": "GitHub: outage",
        "occurred_at": "2024-05-01T12:00:00.000000Z",
        "added_in_a_later_version": {"anything": [1, 2]},
    }
    assert codec.event_from_json(json.dumps(event_doc)) == Event(
        kind=EventKind.INCIDENT_OPENED,
        provider="github",
        severity=Severity.CRITICAL,
        dedup_key="github/incident/x",
        title="GitHub: outage",
        occurred_at=T0,
    )

    state_doc = {
        "provider": "github",
        "baselined": True,
        "components": {"api": {"name": "API", "status": "operational", "flapping": True}},
        "future_field": 42,
    }
    assert codec.state_from_json(json.dumps(state_doc)) == ProviderState(
        provider="github",
        baselined=True,
        components={"api": ComponentState("API", ComponentStatus.OPERATIONAL)},
    )


def test_lone_surrogates_from_page_escapes_survive_as_ascii_json() -> None:
    """synthetic: json.loads('"\\ud800"') gives a lone surrogate, which UTF-8 cannot encode."""
    event = make_event(title="broken \ud800 escape")
    text = codec.event_to_json(event)
    assert text.isascii()
    assert codec.event_from_json(text) == event
