"""Lenient reading of untrusted documents, shared by every format.

A status page is third-party input that changes shape without notice. Inside items a `Reader` is
forgiving: an unknown status becomes UNKNOWN, a bad time becomes None, a stray entry is skipped,
and each of those leaves a warning (the poller logs them and counts them in
`outage_monitor_parse_warnings_total`) so a vendor's format change shows on a dashboard. About
the list of open incidents it is strict (`tracked`): the engine reads an incident missing from a
successful snapshot as resolved, so an entry it cannot read fails the page instead.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, datetime, tzinfo
from enum import Enum
from functools import cache
from typing import Any, Protocol, TypeVar

from monitor.errors import ParseError
from monitor.history import merge_updates
from monitor.model import Component, IncidentStatus, IncidentUpdate
from monitor.sources.times import parse_time

MAX_UPDATE_CHARS = 2000
EARLIEST = datetime.min.replace(tzinfo=UTC)  # where an unreadable time ranks: before every real one

_E = TypeVar("_E", bound=Enum)
_BLOCK_TAG = re.compile(r"<\s*/?\s*(?:br|p|div|li|ul|ol|tr|td|th|h[1-6]|blockquote|pre|hr)\b[^>]*>", re.I)
_ANY_TAG = re.compile(r"<[^>]*>")


class _Identified(Protocol):
    @property
    def id(self) -> str: ...


_T = TypeVar("_T", bound=_Identified)


class Reader:
    """One parse of one document: reads values leniently and collects a warning for each it could not."""

    def __init__(self, naive_zone: tzinfo = UTC, *, epochs: bool = True) -> None:
        self.warnings: list[str] = []
        self.naive_zone = naive_zone  # how to read times written without a zone
        self.epochs = epochs  # whether a bare number is a time (epoch seconds or milliseconds)

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    def items(self, value: Any, what: str, *, allow_str: bool = False) -> Iterator[dict[str, Any]]:
        """The objects of a list field; null is an empty list, anything else is warned about."""
        if value is None:
            return
        if not isinstance(value, list):
            self.warn(f"{what} is {json_type(value)}, not a list")
            return
        for item in value:
            if isinstance(item, dict):
                yield item
            elif allow_str and isinstance(item, str):
                yield {"id": item}
            else:
                self.warn(f"{what} has an entry that is {json_type(item)}, not an object")

    def identify(
        self, item: Mapping[str, Any], kind: str, id_key: str = "id", name_key: str = "name"
    ) -> tuple[str, str] | None:
        """(id, name) of an item; an item without an id cannot be tracked and is skipped."""
        item_id = text(item.get(id_key))
        name = text(item.get(name_key))
        if item_id is None:
            self.warn(f"{kind} {quote(name or '?')} has no id; skipped")
            return None
        if name is None:
            self.warn(f"{kind} {quote(item_id)} has no name")
            name = item_id
        return item_id, name

    def components(
        self,
        items: Iterable[dict[str, Any]],
        kind: str,
        read: Callable[[dict[str, Any], str, str], Component],
        name_key: str = "name",
    ) -> tuple[Component, ...]:
        """The page's components, each made by `read(item, id, name)`; an item without an id is skipped,
        and of items sharing an id the first is kept (a component listed twice would flap)."""
        found: dict[str, Component] = {}
        for item in items:
            item_id, name = item.get("id"), item.get(name_key)
            if type(item_id) is not str or type(name) is not str or not item_id or not name:
                identified = self.identify(item, kind, name_key=name_key)  # the rare case: warned about
                if identified is None:
                    continue
                item_id, name = identified
            if item_id in found:
                self.warn(f"{kind} id {quote(item_id)} appears twice; kept the first")
                continue
            found[item_id] = read(item, item_id, name)
        return tuple(found.values())

    def enum(self, vocabulary: type[_E], value: Any, what: str, field: str) -> _E:
        """A value of our own vocabulary (written as the page writes it); else UNKNOWN plus a warning."""
        found = known_values(vocabulary).get(value) if isinstance(value, str) else None
        return found if found is not None else self._unknown(vocabulary, value, what, field)

    def mapped(self, table: Mapping[Any, _E], value: Any, what: str, field: str) -> _E:
        """A vendor's word translated by `table` (strings matched case-insensitively); else UNKNOWN."""
        key = value.strip().lower() if isinstance(value, str) else value
        if isinstance(key, bool) or not isinstance(key, str | int):
            key = None
        found = table.get(key) if key is not None else None
        if found is not None:
            return found
        vocabulary = type(next(iter(table.values())))
        return self._unknown(vocabulary, value, what, field)

    def _unknown(self, vocabulary: type[_E], value: Any, what: str, field: str) -> _E:
        if value is None:
            self.warn(f"{what} has no {field}")
        else:
            self.warn(f"{what} has unknown {field} {quote(value)}")
        return vocabulary("unknown")

    def time(self, value: Any, what: str, field: str) -> datetime | None:
        """A UTC-aware datetime from any form a page writes (see `times.parse_time`); None, warned, if not."""
        if value is None or value == "":
            return None
        parsed = parse_time(value, self.naive_zone, epochs=self.epochs)
        if parsed is None:
            self.warn(f"{what} has unparseable {field} {quote(value)}")
        return parsed

    def tracked(self, value: Any, what: str, read: Callable[[dict[str, Any]], _T | None]) -> tuple[_T, ...]:
        """Open incidents or maintenances. One missing from a snapshot reads as closed, so an entry that
        cannot be read fails the whole page (unknown) rather than resolving what it was; a repeated id is
        read once, or it would be announced twice."""
        if value is None or value == []:  # most pages, most of the time: nothing open
            return ()
        raw = value if isinstance(value, list) else []
        entries = list(self.items(value, what))
        read_items = [read(entry) for entry in entries]
        if len(entries) != len(raw) or any(item is None for item in read_items):
            raise ParseError(f"unreadable entry in '{what}': {'; '.join(self.warnings[-3:])}")
        unique: dict[str, _T] = {}
        for item in read_items:
            assert item is not None
            if item.id in unique:
                self.warn(f"{what} lists id {quote(item.id)} more than once; the first is kept")
            else:
                unique[item.id] = item
        return tuple(unique.values())


