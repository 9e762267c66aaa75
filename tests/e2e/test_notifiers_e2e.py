"""The real daemon sending one outage, its update and its recovery to each of issue 11's HTTP notifiers over
loopback: Opsgenie, Teams, Discord and both status pages against the fakes in tests/notify/ (which check
what the services check), Alertmanager against the real one. Each asserts on what the service received or
its final state: one identity per group (Opsgenie alias, Discord footer, Teams group fact, Alertmanager
labels, one incident on your page). Then the daemon is SIGKILLed while a send hangs and restarted: the
service gets the notification once, with the same identity.

The provider is a StatusPage double: API breaks (the group's first page), Web breaks too (a change, sent
after the route's group_interval of 1s), both recover (the resolution).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from monitor.model import ComponentStatus
from tests.e2e.harness import DaemonProcess, Receiver, StatusPage, daemon_yaml, eventually, running
from tests.notify.discord_api import FakeDiscord
from tests.notify.opsgenie_api import FakeOpsgenie
from tests.notify.status_page_api import PAGE_ID, FakeInstatus, FakePage, FakeStatuspage
from tests.notify.test_alertmanager_real import Alertmanager
from tests.notify.test_teams_notifier import SIG, WORKFLOW_PATH, assert_valid_message

pytestmark = pytest.mark.e2e

GROUP = "route=0|provider=acme"
KEY = "e2e0secret0key0f00dfeed1234567890"  # every service's API key or webhook token
PROVIDER = '  - {name: acme, type: statuspage, url: "URL"}'


@pytest.fixture
async def page() -> AsyncIterator[StatusPage]:
    page = StatusPage()
    async with running(page):
        yield page


@pytest.fixture
def daemons(tmp_path: Path) -> Iterator[Callable[[StatusPage, str], DaemonProcess]]:
    """A daemon factory: `acme` read from the page, the one notifier given routed with group_interval 1s."""
    made: list[DaemonProcess] = []

    def make(page: StatusPage, notifier: str) -> DaemonProcess:
        name = notifier.split("name: ", 1)[1].split(",", 1)[0]
        routes = f"  - {{notify: [{name}], group_interval: 1s}}"
        made.append(DaemonProcess(tmp_path, daemon_yaml(PROVIDER.replace("URL", page.url), notifier, routes)))
        return made[-1]

    yield make
    for daemon in made:
        daemon.cleanup()


async def baseline(daemon: DaemonProcess, page: StatusPage) -> None:
    """The daemon started and past its silent first sight of the page."""
    await daemon.start()
    hits = page.hits
    await eventually(lambda: page.hits >= hits + 2, what="baseline polls")


async def outage_update_recovery(
    daemon: DaemonProcess,
    page: StatusPage,
    opened: Callable[[], Any],
    updated: Callable[[], Any],
    recovered: Callable[[], Any],
) -> None:
    """Drive the page through the three steps, waiting after each for the service to show it."""
    await baseline(daemon, page)
    page.components["API"] = "major_outage"
    await eventually(opened, timeout=20, what="the first notification")
    page.components["Web"] = "major_outage"
    await eventually(updated, timeout=20, what="the update")
    page.components.update(API="operational", Web="operational")
    await eventually(recovered, timeout=20, what="the resolution")


def assert_no_secret(daemon: DaemonProcess) -> None:
    assert KEY not in daemon.log.read_text()


async def test_opsgenie_one_alert_by_alias_updated_then_closed(
    page: StatusPage, daemons: Callable[[StatusPage, str], DaemonProcess]
) -> None:
    opsgenie = FakeOpsgenie(KEY)
    await opsgenie.start()
    try:
        daemon = daemons(page, f'  - {{name: og, type: opsgenie, api_key: "{KEY}", url: "{opsgenie.url}"}}')
        await outage_update_recovery(
            daemon,
            page,
            lambda: len(opsgenie.requests) == 1,
            lambda: len(opsgenie.requests) == 2,
            lambda: len(opsgenie.requests) == 3,
        )
    finally:
        await opsgenie.close()
    (create, first), (again, update), (close, _) = opsgenie.requests
    assert create == again == "/v2/alerts"
    assert unquote(close) == f"/v2/alerts/{GROUP}/close?identifierType=alias"
    assert first["alias"] == update["alias"] == GROUP
    assert first["priority"] == update["priority"] == "P1"  # a major outage is critical
    assert "note" not in first and update["note"].startswith("changed:")
    [alert] = opsgenie.alerts
    assert (alert.alias, alert.status, alert.count) == (GROUP, "closed", 2)
    assert alert.notes[-1].startswith("resolved:")
    assert_no_secret(daemon)


async def test_teams_three_valid_cards_of_one_group(
    page: StatusPage, daemons: Callable[[StatusPage, str], DaemonProcess]
) -> None:
    teams = Receiver()
    async with running(teams):
        url = f"{teams.url}{WORKFLOW_PATH}?api-version=1&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig={SIG}{KEY}"
        daemon = daemons(page, f'  - {{name: teams, type: teams, url: "{url}"}}')
        await outage_update_recovery(
            daemon,
            page,
            lambda: len(teams.requests) == 1,
            lambda: len(teams.requests) == 2,
            lambda: len(teams.requests) == 3,
        )
    cards = [assert_valid_message(received.body) for received in teams.requests]
    facts = [{fact["title"]: fact["value"] for fact in card["body"][1]["facts"]} for card in cards]
    assert [f["Group"] for f in facts] == [GROUP] * 3
    assert [f["Status"] for f in facts] == ["firing", "firing (changed)", "resolved"]
    assert "Web" in json.dumps(cards[1]) and "Web" not in json.dumps(cards[0])
    assert_no_secret(daemon)


async def test_discord_three_embeds_of_one_group(
    page: StatusPage, daemons: Callable[[StatusPage, str], DaemonProcess]
) -> None:
    discord = FakeDiscord(KEY)
    await discord.start()
    try:
        daemon = daemons(page, f'  - {{name: chat, type: discord, webhook_url: "{discord.webhook_url}"}}')
        await outage_update_recovery(
            daemon,
            page,
            lambda: len(discord.messages) == 1,
            lambda: len(discord.messages) == 2,
            lambda: len(discord.messages) == 3,
        )
    finally:
        await discord.close()
    embeds = [message["embeds"] for message in discord.messages]
    assert all(len(embed) == 1 for embed in embeds)
    assert [embed[0]["footer"]["text"] for embed in embeds] == [f"group {GROUP}"] * 3
    assert [embed[0]["fields"][0]["value"] for embed in embeds] == ["firing", "firing (changed)", "resolved"]
    assert discord.queries == ["wait=true"] * 3
    assert_no_secret(daemon)


async def test_alertmanager_real_shows_our_alerts_then_resolves_them(
    page: StatusPage, daemons: Callable[[StatusPage, str], DaemonProcess], tmp_path: Path
) -> None:
    alertmanager = Alertmanager(tmp_path)
    try:
        await alertmanager.start()
        daemon = daemons(
            page,
            f'  - {{name: am, type: alertmanager, urls: ["{alertmanager.base}"],'
            " labels: {team: platform}}",
        )
        shown: dict[str, list[dict[str, Any]]] = {}

        async def alerts(step: str, count: int) -> bool:
            shown[step] = await alertmanager.alerts()
            return len(shown[step]) == count

        await outage_update_recovery(
            daemon,
            page,
            lambda: alerts("opened", 1),
            lambda: alerts("updated", 2),
            lambda: alerts("recovered", 0),
        )
    finally:
        alertmanager.stop()
    [api] = shown["opened"]
    assert api["labels"] == {
        "alertname": "ThirdPartyOutage",
        "provider": "acme",
        "kind": "component",
        "component": "API",
        "severity": "critical",
        "alert_key": "acme/component/c-api",
        "team": "platform",
    }
    assert api["status"]["state"] == "active"
    assert api["generatorURL"] == "http://localhost:9110/providers/acme"
    components = {alert["labels"]["component"]: alert for alert in shown["updated"]}
    assert set(components) == {"API", "Web"}
    assert components["API"]["fingerprint"] == api["fingerprint"]  # the same alert, not a new one
    assert_no_secret(daemon)


def status_page_notifier(kind: str, fake: FakePage) -> str:
    """Your page's API component follows acme's worst (mirror); its Web component turns degraded."""
    return f"""  - {{name: our-page, type: {kind}, page_id: {PAGE_ID}, api_key: "{KEY}",
     url: "{fake.api_url}", incident: true, components: [{{id: cmp_api, providers: [acme]}},
                                  {{id: cmp_web, providers: [acme], status: degraded_performance}}]}}"""


STATUS_PAGES = [("atlassian_statuspage", FakeStatuspage), ("instatus", FakeInstatus)]


@pytest.mark.parametrize(("kind", "fake_class"), STATUS_PAGES, ids=[kind for kind, _ in STATUS_PAGES])
async def test_status_page_components_follow_and_one_incident_resolves(
    page: StatusPage,
    daemons: Callable[[StatusPage, str], DaemonProcess],
    kind: str,
    fake_class: type[FakePage],
) -> None:
    fake = fake_class(KEY, ("cmp_api", "cmp_web", "cmp_other"))
    await fake.start()
    seen: dict[str, dict[str, ComponentStatus]] = {}

    def step(name: str, updates: int) -> bool:
        seen[name] = dict(fake.components)
        return len(fake.incidents) == 1 and len(next(iter(fake.incidents.values())).updates) == updates

    try:
        daemon = daemons(page, status_page_notifier(kind, fake))
        await outage_update_recovery(
            daemon, page, lambda: step("opened", 1), lambda: step("updated", 2), lambda: step("recovered", 3)
        )
    finally:
        await fake.close()
    worst = {
        "cmp_api": ComponentStatus.MAJOR_OUTAGE,
        "cmp_web": ComponentStatus.DEGRADED_PERFORMANCE,
        "cmp_other": ComponentStatus.OPERATIONAL,
    }
    assert seen["opened"] == seen["updated"] == worst
    assert fake.components == dict.fromkeys(worst, ComponentStatus.OPERATIONAL)
    [incident] = fake.incidents.values()
    assert incident.status == "resolved"
    assert "acme" in incident.name and incident.components == ["cmp_api", "cmp_web"]
    assert 420 not in fake.refused and 429 not in fake.refused, "the notifier paces its requests"
    assert_no_secret(daemon)


@pytest.mark.parametrize("processed", [False, True], ids=["unprocessed", "processed-answer-lost"])
async def test_opsgenie_killed_mid_send_keeps_one_alert_after_restart(
    page: StatusPage, daemons: Callable[[StatusPage, str], DaemonProcess], processed: bool
) -> None:
    """Whether or not Opsgenie had acted on the create the daemon died waiting for, the create sent
    again after restart carries the same alias, so there is one alert, closed by that alias."""
    opsgenie = FakeOpsgenie(KEY)
    opsgenie.hang_next, opsgenie.hang_processed = True, processed
    await opsgenie.start()
    try:
        daemon = daemons(page, f'  - {{name: og, type: opsgenie, api_key: "{KEY}", url: "{opsgenie.url}"}}')
        await baseline(daemon, page)
        page.components["API"] = "major_outage"
        await eventually(lambda: len(opsgenie.hung) == 1, what="the create in flight")
        daemon.kill()
        await daemon.start()
        creates = 1 + processed
        await eventually(lambda: len(opsgenie.requests) == creates, what="the create after restart")
        page.components["API"] = "operational"
        await eventually(lambda: len(opsgenie.requests) == creates + 1, what="the close")
    finally:
        await opsgenie.close()
    *created, (close, _) = opsgenie.requests
    assert [body["alias"] for _, body in created] == [GROUP] * creates
    assert opsgenie.hung[0]["alias"] == GROUP
    assert unquote(close) == f"/v2/alerts/{GROUP}/close?identifierType=alias"
    [alert] = opsgenie.alerts
    assert (alert.status, alert.count) == ("closed", creates), "one alert, closed by the same alias"


@pytest.mark.parametrize(("kind", "fake_class"), STATUS_PAGES, ids=[kind for kind, _ in STATUS_PAGES])
async def test_status_page_killed_mid_send_opens_one_incident_after_restart(
    page: StatusPage,
    daemons: Callable[[StatusPage, str], DaemonProcess],
    kind: str,
    fake_class: type[FakePage],
) -> None:
    fake = fake_class(KEY, ("cmp_api", "cmp_web"))
    fake.hang_method = "PATCH" if kind == "atlassian_statuspage" else "PUT"  # the first request
    await fake.start()
    try:
        daemon = daemons(page, status_page_notifier(kind, fake))
        await baseline(daemon, page)
        page.components["API"] = "major_outage"
        await eventually(lambda: len(fake.hung) == 1, what="the first request in flight")
        daemon.kill()
        await daemon.start()
        await eventually(lambda: len(fake.incidents) == 1, timeout=20, what="the incident after restart")
        page.components["API"] = "operational"
        await eventually(
            lambda: fake.incidents["inc1"].status == "resolved", timeout=20, what="the incident resolved"
        )
    finally:
        await fake.close()
    assert list(fake.incidents) == ["inc1"], "exactly one incident: the restart did not open another"
    assert len(fake.incidents["inc1"].updates) == 2  # opened, resolved
    assert fake.components == {"cmp_api": ComponentStatus.OPERATIONAL, "cmp_web": ComponentStatus.OPERATIONAL}


@pytest.mark.parametrize(("kind", "fake_class"), STATUS_PAGES, ids=[kind for kind, _ in STATUS_PAGES])
async def test_status_page_killed_after_the_incident_opened_adopts_it_after_restart(
    page: StatusPage,
    daemons: Callable[[StatusPage, str], DaemonProcess],
    kind: str,
    fake_class: type[FakePage],
) -> None:
    """The service opened the incident but the daemon died before its answer (and the id) arrived: after
    restart the resend finds that incident instead of opening a second one, and resolves it."""
    fake = fake_class(KEY, ("cmp_api", "cmp_web"))
    fake.hang_method, fake.hang_processed = "POST", True  # the incident's creation
    await fake.start()
    try:
        daemon = daemons(page, status_page_notifier(kind, fake))
        await baseline(daemon, page)
        page.components["API"] = "major_outage"
        await eventually(lambda: len(fake.hung) == 1, timeout=20, what="the incident's creation in flight")
        assert list(fake.incidents) == ["inc1"]
        daemon.kill()
        await daemon.start()
        await eventually(
            lambda: any(method == "GET" for method, _ in fake.requests) or len(fake.incidents) > 1,
            timeout=20,
            what="the resend after restart",
        )
        page.components["API"] = "operational"
        await eventually(
            lambda: fake.incidents["inc1"].status == "resolved", timeout=20, what="the incident resolved"
        )
    finally:
        await fake.close()
    assert list(fake.incidents) == ["inc1"], "exactly one incident: the restart did not open another"
    assert fake.components == {"cmp_api": ComponentStatus.OPERATIONAL, "cmp_web": ComponentStatus.OPERATIONAL}
