"""Valid files load into the documented shape, with defaults, inheritance, env and secret files."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.config import Config, RouteConfig, Settings, load_config, parse_config
from monitor.model import EventKind, Severity
from monitor.notify import NOTIFIERS
from monitor.notify.log import LogConfig
from monitor.notify.pagerduty import PagerDutyConfig
from monitor.notify.slack import SlackConfig
from monitor.notify.webhook import WebhookConfig
from monitor.sources import SOURCES
from monitor.sources.statuspage import StatuspageConfig
from monitor.store import is_server, store_path

PROVIDER = "{name: github, type: statuspage, url: https://www.githubstatus.com}"


def test_full_example_loads_from_a_file(tmp_path: Path, full_example: str, full_env: dict[str, str]) -> None:
    path = tmp_path / "providers.yaml"
    path.write_text(full_example)

    config = load_config(path, env=full_env)

    s = config.settings
    assert store_path(s.state) == Path("/var/lib/outage-monitor/state.db")
    assert (s.listen_host, s.listen_port) == ("0.0.0.0", 9110)
    assert (s.interval, s.timeout, s.notification_max_age) == (60.0, 10.0, 86400.0)
    assert (s.log_format, s.log_level, s.jitter) == ("auto", "info", None)
    assert (s.max_concurrent_fetches, s.failure_threshold) == (50, 3)

    [github] = config.providers
    assert isinstance(github, StatuspageConfig)
    assert (github.name, github.url, github.interval) == ("github", "https://www.githubstatus.com", 30.0)
    assert (github.components, github.confirm, github.timeout) == (["Git Operations"], 2, None)

    slack, pagerduty, audit, stdout = config.notifiers
    assert isinstance(slack, SlackConfig)
    assert slack.webhook_url is not None
    assert slack.webhook_url.get_secret_value() == full_env["SLACK_WEBHOOK_URL"]
    assert isinstance(pagerduty, PagerDutyConfig)
    assert pagerduty.routing_key.get_secret_value() == full_env["PAGERDUTY_ROUTING_KEY"]
    assert isinstance(audit, WebhookConfig)
    assert audit.url.get_secret_value() == "https://hooks.example.com/outages"
    assert audit.secret is not None and audit.secret.get_secret_value() == full_env["WEBHOOK_SECRET"]
    assert isinstance(stdout, LogConfig)

    assert config.routes == [
        RouteConfig(notify=["pagerduty"], min_severity=Severity.MAJOR),
        RouteConfig(notify=["oncall-slack", "audit"], providers=["github", "stripe*"]),
    ]


def test_the_repository_example_config_loads_with_no_environment() -> None:
    example = Path(__file__).resolve().parents[2] / "providers.yaml"
    if not example.exists():
        pytest.skip("no example providers.yaml in this checkout")
    config = load_config(example, env={})
    assert config.providers and config.routes


def test_everything_is_optional_but_the_mapping() -> None:
    config = parse_config("providers: []\n", "providers.yaml", env={})

    assert config == Config()
    assert config.settings == Settings()
    assert store_path(config.settings.state) == Path("outage-monitor.db")
    assert (config.settings.listen_host, config.settings.listen_port) == ("0.0.0.0", 9110)
    assert (config.settings.retry_initial_delay, config.settings.retry_max_delay) == (2.0, 600.0)


def test_empty_sections_mean_defaults() -> None:
    config = parse_config("settings:\nproviders:\nnotifiers:\nroutes:\n", "providers.yaml", env={})
    assert config == Config()


def test_state_url_text_after_the_scheme_is_the_path() -> None:
    def state_path(state: str) -> Path:
        return store_path(parse_config(f"settings: {{state: '{state}'}}\n", "p.yaml", env={}).settings.state)

    assert state_path("sqlite:///var/x.db") == Path("/var/x.db")
    assert state_path("sqlite://data/x.db") == Path("data/x.db")


def test_state_may_be_postgresql_with_the_password_from_a_file(tmp_path: Path) -> None:
    (tmp_path / "pw").write_text("db-secret\n")
    text = f"settings: {{state: 'postgres://om@db:5432/om', state_password_file: '{tmp_path / 'pw'}'}}\n"
    settings = parse_config(text, "p.yaml", env={}).settings
    assert is_server(settings.state) and settings.state_password() == "db-secret"
    assert settings.leader_lease == 15.0


def test_listen_accepts_bracketed_ipv6() -> None:
    settings = parse_config('settings: {listen: "[::]:9110"}\n', "p.yaml", env={}).settings
    assert (settings.listen_host, settings.listen_port) == ("::", 9110)


def test_failure_threshold_is_inherited_unless_the_provider_sets_its_own() -> None:
    text = f"""\
