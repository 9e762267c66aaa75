"""Config validates each provider and notifier entry with its own plugin's model only, and says exactly
what one discriminated union over every plugin's model says: the same errors, the same JSON schema."""

from __future__ import annotations

import operator
from functools import reduce
from typing import Annotated, Any

import pytest
from pydantic import BaseModel, Field, ValidationError, create_model

from monitor.config import Config
from monitor.notify import NOTIFIERS
from monitor.plugins import Registry
from monitor.sources import SOURCES

BAD_PROVIDERS: list[object] = [
    {"name": "a", "type": "statuspage", "url": "ftp://a.example", "intervall": "1m"},
    {"name": "b", "type": "statuspages", "url": "https://b.example"},
    {"name": "c", "url": "https://c.example"},
    {"name": "d", "type": 5},
    "e",
    {"name": "F", "type": "gcp", "products": "x"},
]
BAD_NOTIFIERS: list[object] = [
    {"name": "a", "type": "log", "title_template": "{{ nope }}"},
    {"name": "b", "type": "slak"},
    {"name": "c", "type": "email", "port": "x"},
    ["d"],
]


def _every(registry: Registry[Any]) -> Any:
    models = [plugin.Config for plugin in registry.every().values()]
    union: Any = Annotated[reduce(operator.or_, models), Field(discriminator="type")]
    return list[union]


def _errors(model: type[BaseModel], data: dict[str, object]) -> list[tuple[str, tuple[int | str, ...], str]]:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    return [(e["type"], e["loc"], e["msg"]) for e in caught.value.errors()]


def test_entry_errors_are_those_of_one_union_over_every_plugin() -> None:
    whole = create_model("Whole", providers=(_every(SOURCES), ...), notifiers=(_every(NOTIFIERS), ...))
    data: dict[str, object] = {"providers": BAD_PROVIDERS, "notifiers": BAD_NOTIFIERS}

    errors = _errors(Config, data)

    assert errors == _errors(whole, data)
    assert len({loc[:2] for _, loc, _ in errors}) == len(BAD_PROVIDERS) + len(BAD_NOTIFIERS)


def test_the_json_schema_still_lists_every_plugin_type() -> None:
    schema = Config.model_json_schema()
    for section, registry in (("providers", SOURCES), ("notifiers", NOTIFIERS)):
        mapping = schema["properties"][section]["items"]["discriminator"]["mapping"]
        assert set(mapping) == set(registry)
        assert all(ref.removeprefix("#/$defs/") in schema["$defs"] for ref in mapping.values())
