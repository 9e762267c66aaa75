"""Atlassian Statuspage (and compatible pages such as incident.io's): `<url>/api/v2/summary.json`.

`parse_summary` is pure so it can be tested on captured payloads. It is lenient inside items (an
unknown status becomes UNKNOWN plus a warning, a bad time becomes None plus a warning) and strict
about the document itself: anything that is not a summary is a `ParseError`, never an empty,
"operational" snapshot.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from enum import Enum
from typing import Any, Literal, TypeVar

from monitor.errors import ParseError
from monitor.fetch import HttpClient, NotModified
from monitor.model import (
    Component,
    ComponentStatus,
    Impact,
    Incident,
    IncidentStatus,
    Maintenance,
    MaintenanceStatus,
    Snapshot,
)
from monitor.sources.base import Source, SourceConfig

SUMMARY_PATH = "/api/v2/summary.json"
MAX_UPDATE_CHARS = 2000

_E = TypeVar("_E", bound=Enum)
_T = TypeVar("_T", Incident, Maintenance)


class StatuspageConfig(SourceConfig):
    type: Literal["statuspage"]


class StatuspageSource(Source):
    type_name = "statuspage"
    Config = StatuspageConfig

    async def fetch(self, http: HttpClient, timeout: float) -> Snapshot | NotModified:
        url = self.config.url.rstrip("/") + SUMMARY_PATH
        return await self._get_json(http, url, timeout, _parse_fetched)


def _parse_fetched(doc: Any, final_url: str) -> Snapshot:
    """The page's own URL is where the summary came from (after redirects), minus the API path."""
    return parse_summary(doc, final_url.split("?", 1)[0].removesuffix(SUMMARY_PATH))


_COMPONENT_STATUS_ALIASES = {"full_outage": "major_outage"}  # incident.io's word for it

_BLOCK_TAG = re.compile(r"<\s*/?\s*(?:br|p|div|li|ul|ol|tr|td|th|h[1-6]|blockquote|pre|hr)\b[^>]*>", re.I)
_ANY_TAG = re.compile(r"<[^>]*>")


def parse_summary(doc: Any, page_url: str) -> Snapshot:
    """Normalize a decoded summary.json; `page_url` is the page itself, used when an item has no link."""
    _check_is_summary(doc)
    return _SummaryReader(page_url).read(doc)


def plain_text(body: str, limit: int = MAX_UPDATE_CHARS) -> str:
    """An update body as one line of text: tags dropped, entities decoded, whitespace collapsed."""
    text = html.unescape(_ANY_TAG.sub("", _BLOCK_TAG.sub(" ", body)))
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _check_is_summary(doc: Any) -> None:
    if not isinstance(doc, dict):
        raise ParseError(f"not a Statuspage summary: expected a JSON object, got {_json_type(doc)}")
    if not isinstance(doc.get("page"), dict) and not isinstance(doc.get("status"), dict):
        raise ParseError("not a Statuspage summary: neither a 'page' nor a 'status' object")
    for key in ("components", "incidents", "scheduled_maintenances"):
        if key not in doc:  # a page that lost its incident list must not read as "all incidents resolved"
            raise ParseError(f"not a Statuspage summary: no '{key}' list")
        value = doc[key]
        if value is not None and not isinstance(value, list):  # null: incident.io's empty list
            raise ParseError(f"not a Statuspage summary: '{key}' is {_json_type(value)}, not a list")


