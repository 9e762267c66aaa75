"""Reading the metrics in tests as Prometheus reads them: parse what /metrics serves."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample

from monitor.metrics import exposition


def samples() -> list[Sample]:
    text = b"".join(exposition()).decode()
    return [s for family in text_string_to_metric_families(text) for s in family.samples]


def sample(metric: str, **labels: str) -> float | None:
    """The current value of one series, None when the series does not exist."""
    return next((s.value for s in samples() if s.name == metric and s.labels == labels), None)


def count(metric: str, **labels: str) -> float:
    """A counter's value, 0 when the series was never created."""
    return sample(metric, **labels) or 0.0


def component_labels(provider: str) -> set[str]:
    """The `component` labels of every component_status series of one provider."""
    return {
        s.labels["component"]
        for s in samples()
        if s.name == "outage_monitor_component_status" and s.labels.get("provider") == provider
    }


def counted_series(provider: str) -> set[tuple[str, str]]:
    """(metric, outcome) of every counter series of one provider."""
    return {
        (s.name, s.labels.get("outcome", ""))
        for s in samples()
        if s.labels.get("provider") == provider and s.name.endswith("_total")
    }
