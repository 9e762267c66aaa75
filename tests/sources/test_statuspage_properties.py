"""Property-based: the Statuspage parser on mutated real captures and on random JSON."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings

from monitor.sources.statuspage import parse_summary

from .conftest import FIXTURES
from .fuzzing import check_not_operational, check_parser, mutations, random_json

URL = "https://www.githubstatus.com"
CAPTURE = json.loads(
    (FIXTURES / "statuspage/summary/github-2022-11-25-active-incident-minor.json").read_bytes()
)


def parse(doc: Any) -> Any:
    return parse_summary(doc, URL)


@settings(max_examples=300)
@given(doc=mutations(CAPTURE))
def test_a_mutated_capture_is_read_or_refused(doc: Any) -> None:
    check_parser(parse, doc)


@settings(max_examples=300)
@given(doc=random_json())
def test_random_json_never_reads_operational(doc: Any) -> None:
    check_not_operational(parse, doc)
