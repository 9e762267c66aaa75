"""The YAML as plain data, expanded, remembering where each key and item was written.

Expansion, in this order: `${VAR}` and `${VAR:-default}` in every string value (the default also
replaces an empty VAR, as in the shell; `$$` is a literal `$`); `catalog: <name>` in a provider entry
becomes the catalog's type, url and options; `<key>_file: path` in a provider or notifier entry reads
`<key>` from that file (trailing newline stripped; a relative path is resolved against the config
file's directory), for secrets mounted as files, and giving both `<key>` and `<key>_file` is an error.
Values of variables, secret files and secret fields are collected so no message ever echoes them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, get_args

import yaml
from pydantic import BaseModel, SecretStr
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.events import MappingEndEvent, MappingStartEvent, ScalarEvent, SequenceEndEvent, SequenceStartEvent

from monitor.config.problems import Loc, Problem, unknown
from monitor.config.reading import (
    MAX_SECRET_BYTES,
    Events,
    NotReadable,
    SelfAlias,
    read_mapping,
    read_regular_file,
    start_line,
)
from monitor.config.schema import entries, entry_model
from monitor.sources import SOURCES

if TYPE_CHECKING:
    from monitor.catalog import CatalogEntry

_SECRET_FILE_SUFFIX = "_file"
_CATALOG_KEY = "catalog"  # a provider entry naming a built-in catalog entry instead of type and url
_STR = "tag:yaml.org,2002:str"
_REFERENCE = re.compile(r"\$\$|\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?P<default>:-[^}]*)?\}|\$\{")


@dataclass
class Document:
    """The YAML as plain data, where each key and item was written, and the values never to echo."""

    env: Mapping[str, str]
    base_dir: Path
    lines: dict[Loc, int] = field(default_factory=dict)
    shown_as: dict[Loc, str] = field(default_factory=dict)  # `webhook_url` read from `webhook_url_file`
    secrets: set[str] = field(default_factory=set)
    problems: list[Problem] = field(default_factory=list)
    covered: list[Loc] = field(default_factory=list)  # values already reported: pydantic need not repeat
    _constructor: SafeConstructor = field(default_factory=SafeConstructor)
    _scalar_nodes: dict[object, yaml.ScalarNode] = field(default_factory=dict)  # event -> its node

    def read(self, text: str, filename: str) -> dict[str, object]:
        return read_mapping(text, filename, lambda events: self._mapping(events, ()))

    def _report(self, loc: Loc, message: str, line: int | None = None) -> None:
        """A problem with the value at `loc`; pydantic's view of that same value would only repeat it."""
        self.problems.append(Problem(loc, message, line))
        self.covered.append(loc)

    def _node(self, events: Events, event: Any, loc: Loc) -> object:
        """The value of the node `event` starts, its other events read from `events`."""
        kind = type(event)
        if kind is ScalarEvent:  # most nodes
            tag = events.tag(event)
            if tag != _STR:
                return self._scalar(event, tag, loc)
            value = event.value  # most scalars: their text, as the constructor would say
            return self._expand(value, loc) if "$" in value else value
        if kind is MappingStartEvent:
            return self._mapping(events, loc)
        if kind is SequenceStartEvent:
            return self._sequence(events, loc)
        self.problems.append(Problem(loc, "a YAML alias refers to itself", event.start_mark.line + 1))
        return None

    def _sequence(self, events: Events, loc: Loc) -> list[object]:
        result: list[object] = []
        while type(event := events.next()) is not SequenceEndEvent:
            item_loc = (*loc, len(result))
            self.lines[item_loc] = event.start_mark.line + 1
            result.append(self._node(events, event, item_loc))
        return result

    def _mapping(self, events: Events, loc: Loc) -> dict[str, object]:
        result: dict[str, object] = {}
        while type(key_event := events.next()) is not MappingEndEvent:
            line = key_event.start_mark.line + 1
            plain = type(key_event) is ScalarEvent and events.tag(key_event) == _STR
            key = key_event.value if plain else self._key(events, key_event, loc, line)
            value_event = events.next()
            if key is None:
                events.skip(value_event)
                continue
            key_loc = (*loc, key)
            if key in result:
                self._report(key_loc, f"duplicate key (first at line {self.lines[key_loc]})", line)
            self.lines[key_loc] = line
            result[key] = self._node(events, value_event, key_loc)
        return result

    def _key(self, events: Events, event: Any, loc: Loc, line: int) -> str | None:
        """Any other key: the string it constructs to, or None with the problem reported."""
        scalar = type(event) is ScalarEvent
        written = (*loc, str(event.value) if scalar else "?")
        tag = events.tag(event) if scalar else (event.node if type(event) is SelfAlias else event).tag
        events.skip(event)
        if tag == "tag:yaml.org,2002:merge":
            self.problems.append(Problem(written, "YAML merge keys (<<) are not supported", line))
            return None
        key = self._construct(event, tag, written) if scalar else None
        if not isinstance(key, str):
            self.problems.append(Problem(written, "every key must be a plain string (quote it)", line))
            return None
        return key

    def _scalar(self, event: Any, tag: str, loc: Loc) -> object:
        value = self._construct(event, tag, loc)
        return self._expand(value, loc) if isinstance(value, str) and "$" in value else value

    def _construct(self, event: Any, tag: str, loc: Loc) -> object:
        """A scalar's value, or None with the problem reported (never a traceback)."""
        if tag == _STR:  # most scalars: their text, as the constructor would say after its bookkeeping
            return event.value
        node = self._scalar_node(event, tag)
        try:
            return self._constructor.construct_object(node)
        except ConstructorError as exc:
            self._report(loc, exc.problem or "unreadable value", start_line(event))
        except (ValueError, LookupError, AttributeError, TypeError) as exc:
            # PyYAML's constructors fail on a value its tag does not fit (`!!int 0x`, `!!float` with no
            # text, `!!timestamp 2024-13-01`) with whatever error their code meets first; Python's
            # int-str digit limit is a ValueError too.
            self._report(loc, _unreadable(node, exc), start_line(event))
        return None

    def _scalar_node(self, event: Any, tag: str) -> yaml.ScalarNode:
        """The node the constructor reads. A scalar is one node wherever an alias repeats it, as PyYAML
        composes it: the constructor refuses one it failed on before as "unconstructable"."""
        node = self._scalar_nodes.get(event)
        if node is None:
            node = self._scalar_nodes[event] = yaml.ScalarNode(
                tag, event.value, event.start_mark, event.end_mark, event.style
            )
        return node

    def _expand(self, text: str, loc: Loc) -> str:
        """A string with a `$` in it, its references replaced."""

        def substitute(match: re.Match[str]) -> str:
            if match.group(0) == "$$":
                return "$"
            name = match.group("name")
            if name is None:
                self._report(
                    loc, "malformed ${...}: write ${NAME} or ${NAME:-default}, and $$ for a literal $"
                )
                return ""
            value, default = self.env.get(name), match.group("default")
            if value is None or (value == "" and default is not None):
                if default is None:
                    self._report(loc, f"environment variable {name} is not set")
                    return ""
                return default[2:]
            if value:
                self.secrets.add(value)
            return value

        return _REFERENCE.sub(substitute, text)

    def expand_catalog(self, data: dict[str, object]) -> None:
        """Replace `catalog: <name>` in provider entries by the catalog's type, url and options.

        The entry's own keys win (a `url:` pointing at a mirror, a `name:` of one's own), except
        `type`, which would contradict the catalog. Keys taken from the catalog are reported at the
        `catalog:` line, under that name.
        """
        for section, index, entry in entries(data):
            if section != "providers" or _CATALOG_KEY not in entry:
                continue
            loc = (section, index, _CATALOG_KEY)
            found = self._catalog_entry(entry.pop(_CATALOG_KEY), "type" in entry, loc)
            if found is None:
                self.covered.append((section, index))  # pydantic's view of the entry would only repeat
                continue
            url_has_default = not SOURCES.load(found.format).Config.model_fields["url"].is_required()
            fields = {"name": found.name, **found.provider_fields(url_has_default)}
            for key, value in fields.items():
                if key not in entry:
                    entry[key] = value
                    self.lines[(section, index, key)] = self.lines[loc]
                    self.shown_as[(section, index, key)] = _CATALOG_KEY

    def _catalog_entry(self, name: object, has_type: bool, loc: Loc) -> CatalogEntry | None:
        if has_type:
            self._report(loc, "give either 'catalog' or 'type', not both: the catalog names the type")
            return None
        if not isinstance(name, str):
            self._report(loc, "expected the name of a catalog provider (see `outage-monitor catalog`)")
            return None
        from monitor.catalog import by_name  # read only for a config that names a catalog entry

        known = by_name()
        found = known.get(name)
        if found is None:
            message = unknown(name, "catalog provider", sorted(known), None)
            self._report(loc, f"{message} (`outage-monitor catalog search TERM` finds one)")
        elif found.format not in SOURCES:
            self._report(loc, f"{name!r} is read by the {found.format!r} format, which this build lacks")
            return None
        return found

    def read_secret_files(self, data: dict[str, object]) -> None:
        """Replace each `<key>_file: path` in provider and notifier entries by `<key>: <file content>`."""
        for section, index, entry in entries(data):
            keys = [k for k in entry if k.endswith(_SECRET_FILE_SUFFIX) and len(k) > len(_SECRET_FILE_SUFFIX)]
            fields = entry_model(section, entry) if keys else None  # most entries: no model asked for
            for key in keys:
                if fields is not None and key in fields.model_fields:
                    continue
                target, loc = key.removesuffix(_SECRET_FILE_SUFFIX), (section, index, key)
                where = entry.pop(key)
                if target in entry:
                    self._report(loc, f"give either {target!r} or {key!r}, not both")
                    continue
                content = self._read_secret(where, loc)
                if content is None:
                    self.covered.append((section, index, target))
                    # A stand-in, so checks across the entry ("webhook_url or token") do not add a second
                    # error for the same unreadable file; the problem above already fails the config.
                    entry[target] = ""
                else:
                    entry[target] = content
                    self.lines[(section, index, target)] = self.lines[loc]
                    self.shown_as[(section, index, target)] = key

    def _read_secret(self, where: object, loc: Loc) -> str | None:
        if not isinstance(where, str) or not where:
            self._report(loc, "expected the path of a file")
            return None
        path = Path(where).expanduser()
        path = path if path.is_absolute() else self.base_dir / path
        try:
            content = read_regular_file(path, MAX_SECRET_BYTES).decode("utf-8").rstrip("\r\n")
        except OSError as exc:
            self._report(loc, f"cannot read secret file {path}: {exc.strerror or exc}")
            return None
        except NotReadable as exc:
            self._report(loc, f"cannot read secret file {path}: {exc}")
            return None
        except UnicodeDecodeError:
            self._report(loc, f"secret file {path} is not UTF-8 text")
            return None
        if not content:
            self._report(loc, f"secret file {path} is empty")
            return None
        self.secrets.add(content)
        return content

    def collect_inline_secrets(self, data: dict[str, object]) -> None:
        """Values written straight into secret fields must not be echoed either."""
        fields: dict[tuple[str, object], tuple[str, ...]] = {}  # (section, type) -> its secret fields
        for section, _, entry in entries(data):
            kind = entry.get("type")
            names = fields.get((section, kind)) if isinstance(kind, str) else ()
            if names is None:
                model = entry_model(section, entry)
                names = fields[(section, kind)] = () if model is None else _secret_fields(model)
            for name in names:
                self.secrets.update(s for s in _strings(entry.get(name)) if s)


def _strings(value: object) -> Iterable[str]:
    """Every string in a value: secret fields may be strings, lists or mappings of strings."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


@cache
def _secret_fields(model: type[BaseModel]) -> tuple[str, ...]:
    """The fields of a plugin's model that hold secrets, found once per model, not once per entry."""
    return tuple(name for name, info in model.model_fields.items() if _is_secret(info.annotation))


def _is_secret(annotation: object) -> bool:
    return annotation is SecretStr or any(_is_secret(arg) for arg in get_args(annotation))


def _unreadable(node: yaml.Node, exc: Exception) -> str:
    """What is wrong with a scalar its tag's constructor refused."""
    if isinstance(exc, ValueError) and "digits" in str(exc):
        return "number too long"
    if isinstance(exc, ValueError) and str(exc):
        return f"unreadable value: {exc}"
    return f"unreadable value: {str(node.value)!r} is not a valid {node.tag.rsplit(':', 1)[-1]}"
