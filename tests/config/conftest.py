"""Shared config texts and helpers for the config tests."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from monitor.config import ConfigError, parse_config

# The example from the configuration reference, line for line.
_FULL_EXAMPLE = """\
settings:
  state: sqlite:///var/lib/outage-monitor/state.db
  listen: 0.0.0.0:9110
  interval: 60s
  timeout: 10s
  log_format: auto
  log_level: info
  jitter: null
  max_concurrent_fetches: 50
  failure_threshold: 3
  notification_max_age: 24h
providers:
  - {name: github, type: statuspage, url: https://www.githubstatus.com, interval: 30s, components: ["Git Operations"], confirm: 2}
notifiers:
  - {name: oncall-slack, type: slack, webhook_url: "${SLACK_WEBHOOK_URL}"}
  - {name: pagerduty, type: pagerduty, routing_key: "${PAGERDUTY_ROUTING_KEY}"}
  - {name: audit, type: webhook, url: "https://hooks.example.com/outages", secret: "${WEBHOOK_SECRET}"}
  - {name: stdout, type: log}
routes:
  - {notify: [pagerduty], min_severity: major}
  - {notify: [oncall-slack, audit], providers: ["github", "stripe*"]}
"""  # noqa: E501 (kept verbatim: the one-line provider entry is what users copy)

_FULL_ENV = {
    "SLACK_WEBHOOK_URL": "https://hooks.slack.com/services/T0000/B0000/slacksecrettoken",
    "PAGERDUTY_ROUTING_KEY": "pdroutingkey0123456789abcdef0123",
    "WEBHOOK_SECRET": "whsec_c2VjcmV0LXNpZ25pbmcta2V5",
}


@pytest.fixture
def full_example() -> str:
    return _FULL_EXAMPLE


@pytest.fixture
def full_env() -> dict[str, str]:
    return dict(_FULL_ENV)


@pytest.fixture
def errors_of() -> Callable[..., list[str]]:
    """Parse text that must be invalid; return its error lines (and check str() joins them)."""

    def run(text: str, env: Mapping[str, str] | None = None, base_dir: Path | None = None) -> list[str]:
        with pytest.raises(ConfigError) as caught:
            parse_config(text, "providers.yaml", env={} if env is None else env, base_dir=base_dir)
        assert str(caught.value) == "\n".join(caught.value.errors)
        return caught.value.errors

    return run
