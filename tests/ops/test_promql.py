"""The metric-name extractor on the shapes the dashboard and the rules use, and on traps."""

from __future__ import annotations

import pytest

from tests.ops.promql import metric_names, template_query_expr


@pytest.mark.parametrize(
    ("expr", "names"),
    [
        ("up == 0", {"up"}),
        ('absent(up{job="outage-monitor"})', {"up"}),
        ("time() - max by (job, instance) (last_success_seconds) > 900", {"last_success_seconds"}),
        ('increase(notifications_total{outcome="dead"}[15m]) > 0', {"notifications_total"}),
        ("pending > 50 and deriv(pending[15m]) > 0", {"pending"}),
        (
            'sum by (provider, o) (rate(polls_total{provider=~"$provider", o!~"ok"}[$__rate_interval]))',
            {"polls_total"},
        ),
        (
            "histogram_quantile(0.95, sum(rate(latency_seconds_bucket[5m])) by (le))",
            {"latency_seconds_bucket"},
        ),
        ("a / on (job) group_left (version) b offset 5m", {"a", "b"}),
        ("(status > 0 unless on (provider) up == 0) or on (provider) (up == 0) - 1", {"status", "up"}),
        ('x{job="a{b}", name=~"rate(y)"} > bool 1e3 or vector(0)', {"x"}),
        ('label_replace(m, "dst", "$1 sum(z)", "src", "(.*)")', {"m"}),
        ("count(s > Inf) + sum(t:recorded:rate5m)", {"s", "t:recorded:rate5m"}),
        ("topk(5, ${metric_var} or real_metric)", {"real_metric"}),
    ],
)
def test_metric_names(expr: str, names: set[str]) -> None:
    assert metric_names(expr) == names


def test_template_query() -> None:
    assert (
        template_query_expr("label_values(outage_monitor_provider_up, provider)")
        == "outage_monitor_provider_up"
    )
    with pytest.raises(AssertionError):
        template_query_expr("query_result(up)")
