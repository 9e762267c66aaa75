"""Reading YAML that may be hostile or mistaken, within bounds: only regular files of limited size, and
a composer that refuses a "billion laughs" or deep nesting before anything is expanded."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

import yaml
from yaml.composer import Composer
from yaml.events import AliasEvent
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import Resolver
from yaml.scanner import Scanner

from monitor.config.problems import ConfigError

# Limits that keep a hostile or mistaken file from hanging `check` or eating memory.
MAX_CONFIG_BYTES = 1024 * 1024
MAX_SECRET_BYTES = 64 * 1024
_MAX_ALIASES = 100  # YAML aliases used in one file
_MAX_ALIASED_NODES = 10_000  # nodes the aliases would add once expanded ("billion laughs")
_MAX_DEPTH = 100  # nesting of mappings and sequences


class _Refused(Exception):
    """A document past one of the limits above, at `line` (an alias: the alias's own line)."""

    def __init__(self, line: int, problem: str) -> None:
        super().__init__(problem)
        self.line, self.problem = line, problem


class _LimitedComposer(Composer):
    """PyYAML's composer, counting what aliases would expand to so a billion laughs is refused while
    composing, before anything is expanded (the composed graph shares aliased nodes; `Document`
    walks it as a tree)."""

    peek_event: Callable[[], yaml.Event]  # from the parser it is mixed with
    check_event: Callable[..., bool]

    def __init__(self) -> None:
        super().__init__()
        self._nodes = 0  # nodes of the document with every alias expanded, so far
        self._aliased = 0  # of which added by aliases
        self._aliases = 0
        self._depth = 0
        self._sizes: dict[int, int] = {}  # id(node) -> its expanded size

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        mark = self.peek_event().start_mark
        line = mark.line + 1 if mark else 1
        if self.check_event(AliasEvent):
            node = super().compose_node(parent, index)
            size = self._sizes.get(id(node), 1)  # absent: an alias inside its own anchor
            self._aliases += 1
            self._aliased += size
            self._nodes += size
            if self._aliases > _MAX_ALIASES:
                raise _Refused(line, f"more than {_MAX_ALIASES} YAML aliases")
            if self._aliased > _MAX_ALIASED_NODES:
                raise _Refused(line, f"YAML aliases would expand to more than {_MAX_ALIASED_NODES:,} values")
            return node
        if self._depth >= _MAX_DEPTH:
            raise _Refused(line, f"nested more than {_MAX_DEPTH} levels deep")
        start = self._nodes
        self._nodes += 1
        self._depth += 1
        node = super().compose_node(parent, index)
        self._depth -= 1
        self._sizes[id(node)] = self._nodes - start
        return node


if yaml.__with_libyaml__:  # libyaml's parser when PyYAML was built with it: ~5x faster on big files
    from yaml._yaml import CParser

    class _Loader(_LimitedComposer, CParser, Resolver):
        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            _LimitedComposer.__init__(self)
            Resolver.__init__(self)

else:  # pragma: no cover - PyYAML without libyaml

    class _Loader(Reader, Scanner, Parser, _LimitedComposer, Resolver):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
            _LimitedComposer.__init__(self)
            Resolver.__init__(self)


def compose(text: str, filename: str) -> yaml.MappingNode:
    """The document's top-level mapping, not yet constructed; any other document is a `ConfigError`."""
    try:
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
