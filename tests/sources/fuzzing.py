"""Property-based checks every parser must pass: real documents mutated, and random JSON.

A parser fed garbage may refuse it (`ParseError`) or read what it can (with warnings), but it never
raises anything else, and a document that is not a valid page never reads as operational. Use:

    @given(doc=mutations(load("capture.json")))
    def test_mutated_capture(doc): check_parser(lambda d: parse_x(d, URL), doc)

    @given(doc=random_json())
    def test_random_json(doc): check_not_operational(lambda d: parse_x(d, URL), doc)

A history parser (`Source.history`'s) passes `check_history` on its mutated captures.

XML formats take bytes: `xml_mutations(capture_bytes)` edits a capture's elements (still well
formed) or its bytes (mostly not), and `random_bytes()` is anything at all.
"""

from __future__ import annotations

import copy
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from datetime import UTC
from typing import Any

from hypothesis import strategies as st

from monitor.errors import ParseError
from monitor.model import ComponentStatus, Impact, Incident, IncidentStatus, Snapshot

Parse = Callable[[Any], Snapshot]

_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
    | st.sampled_from(["", "operational", "OPERATIONAL", "unknown", "null", "0", "1", "100", "2024-01-02"])
)


def random_json(max_leaves: int = 30) -> st.SearchStrategy[Any]:
    """Any JSON value: scalars, lists and objects nested a few levels."""
    return st.recursive(
        _SCALARS,
        lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=12), inner, max_size=6),
        max_leaves=max_leaves,
    )


def mutations(document: Any, max_edits: int = 4) -> st.SearchStrategy[Any]:
    """`document` with a few random edits: a value replaced by random JSON, a key or item deleted."""
    paths = list(_paths(document))

    @st.composite
    def mutated(draw: st.DrawFn) -> Any:
        doc = copy.deepcopy(document)
        for _ in range(draw(st.integers(min_value=1, max_value=max_edits))):
            path = draw(st.sampled_from(paths))
            parent = _at(doc, path[:-1])
            if parent is None:
                continue
            key = path[-1]
            if (isinstance(parent, dict) and key in parent) or (
                isinstance(parent, list) and isinstance(key, int) and key < len(parent)
            ):
                if draw(st.booleans()):
                    parent[key] = draw(random_json(max_leaves=5))
                else:
                    del parent[key]
        return doc

    return mutated()


def random_bytes(max_size: int = 300) -> st.SearchStrategy[bytes]:
    """Binary noise, text, and text that starts like XML."""
    return (
        st.binary(max_size=max_size)
        | st.text(max_size=max_size).map(lambda text: text.encode())
        | st.text(max_size=max_size).map(lambda text: f'<?xml version="1.0"?>\n{text}'.encode())
    )


def xml_mutations(document: bytes, max_edits: int = 4) -> st.SearchStrategy[bytes]:
    """`document` (trusted XML: a capture) with a few edits: an element removed, duplicated or given
    random text or attributes (the result is well formed), or its bytes cut, spliced or overwritten."""
    root = ET.fromstring(document)

    @st.composite
    def by_element(draw: st.DrawFn) -> bytes:
        tree = copy.deepcopy(root)
        for _ in range(draw(st.integers(min_value=1, max_value=max_edits))):
            elements = list(tree.iter())
            index = draw(st.integers(min_value=0, max_value=len(elements) - 1))
            element = elements[index]
            parent = next((p for p in tree.iter() if element in list(p)), None)
            action = draw(st.sampled_from(["remove", "duplicate", "text", "attribute"]))
            if action == "remove" and parent is not None:
                parent.remove(element)
            elif action == "duplicate" and parent is not None:
                parent.insert(list(parent).index(element), copy.deepcopy(element))
            elif action == "text":
                element.text = draw(_XML_TEXT)
            else:
                element.set(draw(st.sampled_from(["href", "version", "isPermaLink", "x"])), draw(_XML_TEXT))
        serialized: bytes = ET.tostring(tree, encoding="utf-8")
        return serialized

    @st.composite
    def by_byte(draw: st.DrawFn) -> bytes:
        data = bytearray(document)
        for _ in range(draw(st.integers(min_value=1, max_value=max_edits))):
            start = draw(st.integers(min_value=0, max_value=len(data)))
            end = draw(st.integers(min_value=start, max_value=min(len(data), start + 50)))
            data[start:end] = draw(st.binary(max_size=20))
        return bytes(data)

    return by_element() | by_byte()


_XML_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=40) | st.sampled_from(
    ["Resolved", "Investigating", "In progress - maintenance", "major outage", "", "  "]
)


def check_parser(parse: Parse, doc: Any) -> Snapshot | None:
    """The parser reads `doc` or refuses it with a ParseError; what it reads is well formed."""
    try:
        snapshot = parse(doc)
    except ParseError:
        return None
    assert isinstance(snapshot, Snapshot)
    for component in snapshot.components:
        assert isinstance(component.id, str) and component.id
        assert isinstance(component.name, str) and component.name
        assert isinstance(component.status, ComponentStatus)
    for incident in snapshot.incidents:
        assert isinstance(incident.id, str) and incident.id
        assert all(t is None or t.tzinfo is UTC for t in (incident.started_at, incident.updated_at))
    for maintenance in snapshot.maintenances:
        assert isinstance(maintenance.id, str) and maintenance.id
        assert all(
            t is None or t.tzinfo is UTC for t in (maintenance.scheduled_for, maintenance.scheduled_until)
        )
    assert all(isinstance(warning, str) for warning in snapshot.warnings)
    return snapshot


def check_history(parse: Callable[[Any], Sequence[Incident]], doc: Any) -> None:
    """A history parser reads `doc` or refuses it with a ParseError; each incident it reads is well formed,
    its timeline included."""
    try:
        incidents = parse(doc)
    except ParseError:
        return
    for incident in incidents:
        assert isinstance(incident.id, str) and incident.id
        times = (incident.started_at, incident.updated_at, incident.resolved_at)
        assert all(t is None or t.tzinfo is UTC for t in times)
        for update in incident.updates:
            assert update.at is None or update.at.tzinfo is UTC
            assert isinstance(update.status, IncidentStatus) and isinstance(update.text, str)


def check_not_operational(parse: Parse, doc: Any) -> None:
    """Random JSON is not a page: refused, or at least not read as all clear."""
    snapshot = check_parser(parse, doc)
    if snapshot is None:
        return
    assert not reads_operational(snapshot), f"random document read as operational: {doc!r:.300}"


def reads_operational(snapshot: Snapshot) -> bool:
    """What a dashboard shows green: the page's own reading none, components operational, nothing open."""
    return (
        snapshot.indicator is Impact.NONE
        and all(c.status is ComponentStatus.OPERATIONAL for c in snapshot.components)
        and not any(not i.status.is_closed for i in snapshot.incidents)
    )


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found: list[tuple[Any, ...]] = []
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in children:
        found.append((*prefix, key))
        found.extend(_paths(child, (*prefix, key)))
    return found


def _at(doc: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        try:
            doc = doc[key]
        except (KeyError, IndexError, TypeError):
            return None
    return doc if isinstance(doc, dict | list) else None
