"""Config validates each provider and notifier entry with its own plugin's model only, and says exactly
what one discriminated union over every plugin's model says: the same errors, the same JSON schema.
Time intervals, whose model is imported on first use, likewise say what `list[TimeInterval]` says."""

from __future__ import annotations

import operator
from functools import reduce
from typing import Annotated, Any

import pytest
from pydantic import BaseModel, Field, ValidationError, create_model

from monitor.alerting.intervals import TimeInterval
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
BAD_TIME_INTERVALS: list[object] = [
    {"name": "nights", "time_intervals": [{"times": [{"start_time": "22:00", "end_time": "21:00"}]}]},
    {"name": "office", "time_intervals": [{"weekdays": ["mondy"], "location": "Europe/Berln", "x": 1}]},
    {"nam": "typo"},
    "weekends",
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


def test_time_intervals_are_their_model_with_its_errors_and_json_schema() -> None:
    whole = create_model("Whole", time_intervals=(list[TimeInterval], Field(default_factory=list)))
    office = {
        "name": "office",
        "time_intervals": [{"weekdays": ["monday:friday"], "location": "Europe/Berlin"}],
    }

    validated = Config.model_validate({"time_intervals": [office]}).time_intervals
    assert validated == [TimeInterval.model_validate(office)]
    assert _errors(Config, {"time_intervals": BAD_TIME_INTERVALS}) == _errors(
        whole, {"time_intervals": BAD_TIME_INTERVALS}
    )
    schema, expected = Config.model_json_schema(), whole.model_json_schema()
    assert schema["properties"]["time_intervals"] == expected["properties"]["time_intervals"]
    assert {name: schema["$defs"][name] for name in expected["$defs"]} == expected["$defs"]
