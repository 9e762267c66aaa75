"""The plugin registries: each line names a plugin of that `type:`, imported only when asked for."""

from __future__ import annotations

import pytest

from monitor.notify import NOTIFIERS, Notifier
from monitor.plugins import Registry
from monitor.sources import SOURCES, Source


@pytest.mark.parametrize(("registry", "base"), [(SOURCES, Source), (NOTIFIERS, Notifier)])
def test_each_line_names_a_plugin_class_of_its_own_type(
    registry: Registry[Source] | Registry[Notifier], base: type
) -> None:
    loaded = registry.every()
    assert list(loaded) == list(registry) and len(loaded) >= 12
    for name, plugin in loaded.items():
        assert issubclass(plugin, base) and plugin.type_name == name


def test_a_plugin_is_loaded_once_and_an_unknown_type_is_a_key_error() -> None:
    assert SOURCES.load("statuspage") is SOURCES.load("statuspage")
    assert "nope" not in SOURCES
    with pytest.raises(KeyError):
        SOURCES.load("nope")
