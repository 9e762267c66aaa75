"""Plugin registries: a `type:` name -> the module and class of its plugin, imported on first use.

A config that names one format and one notifier imports those two modules, not every one. What needs
all of them (discovery, the config error listing every type, tests over the registry) asks `every()`
and pays then.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from importlib import import_module
from typing import Any, Generic, TypeVar, cast

Place = tuple[str, str]  # (module, class name)
P = TypeVar("P")


class Registry(Generic[P]):
    """`type:` name -> where the plugin lives. Iterating or `in` reads names only; `load` imports."""

    def __init__(self, places: dict[str, Place]) -> None:
        self.places = places

    def __contains__(self, type_name: object) -> bool:
        return type_name in self.places

    def __iter__(self) -> Iterator[str]:
        return iter(self.places)

    def load(self, type_name: str) -> type[P]:
        """The plugin class of `type_name`, imported once; KeyError when no plugin has that name."""
        return cast("type[P]", _imported(self.places[type_name]))

    def every(self) -> dict[str, type[P]]:
        """Every plugin class, in registry order: imports them all."""
        return {name: self.load(name) for name in self.places}


@cache
def _imported(place: Place) -> Any:
    module, name = place
    return getattr(import_module(module), name)
