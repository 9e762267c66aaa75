"""The `atlassian_statuspage` and `instatus` notifiers against loopback fakes of their APIs that keep the
page's state: each test reads the fake page at the end."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from pydantic import TypeAdapter

from monitor.config import AnyNotifierConfig
from monitor.model import AlertKind, ComponentStatus, GroupNotification, Severity
from monitor.notify import build_notifier
from monitor.notify.base import Delivery, Notifier, Outcome
from monitor.notify.status_page import REQUEST_INTERVAL
from tests.notify.conftest import make_alert, make_message, make_notification_for
from tests.notify.status_page_api import PAGE_ID, FakeInstatus, FakePage, FakeStatuspage

KEY = "sp-K3y0f7h1sp4g3d41b2c3"
COMPONENTS = ("cmp_api", "cmp_email", "cmp_ci")
SERVICES: dict[str, type[FakePage]] = {"atlassian_statuspage": FakeStatuspage, "instatus": FakeInstatus}
OPERATIONAL = dict.fromkeys(COMPONENTS, ComponentStatus.OPERATIONAL)


@pytest.fixture(params=list(SERVICES))
async def page(request: pytest.FixtureRequest) -> AsyncIterator[FakePage]:
    fake = SERVICES[request.param](KEY, COMPONENTS)
    await fake.start()
    try:
        yield fake
    finally:
        await fake.close()


def page_notifier(page: FakePage, session: aiohttp.ClientSession, **config: Any) -> Notifier:
    type_name = next(name for name, cls in SERVICES.items() if isinstance(page, cls))
    document = {
        "name": "our-page",
        "type": type_name,
        "page_id": PAGE_ID,
        "api_key": KEY,
        "url": page.api_url,
        "components": [{"id": "cmp_api", "providers": ["github"]}],
        **config,
    }
    return build_notifier(TypeAdapter(AnyNotifierConfig).validate_python(document), session)


def group(provider: str, severity: Severity | None, **changes: Any) -> GroupNotification:
    """`provider`'s group firing one component alert of `severity`, or its resolution (None)."""
    key = f"route=0|provider={provider}"
    if severity is None:
        resolved = (make_alert("API", provider=provider, resolved_after=5),)
        return make_message(firing=(), resolved=resolved, group_key=key, **changes)
    return make_message(
        firing=(make_alert("API", provider=provider, severity=severity),), group_key=key, **changes
    )


def shown(page: FakePage, component_id: str) -> ComponentStatus:
    """The component's status on the fake page now (a call, so the type checker does not pin it)."""
    return page.components[component_id]


async def sent(
    notifier: Notifier, message: GroupNotification, receipt: dict[str, str] | None = None
) -> Delivery:
    delivery = await notifier.send(make_notification_for(message, receipt=receipt))
    assert delivery.outcome is Outcome.DELIVERED, delivery.detail
    return delivery


async def test_an_outage_and_recovery_leave_one_resolved_incident_and_the_page_operational_across_restarts(
    page: FakePage, session: aiohttp.ClientSession
) -> None:
    first = page_notifier(page, session, incident=True)
    opened = await sent(first, group("github", Severity.MAJOR))
    assert shown(page, "cmp_api") == ComponentStatus.PARTIAL_OUTAGE  # mirror: major reads partial
    [(incident_id, incident)] = page.incidents.items()
    assert incident.status == "identified" and incident.components == ["cmp_api"]
    assert "https://www.githubstatus.com/incidents/api" in incident.updates[0]  # links the provider's page

    await asyncio.sleep(REQUEST_INTERVAL)  # a restart: a new instance, knowing only the stored receipt
    assert opened.receipt is not None
    worse = group("github", Severity.CRITICAL, reason="escalated")
    escalated = await sent(page_notifier(page, session, incident=True), worse, dict(opened.receipt))
    assert shown(page, "cmp_api") == ComponentStatus.MAJOR_OUTAGE
    assert list(page.incidents) == [incident_id] and len(incident.updates) == 2

    await asyncio.sleep(REQUEST_INTERVAL)
    assert escalated.receipt is not None
    recovered = await sent(
        page_notifier(page, session, incident=True), group("github", None), dict(escalated.receipt)
    )

    assert page.components == OPERATIONAL
    assert list(page.incidents) == [incident_id], "exactly one incident for the whole outage"
    assert incident.status == "resolved" and len(incident.updates) == 3
    assert recovered.receipt == {}, "a new outage of the group opens a new incident"
    assert page.refused == [], "paced: no request was refused"


