"""The per-provider families are hand-written text: Prometheus' own parser must read them back exactly."""

from __future__ import annotations

import gc
from datetime import UTC, datetime

from prometheus_client.parser import text_string_to_metric_families

from monitor import metrics
from monitor.model import ComponentState, ComponentStatus, Impact, Incident, IncidentStatus, ProviderState

WHEN = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


class Source:
    def __init__(self, *readings: metrics.ProviderReading) -> None:
        self._readings = readings

    def readings(self) -> list[metrics.ProviderReading]:
        return list(self._readings)


def parsed() -> dict[str, list[tuple[dict[str, str], float]]]:
    text = b"".join(metrics.exposition()).decode()
    out: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out.setdefault(s.name, []).append((s.labels, s.value))
    return out


def test_awkward_names_round_trip_and_every_family_is_served_once() -> None:
    odd = 'we"ird\\ name\nsecond line'
    state = ProviderState(
        provider='exp"o',
        baselined=True,
        last_success_at=WHEN,
        components={
            "c1": ComponentState(odd, ComponentStatus.PARTIAL_OUTAGE, "Group"),
            "c2": ComponentState("Unread", ComponentStatus.UNKNOWN),
        },
        incidents={"i1": Incident("i1", "x", IncidentStatus.INVESTIGATING, Impact.MAJOR)},
    )
    source = Source(metrics.ProviderReading('exp"o', state, {"ok": 3, "timeout": 0}, 2))
    metrics.provider_series.attach(source)
    series = parsed()

    def mine(name: str) -> list[tuple[dict[str, str], float]]:
        return [
            (labels, value) for labels, value in series.get(name, []) if labels.get("provider") == 'exp"o'
        ]

    assert mine("outage_monitor_component_status") == [
        ({"provider": 'exp"o', "component": f"Group / {odd}"}, 3.0)
    ]
    assert mine("outage_monitor_provider_up") == [({"provider": 'exp"o'}, 1.0)]
    assert mine("outage_monitor_provider_status") == [({"provider": 'exp"o'}, 3.0)]
    assert mine("outage_monitor_active_incidents") == [({"provider": 'exp"o'}, 1.0)]
    assert mine("outage_monitor_polls_total") == [({"provider": 'exp"o', "outcome": "ok"}, 3.0)]
    assert mine("outage_monitor_parse_warnings_total") == [({"provider": 'exp"o'}, 2.0)]
    assert mine("outage_monitor_last_success_timestamp_seconds") == [
        ({"provider": 'exp"o'}, WHEN.timestamp())
    ]
    text = b"".join(metrics.exposition()).decode()
    for name, kind, _, _ in metrics.PROVIDER_FAMILIES:
        assert text.count(f"# TYPE {name} {kind}\n") == 1


def test_a_provider_never_read_has_no_status_series() -> None:
    fresh = ProviderState(provider="exp-fresh", consecutive_failures=2, last_error="timeout")
    source = Source(metrics.ProviderReading("exp-fresh", fresh, {"timeout": 2}, 0))
    metrics.provider_series.attach(source)
    names = {
        name for name, rows in parsed().items() for labels, _ in rows if labels.get("provider") == "exp-fresh"
    }
    assert names == {
        "outage_monitor_provider_up",
        "outage_monitor_polls_total",
        "outage_monitor_parse_warnings_total",
    }


def test_a_released_source_disappears_from_the_scrape() -> None:
    source = Source(metrics.ProviderReading("exp-gone", None, {"ok": 1}, 0))
    metrics.provider_series.attach(source)
    assert any(labels.get("provider") == "exp-gone" for labels, _ in parsed()["outage_monitor_polls_total"])
    del source
    gc.collect()
    polls = parsed().get("outage_monitor_polls_total", [])
    assert not any(labels.get("provider") == "exp-gone" for labels, _ in polls)
