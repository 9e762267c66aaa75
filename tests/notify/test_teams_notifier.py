"""Microsoft Teams: every card we send, over real loopback HTTP to a stand-in Workflows webhook, validates
against the official Adaptive Card 1.5 schema (tests/schemas/adaptive-card-1.5.0.json, draft-06) once the
Teams-only `msteams` property is stripped (tests/schemas/README.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from jsonschema import Draft6Validator
from jsonschema.exceptions import ValidationError

from monitor.model import Severity
from monitor.notify.base import Outcome
from monitor.notify.teams import CARD_CONTENT_TYPE, TeamsConfig, TeamsNotifier, card
from tests.notify.conftest import GROUP_KEY, make_alert, make_message, make_notification_for
from tests.notify.receiver import Receiver, Reply

SCHEMA = json.loads(
    (Path(__file__).resolve().parents[1] / "schemas" / "adaptive-card-1.5.0.json").read_text()
)
VALIDATOR = Draft6Validator(SCHEMA)
WORKFLOW_PATH = "/workflows/8c1f/triggers/manual/paths/invoke"
SIG = "s1gn4tur3Zx0q9v8b7n6m5"
MAX_MESSAGE_BYTES = 28 * 1024  # Teams' limit for one message


def assert_valid_message(body: bytes) -> dict[str, Any]:
    """The Workflows message shape, then the card against the schema without its Teams-only property."""
    assert len(body) <= MAX_MESSAGE_BYTES
    message: dict[str, Any] = json.loads(body)
    assert message["type"] == "message"
    [attachment] = message["attachments"]
    assert attachment["contentType"] == CARD_CONTENT_TYPE
    content: dict[str, Any] = attachment["content"]
    assert content["version"] == "1.5"
    VALIDATOR.validate({name: value for name, value in content.items() if name != "msteams"})
    return content


def texts(content: dict[str, Any]) -> list[str]:
    """Every TextBlock's text and every fact, in order, the title band's included."""
    found: list[str] = []
    for element in content["body"]:
        for item in element.get("items", [element]):
            if item["type"] == "TextBlock":
                found.append(item["text"])
            elif item["type"] == "FactSet":
                found += [f"{fact['title']}: {fact['value']}" for fact in item["facts"]]
    return found


def notifier(receiver: Receiver, session: aiohttp.ClientSession, **options: object) -> TeamsNotifier:
    url = receiver.url(f"{WORKFLOW_PATH}?api-version=1&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig={SIG}")
    config = TeamsConfig.model_validate({"name": "teams", "type": "teams", "url": url, **options})
    return TeamsNotifier(config, session)


def test_the_validator_bites() -> None:
    """The harness rejects what the schema rejects, or a passing test would prove nothing."""
    good = card(make_message())
    good.pop("msteams")
    VALIDATOR.validate(good)
    title_band = good["body"][0]
    broken = [
        {**good, "colour": "red"},
        {**good, "body": [{"type": "TextBlock", "wrap": True}]},
        {**good, "body": [{**title_band, "style": "crimson"}]},
        {**good, "actions": [{"type": "Action.OpenUrl", "title": "no url"}]},
    ]
    for content in broken:
        with pytest.raises(ValidationError):
            VALIDATOR.validate(content)


async def test_a_group_fires_changes_and_resolves_as_three_cards(
    receiver: Receiver, session: aiohttp.ClientSession
) -> None:
    receiver.default = Reply(status=202, body="")  # Workflows accept, then post asynchronously
    teams = notifier(receiver, session)
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
        delivery = await teams.send(make_notification_for(message))
        assert delivery.outcome is Outcome.DELIVERED, delivery.detail

    cards = [assert_valid_message(request.body) for request in receiver.requests]
    assert all(request.query.endswith(f"sig={SIG}") for request in receiver.requests)
    assert [c["body"][0]["style"] for c in cards] == ["attention", "attention", "good"]
    assert [texts(c)[0] for c in cards] == [firing.title, "github: critical outage", "github: resolved"]
    assert all(f"Group: {GROUP_KEY}" in texts(c) for c in cards)  # one identity across the three
    assert "Status: firing (escalated)" in texts(cards[1])
    assert texts(cards[1])[-2:] == [
        "Firing",
        "- Git Operations (github, critical) since 2026-11-23T12:32:05Z\n"
        "- API Requests (github, major) since 2026-11-23T12:30:05Z",
    ]
    assert "Resolved" in texts(cards[2])
    assert [a["url"] for a in cards[1]["actions"]] == [git.url, api.url]
    assert cards[1]["actions"][0] == {
        "type": "Action.OpenUrl",
        "title": "Open github: Git Operations",
        "url": git.url,
    }


async def test_a_big_group_is_listed_with_and_n_more_and_stays_small(
    receiver: Receiver, session: aiohttp.ClientSession
) -> None:
    many = tuple(
        make_alert(f"Component {i} " + "z" * 3000, minutes=i, url=f"https://status.example.com/{i}")
        for i in range(20)
    )
    related = (make_alert("Pages", provider="netlify"),)
    message = make_message(firing=many, firing_total=312, related=related, text="x" * 10_000)
    assert (
        await notifier(receiver, session).send(make_notification_for(message))
    ).outcome is Outcome.DELIVERED
    content = assert_valid_message(receiver.requests[0].body)
    shown = texts(content)
    firing = shown[shown.index("Firing") + 1].split("\n")
    assert len(firing) == 21 and firing[-1] == "- and 292 more"
    assert shown[-1].endswith("likely caused by github")
    assert len(content["actions"]) == 5


async def test_a_refused_workflow_call_is_permanent_without_the_signature(
    receiver: Receiver, session: aiohttp.ClientSession
) -> None:
    receiver.reply(400, f'{{"error":{{"code":"TriggerInputSchemaMismatch","message":"sig={SIG}"}}}}')
    delivery = await notifier(receiver, session).send(make_notification_for(make_message()))
    assert delivery.outcome is Outcome.PERMANENT
    assert "TriggerInputSchemaMismatch" in delivery.detail and SIG not in delivery.detail


async def test_the_templates_word_the_card(receiver: Receiver, session: aiohttp.ClientSession) -> None:
    teams = notifier(
        receiver,
        session,
        title_template="[{{ severity }}] {{ provider }}",
        text_template="See {{ links[0] }}",
    )
    assert (await teams.send(make_notification_for(make_message()))).outcome is Outcome.DELIVERED
    shown = texts(assert_valid_message(receiver.requests[0].body))
    assert shown[0] == "[critical] github"
    assert "See https://www.githubstatus.com/incidents/git-operations" in shown