async def test_a_resend_whose_answer_was_lost_takes_over_the_incident_it_opened(
    page: FakePage, session: aiohttp.ClientSession
) -> None:
    """A crash after the service opened the incident and before its id was stored: the retry, the same
    notification with no receipt, finds the unresolved incident by its name instead of opening another;
    a resolved one of that name is history, so a later outage opens a new incident."""
    outage = group("github", Severity.MAJOR)
    await sent(page_notifier(page, session, incident=True), outage)
    await asyncio.sleep(REQUEST_INTERVAL)
    retried = await sent(page_notifier(page, session, incident=True), outage)  # a restart: no receipt
    [(incident_id, incident)] = page.incidents.items()
    assert retried.receipt is not None and retried.receipt["incident_id"] == incident_id
    assert len(incident.updates) == 1, "taken over as it is: the same notification says nothing new"

    await asyncio.sleep(REQUEST_INTERVAL)
    await sent(page_notifier(page, session, incident=True), group("github", None), dict(retried.receipt))
    await asyncio.sleep(REQUEST_INTERVAL)
    await sent(page_notifier(page, session, incident=True), outage)
    assert len(page.incidents) == 2 and incident.status == "resolved"
    assert page.refused == []


async def test_the_worst_status_any_group_wants_wins(page: FakePage, session: aiohttp.ClientSession) -> None:
    email = [{"id": "cmp_email", "providers": ["courier", "send*"], "status": "mirror"}]
    notifier = page_notifier(page, session, components=email)
    receipts: dict[str, dict[str, str]] = {}

    async def tell(provider: str, severity: Severity | None) -> None:
        delivery = await sent(notifier, group(provider, severity), receipts.get(provider))
        if delivery.receipt is not None:
            receipts[provider] = dict(delivery.receipt)

    await tell("courier", Severity.CRITICAL)
    assert shown(page, "cmp_email") == ComponentStatus.MAJOR_OUTAGE
    await tell("sendgrid", Severity.MINOR)
    assert shown(page, "cmp_email") == ComponentStatus.MAJOR_OUTAGE, "never lower than another group needs"
    await tell("courier", None)
    assert shown(page, "cmp_email") == ComponentStatus.DEGRADED_PERFORMANCE, "what sendgrid still needs"
    await tell("sendgrid", None)
    assert page.components == OPERATIONAL


async def test_a_fixed_status_applies_from_min_severity_and_maintenance_mirrors_as_under_maintenance(
    page: FakePage, session: aiohttp.ClientSession
) -> None:
    rules = [
        {"id": "cmp_ci", "providers": ["github"], "min_severity": "major", "status": "degraded_performance"},
        {"id": "cmp_api", "providers": ["stripe"], "min_severity": "info"},
    ]
    notifier = page_notifier(page, session, components=rules)
    await sent(notifier, group("github", Severity.MINOR))
    assert page.requests == [], "below min_severity: nothing to change"
    await sent(notifier, group("github", Severity.CRITICAL))
    assert shown(page, "cmp_ci") == ComponentStatus.DEGRADED_PERFORMANCE
    upkeep = make_alert("Upkeep", provider="stripe", kind=AlertKind.MAINTENANCE, severity=Severity.INFO)
    await sent(notifier, make_message(firing=(upkeep,), group_key="route=0|provider=stripe"))
    assert shown(page, "cmp_api") == ComponentStatus.UNDER_MAINTENANCE
    assert page.refused == []


async def test_a_rate_limited_request_is_retried_after_retry_after(
    page: FakePage, session: aiohttp.ClientSession
) -> None:
    await sent(page_notifier(page, session), group("github", Severity.MAJOR))
    # another instance with the same key (a reload) at once: the service refuses, 420 or 429
    delivery = await page_notifier(page, session).send(make_notification_for(group("github", Severity.MAJOR)))
    assert page.refused == [page.limited_status]
    assert delivery.outcome is Outcome.RETRY and delivery.retry_after == 1.0, delivery.detail


async def test_a_wrong_key_is_permanent_and_not_echoed(
    page: FakePage, session: aiohttp.ClientSession
) -> None:
    notifier = page_notifier(page, session, api_key="wr0ng-k3y-f0r-th1s-p4g3")
    delivery = await notifier.send(make_notification_for(group("github", Severity.MAJOR)))
    assert delivery.outcome is Outcome.PERMANENT and delivery.detail.startswith("HTTP 401")
    assert "wr0ng" not in delivery.detail
    assert page.components == OPERATIONAL


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"components": []}, "components"),
        (
            {"components": [{"id": "c1", "providers": ["a"]}, {"id": "c1", "providers": ["b"]}]},
            "mapped twice",
        ),
        ({"components": [{"id": "c1", "providers": ["a"], "status": "down"}]}, "status"),
        ({"components": [{"id": "c1", "providers": ["a"], "min_severity": "huge"}]}, "min_severity"),
        ({"page_id": "../other"}, "page_id"),
    ],
)
@pytest.mark.parametrize("type_name", list(SERVICES))
def test_the_config_is_checked(type_name: str, change: dict[str, Any], error: str) -> None:
    document = {
        "name": "our-page",
        "type": type_name,
        "page_id": PAGE_ID,
        "api_key": KEY,
        "components": [{"id": "c1", "providers": ["github"]}],
        **change,
    }
    with pytest.raises(ValueError, match=error):
        TypeAdapter(AnyNotifierConfig).validate_python(document)
