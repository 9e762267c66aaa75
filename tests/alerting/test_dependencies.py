"""Dependencies: one test per row of the table in monitor/alerting/dependencies.py, then the checks."""

from __future__ import annotations

from monitor.alerting.dependencies import causes, check_dependencies, fold
from monitor.model import Severity
from tests.alerting.alert_factory import alert

DEPS = {"github": ["cloudflare", "aws"]}
CDN = alert("cdn", provider="cloudflare", severity=Severity.MAJOR, started=10)


def test_a_dependent_alert_starting_during_a_major_dependency_alert_is_folded_under_it() -> None:
    api = alert("api", started=10)  # the same instant counts: started_at >= the cause's
    git = alert("git", started=40)
    assert fold([CDN, api, git], DEPS) == {api.key: "cloudflare", git.key: "cloudflare"}
    assert causes([CDN, git], DEPS) == {git.key: CDN}


def test_a_dependent_alert_that_started_first_is_not_folded() -> None:
    assert fold([CDN, alert("api", started=9)], DEPS) == {}


def test_a_dependency_below_major_or_resolved_folds_nothing() -> None:
    minor = alert("cdn", provider="cloudflare", severity=Severity.MINOR, started=0)
    resolved = alert("dns", provider="cloudflare", severity=Severity.CRITICAL, started=0, resolved=20)
    assert fold([minor, resolved, alert("api", started=30)], DEPS) == {}


def test_of_several_qualifying_causes_the_earliest_started_is_chosen() -> None:
    ec2 = alert("ec2", provider="aws", severity=Severity.CRITICAL, started=5)
    api = alert("api", started=30)
    assert causes([CDN, ec2, api], DEPS) == {api.key: ec2}


def test_a_cause_that_is_itself_folded_passes_its_dependents_to_the_root_cause() -> None:
    deps = {"app": ["github"], "github": ["cloudflare"]}
    api = alert("api", severity=Severity.CRITICAL, started=20)
    web = alert("web", provider="app", started=30)
    assert causes([CDN, api, web], deps) == {api.key: CDN, web.key: CDN}


def test_a_provider_that_depends_on_nothing_is_never_folded() -> None:
    assert fold([CDN, alert("s3", provider="aws", started=50)], DEPS) == {}


def test_a_cyclic_map_folds_nothing_along_the_cycle() -> None:
    a = alert("x", provider="a", severity=Severity.CRITICAL, started=0)
    b = alert("y", provider="b", severity=Severity.CRITICAL, started=0)
    c = alert("z", provider="c", started=5)
    assert causes([a, b, c], {"a": ["b"], "b": ["a"], "c": ["a"]}) == {}


def test_check_reports_unknown_providers() -> None:
    errors = check_dependencies({"github": ["cloudfare", "aws"]}, ["github", "aws", "cloudflare"])
    assert errors == ["github: depends_on: unknown provider 'cloudfare'"]


def test_check_reports_each_cycle_once_with_its_path() -> None:
    deps = {"a": ["b"], "b": ["c"], "c": ["a"], "d": ["d"], "e": ["a"]}
    assert check_dependencies(deps, "abcde") == [
        "depends_on: cycle a -> b -> c -> a",
        "depends_on: cycle d -> d",
    ]


def test_check_accepts_a_diamond() -> None:
    deps = {"app": ["github", "stripe"], "github": ["cloudflare"], "stripe": ["cloudflare"]}
    assert check_dependencies(deps, ["app", "github", "stripe", "cloudflare"]) == []
