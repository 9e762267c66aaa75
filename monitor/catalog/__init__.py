"""The built-in catalog of well-known providers' status pages (`providers.yaml`, shipped as package data).

A provider entry may say `catalog: github` instead of `type:` and `url:`; `monitor.config` expands it
with `CatalogEntry.provider_fields`. Every entry names its format explicitly: the catalog records what
each vendor's page is, it never guesses at load time.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from functools import cache
from importlib.resources import files
from typing import Any

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    RootModel,
    ValidationError,
    field_validator,
    model_validator,
)
from yarl import URL

from monitor.sources import SOURCES

NOT_PAGE_FORMATS = frozenset({"auto", "probe"})
# What a provider is for, so people find it and `/` can group by it: few, broad, fixed (README lists them).
CATEGORIES = (
    "AI",
    "Business apps",
    "CDN & DNS",
    "Cloud & Hosting",
    "Collaboration & Productivity",
    "Communication & Email",
    "Data & Databases",
    "Developer tools",
    "E-commerce",
    "Identity & Security",
    "Marketing & Analytics",
    "Media & Gaming",
    "Monitoring & Observability",
    "Payments & Finance",
)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when PyYAML has it: a few ms, not 30


class CatalogEntry(BaseModel):
    """One provider's public status page and the format it speaks."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z0-9_-]+$", max_length=64)
    title: str = Field(min_length=1)
    url: str = Field(pattern=r"^https://[^/\s]+", description="the status page people open")
    format: str  # a registered page format, named in every entry (never inferred)
    category: str  # one of CATEGORIES
    source: str = Field(min_length=1, description="where the page and its format were found, to check it")
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

    @field_validator("category")
    @classmethod
    def _a_category(cls, value: str) -> str:
        if value not in CATEGORIES:
            raise ValueError(f"unknown category {value!r}; expected one of {', '.join(CATEGORIES)}")
        return value

    def provider_fields(self, url_has_default: bool) -> dict[str, Any]:
        """The keys of a provider entry reading this page. A format whose `url` defaults to its
        vendor's API host (Status.io, the clouds, Slack) reads from there, not from the page's URL."""
        fields: dict[str, Any] = {"type": self.format, "category": self.category}
        if not url_has_default:
            fields["url"] = self.url
        return fields | self.options

    def matches(self, term: str) -> bool:
        """Case-insensitive search in name, title, category and notes."""
        term = term.casefold()
        texts = (self.name, self.title, self.category, self.notes or "")
        return any(term in text.casefold() for text in texts)


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
    return parse_catalog(yaml.load(text, Loader=_LOADER))


def parse_catalog(entries: object) -> Catalog:
    """Validate a catalog; a bad entry's error names it (`catalog entry 'acme': category: ...`)."""
    try:
        return Catalog.model_validate(entries)
    except ValidationError as error:
        problems = []
        for problem in error.errors():
            index, *field = problem["loc"]
            entry = entries[index] if isinstance(entries, list) and isinstance(index, int) else None
            name = entry.get("name", f"#{index}") if isinstance(entry, dict) else f"#{index}"
            where = ".".join(str(part) for part in field)
            problems.append(f"catalog entry {name!r}: {where + ': ' if where else ''}{problem['msg']}")
        raise ValueError("\n".join(problems)) from error


def category_named(text: str) -> str:
    """The category `text` names in any case; ValueError with a did-you-mean otherwise."""
    by_folded = {category.casefold(): category for category in CATEGORIES}
    found = by_folded.get(text.strip().casefold())
    if found is None:
        folded = text.strip().casefold()
        close = [key for key in by_folded if folded and folded in key]  # `payment`: a part of the name
        close = close or difflib.get_close_matches(folded, list(by_folded), n=1, cutoff=0.5)
        hint = f"did you mean {by_folded[close[0]]!r}? " if close else ""
        raise ValueError(f"unknown category {text!r}; {hint}categories: {', '.join(CATEGORIES)}")
    return found


@cache
def by_name() -> Mapping[str, CatalogEntry]:
    return {entry.name: entry for entry in catalog().root}


def listed_at(url: str) -> CatalogEntry | None:
    """The catalog entry for the status page at `url` (same host, with or without www.), if any."""
    host = _host(url)
    return next((entry for entry in catalog().root if _host(entry.url) == host), None)


def _host(url: str) -> str:
    return (URL(url).host or "").lower().removeprefix("www.")
