"""Reading the process-wide metrics registry in tests: compare before/after, label sets per provider."""

from __future__ import annotations

from monitor.metrics import REGISTRY


def sample(metric: str, **labels: str) -> float | None:
    """The current value of one series, None when the series does not exist."""
    return REGISTRY.get_sample_value(metric, labels)


def count(metric: str, **labels: str) -> float:
    """A counter's value, 0 when the series was never created."""
    return sample(metric, **labels) or 0.0


def component_labels(provider: str) -> set[str]:
    """The `component` labels of every component_status series of one provider."""
    return {
        s.labels["component"]
        for family in REGISTRY.collect()
        if family.name == "outage_monitor_component_status"
        for s in family.samples
        if s.labels.get("provider") == provider
    }


def counted_series(provider: str) -> set[tuple[str, str]]:
    """(metric, outcome) of every counter series of one provider, `_created` samples aside."""
    return {
        (s.name, s.labels.get("outcome", ""))
        for family in REGISTRY.collect()
        if family.type == "counter"
        for s in family.samples
        if s.labels.get("provider") == provider and s.name.endswith("_total")
    }
