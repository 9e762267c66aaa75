"""Which parts of a notifier's config are secret, and each form a receiver can echo them in."""

from __future__ import annotations

from collections.abc import Callable

import aiohttp
import pytest

from monitor.model import Notification
from monitor.notify.base import Outcome
from monitor.notify.pagerduty import PagerDutyConfig, PagerDutyNotifier
from monitor.notify.secrets import Secrets, header_secrets, url_secrets
from monitor.notify.webhook import WebhookConfig, WebhookNotifier
from tests.notify.receiver import Receiver

SLACK = "https://hooks.slack.com/services/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"


def test_every_token_of_a_slack_hook_is_secret_and_its_fixed_words_are_not() -> None:
    secrets = url_secrets(SLACK)
    assert {"T0ACME123", "B0HOOK456", "Xy7kQ2mN9pR4sT6vW8zA1bC3"} <= set(secrets)
    assert "T0ACME123/B0HOOK456/Xy7kQ2mN9pR4sT6vW8zA1bC3" in secrets  # the path tail, as one
    assert not {"services", "hooks", "hooks.slack.com"} & set(secrets)


def test_short_or_common_segments_stay_readable() -> None:
    secrets = Secrets(url_secrets("https://example.com/api/v1/hooks/notifications/k7Pq2Zx9?env=prod"))
    text = "POST /api/v1/hooks failed: notifications are off in prod"
    assert secrets.scrub(text) == text


def test_query_values_and_userinfo_are_secret() -> None:
    secrets = Secrets(url_secrets("https://bot:hunter22@example.com/in?token=abcdefgh&team=ops"))
    assert secrets.scrub("user bot, password hunter22, token abcdefgh") == (
        "user bot, password [redacted], token [redacted]"
    )


@pytest.mark.parametrize(
    "echo",
    [
        "/services/T0ACME123/B0HOOK456/Xy7kQ2mN9pR4sT6vW8zA1bC3",
        "\\/services\\/T0ACME123\\/B0HOOK456\\/Xy7kQ2mN9pR4sT6vW8zA1bC3",
        "%2Fservices%2FT0ACME123%2FB0HOOK456%2FXy7kQ2mN9pR4sT6vW8zA1bC3",
        "%2fservices%2ft0acme123%2fb0hook456%2fxy7kq2mn9pr4st6vw8za1bc3",
    ],
    ids=["raw", "json-escaped", "percent-encoded", "percent-encoded-lowercase"],
)
def test_a_path_is_matched_in_each_form_it_is_echoed_in(echo: str) -> None:
    scrubbed = Secrets(url_secrets(SLACK)).scrub(f'{{"error":"no hook at {echo}"}}')
    assert scrubbed == '{"error":"no hook at [redacted]"}'


@pytest.mark.parametrize(
    "echo", ['k3y<&>"é', "k3y&lt;&amp;&gt;&quot;é", 'k3y<&>\\"\\u00e9', "k3y%3C%26%3E%22%C3%A9"]
)
def test_a_value_is_matched_html_json_and_percent_escaped(echo: str) -> None:
    assert Secrets(['k3y<&>"é']).scrub(f"bad key {echo}.") == "bad key [redacted]."


def test_a_bearer_token_is_secret_without_its_scheme_word() -> None:
    assert header_secrets("Bearer bt-1618033988749") == ["Bearer bt-1618033988749", "bt-1618033988749"]


async def test_a_webhook_detail_never_holds_the_signing_key(
    receiver: Receiver, session: aiohttp.ClientSession, make_notification: Callable[..., Notification]
) -> None:
    config = WebhookConfig.model_validate(
        {
            "name": "hook",
            "type": "webhook",
            "url": receiver.url("/in"),
            "secret": "whsec_c2VjcmV0LWtleS0xMjM0",
        }
    )
    receiver.reply(401, "signature does not verify with key c2VjcmV0LWtleS0xMjM0")
    delivery = await WebhookNotifier(config, session).send(make_notification())
    assert delivery.outcome is Outcome.PERMANENT
    assert delivery.detail == "HTTP 401: signature does not verify with key [redacted]"


async def test_a_pagerduty_detail_never_holds_the_routing_key_json_escaped(
    receiver: Receiver, session: aiohttp.ClientSession, make_notification: Callable[..., Notification]
) -> None:
    key = "R0UT1NG/KEY+1234567890abcdef0"
    config = PagerDutyConfig.model_validate(
        {"name": "pd", "type": "pagerduty", "routing_key": key, "url": receiver.url("/v2/enqueue")}
    )
    receiver.reply(500, '{"message":"unknown routing key R0UT1NG\\/KEY+1234567890abcdef0"}')
    delivery = await PagerDutyNotifier(config, session).send(make_notification())
    assert delivery.outcome is Outcome.RETRY
    assert delivery.detail == 'HTTP 500: {"message":"unknown routing key [redacted]"}'