class _SummaryReader:
    """One parse: reads items leniently and collects a warning for everything it could not read."""

    def __init__(self, page_url: str) -> None:
        self.page_url = page_url
        self.warnings: list[str] = []

    def read(self, doc: dict[str, Any]) -> Snapshot:
        indicator, description = self._page_status(doc.get("status"))
        components = self._components(doc.get("components"))
        incidents = self._tracked(doc.get("incidents"), "incidents", self._incident)
        maintenances = self._tracked(
            doc.get("scheduled_maintenances"), "scheduled_maintenances", self._maintenance
        )
        return Snapshot(
            page_url=self.page_url,
            components=components,
            incidents=incidents,
            maintenances=maintenances,
            indicator=indicator,
            description=description,
            warnings=tuple(self.warnings),
        )

    def _page_status(self, status: Any) -> tuple[Impact, str | None]:
        if not isinstance(status, dict):
            self.warnings.append("summary has no 'status' object")
            return Impact.UNKNOWN, None
        indicator = self._enum(Impact, status.get("indicator"), "page", "indicator")
        description = status.get("description")
        return indicator, description if isinstance(description, str) else None

    def _components(self, value: Any) -> tuple[Component, ...]:
        """Leaf components; `group: true` entries are containers whose name goes into `Component.group`."""
        items = list(self._items(value, "components"))
        group_names: dict[str, str] = {}
        group_of_child: dict[str, str] = {}
        for item in items:
            group_id = _text(item.get("id"))
            if item.get("group") is True and group_id is not None:
                group_names[group_id] = _text(item.get("name")) or group_id
                children = item.get("components")
                for child in children if isinstance(children, list) else ():
                    if isinstance(child, str):
                        group_of_child[child] = group_id
        components: dict[str, Component] = {}
        for item in items:
            if item.get("group") is True:
                continue
            found = self._identify(item, "component")
            if found is None:
                continue
            component_id, name = found
            if component_id in components:
                self.warnings.append(f"component id {_q(component_id)} appears twice; kept the first")
                continue
            what = f"component {_q(name)}"
            group_id = _text(item.get("group_id")) or group_of_child.get(component_id)
            if group_id is not None and group_id not in group_names:
                self.warnings.append(f"{what} belongs to a group {_q(group_id)} the page does not list")
            components[component_id] = Component(
                id=component_id,
                name=name,
                status=self._component_status(item.get("status"), what),
                group=group_names.get(group_id) if group_id is not None else None,
            )
        return tuple(components.values())

    def _component_status(self, value: Any, what: str) -> ComponentStatus:
        if isinstance(value, str):
            value = _COMPONENT_STATUS_ALIASES.get(value, value)
        return self._enum(ComponentStatus, value, what, "status")

    def _incident(self, item: dict[str, Any]) -> Incident | None:
        found = self._identify(item, "incident")
        if found is None:
            return None
        incident_id, name = found
        what = f"incident {_q(name)}"
        updates = list(self._items(item.get("incident_updates"), f"{what} incident_updates"))
        return Incident(
            id=incident_id,
            name=name,
            status=self._enum(IncidentStatus, item.get("status"), what, "status"),
            impact=self._enum(Impact, item.get("impact"), what, "impact"),
            url=_link(item.get("shortlink")) or self.page_url,
            started_at=self._time(item.get("started_at"), what, "started_at")
            or self._time(item.get("created_at"), what, "created_at"),
            updated_at=self._time(item.get("updated_at"), what, "updated_at"),
            latest_update=self._latest_update(updates, what),
            component_ids=self._component_ids(item, updates, what),
        )

    def _maintenance(self, item: dict[str, Any]) -> Maintenance | None:
        found = self._identify(item, "maintenance")
        if found is None:
            return None
        maintenance_id, name = found
        what = f"maintenance {_q(name)}"
        updates = list(self._items(item.get("incident_updates"), f"{what} incident_updates"))
        return Maintenance(
            id=maintenance_id,
            name=name,
            status=self._enum(MaintenanceStatus, item.get("status"), what, "status"),
            url=_link(item.get("shortlink")) or self.page_url,
            scheduled_for=self._time(item.get("scheduled_for"), what, "scheduled_for"),
            scheduled_until=self._time(item.get("scheduled_until"), what, "scheduled_until"),
            latest_update=self._latest_update(updates, what),
            component_ids=self._component_ids(item, updates, what),
        )

    def _latest_update(self, updates: list[dict[str, Any]], what: str) -> str | None:
        """The newest update's body; updates without a readable time rank last, list order breaks ties."""
        if not updates:
            return None
        oldest = datetime.min.replace(tzinfo=UTC)

        def shown_at(update: dict[str, Any]) -> datetime:
            field = "display_at" if update.get("display_at") is not None else "created_at"
            return self._time(update.get(field), f"{what} update", field) or oldest

        body = max(updates, key=shown_at).get("body")
        if not isinstance(body, str):
            return None
        return plain_text(body) or None

    def _component_ids(
        self, item: dict[str, Any], updates: list[dict[str, Any]], what: str
    ) -> tuple[str, ...]:
        """Components named on the item, then those the updates list as affected; first mention wins."""
        ids: dict[str, None] = {}
        for component in self._items(item.get("components"), f"{what} components", allow_str=True):
            component_id = _text(component.get("id"))
            if component_id is not None:
                ids.setdefault(component_id)
        for update in updates:
            for affected in self._items(update.get("affected_components"), f"{what} affected_components"):
                code = _text(affected.get("code"))
                if code is not None:
                    ids.setdefault(code)
        return tuple(ids)

    def _tracked(self, value: Any, what: str, read: Callable[[dict[str, Any]], _T | None]) -> tuple[_T, ...]:
        """Incidents or maintenances. The engine reads one missing from the list as closed, so an entry
        that cannot be read fails the whole page (unknown) rather than resolving what it was; a repeated
        id is read once, or it would be announced twice."""
        raw = value if isinstance(value, list) else []
        items = list(self._items(value, what))
        read_items = [read(item) for item in items]
        if len(items) != len(raw) or any(item is None for item in read_items):
            raise ParseError(f"unreadable entry in '{what}': {'; '.join(self.warnings[-3:])}")
        unique: dict[str, _T] = {}
        for item in read_items:
            assert item is not None
            if item.id in unique:
                self.warnings.append(f"{what} lists id {_q(item.id)} more than once; the first is kept")
            else:
                unique[item.id] = item
        return tuple(unique.values())

    def _identify(self, item: dict[str, Any], kind: str) -> tuple[str, str] | None:
        """(id, name) of an item; an item without an id cannot be tracked and is skipped."""
        item_id = _text(item.get("id"))
        name = _text(item.get("name"))
        if item_id is None:
            self.warnings.append(f"{kind} {_q(name or '?')} has no id; skipped")
            return None
        if name is None:
            self.warnings.append(f"{kind} {_q(item_id)} has no name")
            name = item_id
        return item_id, name

    def _items(self, value: Any, what: str, *, allow_str: bool = False) -> Iterator[dict[str, Any]]:
        """The objects of a list field; null is an empty list (incident.io), anything else is warned about."""
        if value is None:
            return
        if not isinstance(value, list):
            self.warnings.append(f"{what} is {_json_type(value)}, not a list")
            return
        for item in value:
            if isinstance(item, dict):
                yield item
            elif allow_str and isinstance(item, str):
                yield {"id": item}
            else:
                self.warnings.append(f"{what} has an entry that is {_json_type(item)}, not an object")

    def _enum(self, vocabulary: type[_E], value: Any, what: str, field: str) -> _E:
        """A value of our vocabulary; anything else is UNKNOWN plus a warning, never a crash."""
        if isinstance(value, str) and value != "unknown":
            try:
                return vocabulary(value)
            except ValueError:
                pass
        if value is None:
            self.warnings.append(f"{what} has no {field}")
        else:
            self.warnings.append(f"{what} has unknown {field} {_q(value)}")
        return vocabulary("unknown")

    def _time(self, value: Any, what: str, field: str) -> datetime | None:
        """A UTC-aware datetime; a zone-less time is taken as UTC, an unreadable one is warned about."""
        if value is None:
            return None
        if isinstance(value, str):
            try:
                parsed = datetime.fromisoformat(value)
            except ValueError:
                pass
            else:
                return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
        self.warnings.append(f"{what} has unparseable {field} {_q(value)}")
        return None


def _text(value: Any) -> str | None:
    """A non-empty string id or name; Statuspage ids are strings, but a number is read as one too."""
    if isinstance(value, str):
        return value or None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def _link(value: Any) -> str | None:
    return value if isinstance(value, str) and value.startswith(("https://", "http://")) else None


def _q(value: Any) -> str:
    """A page-supplied value quoted for a warning, bounded so a hostile page cannot flood the logs."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _json_type(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number" if isinstance(value, int | float) else type(value).__name__)
