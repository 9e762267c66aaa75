"""The shipped Prometheus rules and Grafana dashboard, and the PromQL they contain."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from tests.ops.promql import template_query_expr

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
RULES = DEPLOY / "prometheus" / "rules.yml"
RULE_TESTS = DEPLOY / "prometheus" / "rules.test.yml"
DASHBOARD = DEPLOY / "grafana" / "outage-monitor.json"


def dashboard() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(DASHBOARD.read_text())
    return loaded


def rules() -> list[dict[str, Any]]:
    return [rule for group in yaml.safe_load(RULES.read_text())["groups"] for rule in group["rules"]]


def dashboard_exprs() -> dict[str, str]:
    """Every panel target's expr and the template variables' queries, keyed by where they are."""
    board = dashboard()
    exprs = {
        f"panel {panel['title']!r} {target['refId']}": target["expr"]
        for panel in board["panels"]
        for target in panel["targets"]
    }
    for variable in board["templating"]["list"]:
        exprs[f"variable {variable['name']}"] = template_query_expr(variable["query"])
    return exprs


def rule_exprs() -> dict[str, str]:
    return {f"rule {rule['alert']}": rule["expr"] for rule in rules()}


def rule_test_series() -> dict[str, str]:
    """The synthetic series the rule unit tests feed in: selectors of the metrics they stand for."""
    cases = yaml.safe_load(RULE_TESTS.read_text())["tests"]
    return {f"test {case['name']!r}": series["series"] for case in cases for series in case["input_series"]}
