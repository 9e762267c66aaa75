"""Slack's history document (/api/v2.0.0/history), read for a first sight's backfill: the real capture,
each incident with its notes as the timeline."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp import web
from hypothesis import given, settings

from monitor.errors import ParseError
from monitor.fetch import HttpClient
from monitor.model import IncidentStatus
from monitor.sources.slack import SlackConfig, SlackSource, parse_slack_history

from .conftest import FIXTURES, Serve
from .endpoint import Endpoint
from .fuzzing import check_history, mutations

HISTORY = (FIXTURES / "slack/slack-status.com-api-v2.0.0-history-2026.json").read_bytes()
PAGE = "https://slack-status.com"
INVESTIGATING, RESOLVED = IncidentStatus.INVESTIGATING, IncidentStatus.RESOLVED


def test_each_incident_carries_its_notes_oldest_first_the_last_one_resolving_it() -> None:
    chat, android, sso = parse_slack_history(json.loads(HISTORY), PAGE)
    assert [(i.id, i.status) for i in (chat, android, sso)] == [
        ("1571", RESOLVED),
        ("1568", RESOLVED),
        ("1570", RESOLVED),
    ]
    assert [u.status for u in android.updates] == [INVESTIGATING] * 5 + [RESOLVED]
    assert android.updates[0].text.startswith("We are aware that some users on the Slack Android app")
    assert android.updates[-1].text.startswith("This issue has been resolved. Android users")
    assert android.updates[-1].at == datetime(2026, 6, 22, 20, 39, 26, tzinfo=UTC)  # -07:00 read as UTC
    assert android.latest_update == android.updates[-1].text
    assert (android.component_ids, sso.component_ids) == (("workflows",), ("login-sso",))
    assert [len(i.updates) for i in (chat, android, sso)] == [3, 6, 3]
    assert chat.updates[1].text.startswith("Additional Slack engineers have been engaged")
    assert "<p>" not in chat.updates[0].text and "&nbsp;" not in chat.updates[0].text
    assert chat.url == "https://slack-status.com/2026-06/4e79ab0c89aa4be0"


def test_maintenances_and_entries_without_an_id_are_left_out() -> None:
    incident = json.loads(HISTORY)[0]
    synthetic = [
        {**incident, "id": 9001, "type": "maintenance", "status": "completed"},
        {"title": "no id"},
        "not an object",
        incident,
    ]
    assert [i.id for i in parse_slack_history(synthetic, PAGE)] == ["1571"]


@pytest.mark.parametrize("doc", [{}, {"status": "ok", "active_incidents": []}, None])
def test_a_document_that_is_not_an_array_is_refused(doc: object) -> None:
    with pytest.raises(ParseError, match="not a Slack history document"):
        parse_slack_history(doc, PAGE)


async def test_history_reads_the_history_document_over_http_newest_first(
    serve: Serve, http: HttpClient
) -> None:
    endpoint = Endpoint(HISTORY)

    async def handle(request: web.Request) -> web.Response:
        return await endpoint.handle(request)

    server = await serve({"/api/v2.0.0/history": handle})
    source = SlackSource(SlackConfig(name="slack", type="slack", url=str(server.make_url("/"))))
    incidents = await source.history(http, 5)
    assert [i.id for i in incidents] == ["1571", "1570", "1568"]  # by start, newest first
    assert endpoint.paths == ["/api/v2.0.0/history"]


@settings(max_examples=200)
@given(doc=mutations(json.loads(HISTORY)))
def test_a_mutated_history_is_read_or_refused(doc: Any) -> None:
    check_history(lambda d: parse_slack_history(d, PAGE), doc)
