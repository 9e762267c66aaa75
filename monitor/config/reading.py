"""Reading YAML that may be hostile or mistaken, within bounds: only regular files of limited size, and
documents whose aliases and nesting are checked in one pass over the parser's events, before anything
is composed, so a "billion laughs" or deep nesting is refused before anything is expanded."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import ComposerError
from yaml.events import (
    AliasEvent,
    DocumentEndEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)

from monitor.config.problems import ConfigError

# Limits that keep a hostile or mistaken file from hanging `check` or eating memory.
MAX_CONFIG_BYTES = 1024 * 1024
MAX_SECRET_BYTES = 64 * 1024
_MAX_ALIASES = 100  # YAML aliases used in one file
_MAX_ALIASED_NODES = 10_000  # nodes the aliases would add once expanded ("billion laughs")
_MAX_DEPTH = 100  # nesting of mappings and sequences

# libyaml's parser and composer, both in C, when PyYAML was built with it: several times faster.
_Loader = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader


class _Refused(Exception):
    """A document past one of the limits above, at `line` (an alias: the alias's own line)."""

    def __init__(self, line: int, problem: str) -> None:
        super().__init__(problem)
        self.line, self.problem = line, problem


def _check_limits(text: str) -> None:
    """Refuse the first document of `text` past a limit, in one pass over its events, before it is
    composed: libyaml composes recursively, and `Document` walks the composed graph, whose aliased
    nodes are shared, as a tree. Parse errors are left to the parser, which raises them the same way
    in this pass as it would while composing."""
    parser = _Loader(text)
    try:
        aliases = _Aliases()
        open_nodes: list[tuple[int, str | None]] = []  # collections being read: (nodes before, anchor)
        nodes = 0  # nodes of the document with every alias expanded, so far
        while True:
            event: Any = parser.get_event()  # told apart by exact class: cheaper than isinstance
            kind = type(event)
            if kind is ScalarEvent or kind is SequenceStartEvent or kind is MappingStartEvent:
                if len(open_nodes) >= _MAX_DEPTH:
                    raise _Refused(event.start_mark.line + 1, f"nested more than {_MAX_DEPTH} levels deep")
                if event.anchor is not None:
                    aliases.anchor(event.anchor, event.start_mark, kind is ScalarEvent)
                if kind is not ScalarEvent:
                    open_nodes.append((nodes, event.anchor))
                nodes += 1
            elif kind is SequenceEndEvent or kind is MappingEndEvent:
                before, anchor = open_nodes.pop()
                if anchor is not None:
                    aliases.sizes[anchor] = nodes - before
            elif kind is AliasEvent:
                nodes += aliases.alias(event.anchor, event.start_mark)
            elif kind is DocumentEndEvent or kind is StreamEndEvent:
                return
    finally:
        parser.dispose()


class _Aliases:
    """A document's anchors and the aliases read so far. Raises what PyYAML's composer would for an
    undefined alias or a repeated anchor. A `mark` is PyYAML's Mark or libyaml's, which reads the same."""

    def __init__(self) -> None:
        self.count = 0
        self.aliased = 0  # nodes the aliases add once expanded
        self.sizes: dict[str, int | None] = {}  # anchor -> its node's expanded size; None while open
        self.marks: dict[str, Any] = {}  # anchor -> where it was set

    def anchor(self, name: str, mark: Any, scalar: bool) -> None:
        if name in self.marks:
            raise ComposerError(
                f"found duplicate anchor {name!r}; first occurrence",
                self.marks[name],
                "second occurrence",
                mark,
            )
        self.marks[name] = mark
        self.sizes[name] = 1 if scalar else None

    def alias(self, name: str, mark: Any) -> int:
        """The nodes an alias of `name` adds once expanded; `_Refused` past a limit."""
        if name not in self.sizes:
            raise ComposerError(None, None, f"found undefined alias {name!r}", mark)
        size = self.sizes[name] or 1  # None: an alias inside its own anchor
        self.count += 1
        self.aliased += size
        line = mark.line + 1 if mark else 1
        if self.count > _MAX_ALIASES:
            raise _Refused(line, f"more than {_MAX_ALIASES} YAML aliases")
        if self.aliased > _MAX_ALIASED_NODES:
            raise _Refused(line, f"YAML aliases would expand to more than {_MAX_ALIASED_NODES:,} values")
        return size


def compose(text: str, filename: str) -> yaml.MappingNode:
    """The document's top-level mapping, not yet constructed; any other document is a `ConfigError`."""
    try:
        _check_limits(text)
        loader = _Loader(text)
        try:
            root = loader.get_single_node()
        finally:
            loader.dispose()
    except _Refused as exc:
        raise ConfigError([f"{filename}:{exc.line}: {exc.problem}"]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = ": ".join(part for part in (exc.context, exc.problem) if part)
        raise ConfigError([f"{filename}:{mark.line + 1 if mark else 1}: invalid YAML: {what}"]) from None
    except yaml.YAMLError as exc:
        raise ConfigError([f"{filename}:1: invalid YAML: {exc}"]) from None
    if root is None or root.tag == "tag:yaml.org,2002:null":
        raise ConfigError(
            [f"{filename}:1: the file is empty; expected settings, providers, notifiers, routes"]
        )
    if not isinstance(root, yaml.MappingNode):
        raise ConfigError(
            [f"{filename}:{start_line(root)}: expected a mapping (settings, providers, notifiers, routes)"]
        )
    return root


def start_line(node: yaml.Node) -> int:
    """The 1-based line a node starts on."""
    return int(node.start_mark.line) + 1


class NotReadable(Exception):
    """A file that must not be read: not a regular file, or too large."""


def read_regular_file(path: Path, limit: int) -> bytes:
    """The bytes of a regular file of at most `limit` bytes. Anything else is refused before reading:
    a FIFO blocks forever, /dev/zero never ends, a huge file takes minutes and gigabytes to parse."""
    if not stat.S_ISREG(os.stat(path).st_mode):
        raise NotReadable("not a regular file")
    with open(os.open(path, os.O_RDONLY | os.O_NONBLOCK), "rb") as file:  # no wait if swapped for a FIFO
        if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
            raise NotReadable("not a regular file")
        data = file.read(limit + 1)
    if len(data) > limit:
        raise NotReadable(f"larger than {limit // 1024} KiB")
    return data
