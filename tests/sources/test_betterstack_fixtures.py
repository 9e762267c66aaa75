"""parse_betterstack on the real Together AI capture, and on mutated and random documents."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings

from monitor.errors import ParseError
from monitor.model import ComponentStatus, Impact
from monitor.sources.betterstack import parse_betterstack

from .conftest import FIXTURES
from .fuzzing import check_not_operational, check_parser, mutations, random_json

PAGE = "https://status.together.ai"
CAPTURE = json.loads((FIXTURES / "betterstack/status.together.ai-index.json").read_bytes())


def test_together_ai_operational_with_a_resolved_maintenance() -> None:
    snapshot = parse_betterstack(CAPTURE, PAGE)
    assert snapshot.warnings == ()
    assert (snapshot.indicator, snapshot.description) == (Impact.NONE, "operational")
    assert len(snapshot.components) == 22
    assert {c.status for c in snapshot.components} == {ComponentStatus.OPERATIONAL}
    first, third = snapshot.components[0], snapshot.components[2]
    assert (first.id, first.name, first.group) == ("8475065", "Website", "Website")
    assert (third.id, third.name, third.group) == ("8604811", "OpenAI GPT OSS 120B", "Inference - Chat")
    assert {c.group for c in snapshot.components} == {
        "Website",
        "Inference - Chat",
        "Inference - Embeddings",
        "Inference - Voice",
    }
    # report 941865 "Scheduled network maintenance" is resolved: neither an incident nor a maintenance
    assert (snapshot.incidents, snapshot.maintenances) == ((), ())


@pytest.mark.parametrize(
    "doc, message",
    [
        ([], "not a Better Stack status page: expected a JSON object, got a list"),
        ({"data": {"type": "status_report"}}, "not a Better Stack status page: 'data' is not a status_page"),
        (
            {"data": {"type": "status_page"}},
            "not a Better Stack status page: the status_page has no attributes",
        ),
        ({"data": CAPTURE["data"]}, "not a Better Stack status page: 'included' is null"),
    ],
)
def test_documents_that_are_not_an_index_are_refused(doc: Any, message: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_betterstack(doc, PAGE)
    assert str(caught.value) == message


@settings(max_examples=200)
@given(doc=mutations(CAPTURE))
def test_a_mutated_capture_is_read_or_refused(doc: Any) -> None:
    check_parser(lambda d: parse_betterstack(d, PAGE), doc)


@settings(max_examples=200)
@given(doc=random_json())
def test_random_json_never_reads_operational(doc: Any) -> None:
    check_not_operational(lambda d: parse_betterstack(d, PAGE), doc)
