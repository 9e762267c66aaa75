"""Discord: one embed per group notification, over real loopback HTTP against a fake webhook endpoint that
enforces Discord's embed limits and answers a rate limit as Discord does."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from monitor.model import Severity
from monitor.notify.base import Outcome
from monitor.notify.discord import COLOUR, RESOLVED_COLOUR, DiscordConfig, DiscordNotifier, render
from tests.notify.conftest import GROUP_KEY, make_alert, make_message, make_notification_for
from tests.notify.discord_api import TOTAL_CHARS, WEBHOOK_ID, FakeDiscord, problems

TOKEN = "dXNlcjp0b2tlbg-w3bh00kT0k3n-9f8e7d6c5b4a"


def notifier(webhook_url: str, session: aiohttp.ClientSession, **options: object) -> DiscordNotifier:
    config = DiscordConfig.model_validate(
        {"name": "discord", "type": "discord", "webhook_url": webhook_url, **options}
    )
    return DiscordNotifier(config, session)


@pytest.fixture
async def discord() -> AsyncIterator[FakeDiscord]:
    fake = FakeDiscord(TOKEN)
    await fake.start()
    try:
        yield fake
    finally:
        await fake.close()


async def test_a_group_fires_changes_and_resolves_as_three_embeds(
    discord: FakeDiscord, session: aiohttp.ClientSession
) -> None:
    hook = notifier(discord.webhook_url, session, username="outage-monitor")
    api = make_alert("API Requests")
    git = make_alert("Git Operations", severity=Severity.CRITICAL, minutes=2)
    firing = make_message(firing=(api,))
    escalated = make_message(firing=(git, api), reason="escalated", title="github: critical outage")
    recovered = make_message(
        firing=(),
        resolved=(git._replace(resolved_at=git.started_at), api._replace(resolved_at=api.started_at)),
        title="github: resolved",
    )

    for message in (firing, escalated, recovered):
        delivery = await hook.send(make_notification_for(message))
        assert delivery.outcome is Outcome.DELIVERED, delivery.detail

    assert discord.queries == ["wait=true"] * 3
    embeds = [message["embeds"][0] for message in discord.messages]
    assert [e["color"] for e in embeds] == [
        COLOUR[Severity.MAJOR],
        COLOUR[Severity.CRITICAL],
        RESOLVED_COLOUR,
    ]
    assert [e["title"] for e in embeds] == [firing.title, "github: critical outage", "github: resolved"]
    assert {e["footer"]["text"] for e in embeds} == {f"group {GROUP_KEY}"}  # one identity
    assert embeds[1]["fields"][:2] == [
        {"name": "Status", "value": "firing (escalated)", "inline": True},
        {"name": "Severity", "value": "critical", "inline": True},
    ]
    assert embeds[1]["fields"][2] == {
        "name": "Firing (2)",
        "value": f"• [Git Operations]({git.url}) (github) since 2026-11-23T12:32:05Z\n"
        f"• [API Requests]({api.url}) (github) since 2026-11-23T12:30:05Z",
        "inline": False,
    }
    assert embeds[2]["fields"][2]["name"] == "Resolved (2)"
    assert embeds[1]["url"] == git.url
    assert all(
        m["allowed_mentions"] == {"parse": []} and m["username"] == "outage-monitor" for m in discord.messages
    )


async def test_everything_is_cut_to_discord_limits(
    discord: FakeDiscord, session: aiohttp.ClientSession
) -> None:
    """A long title, 20 long-named alerts of 400 and a 10,000-character text still make a message Discord
    takes (the fake answers 400 otherwise): cut with "…", listed with "…and N more", 6000 in all."""
    many = tuple(make_alert(f"Component {i} " + "n" * 300, minutes=i) for i in range(20))
    message = make_message(
        firing=many,
        firing_total=400,
        resolved=many,
        related=many,
        title="t" * 1000,
        text="x" * 10_000,
        group_key="route=0|component=" + "k" * 3000,
    )
    hook = notifier(discord.webhook_url, session, text_template="{{ 'x' * 10000 }}")
    delivery = await hook.send(make_notification_for(message))
    assert delivery.outcome is Outcome.DELIVERED, delivery.detail
    [embed] = discord.messages[0]["embeds"]
    assert len(embed["title"]) == 256 and embed["title"].endswith("…")
    assert embed["description"].endswith("…")
    firing = embed["fields"][2]["value"]
    assert len(firing) <= 1024 and firing.endswith(f"…and {400 - firing.count('•')} more")
    counted = [embed["title"], embed["description"], embed["footer"]["text"]]
    counted += [text for field in embed["fields"] for text in (field["name"], field["value"])]
    assert sum(map(len, counted)) <= TOTAL_CHARS


def test_the_fake_bites() -> None:
    """The fake refuses what Discord refuses, or a passing test would prove nothing."""
    good = render(make_message())
    assert problems(good) == {}
    embed = good["embeds"][0]
    field = embed["fields"][0]
    broken = [
        {"embeds": []},
        {"embeds": [embed] * 11},
        {"embeds": [{**embed, "title": "t" * 257}]},
        {"embeds": [{**embed, "description": "d" * 4097}]},
        {"embeds": [{**embed, "fields": [field] * 26}]},
        {"embeds": [{**embed, "fields": [{**field, "value": "v" * 1025}]}]},
        {"embeds": [{**embed, "fields": [{**field, "value": ""}]}]},
        {"embeds": [{**embed, "footer": {"text": "f" * 2049}}]},
        {"embeds": [{**embed, "description": "d" * 4000}, {**embed, "description": "d" * 3000}]},
    ]
    assert all(problems(message) for message in broken)


async def test_a_429_waits_for_the_body_s_retry_after(
    discord: FakeDiscord, session: aiohttp.ClientSession
) -> None:
    """The body's 2.5 s, not the header's rounded-up 3."""
    hook = notifier(discord.webhook_url, session)
    discord.rate_limits.append(2.5)
    delivery = await hook.send(make_notification_for(make_message()))
    assert (delivery.outcome, delivery.retry_after) == (Outcome.RETRY, 2.5)
    assert discord.messages == []
    assert (await hook.send(make_notification_for(make_message()))).outcome is Outcome.DELIVERED


async def test_a_refused_message_is_permanent_with_discord_s_reason_and_no_token(
    discord: FakeDiscord, session: aiohttp.ClientSession
) -> None:
    wrong = discord.webhook_url.replace(TOKEN, "wr0ngt0k3nABCDEFGHIJ")
    delivery = await notifier(wrong, session).send(make_notification_for(make_message()))
    assert delivery.outcome is Outcome.PERMANENT
    assert "Invalid Webhook Token" in delivery.detail and "wr0ngt0k3nABCDEFGHIJ" not in delivery.detail


async def test_url_points_the_webhook_at_a_proxy(
    discord: FakeDiscord, session: aiohttp.ClientSession
) -> None:
    """`url` keeps the webhook's path and query (a thread_id) and replaces its scheme and host."""
    proxy = discord.webhook_url.partition("/api/")[0]
    webhook = f"https://discord.com/api/webhooks/{WEBHOOK_ID}/{TOKEN}?thread_id=42"
    delivery = await notifier(webhook, session, url=proxy).send(make_notification_for(make_message()))
    assert delivery.outcome is Outcome.DELIVERED, delivery.detail
    assert discord.queries == ["thread_id=42&wait=true"]


def test_third_party_text_cannot_ping_or_format() -> None:
    alert = make_alert("@everyone **[click](https://evil.example)**", url=None)
    body = render(make_message(firing=(alert,)))
    assert body["allowed_mentions"] == {"parse": []}
    line = body["embeds"][0]["fields"][2]["value"]
    assert line.startswith(r"• \@everyone \*\*\[click\]\(https\:")