@cache
def known_values(vocabulary: type[_E]) -> Mapping[str, _E]:
    """A vocabulary's members by the word a page writes for them, "unknown" left out: a page saying
    "unknown" has not said what it is."""
    return {member.value: member for member in vocabulary if member.value != "unknown"}


def timeline(updates: Iterable[IncidentUpdate], *, closed: bool = False) -> tuple[IncidentUpdate, ...]:
    """An incident's updates oldest first (unreadable times first), the newest `history.MAX_UPDATES`.

    `closed`: the incident is over and its format gives updates no status of their own, so the newest
    update is the one that closed it and reads as resolved.
    """
    ordered = merge_updates((), updates)
    if closed and ordered:
        ordered = (*ordered[:-1], ordered[-1]._replace(status=IncidentStatus.RESOLVED))
    return ordered


def text(value: Any) -> str | None:
    """A non-empty string id or name; a number is read as one too (some vendors number their ids)."""
    if isinstance(value, str):
        return value or None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def link(value: Any) -> str | None:
    """An absolute http(s) URL, or None: a page-supplied link is shown to people and must not be a script."""
    return value if isinstance(value, str) and value.startswith(("https://", "http://")) else None


def plain_text(body: str, limit: int = MAX_UPDATE_CHARS) -> str:
    """An update body as one line of text: tags dropped, entities decoded, whitespace collapsed."""
    flat = html.unescape(_ANY_TAG.sub("", _BLOCK_TAG.sub(" ", body)))
    flat = " ".join(flat.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def quote(value: Any) -> str:
    """A page-supplied value quoted for a warning, bounded so a hostile page cannot flood the logs."""
    shown = repr(value)
    return shown if len(shown) <= 80 else shown[:77] + "..."


def json_type(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number" if isinstance(value, int | float) else type(value).__name__)


def expect_object(doc: Any, what: str) -> dict[str, Any]:
    """The decoded document as an object, or a `ParseError` naming the format it should have been."""
    if not isinstance(doc, dict):
        raise ParseError(f"not {what}: expected a JSON object, got {json_type(doc)}")
    return doc