settings: {{failure_threshold: 5}}
providers:
  - {PROVIDER}
  - {{name: stripe, type: statuspage, url: https://status.stripe.com, failure_threshold: 2}}
"""
    inherits, own = parse_config(text, "p.yaml", env={}).providers
    assert (inherits.failure_threshold, own.failure_threshold) == (5, 2)
    assert "failure_threshold" in inherits.model_fields_set  # as model_copy(update=...) would mark it


def test_a_provider_model_given_to_config_is_copied_to_inherit_not_changed() -> None:
    given = StatuspageConfig(name="github", type="statuspage", url="https://www.githubstatus.com")
    config = Config.model_validate(
        {
            "settings": {"failure_threshold": 5},
            "providers": [given, {"name": "b", "type": "statuspage", "url": given.url}],
        }
    )
    assert [p.failure_threshold for p in config.providers] == [5, 5]
    assert config.providers[0] is not given
    assert (given.failure_threshold, given.model_fields_set) == (3, {"name", "type", "url"})


def test_effective_interval_timeout_and_jitter() -> None:
    text = """\
settings: {interval: 2m, timeout: 7s}
providers:
  - {name: fast, type: statuspage, url: https://a.example, interval: 30s, timeout: 3s}
  - {name: default, type: statuspage, url: https://b.example}
"""
    config = parse_config(text, "p.yaml", env={})
    fast, default = config.providers

    assert default.interval is None and default.timeout is None  # resolved on demand, not at load
    assert (config.effective_interval(fast), config.effective_timeout(fast)) == (30.0, 3.0)
    assert (config.effective_interval(default), config.effective_timeout(default)) == (120.0, 7.0)
    assert config.effective_jitter(fast) == pytest.approx(3.0)  # 10% of the provider's interval
    assert config.effective_jitter(default) == pytest.approx(12.0)


@pytest.mark.parametrize(("written", "seconds"), [("5s", 5.0), ("0", 0.0), ("0s", 0.0), (1.5, 1.5)])
def test_settings_jitter_overrides_the_ten_percent_and_zero_disables_it(
    written: object, seconds: float
) -> None:
    config = parse_config(f"settings: {{jitter: {written}}}\nproviders: [{PROVIDER}]\n", "p.yaml", env={})
    assert config.settings.jitter == seconds
    assert config.effective_jitter(config.providers[0]) == seconds


def test_env_expansion_defaults_and_escapes() -> None:
    text = """\
settings:
  interval: "${POLL:-45s}"
  timeout: "${EMPTY:-4s}"
  log_level: "${LEVEL}"
notifiers:
  - name: audit
    type: webhook
    url: "https://${HOST}/hooks?price=$$5"
    headers: {X-Note: "costs $5 and $$ is one dollar"}
"""
    config = parse_config(text, "p.yaml", env={"EMPTY": "", "LEVEL": "debug", "HOST": "hooks.example.com"})

    assert config.settings.interval == 45.0  # unset: the default
    assert config.settings.timeout == 4.0  # set but empty: the default, as in the shell
    assert config.settings.log_level == "debug"
    [audit] = config.notifiers
    assert isinstance(audit, WebhookConfig)
    assert audit.url.get_secret_value() == "https://hooks.example.com/hooks?price=$5"
    assert {k: v.get_secret_value() for k, v in audit.headers.items()} == {
        "X-Note": "costs $5 and $ is one dollar"
    }


def test_load_config_reads_os_environ_by_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OM_TEST_INTERVAL", "42s")
    path = tmp_path / "providers.yaml"
    path.write_text('settings: {interval: "${OM_TEST_INTERVAL}"}\n')
    assert load_config(path).settings.interval == 42.0


def test_secret_file_is_read_relative_to_the_config_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "secrets").mkdir()
    (tmp_path / "secrets" / "slack").write_text("https://hooks.slack.com/services/T/B/filetoken\n")
    absolute = tmp_path / "routing-key"
    absolute.write_text("pd-key-from-file\r\n")
    path = tmp_path / "conf" / "providers.yaml"
    path.parent.mkdir()
    path.write_text(f"""\
notifiers:
  - {{name: chat, type: slack, webhook_url_file: ../secrets/slack}}
  - {{name: pager, type: pagerduty, routing_key_file: "{absolute}"}}
""")
    monkeypatch.chdir(tmp_path / "secrets")  # relative to the file, not to the working directory

    chat, pager = load_config(path, env={}).notifiers

    assert isinstance(chat, SlackConfig) and isinstance(pager, PagerDutyConfig)
    assert chat.webhook_url is not None
    assert chat.webhook_url.get_secret_value() == "https://hooks.slack.com/services/T/B/filetoken"
    assert pager.routing_key.get_secret_value() == "pd-key-from-file"


def test_parse_config_resolves_secret_files_against_base_dir(tmp_path: Path) -> None:
    (tmp_path / "key").write_text("k3y")
    text = "notifiers: [{name: pager, type: pagerduty, routing_key_file: key}]\n"
    [pager] = parse_config(text, "p.yaml", env={}, base_dir=tmp_path).notifiers
    assert isinstance(pager, PagerDutyConfig)
    assert pager.routing_key.get_secret_value() == "k3y"


def test_routes_parse_severity_names_and_kinds() -> None:
    text = """\
notifiers: [{name: stdout, type: log}]
routes:
  - {notify: [stdout], min_severity: critical, kinds: [incident_opened, source_unreachable]}
"""
    [route] = parse_config(text, "p.yaml", env={}).routes
    assert route.min_severity is Severity.CRITICAL
    assert route.kinds == [EventKind.INCIDENT_OPENED, EventKind.SOURCE_UNREACHABLE]


def test_entries_are_validated_by_their_plugins_own_config_class() -> None:
    assert "statuspage" in SOURCES and {"slack", "pagerduty", "webhook", "log"} <= set(NOTIFIERS)
    text = f"""\
providers: [{PROVIDER}]
notifiers:
  - {{name: a, type: slack, webhook_url: https://hooks.slack.com/x}}
  - {{name: b, type: pagerduty, routing_key: k}}
  - {{name: c, type: webhook, url: https://h.example}}
  - {{name: d, type: log}}
"""
    config = parse_config(text, "p.yaml", env={})
    assert type(config.providers[0]) is SOURCES.load("statuspage").Config
    assert [type(n) for n in config.notifiers] == [NOTIFIERS.load(n.type).Config for n in config.notifiers]


def test_yaml_anchors_and_aliases_work() -> None:
    text = """\
providers:
  - {name: a, type: statuspage, url: https://a.example, components: &core ["API", "Git"]}
  - {name: b, type: statuspage, url: https://b.example, components: *core}
"""
    a, b = parse_config(text, "p.yaml", env={}).providers
    assert a.components == b.components == ["API", "Git"]
