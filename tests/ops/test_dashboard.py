"""The Grafana dashboard's structure: provisioned datasource, the provider variable, panels that do not
overlap, status names that are the daemon's own, and every view the issue asks for."""

from __future__ import annotations

import itertools
from typing import Any

from monitor.metrics import PROVIDER_FAMILIES
from monitor.model import ComponentStatus
from tests.ops.artifacts import dashboard, dashboard_exprs
from tests.ops.promql import metric_names

DATASOURCE = {"type": "prometheus", "uid": "prometheus"}  # the uid the compose provisioning gives it
PER_PROVIDER = {name for name, *_ in PROVIDER_FAMILIES}
STATUS_METRICS = {"outage_monitor_provider_status", "outage_monitor_component_status"}


def panels() -> list[dict[str, Any]]:
    return list(dashboard()["panels"])


def test_the_dashboard_is_current_and_every_query_uses_the_provisioned_datasource() -> None:
    board = dashboard()
    assert board["uid"] == "outage-monitor" and board["schemaVersion"] >= 39
    assert len({p["id"] for p in panels()}) == len(panels())
    for panel in panels():
        assert panel["datasource"] == DATASOURCE, panel["title"]
        assert panel["targets"], panel["title"]
        refs = [target["refId"] for target in panel["targets"]]
        assert len(set(refs)) == len(refs), panel["title"]
        assert all(target["datasource"] == DATASOURCE for target in panel["targets"]), panel["title"]


def test_the_provider_variable_filters_every_per_provider_query() -> None:
    (variable,) = dashboard()["templating"]["list"]
    assert variable["name"] == "provider" and variable["datasource"] == DATASOURCE
    assert variable["multi"] and variable["includeAll"] and variable["allValue"] == ".*"
    for where, expr in dashboard_exprs().items():
        if metric_names(expr) & PER_PROVIDER and where.startswith("panel"):
            assert 'provider=~"$provider"' in expr, where


def test_panels_fit_the_grid_without_overlapping() -> None:
    boxes = [(p["title"], p["gridPos"]) for p in panels()]
    for title, box in boxes:
        assert box["x"] >= 0 and box["x"] + box["w"] <= 24 and box["h"] > 0, title
    for (a, p), (b, q) in itertools.combinations(boxes, 2):
        apart = (
            p["x"] + p["w"] <= q["x"]
            or q["x"] + q["w"] <= p["x"]
            or p["y"] + p["h"] <= q["y"]
            or q["y"] + q["h"] <= p["y"]
        )
        assert apart, f"{a!r} overlaps {b!r}"


def test_status_names_and_levels_are_the_daemons() -> None:
    """Each status panel maps the metric's levels to the names the API and the README use; -1 (the
    page cannot be read) is unknown."""
    expected = {str(s.level if s.level is not None else -1): s.value for s in ComponentStatus}
    status_panels = [
        p for p in panels() if STATUS_METRICS & set().union(*(metric_names(t["expr"]) for t in p["targets"]))
    ]
    assert sorted(p["type"] for p in status_panels) == ["stat", "state-timeline", "state-timeline"]
    for panel in status_panels:
        (mapping,) = panel["fieldConfig"]["defaults"]["mappings"]
        assert {level: option["text"] for level, option in mapping["options"].items()} == expected, panel[
            "title"
        ]
        assert all(option.get("color") for option in mapping["options"].values()), panel["title"]


def test_every_view_the_issue_asks_for_is_there() -> None:
    by_type: dict[str, set[str]] = {}
    for panel in panels():
        for target in panel["targets"]:
            by_type.setdefault(panel["type"], set()).update(metric_names(target["expr"]))
    assert {"outage_monitor_provider_status", "outage_monitor_provider_up"} <= by_type[
        "stat"
    ]  # not operational now
    assert {"outage_monitor_provider_status", "outage_monitor_component_status"} <= by_type["state-timeline"]
    assert "outage_monitor_active_incidents" in by_type["bargauge"]
    assert {
        "outage_monitor_events_total",
        "outage_monitor_notifications_total",
        "outage_monitor_outbox_pending",
        "outage_monitor_polls_total",
        "outage_monitor_poll_duration_seconds_bucket",
        "outage_monitor_notification_latency_seconds_bucket",
    } <= by_type["timeseries"]
