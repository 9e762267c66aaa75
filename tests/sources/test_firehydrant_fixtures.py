"""parse_firehydrant on the real status.redis.io capture (every incident resolved), and property checks."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings

from monitor.model import ComponentStatus, Impact
from monitor.sources.firehydrant import parse_firehydrant

from .conftest import FIXTURES
from .fuzzing import check_not_operational, check_parser, mutations, random_json

PAGE = "https://status.redis.io"
REDIS: Any = json.loads((FIXTURES / "firehydrant/status.redis.io-data-payload-2026-07.json").read_bytes())
# What the parser reads: the lifecycle phase lists (unread) would make mutations mostly miss and slow.
READ_PART = REDIS | {
    "incidents": [{k: v for k, v in i.items() if k != "lifecyclePhases"} for i in REDIS["incidents"]]
}


def test_redis_with_every_incident_resolved_reads_operational() -> None:
    snapshot = parse_firehydrant(REDIS, PAGE)
    assert snapshot.warnings == ()
    assert snapshot.page_url == PAGE
    assert [(c.id, c.name) for c in snapshot.components] == [
        ("38b0dea6-11f5-4c11-9705-1ded7fa68e33", "Admin Console"),
        ("e0ee0ba0-9ee6-4ecd-8fbd-1acc817d888a", "Heroku Integration"),
        ("4c9d20f7-9257-46be-b188-923a0177b5f1", "REST API"),
        ("d169e220-b47d-4d60-85c5-fd0c5fea3e77", "Support Site"),
        ("4bb3dbbb-f84a-40b9-87b7-9a3b51295f26", "DNS Resolvers"),
        ("43ea3816-2e73-454f-8cda-6472ade0744e", "LangCache"),
    ]
    # The "platform transition" incident put Degraded on five components, but it is resolved.
    assert {c.status for c in snapshot.components} == {ComponentStatus.OPERATIONAL}
    assert snapshot.incidents == () and snapshot.maintenances == ()
    assert snapshot.indicator is Impact.NONE
    assert snapshot.description == "Currently, there are no active incidents."


@settings(max_examples=200)
@given(doc=mutations(READ_PART))
def test_a_mutated_capture_is_read_or_refused(doc: Any) -> None:
    check_parser(lambda d: parse_firehydrant(d, PAGE), doc)


@settings(max_examples=200)
@given(doc=random_json())
def test_random_json_never_reads_operational(doc: Any) -> None:
    check_not_operational(lambda d: parse_firehydrant(d, PAGE), doc)
