"""A real Prometheus server scrapes the real daemon on loopback, with the shipped rules loaded, and runs
every query of the shipped dashboard."""

from __future__ import annotations

import re
from functools import partial

from tests.e2e.harness import eventually
from tests.ops.artifacts import dashboard_exprs
from tests.ops.prometheus import JOB, PrometheusServer
from tests.ops.scene import Scene

AUDIT_DEAD = 'outage_monitor_notifications_total{notifier="audit", outcome="dead"}'
GRAFANA_VARIABLES = {"$provider": ".*", "$__rate_interval": "1m"}  # "All", and a window of 60 scrapes


async def values(prometheus: PrometheusServer, expr: str) -> list[float]:
    return sorted(float(sample["value"][1]) for sample in await prometheus.query(expr))


async def scraped_before_any_dead_letter(prometheus: PrometheusServer) -> None:
    """So the dead letters are an increase Prometheus sees, as in production (the series start at 0)."""

    async def zero() -> bool:
        return await values(prometheus, AUDIT_DEAD) == [0.0]

    await eventually(zero, timeout=20, what="a scrape before the change")


async def test_promql_returns_the_status_the_daemon_reported(
    scene: Scene, prometheus: PrometheusServer
) -> None:
    await scene.play(before_change=partial(scraped_before_any_dead_letter, prometheus))
    assert await scene.daemon.metric("outage_monitor_provider_status", provider="acme") == 3  # partial_outage

    async def scraped() -> bool:
        return await values(prometheus, 'outage_monitor_provider_status{provider="acme"}') == [3.0]

    await eventually(scraped, timeout=20, what="Prometheus to report acme's status")
    assert await values(prometheus, f'up{{job="{JOB}"}}') == [1.0]
    assert await values(prometheus, 'outage_monitor_provider_up{provider="flaky"}') == [0.0]


async def test_the_shipped_rules_load_and_alert_on_the_live_daemon(
    scene: Scene, prometheus: PrometheusServer
) -> None:
    await scene.play(before_change=partial(scraped_before_any_dead_letter, prometheus))
    expected = {
        ("OutageMonitorNotificationsDeadLettered", "firing", "audit"),  # for: 0m
        ("ThirdPartyProviderOutage", "pending", "acme"),  # for: 2m
        ("OutageMonitorProviderUnreachable", "pending", "flaky"),  # for: 10m
    }
    seen: set[tuple[str, str, str]] = set()

    async def alerting() -> bool:
        nonlocal seen
        alerts = (await prometheus.api("alerts"))["alerts"]
        seen = {
            (
                a["labels"]["alertname"],
                a["state"],
                a["labels"].get("notifier") or a["labels"].get("provider", ""),
            )
            for a in alerts
        }
        return seen == expected

    try:
        await eventually(alerting, timeout=20, what="the expected alerts")
    except AssertionError as error:
        raise AssertionError(f"active alerts {sorted(seen)}, expected {sorted(expected)}") from error
    groups = (await prometheus.api("rules"))["groups"]
    assert [g["name"] for g in groups] == ["outage-monitor", "outage-monitor-third-party-example"]
    assert {(r["name"], r["health"], r.get("lastError", "")) for g in groups for r in g["rules"]} == {
        (r["name"], "ok", "") for g in groups for r in g["rules"]
    }


def as_grafana_sends(expr: str) -> str:
    for variable, value in GRAFANA_VARIABLES.items():
        expr = expr.replace(variable, value)
    assert not re.search(r"\$\w", expr), f"a Grafana variable this test does not know: {expr}"
    return expr


async def test_every_dashboard_query_runs_and_finds_data(scene: Scene, prometheus: PrometheusServer) -> None:
    await scene.play(before_change=partial(scraped_before_any_dead_letter, prometheus))
    exprs = dashboard_exprs()
    assert len(exprs) >= 15
    for where, expr in exprs.items():

        async def answered(expr: str = as_grafana_sends(expr)) -> bool:
            return bool(await prometheus.query(expr))  # an invalid query fails the test at once

        await eventually(answered, timeout=20, what=f"data for {where}")
