"""Reading YAML that may be hostile or mistaken, within bounds: only regular files of limited size, and
documents whose aliases and nesting are checked as the parser's events are read, before an alias is
expanded or a node nested any deeper, so a "billion laughs" or deep nesting is refused in time."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import yaml
from yaml.composer import ComposerError
from yaml.events import (
    AliasEvent,
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

# libyaml's parser, in C, when PyYAML was built with it: several times faster.
_Loader = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader
_STR = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"

T = TypeVar("T")


class _Refused(Exception):
    """A document past one of the limits above, at `line` (an alias: the alias's own line)."""

    def __init__(self, line: int, problem: str) -> None:
        super().__init__(problem)
        self.line, self.problem = line, problem


class SelfAlias:
    """Where a node would contain itself (an alias inside the node it names): `node` is the start
    event of that node, which gives its tag, and its start mark, as an event's."""

    def __init__(self, node: Any) -> None:
        self.node, self.start_mark = node, node.start_mark


class Events:
    """The events of a text's single YAML document, parsed once by libyaml and checked against the
    limits as they are read, so nothing past them is expanded. Each alias is replaced by the events
    of the node it names, the same event objects again, a tree as `Document` reads it; a node met
    again inside itself is a `SelfAlias` instead. Events are told apart by exact class: cheaper
    than isinstance."""

    def __init__(self, text: str) -> None:
        self._parser = _Loader(text)
        self._anchors = _Anchors()
        self._open: list[tuple[int, str | None]] = []  # collections being read: (nodes before, anchor)
        self._nodes = 0  # nodes of the document with every alias expanded, so far
        self._replays: list[list[int]] = []  # aliases being expanded: [next, end] in the anchors' log
        self._path: list[Any] = []  # the start event of each collection being handed out
        self._active: set[Any] = set()  # the same, to look up: a node inside itself starts it again
        self._tags: dict[str, str] = {}  # a plain scalar's value -> its resolved tag
        self._resolve: Callable[..., str] = self._parser.resolve

    def dispose(self) -> None:
        self._parser.dispose()

    def root(self) -> Any:
        """The first event of the document's root node; None for a stream with no document."""
        self._parser.get_event()  # StreamStartEvent
        if self._parser.check_event(StreamEndEvent):
            return None
        self._parser.get_event()  # DocumentStartEvent
        root = self.next()
        if type(root) is MappingStartEvent and root.anchor is not None:
            self._reopen(root)
        return root

    def _reopen(self, root: Any) -> None:
        """As PyYAML's composer hands the root over, `Document` reads it without marking it as being
        read: an alias inside an anchored root expands it once more before it refers to itself. So
        the whole root is read first, then its events handed out again, the root not marked as open."""
        _to_node_end(self._read)
        self._active.discard(root)
        start, end = self._anchors.spans[root.anchor]
        self._replays.append([start + 1, end])

    def finish(self, root: Any) -> None:
        """After the root node: raise what PyYAML's composer would for a second document."""
        self._parser.get_event()  # DocumentEndEvent
        if not self._parser.check_event(StreamEndEvent):
            another: Any = self._parser.get_event()
            raise ComposerError(
                "expected a single document in the stream",
                root.start_mark,
                "but found another document",
                another.start_mark,
            )

    def next(self) -> Any:
        """The next event of the document, aliases expanded."""
        event = self._replayed() if self._replays else self._read()
        kind = type(event)
        if kind is ScalarEvent:  # most events
            return event
        if kind is AliasEvent:
            return self._expand(event.anchor)
        if kind is MappingStartEvent or kind is SequenceStartEvent:
            if event in self._active:
                self._skip_replayed()
                return SelfAlias(event)
            self._path.append(event)
            self._active.add(event)
        elif kind is MappingEndEvent or kind is SequenceEndEvent:
            self._active.discard(self._path.pop())
        return event

    def skip(self, event: Any) -> None:
        """Read past the rest of the node `event` starts."""
        if type(event) is MappingStartEvent or type(event) is SequenceStartEvent:
            _to_node_end(self.next)

    def tag(self, event: Any) -> str:
        """A scalar's tag, resolved as PyYAML's composer would. Resolution depends on the value alone
        (a safe loader has no path resolvers), so it is done once per value."""
        tag: str | None = event.tag
        if tag is not None and tag != "!":
            return tag
        if not event.implicit[0]:  # quoted, or tagged `!`
            return _STR
        value: str = event.value
        tag = self._tags.get(value)
        if tag is None:
            tag = self._tags[value] = self._resolve(yaml.ScalarNode, value, event.implicit)
        return tag

    def _expand(self, anchor: str) -> Any:
        start = self._anchors.starts[anchor]
        node = self._anchors.log[start]
        if node in self._active:  # also an alias inside its own anchor, whose events are not all read
            return SelfAlias(node)
        self._replays.append([start, self._anchors.spans[anchor][1]])
        return self.next()

    def _skip_replayed(self) -> None:
        """Pass over the rest of the collection just replayed."""
        _to_node_end(self._replayed)  # its end is in the same replay: anchors name whole nodes

    def _replayed(self) -> Any:
        """The next event of the innermost alias being expanded, or of the text once they all are."""
        replay = self._replays[-1]
        while replay[0] == replay[1]:
            self._replays.pop()
            if not self._replays:
                return self._read()
            replay = self._replays[-1]
        event = self._anchors.log[replay[0]]
        replay[0] += 1
        return event

    def _read(self) -> Any:
        """The text's next event, refused past a limit."""
        event: Any = self._parser.get_event()
        kind = type(event)
        if kind is ScalarEvent or kind is MappingStartEvent or kind is SequenceStartEvent:
            if len(self._open) >= _MAX_DEPTH:
                raise _Refused(event.start_mark.line + 1, f"nested more than {_MAX_DEPTH} levels deep")
            if event.anchor is not None or self._anchors.recording:
                self._anchors.record(event, kind is ScalarEvent)
            if kind is not ScalarEvent:
                self._open.append((self._nodes, event.anchor))
            self._nodes += 1
        elif kind is MappingEndEvent or kind is SequenceEndEvent:
            before, anchor = self._open.pop()
            if self._anchors.recording:
                self._anchors.record_end(event, anchor, self._nodes - before)
        elif kind is AliasEvent:
            self._nodes += self._anchors.alias(event)
        return event


def _to_node_end(read: Callable[[], Any]) -> None:
    """Call `read` for the events of a collection just opened, up to and including its end."""
    depth = 1
    while depth:
        kind = type(read())
        if kind is MappingStartEvent or kind is SequenceStartEvent:
            depth += 1
        elif kind is MappingEndEvent or kind is SequenceEndEvent:
            depth -= 1


class _Anchors:
    """A document's anchors, the events of the nodes they name, and the aliases read so far. Raises
    what PyYAML's composer would for an undefined alias or a repeated anchor. A `mark` is PyYAML's
    Mark or libyaml's, which reads the same."""

    def __init__(self) -> None:
        self.count = 0
        self.aliased = 0  # nodes the aliases add once expanded
        self.sizes: dict[str, int | None] = {}  # anchor -> its node's expanded size; None while open
        self.marks: dict[str, Any] = {}  # anchor -> where it was set
        self.log: list[Any] = []  # the events read while an anchored node was open
        self.recording = 0  # anchored nodes open
        self.starts: dict[str, int] = {}  # anchor -> where its node's events start in `log`
        self.spans: dict[str, tuple[int, int]] = {}  # anchor -> its node's events in `log`, once read

    def record(self, event: Any, scalar: bool) -> None:
        """Log the start of a node while an anchored one is open; an anchor starts a node to log."""
        name = event.anchor
        if name is not None:
            if name in self.marks:
                raise ComposerError(
                    f"found duplicate anchor {name!r}; first occurrence",
                    self.marks[name],
                    "second occurrence",
                    event.start_mark,
                )
            self.marks[name] = event.start_mark
            self.sizes[name] = None
            self.starts[name] = len(self.log)
            self.recording += 1
        self.log.append(event)
        if scalar and name is not None:
            self.close(name, 1)

    def record_end(self, event: Any, name: str | None, size: int) -> None:
        """Log the end of a collection while an anchored node is open; `name`: its anchor, if any."""
        self.log.append(event)
        if name is not None:
            self.close(name, size)

    def close(self, name: str, size: int) -> None:
        """The anchored node `name` is read, `size` nodes once expanded."""
        self.sizes[name] = size
        self.spans[name] = (self.starts[name], len(self.log))
        self.recording -= 1

    def alias(self, event: Any) -> int:
        """The nodes an alias adds once expanded; `_Refused` past a limit."""
        name, mark = event.anchor, event.start_mark
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
        if self.recording:
            self.log.append(event)
        return size


def read_mapping(text: str, filename: str, build: Callable[[Events], T]) -> T:
    """What `build` makes of the events of the document's top-level mapping, from the first after
    its start on; any other document is a `ConfigError`."""
    try:
        events = Events(text)
        try:
            root = events.root()
            if root is None:
                raise _not_settings(filename, None, None)
            tag = events.tag(root) if type(root) is ScalarEvent else root.tag
            if type(root) is not MappingStartEvent or tag == _NULL:
                events.skip(root)
                events.finish(root)
                raise _not_settings(filename, root, tag)
            built = build(events)
            events.finish(root)
        finally:
            events.dispose()
    except _Refused as exc:
        raise ConfigError([f"{filename}:{exc.line}: {exc.problem}"]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = ": ".join(part for part in (exc.context, exc.problem) if part)
        raise ConfigError([f"{filename}:{mark.line + 1 if mark else 1}: invalid YAML: {what}"]) from None
    except yaml.YAMLError as exc:
        raise ConfigError([f"{filename}:1: invalid YAML: {exc}"]) from None
    return built


def _not_settings(filename: str, root: Any, tag: str | None) -> ConfigError:
    """The error for a document whose root, given its first event, is not a mapping or is null."""
    if root is None or tag == _NULL:
        return ConfigError(
            [f"{filename}:1: the file is empty; expected settings, providers, notifiers, routes"]
        )
    return ConfigError(
        [f"{filename}:{start_line(root)}: expected a mapping (settings, providers, notifiers, routes)"]
    )


def start_line(event: Any) -> int:
    """The 1-based line a node starts on, given its first event or a `SelfAlias`."""
    return int(event.start_mark.line) + 1


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
