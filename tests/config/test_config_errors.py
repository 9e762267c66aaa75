"""Every mistake is reported as `file:line: field: message`, all of them at once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from pydantic import ValidationError

from monitor.config import Config, ConfigError, load_config
from monitor.notify import NOTIFIERS
from monitor.sources import SOURCES

ErrorsOf = Callable[..., list[str]]  # the `errors_of` fixture: parse invalid text, return its error lines
GITHUB = "{name: github, type: statuspage, url: https://www.githubstatus.com}"
SECOND = (
    "  - name: b\n    type: statuspage\n    url: https://b.example\n"  # lines 3-5 after `providers:` + GITHUB
)


def test_missing_env_var_names_file_line_field_and_variable(errors_of: ErrorsOf) -> None:
    text = """\
notifiers:
  - name: oncall-slack
    type: slack
    webhook_url: "${SLACK_WEBHOOK_URL}"
"""
    assert errors_of(text, env={"OTHER": "x"}) == [
        "providers.yaml:4: notifiers[0].webhook_url: environment variable SLACK_WEBHOOK_URL is not set"
    ]


def test_malformed_reference_is_an_error(errors_of: ErrorsOf) -> None:
    [error] = errors_of('settings: {log_level: "${LEVEL"}\n')
    assert error.startswith("providers.yaml:1: settings.log_level: malformed ${...}")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("provider: []\n", "providers.yaml:1: provider: unknown key 'provider'; did you mean 'providers'?"),
        ("settings:\n  interval: 1m\n  intervall: 2m\n", "providers.yaml:3: settings.intervall: unknown key"),
        (
            f"providers:\n  - {GITHUB}\n{SECOND}    confrm: 2\n",
            "providers.yaml:6: providers[1].confrm: unknown key 'confrm'; did you mean 'confirm'?",
        ),
        (
            "notifiers:\n  - {name: stdout, type: log, level: debug}\n",
            "providers.yaml:2: notifiers[0].level: unknown key 'level'; "
            "allowed: name, text_template, title_template, type",
        ),
        (
            "notifiers: [{name: s, type: log}]\nroutes:\n  - notify: [s]\n    severity: major\n",
            "providers.yaml:4: routes[0].severity: unknown key 'severity'",
        ),
    ],
    ids=["top-level", "settings", "provider", "notifier", "route"],
)
def test_unknown_keys_everywhere(errors_of: ErrorsOf, text: str, expected: str) -> None:
    [error] = errors_of(text)
    assert error.startswith(expected)


def test_bad_duration(errors_of: ErrorsOf) -> None:
    text = f"providers:\n  - {GITHUB}\n{SECOND}    interval: abc\n"
    [error] = errors_of(text)
    assert error.startswith("providers.yaml:6: providers[1].interval: invalid duration 'abc': ")


def test_duplicate_provider_name_points_at_the_duplicate(errors_of: ErrorsOf) -> None:
    text = f"""\
