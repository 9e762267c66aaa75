"""parse_slack on the real `current` capture (ok), and property checks on it and on real incidents."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings

from monitor.model import ComponentStatus, Impact
from monitor.sources.slack import SERVICES, parse_slack

from .conftest import FIXTURES
from .fuzzing import check_not_operational, check_parser, mutations, random_json

PAGE = "https://slack-status.com"
CURRENT = json.loads((FIXTURES / "slack/slack-status.com-api-v2.0.0-current-2026-06-ok.json").read_bytes())
HISTORY: list[dict[str, Any]] = json.loads(
    (FIXTURES / "slack/slack-status.com-api-v2.0.0-history-2026.json").read_bytes()
)


def test_ok_lists_every_service_operational() -> None:
    snapshot = parse_slack(CURRENT, PAGE)
    assert snapshot.warnings == ()
    assert [c.name for c in snapshot.components] == list(SERVICES)
    assert [c.id for c in snapshot.components][:3] == ["login-sso", "connections", "messaging"]
    assert {c.status for c in snapshot.components} == {ComponentStatus.OPERATIONAL}
    assert (snapshot.incidents, snapshot.maintenances) == ((), ())
    assert snapshot.indicator is Impact.NONE


def test_history_incidents_are_the_shapes_the_parser_reads() -> None:
    """The history holds real (resolved) incidents: read as `active_incidents`, they parse cleanly."""
    snapshot = parse_slack({"status": "active", "active_incidents": HISTORY}, PAGE)
    assert snapshot.warnings == ()
    assert [i.id for i in snapshot.incidents] == ["1571", "1568", "1570"]
    assert {i.status.value for i in snapshot.incidents} == {"resolved"}
    assert snapshot.incidents[1].component_ids == ("workflows",)
    assert snapshot.incidents[2].component_ids == ("login-sso",)
    assert snapshot.incidents[0].url == "https://slack-status.com/2026-06/4e79ab0c89aa4be0"
    assert {c.status for c in snapshot.components} == {ComponentStatus.OPERATIONAL}  # all resolved


@settings(max_examples=200)
@given(doc=mutations({"status": "active", "active_incidents": HISTORY[1:]}))
def test_a_mutated_document_is_read_or_refused(doc: Any) -> None:
    check_parser(lambda d: parse_slack(d, PAGE), doc)


@settings(max_examples=200)
@given(doc=random_json())
def test_random_json_never_reads_operational(doc: Any) -> None:
    check_not_operational(lambda d: parse_slack(d, PAGE), doc)
