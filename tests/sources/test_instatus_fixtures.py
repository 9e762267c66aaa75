"""parse_instatus on the real Perplexity captures, and on mutated and random documents."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.errors import ParseError
from monitor.model import ComponentStatus, Impact
from monitor.sources.instatus import parse_instatus

from .conftest import FIXTURES
from .fuzzing import check_not_operational, check_parser, mutations, random_json

PAGE = "https://status.perplexity.com"


def load(name: str) -> Any:
    return json.loads((FIXTURES / "instatus" / name).read_bytes())


SUMMARY = load("status.perplexity.com-summary.json")
COMPONENTS = load("status.perplexity.com-v2-components.json")


def test_perplexity_up() -> None:
    snapshot = parse_instatus(SUMMARY, COMPONENTS, PAGE)
    assert snapshot.warnings == ()
    assert (snapshot.indicator, snapshot.description) == (Impact.NONE, "UP")
    assert [(c.id, c.name, c.status, c.group) for c in snapshot.components] == [
        ("clyi6jhgg31469ihojbwbsmeeg", "Website", ComponentStatus.OPERATIONAL, None),
        ("clyiakn7i60113hvojwho6za6j", "API", ComponentStatus.OPERATIONAL, None),
        ("cmr18ih7201l20rqmap66bx4l", "Computer", ComponentStatus.OPERATIONAL, None),
    ]
    assert (snapshot.incidents, snapshot.maintenances) == ((), ())  # absent keys: nothing open


def test_the_two_documents_cannot_stand_in_for_each_other() -> None:
    with pytest.raises(ParseError, match=r"^not an Instatus summary: no 'page' object with a 'status'$"):
        parse_instatus(COMPONENTS, COMPONENTS, PAGE)
    with pytest.raises(ParseError, match=r"^not Instatus components: 'components' is null, not a list$"):
        parse_instatus(SUMMARY, SUMMARY, PAGE)


@settings(max_examples=200)
@given(summary=mutations(SUMMARY), components=mutations(COMPONENTS), which=st.sampled_from("sc"))
def test_a_mutated_capture_is_read_or_refused(summary: Any, components: Any, which: str) -> None:
    if which == "s":
        check_parser(lambda d: parse_instatus(d, COMPONENTS, PAGE), summary)
    else:
        check_parser(lambda d: parse_instatus(SUMMARY, d, PAGE), components)


@settings(max_examples=200)
@given(summary=random_json(), components=random_json())
def test_random_json_never_reads_operational(summary: Any, components: Any) -> None:
    check_not_operational(lambda d: parse_instatus(d, components, PAGE), summary)
    check_not_operational(lambda d: parse_instatus(d, COMPONENTS, PAGE), summary)