providers:
  - {GITHUB}
  - {{name: stripe, type: statuspage, url: https://status.stripe.com}}
  - name: github
    type: statuspage
    url: https://www.githubstatus.com
"""
    assert errors_of(text) == [
        "providers.yaml:4: providers[2].name: duplicate name 'github' (first at providers[0])"
    ]


def test_duplicate_notifier_name(errors_of: ErrorsOf) -> None:
    text = "notifiers:\n  - {name: out, type: log}\n  - {name: out, type: log}\n"
    assert errors_of(text) == [
        "providers.yaml:3: notifiers[1].name: duplicate name 'out' (first at notifiers[0])"
    ]


def test_unknown_provider_type_lists_the_known_types(errors_of: ErrorsOf) -> None:
    [error] = errors_of("providers:\n  - name: x\n    type: rss\n    url: https://x.example\n")
    assert error.startswith("providers.yaml:3: providers[0].type: unknown provider type 'rss'")
    assert error.endswith("known types: " + ", ".join(sorted(SOURCES)))


def test_misspelt_notifier_type_suggests_and_lists(errors_of: ErrorsOf) -> None:
    [error] = errors_of("notifiers:\n  - {name: x, type: slak}\n")
    assert error == (
        "providers.yaml:2: notifiers[0].type: unknown notifier type 'slak'; did you mean 'slack'? "
        "known types: " + ", ".join(sorted(NOTIFIERS))
    )


def test_missing_type(errors_of: ErrorsOf) -> None:
    [error] = errors_of("providers:\n  - {name: x, url: https://x.example}\n")
    assert error == (
        "providers.yaml:2: providers[0]: missing 'type'; known provider types: " + ", ".join(sorted(SOURCES))
    )


def test_route_naming_an_unknown_notifier(errors_of: ErrorsOf) -> None:
    text = """\
notifiers:
  - {name: pagerduty, type: log}
  - {name: stdout, type: log}
routes:
  - {notify: [stdout]}
  - notify:
      - stdout
      - pager-duty
"""
    assert errors_of(text) == [
        "providers.yaml:8: routes[1].notify[1]: unknown notifier 'pager-duty'; did you mean 'pagerduty'? "
        "configured notifiers: pagerduty, stdout"
    ]


def test_route_with_no_notifiers_configured(errors_of: ErrorsOf) -> None:
    assert errors_of("routes: [{notify: [slack]}]\n") == [
        "providers.yaml:1: routes[0].notify[0]: unknown notifier 'slack'; no notifiers are configured"
    ]


def test_invalid_provider_name(errors_of: ErrorsOf) -> None:
    [error] = errors_of("providers:\n  - {name: GitHub Status, type: statuspage, url: https://x.example}\n")
    assert error.startswith("providers.yaml:2: providers[0].name: String should match pattern")


def test_missing_required_field(errors_of: ErrorsOf) -> None:
    assert errors_of("providers:\n  - name: x\n    type: statuspage\n") == [
        "providers.yaml:2: providers[0].url: required"
    ]


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        (
            "state: mysql://monitor:hunter2pw@db/monitor",
            "settings.state: unsupported state store 'mysql'",
        ),
        ("state: /var/lib/state.db", "settings.state: expected a URL like sqlite:///"),
        ("listen: 0.0.0.0:70000", "settings.listen: port 70000 is out of range 0-65535"),
        ("listen: localhost", "settings.listen: expected host:port"),
        ("listen: '::1:9110'", "settings.listen: write an IPv6 address in brackets"),
        ("log_level: verbose", "settings.log_level: Input should be"),
        ("log_format: xml", "settings.log_format: Input should be"),
        (
            "max_concurrent_fetches: 0",
            "settings.max_concurrent_fetches: Input should be greater than or equal",
        ),
        ("jitter: -1s", "settings.jitter: invalid duration '-1s'"),
        ("retry_initial_delay: 1m\n  retry_max_delay: 30s", "settings.retry_max_delay: must not be shorter"),
    ],
)
def test_bad_settings(errors_of: ErrorsOf, settings: str, expected: str) -> None:
    [error] = errors_of(f"settings:\n  {settings}\n")
    assert error.startswith("providers.yaml:"), error
    assert expected in error
    assert "hunter2pw" not in error


@pytest.mark.parametrize(
    ("route", "expected"),
    [
        ("{notify: []}", "routes[0].notify: List should have at least 1 item"),
        ("{providers: [github]}", "routes[0].notify: required"),
        ("{notify: [s], min_severity: huge}", "routes[0].min_severity: unknown severity 'huge'"),
        ("{notify: [s], kinds: [incident_exploded]}", "routes[0].kinds[0]: Input should be"),
        ("{notify: [s], providers: []}", "routes[0].providers: List should have at least 1 item"),
    ],
)
def test_bad_routes(errors_of: ErrorsOf, route: str, expected: str) -> None:
    [error] = errors_of(f"notifiers: [{{name: s, type: log}}]\nroutes:\n  - {route}\n")
    assert error.startswith(f"providers.yaml:3: {expected}")


def test_yaml_syntax_error_has_a_line(errors_of: ErrorsOf) -> None:
    text = "settings:\n  interval: 60s\nproviders:\n  - {name: x, type: statuspage\nnotifiers: []\n"
    [error] = errors_of(text)
    assert error.startswith("providers.yaml:5: invalid YAML: ")


def test_duplicate_yaml_key(errors_of: ErrorsOf) -> None:
    text = "settings:\n  interval: 1m\n  timeout: 5s\n  interval: 2m\n"
    assert errors_of(text) == ["providers.yaml:4: settings.interval: duplicate key (first at line 2)"]


@pytest.mark.parametrize("text", ["", "# only a comment\n", "---\n"])
def test_empty_file(errors_of: ErrorsOf, text: str) -> None:
    [error] = errors_of(text)
    assert error.startswith("providers.yaml:1: the file is empty")


@pytest.mark.parametrize("text", ["- a\n- b\n", "just text\n"])
def test_root_must_be_a_mapping(errors_of: ErrorsOf, text: str) -> None:
    [error] = errors_of(text)
    assert error.startswith("providers.yaml:1: expected a mapping")


def test_merge_keys_and_non_string_keys_are_rejected(errors_of: ErrorsOf) -> None:
    text = """\
defaults: &d {type: statuspage}
providers:
  - <<: *d
    name: x
    url: https://x.example
settings:
  1: x
"""
    errors = errors_of(text)
    assert "providers.yaml:3: providers[0]['<<']: YAML merge keys (<<) are not supported" in errors
    assert "providers.yaml:7: settings['1']: every key must be a plain string (quote it)" in errors


def test_unknown_yaml_tag(errors_of: ErrorsOf) -> None:
    [error] = errors_of("settings:\n  interval: !seconds 5\n")
    assert error.startswith("providers.yaml:2: settings.interval: could not determine a constructor")


def test_all_errors_are_reported_together_in_line_order(errors_of: ErrorsOf) -> None:
    text = """\
settings:
  interval: soon
  colour: blue
providers:
  - {name: GitHub, type: statuspage, url: https://www.githubstatus.com}
  - {name: x, type: rss, url: https://x.example}
  - {name: y, type: statuspage, url: "${Y_URL}"}
notifiers:
  - {name: out, type: log}
routes:
  - {notify: [nowhere]}
"""
    errors = errors_of(text)
    assert [e.split(": ")[0:2] for e in errors] == [
        ["providers.yaml:2", "settings.interval"],
        ["providers.yaml:3", "settings.colour"],
        ["providers.yaml:5", "providers[0].name"],
        ["providers.yaml:6", "providers[1].type"],
        ["providers.yaml:7", "providers[2].url"],
        ["providers.yaml:11", "routes[0].notify[0]"],
    ]


def test_a_value_already_reported_is_not_reported_again(errors_of: ErrorsOf) -> None:
    # the missing variable leaves url empty, which the pattern would also reject: one error is enough
    assert errors_of('providers:\n  - {name: x, type: statuspage, url: "${NOPE}"}\n') == [
        "providers.yaml:2: providers[0].url: environment variable NOPE is not set"
    ]


def test_secret_file_missing_names_the_path(errors_of: ErrorsOf, tmp_path: Path) -> None:
    text = "notifiers:\n  - name: pager\n    type: pagerduty\n    routing_key_file: secrets/pd\n"
    assert errors_of(text, base_dir=tmp_path) == [
        "providers.yaml:4: notifiers[0].routing_key_file: "
        f"cannot read secret file {tmp_path / 'secrets/pd'}: No such file or directory"
    ]


def test_secret_file_empty(errors_of: ErrorsOf, tmp_path: Path) -> None:
    (tmp_path / "pd").write_text("\n")
    [error] = errors_of("notifiers: [{name: p, type: pagerduty, routing_key_file: pd}]\n", base_dir=tmp_path)
    assert error == f"providers.yaml:1: notifiers[0].routing_key_file: secret file {tmp_path / 'pd'} is empty"


def test_value_and_file_together_is_an_error(errors_of: ErrorsOf, tmp_path: Path) -> None:
    (tmp_path / "pd").write_text("from-file")
    text = "notifiers:\n  - name: p\n    type: pagerduty\n    routing_key: inline\n    routing_key_file: pd\n"
    assert errors_of(text, base_dir=tmp_path) == [
        "providers.yaml:5: notifiers[0].routing_key_file: "
        "give either 'routing_key' or 'routing_key_file', not both"
    ]


def test_value_read_from_a_file_is_reported_under_the_file_key(errors_of: ErrorsOf, tmp_path: Path) -> None:
    (tmp_path / "t").write_text("soon\n")
    [error] = errors_of(
        "notifiers:\n  - {name: p, type: slack, webhook_url: u, timeout_file: t}\n", base_dir=tmp_path
    )
    assert error.startswith("providers.yaml:2: notifiers[0].timeout_file: invalid duration")


def test_load_config_errors_use_the_path_as_passed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("conf").mkdir()
    Path("conf/monitor.yaml").write_text("settings:\n  timeout: never\n")
    with pytest.raises(ConfigError) as caught:
        load_config("conf/monitor.yaml", env={})
    assert caught.value.errors == [
        "conf/monitor.yaml:2: settings.timeout: invalid duration 'never': "
        "expected a duration like 30s, 5m, 1h or a number of seconds"
    ]


def test_load_config_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "absent.yaml", env={})
    assert caught.value.errors == [
        f"{tmp_path / 'absent.yaml'}: cannot read the config file: No such file or directory"
    ]


def test_config_built_in_code_checks_names_and_references_too() -> None:
    with pytest.raises(ValidationError) as caught:
        Config.model_validate(
            {
                "providers": [
                    {"name": "a", "type": "statuspage", "url": "https://a.example"},
                    {"name": "a", "type": "statuspage", "url": "https://b.example"},
                ],
                "routes": [{"notify": ["slack"]}],
            }
        )
    message = str(caught.value)
    assert "providers[1].name: duplicate name 'a'" in message
    assert "routes[0].notify[0]: unknown notifier 'slack'" in message
