"""Matchers: one test per row of the rule table in monitor/alerting/matchers.py."""

from __future__ import annotations

import re

import pytest

from monitor.alerting.matchers import Matcher, MatcherError, MatchOp, parse_matcher

GITHUB_API = {"provider": "github", "kind": "component", "component": "API Requests", "severity": "major"}
GITHUB_INCIDENT = {"provider": "github", "kind": "incident", "severity": "critical"}


@pytest.mark.parametrize(
    ("text", "op", "value"),
    [
        ('provider="github"', MatchOp.EQUAL, "github"),
        ("provider=github", MatchOp.EQUAL, "github"),
        ('provider!="github"', MatchOp.NOT_EQUAL, "github"),
        ("provider!=github", MatchOp.NOT_EQUAL, "github"),
        ('provider=~"git.*"', MatchOp.REGEX, "git.*"),
        ("provider!~git.*", MatchOp.NOT_REGEX, "git.*"),
    ],
)
def test_the_four_operators_with_and_without_quotes(text: str, op: MatchOp, value: str) -> None:
    assert parse_matcher(text) == Matcher("provider", op, value)


def test_blanks_around_name_operator_and_value_are_ignored() -> None:
    assert parse_matcher('  component =~ "Git .*"  ') == Matcher("component", MatchOp.REGEX, "Git .*")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        (r'component="say \"hi\""', 'say "hi"'),
        (r'component="back\\slash"', "back\\slash"),
        (r'component="two\nlines"', "two\nlines"),
        (r'component=~"Git\.ops"', r"Git\.ops"),
        (r"component=say\"hi", 'say"hi'),
    ],
)
def test_escapes_in_values(text: str, value: str) -> None:
    assert parse_matcher(text).value == value


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('component=say"hi', "unescaped double quote"),
        ('component="abc', "missing closing quote"),
        (r'component="abc\"', "missing closing quote"),
        ('component="a"b', "text after the closing quote"),
        ('provider=="github"', "unknown operator '=='"),
        ("provider~=github", "unknown operator '~='"),
        ("provider=!github", "unknown operator '=!'"),
        ("provider<>github", "unknown operator '<>'"),
        ("", "empty matcher"),
        ("   ", "empty matcher"),
        ("provider", "bad matcher"),
        ('="github"', "bad matcher"),
    ],
)
def test_malformed_text_is_an_error_saying_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(MatcherError, match=message):
        parse_matcher(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("provder=github", "unknown label 'provder'; did you mean 'provider'"),
        ("team=infra", "unknown label 'team'; known: provider, kind, component, severity"),
    ],
)
def test_unknown_labels_are_errors(text: str, message: str) -> None:
    with pytest.raises(MatcherError, match=message):
        parse_matcher(text)


@pytest.mark.parametrize(
    ("text", "alert", "expected"),
    [
        ('component=~"API.*"', GITHUB_API, True),
        ('component=~"API"', GITHUB_API, False),  # anchored at the end
        ('component=~"Requests"', GITHUB_API, False),  # anchored at the start
        ('component=~"API|Git"', {"component": "xAPI"}, False),  # the alternation stays inside the anchors
        ('component!~"API.*"', GITHUB_API, False),
        ('component!~"Git.*"', GITHUB_API, True),
        ('component=~"(?i)api requests"', GITHUB_API, True),
    ],
)
def test_regexes_are_fully_anchored(text: str, alert: dict[str, str], expected: bool) -> None:
    assert parse_matcher(text).matches(alert) is expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('component=~"Git("', r"bad regular expression 'Git\(': missing \)"),
        ('component!~"a)(?:b"', r"bad regular expression 'a\)\(\?:b': unbalanced parenthesis"),
    ],
)
def test_a_bad_regex_is_an_error(text: str, message: str) -> None:
    with pytest.raises(MatcherError, match=message):
        parse_matcher(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("severity=majr", "unknown severity 'majr'; did you mean 'major'"),
        ("severity!=Major", "unknown severity 'Major'; did you mean 'major'"),
        ("kind=incidnet", "unknown kind 'incidnet'; did you mean 'incident'"),
        ("kind=outage", "unknown kind 'outage'; known: component, incident, maintenance, source"),
    ],
)
def test_kind_and_severity_values_must_be_known_words(text: str, message: str) -> None:
    with pytest.raises(MatcherError, match=message):
        parse_matcher(text)


def test_kind_and_severity_regexes_must_match_a_known_word() -> None:
    assert parse_matcher('severity=~"major|critical"').matches(GITHUB_INCIDENT)
    with pytest.raises(MatcherError, match=re.escape("'majr|critcal' matches no severity; known: info")):
        parse_matcher('severity=~"majr|critcal"')


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('component=""', True),
        ('component!=""', False),
        ('component=~".*"', True),
        ('component=~".+"', False),
        ('component!="API Requests"', True),
    ],
)
def test_an_absent_label_matches_like_the_empty_string(text: str, expected: bool) -> None:
    assert "component" not in GITHUB_INCIDENT
    assert parse_matcher(text).matches(GITHUB_INCIDENT) is expected


@pytest.mark.parametrize(
    "matcher",
    [
        Matcher("component", MatchOp.EQUAL, 'say "hi"\n\\'),
        Matcher("component", MatchOp.NOT_REGEX, r"Git\.ops.*"),
        Matcher("severity", MatchOp.NOT_EQUAL, "info"),
    ],
)
def test_text_and_json_forms_parse_back(matcher: Matcher) -> None:
    assert parse_matcher(str(matcher)) == matcher
    assert Matcher.from_json(matcher.to_json()) == matcher


def test_json_form_is_alertmanagers() -> None:
    assert parse_matcher("component!~Git.*").to_json() == {
        "name": "component",
        "value": "Git.*",
        "isRegex": True,
        "isEqual": False,
    }


def test_json_without_flags_is_an_equality_matcher() -> None:
    assert Matcher.from_json({"name": "provider", "value": "github"}) == Matcher(
        "provider", MatchOp.EQUAL, "github"
    )
    assert Matcher.from_json({"name": "provider", "value": "g.*", "isRegex": True}).op is MatchOp.REGEX


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "provider"}, "string 'name' and a string 'value'"),
        (
            {"name": "provider", "value": "x", "isRegex": "yes"},
            "'isRegex' and 'isEqual' must be true or false",
        ),
        ({"name": "team", "value": "x"}, "unknown label 'team'"),
    ],
)
def test_bad_json_matchers_are_errors(data: dict[str, object], message: str) -> None:
    with pytest.raises(MatcherError, match=message):
        Matcher.from_json(data)
