"""promtool, from Debian's prometheus package, on the shipped rules and on a live daemon's /metrics."""

from __future__ import annotations

import subprocess

import yaml

from tests.ops.artifacts import RULE_TESTS, RULES, rules
from tests.ops.scene import Scene
from tests.tools import require_tool


def promtool(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [require_tool("promtool"), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_rules_pass_promtool_check() -> None:
    result = promtool("check", "rules", str(RULES))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS: 8 rules found" in result.stdout


def test_every_rule_unit_test_passes() -> None:
    result = promtool("test", "rules", str(RULE_TESTS))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def test_every_alert_says_how_bad_what_and_after_how_long() -> None:
    for rule in rules():
        assert rule["labels"]["severity"] in {"critical", "warning"}, rule["alert"]
        assert rule["annotations"]["summary"] and rule["annotations"]["description"], rule["alert"]
        assert "for" in rule, rule["alert"]


def test_every_alert_is_tested_firing_and_not_firing() -> None:
    alerts = {rule["alert"] for rule in rules()}
    cases = yaml.safe_load(RULE_TESTS.read_text())["tests"]
    checks = [check for case in cases for check in case["alert_rule_test"]]
    firing = {check["alertname"] for check in checks if check["exp_alerts"]}
    quiet = {check["alertname"] for check in checks if not check["exp_alerts"]}
    assert len(alerts) == 8
    assert (firing, quiet) == (alerts, alerts)


def test_promtool_check_metrics_reports_lint_problems() -> None:
    """The check below has teeth: a counter without _total and a non-base unit are reported."""
    result = promtool("check", "metrics", stdin="# TYPE polls counter\npolls 1\nlatency_milliseconds 3\n")
    assert result.returncode != 0
    assert '"_total" suffix' in result.stderr and 'base unit "seconds"' in result.stderr


async def test_live_metrics_pass_promtool_check_metrics(scene: Scene) -> None:
    require_tool("promtool")  # before the daemon is started for nothing
    await scene.play()
    text = await scene.metrics_text()
    for family in ("outage_monitor_provider_status{", "outage_monitor_polls_total{", "_bucket{le="):
        assert family in text  # the per-provider and histogram families are really in what is checked
    result = promtool("check", "metrics", stdin=text)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
