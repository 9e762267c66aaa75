"""Every metric the dashboard, the rules and the rule tests' synthetic series name is one a live daemon
exports (read from its /metrics after it polled, delivered and dead-lettered)."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from tests.ops.artifacts import dashboard_exprs, rule_exprs, rule_test_series
from tests.ops.promql import metric_names
from tests.ops.scene import Scene

FROM_PROMETHEUS = {"up"}  # written by Prometheus for each scrape target, not by the daemon


async def test_every_queried_metric_is_exported_by_the_daemon(scene: Scene) -> None:
    await scene.play()
    families = text_string_to_metric_families(await scene.metrics_text())
    exported = {sample.name for family in families for sample in family.samples}
    assert "outage_monitor_poll_duration_seconds_bucket" in exported  # sample names, with histogram suffixes

    used = {
        where: metric_names(expr)
        for where, expr in {**dashboard_exprs(), **rule_exprs(), **rule_test_series()}.items()
    }
    assert all(used.values()), [where for where, names in used.items() if not names]
    unknown = {where: names - exported - FROM_PROMETHEUS for where, names in used.items()}
    assert {where: names for where, names in unknown.items() if names} == {}
    assert len(set().union(*used.values())) >= 12
