"""Opsgenie: a group is one Opsgenie alert (alias = the group key), over real loopback HTTP against a fake of
the Alert API v2 that checks the GenieKey, the fields and their limits, and keeps alerts by alias."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from pydantic import ValidationError

from monitor.model import Severity
from monitor.notify.base import Outcome
from monitor.notify.opsgenie import API_BASES, OpsgenieConfig, OpsgenieNotifier, create_request
from tests.notify.conftest import GROUP_KEY, make_alert, make_message, make_notification_for
from tests.notify.opsgenie_api import FakeOpsgenie

API_KEY = "eb243592-faa2-4ba2-a551q-1afdf565c889"


def notifier(fake: FakeOpsgenie, session: aiohttp.ClientSession, **options: object) -> OpsgenieNotifier:
    config = OpsgenieConfig.model_validate(
        {"name": "og", "type": "opsgenie", "api_key": API_KEY, "url": fake.url, **options}
    )
    return OpsgenieNotifier(config, session)


@pytest.fixture
async def opsgenie() -> AsyncIterator[FakeOpsgenie]:
    fake = FakeOpsgenie(API_KEY)
    await fake.start()
    try:
        yield fake
    finally:
        await fake.close()


async def test_a_group_is_one_alert_opened_updated_and_closed(
    opsgenie: FakeOpsgenie, session: aiohttp.ClientSession
) -> None:
    og = notifier(opsgenie, session, tags=["vendor"])
    api = make_alert("API Requests")
    git = make_alert("Git Operations", severity=Severity.CRITICAL, minutes=2)
    firing = make_message(firing=(api,))
    changed = make_message(firing=(git, api), reason="escalated", title="github: major outage — 2 components")
    recovered = make_message(
        firing=(),
        resolved=(git._replace(resolved_at=git.started_at), api._replace(resolved_at=api.started_at)),
    )

    for message in (firing, changed, recovered):
        delivery = await og.send(make_notification_for(message))
        assert delivery.outcome is Outcome.DELIVERED, delivery.detail

    [alert] = opsgenie.alerts
    assert alert.alias == GROUP_KEY
    assert alert.status == "closed"
    assert alert.count == 2  # the update deduplicated onto the open alert
    assert alert.notes == ["escalated: github: major outage — 2 components", f"resolved: {recovered.title}"]
    assert alert.priority == "P2"  # as first created: major
    assert alert.tags == ["outage-monitor", "github", "severity:major", "vendor"]
    assert alert.details["group_key"] == GROUP_KEY
    assert alert.details["link"] == api.url
    assert "API Requests" in alert.description
    paths = [path for path, _ in opsgenie.requests]
    closed = "/v2/alerts/route=0%7Cprovider=github/close?identifierType=alias"  # "=" needs no escape
    assert paths == ["/v2/alerts", "/v2/alerts", closed]
    assert opsgenie.requests[1][1]["priority"] == "P1"  # the escalation's create carries the new priority


@pytest.mark.parametrize(
    ("severity", "priority"),
    [(Severity.CRITICAL, "P1"), (Severity.MAJOR, "P2"), (Severity.MINOR, "P3"), (Severity.INFO, "P5")],
)
def test_priority_follows_the_worst_severity(severity: Severity, priority: str) -> None:
    body = create_request(make_message(firing=(make_alert(severity=severity),)), GROUP_KEY)
    assert body["priority"] == priority


async def test_long_keys_and_texts_fit_opsgenie_limits(
    opsgenie: FakeOpsgenie, session: aiohttp.ClientSession
) -> None:
    """A group key beyond 512 characters becomes the same shortened alias every time (a "/" in it escaped in
    the close URL); a long title, many alerts and long names are cut to what Opsgenie accepts (the fake
    answers 422 otherwise)."""
    og = notifier(opsgenie, session)
    key = "route=0|component=EU/West " + "x" * 600
    many = tuple(make_alert(f"Component {i} " + "y" * 400, minutes=i) for i in range(20))
    firing = make_message(firing=many, firing_total=45, group_key=key, title="t" * 400)
    recovered = make_message(firing=(), resolved=many, group_key=key)

    for message in (firing, firing, recovered):
        delivery = await og.send(make_notification_for(message))
        assert delivery.outcome is Outcome.DELIVERED, delivery.detail

    [alert] = opsgenie.alerts
    assert len(alert.alias) == 512 and alert.alias.startswith("route=0|component=EU/West xxx")
    assert (alert.status, alert.count) == ("closed", 2)
    assert len(alert.message) == 130 and alert.message.endswith("…")
    assert alert.description.endswith("and 25 more")


async def test_a_429_is_retried_after_its_retry_after(
    opsgenie: FakeOpsgenie, session: aiohttp.ClientSession
) -> None:
    og = notifier(opsgenie, session)
    opsgenie.fail(429, {"Retry-After": "3"})
    delivery = await og.send(make_notification_for(make_message()))
    assert (delivery.outcome, delivery.retry_after) == (Outcome.RETRY, 3.0)
    assert opsgenie.alerts == []
    assert (await og.send(make_notification_for(make_message()))).outcome is Outcome.DELIVERED
    assert len(opsgenie.alerts) == 1


async def test_a_refused_body_is_permanent_with_opsgenie_s_reason(
    opsgenie: FakeOpsgenie, session: aiohttp.ClientSession
) -> None:
    """The fake bites: a body Opsgenie refuses is a 422 whose reason reaches the logged detail."""
    headers = {"Authorization": f"GenieKey {API_KEY}"}
    async with session.post(
        f"{opsgenie.url}/v2/alerts", json={"message": "m" * 131}, headers=headers
    ) as answer:
        assert answer.status == 422
    og = notifier(opsgenie, session, api_key="wrong-key-0000")
    delivery = await og.send(make_notification_for(make_message()))
    assert delivery.outcome is Outcome.PERMANENT
    assert "Could not authenticate" in delivery.detail and "wrong-key-0000" not in delivery.detail


async def test_the_text_template_is_the_description(
    opsgenie: FakeOpsgenie, session: aiohttp.ClientSession
) -> None:
    og = notifier(opsgenie, session, text_template="{{ group.firing_total }} down at {{ provider }}")
    assert (await og.send(make_notification_for(make_message()))).outcome is Outcome.DELIVERED
    assert opsgenie.alerts[0].description == "2 down at github"


def test_the_region_picks_the_api_host_and_url_overrides_it() -> None:
    def base(**options: object) -> str:
        return OpsgenieConfig.model_validate(
            {"name": "og", "type": "opsgenie", "api_key": "k", **options}
        ).api_base

    assert base() == API_BASES["us"] == "https://api.opsgenie.com"
    assert base(region="eu") == "https://api.eu.opsgenie.com"
    assert base(region="eu", url="http://proxy.internal:8080/") == "http://proxy.internal:8080"


@pytest.mark.parametrize(
    "options",
    [{"region": "apac"}, {"tags": ["t" * 51]}, {"tags": [f"t{i}" for i in range(18)]}, {"url": "ftp://x"}],
)
def test_invalid_options_are_config_errors(options: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        OpsgenieConfig.model_validate({"name": "og", "type": "opsgenie", "api_key": "k", **options})
