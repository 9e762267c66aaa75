"""The built-in catalog of well-known providers' status pages (`providers.yaml`, shipped as package data).

A provider entry may say `catalog: github` instead of `type:` and `url:`; `monitor.config` expands it
with `CatalogEntry.provider_fields`. Every entry names its format explicitly: the catalog records what
each vendor's page is, it never guesses at load time.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from importlib.resources import files
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, RootModel, field_validator, model_validator
from yarl import URL

from monitor.sources import SOURCES

NOT_PAGE_FORMATS = frozenset({"auto", "probe"})
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when PyYAML has it: a few ms, not 30


class CatalogEntry(BaseModel):
    """One provider's public status page and the format it speaks."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z0-9_-]+$", max_length=64)
    title: str = Field(min_length=1)
    url: str = Field(pattern=r"^https://[^/\s]+", description="the status page people open")
    format: str  # a registered page format, named in every entry (never inferred)
    notes: str | None = None
    options: dict[str, Any] = Field(default_factory=dict)  # the format's own keys, e.g. page_id

    @field_validator("format")
    @classmethod
    def _a_page_format(cls, value: str) -> str:
        """Any registered format that reads a vendor's page: not `auto` (a guess) nor `probe` (yours)."""
        choices = sorted(set(SOURCES) - NOT_PAGE_FORMATS)
        if value not in choices:
            raise ValueError(f"unknown format {value!r}; expected one of {', '.join(choices)}")
        return value

    def provider_fields(self, url_has_default: bool) -> dict[str, Any]:
        """The keys of a provider entry reading this page. A format whose `url` defaults to its
        vendor's API host (Status.io, the clouds, Slack) reads from there, not from the page's URL."""
        fields: dict[str, Any] = {"type": self.format}
        if not url_has_default:
            fields["url"] = self.url
        return fields | self.options

    def matches(self, term: str) -> bool:
        """Case-insensitive search in name, title and notes."""
        term = term.casefold()
        return any(term in text.casefold() for text in (self.name, self.title, self.notes or ""))


class Catalog(RootModel[list[CatalogEntry]]):
    @model_validator(mode="after")
    def _unique_names(self) -> Catalog:
        seen: set[str] = set()
        for entry in self.root:
            if entry.name in seen:
                raise ValueError(f"duplicate catalog name {entry.name!r}")
            seen.add(entry.name)
        return self


@cache
def catalog() -> Catalog:
    """The shipped catalog, read and validated once per process."""
    text = files(__name__).joinpath("providers.yaml").read_text(encoding="utf-8")
    return Catalog.model_validate(yaml.load(text, Loader=_LOADER))


@cache
def by_name() -> Mapping[str, CatalogEntry]:
    return {entry.name: entry for entry in catalog().root}


def listed_at(url: str) -> CatalogEntry | None:
    """The catalog entry for the status page at `url` (same host, with or without www.), if any."""
    host = _host(url)
    return next((entry for entry in catalog().root if _host(entry.url) == host), None)


def _host(url: str) -> str:
    return (URL(url).host or "").lower().removeprefix("www.")
