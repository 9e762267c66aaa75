"""parse_cachet on the real components capture (status.yoti.com, Oct 2020), and property checks."""

from __future__ import annotations

import json
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given, settings

from monitor.model import ComponentStatus, Impact
from monitor.sources.cachet import parse_cachet

from .conftest import FIXTURES
from .fuzzing import check_not_operational, check_parser, mutations, random_json

PAGE = "https://status.yoti.com"
COMPONENTS = json.loads((FIXTURES / "cachet/status.yoti.com-api-v1-components-2020-10.json").read_bytes())
NO_INCIDENTS = {"meta": {"pagination": {"total": 0, "count": 0, "total_pages": 1}}, "data": []}  # synthetic


def test_components() -> None:
    snapshot = parse_cachet([COMPONENTS], [NO_INCIDENTS], PAGE, ZoneInfo("Europe/London"))
    assert snapshot.warnings == ()
    assert [(c.id, c.name) for c in snapshot.components] == [
        ("1", "Yoti Website"),
        ("2", "Yoti Age Scan"),
        ("3", "Yoti App"),
        ("9", "Yoti Doc Scan"),
        ("6", "Yoti Doc Scan"),
        ("5", "Yoti Sign"),
        ("4", "Yoti Hub"),
    ]
    assert {c.status for c in snapshot.components} == {ComponentStatus.OPERATIONAL}
    assert snapshot.incidents == ()
    assert snapshot.indicator is Impact.NONE
    assert snapshot.page_url == PAGE


@settings(max_examples=200)
@given(doc=mutations(COMPONENTS))
def test_a_mutated_capture_is_read_or_refused(doc: Any) -> None:
    check_parser(lambda d: parse_cachet([d], [NO_INCIDENTS], PAGE), doc)


@settings(max_examples=200)
@given(doc=random_json())
def test_random_json_never_reads_operational(doc: Any) -> None:
    check_not_operational(lambda d: parse_cachet([d], [d], PAGE), doc)
