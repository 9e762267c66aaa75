"""The shipped catalog: every entry well formed, and every entry of a format this build has loads as a
provider through the real config loader, in both the `catalog:` form and the spelled-out form."""

from __future__ import annotations

import re
import tomllib
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from monitor.catalog import (
    CATEGORIES,
    NOT_PAGE_FORMATS,
    Catalog,
    CatalogEntry,
    catalog,
    listed_at,
    parse_catalog,
)
from monitor.config import parse_config
from monitor.sources import SOURCES

REPO = Path(__file__).resolve().parents[2]
FORMATS = set(SOURCES) - NOT_PAGE_FORMATS


def raw_entries() -> list[dict[str, Any]]:
    """The file as written, read without the catalog's own model."""
    text = files("monitor.catalog").joinpath("providers.yaml").read_text(encoding="utf-8")
    entries = yaml.safe_load(text)
    assert isinstance(entries, list)
    return entries


def test_the_catalog_has_at_least_400_well_formed_entries_each_naming_its_format() -> None:
    entries = raw_entries()
    assert len(entries) >= 400
    names = [entry["name"] for entry in entries]
    assert len(set(names)) == len(names)
    for entry in entries:
        assert re.fullmatch(r"[a-z0-9_-]+", entry["name"]), entry
        assert entry.get("format") in FORMATS, entry  # explicit in every entry, never inferred
        assert entry["url"].startswith("https://"), entry
        assert entry["title"].strip(), entry
        assert entry.get("category") in CATEGORIES, entry  # explicit in every entry
    assert len(catalog().root) == len(entries)


# Where an entry's page and format can be checked: a public repository's file at a commit, or a capture of
# the page among the test fixtures; several are joined with "; ".
REPO_FILE = re.compile(r"[A-Za-z0-9][\w.-]*/[\w.-]+ [^\s;@]+@[0-9a-f]{7,40}")
FIXTURES = re.compile(r"tests/sources/fixtures/[\w-]+")


def checkable(source: str) -> bool:
    return all(
        REPO_FILE.fullmatch(part) or (FIXTURES.fullmatch(part) and (REPO / part).is_dir())
        for part in source.split("; ")
    )


@pytest.mark.parametrize(
    ("source", "ok"),
    [
        ("inket/stts Resources/services.json@240c03a", True),
        ("ekpani/outage-observer src/catalog.ts@feeee53; tests/sources/fixtures/instatus", True),
        ("tests/sources/fixtures/instatus", True),
        ("'outage-monitor catalog v1 (commits 32e949a, 3e36604); not yet re-sourced'", False),
        ("format from catalog v1; the page is listed in lwindolf/multi-status feeds.opml@3c18f06", False),
        ("inket/stts Resources/services.json", False),  # no commit
        ("inket/stts Resources/services.json@main", False),  # a branch moves; a commit does not
        ("tests/sources/fixtures/no-such-capture", False),
        ("", False),
    ],
)
def test_a_checkable_source_names_a_file_at_a_commit_or_a_capture(source: str, ok: bool) -> None:
    assert checkable(source) is ok


def test_every_entry_names_a_checkable_source() -> None:
    unchecked = [entry["name"] for entry in raw_entries() if not checkable(str(entry.get("source", "")))]
    assert unchecked == []


def test_every_category_has_entries() -> None:
    assert {e.category for e in catalog().root} == set(CATEGORIES)


@pytest.mark.parametrize(
    ("name", "format", "url"),
    [
        ("github", "statuspage", "https://www.githubstatus.com"),
        ("cloudflare", "statuspage", "https://www.cloudflarestatus.com"),
        ("courier", "statuspage", "https://status.courier.com"),
        ("stripe", "statuspage", "https://www.stripestatus.com"),  # status.stripe.com is custom
        ("openai", "incidentio", "https://status.openai.com"),
        ("gitlab", "statusio", "https://status.gitlab.com"),
        ("docker", "statusio", "https://www.dockerstatus.com"),
        ("clickup", "statusio", "https://status.clickup.com"),
        ("heroku", "heroku", "https://status.heroku.com"),
        ("gcp", "gcp", "https://status.cloud.google.com"),
        ("aws", "aws", "https://health.aws.amazon.com/health/status"),
        ("azure", "azure", "https://azure.status.microsoft/en-us/status"),
        ("slack", "slack", "https://slack-status.com"),
    ],
)
def test_well_known_entries(name: str, format: str, url: str) -> None:
    entry = {e.name: e for e in catalog().root}[name]
    assert (entry.format, entry.url) == (format, url)


def test_status_io_entries_carry_their_page_id() -> None:
    entries = {e.name: e for e in catalog().root}
    assert entries["gitlab"].options == {"page_id": "5b36dc6502d06804c08349f7"}
    assert all(e.options.get("page_id") for e in entries.values() if e.format == "statusio")


def test_every_entry_of_a_format_in_this_build_loads_through_the_config_loader() -> None:
    usable = [e for e in catalog().root if e.format in SOURCES]
    assert len(usable) >= 100  # statuspage at least, whatever else is merged
    by_name = "\n".join(f"  - {{catalog: {e.name}}}" for e in usable)
    loaded = parse_config(f"providers:\n{by_name}\n", "catalog.yaml", env={})
    assert [(p.name, p.type) for p in loaded.providers] == [(e.name, e.format) for e in usable]

    spelled = [
        {
            "name": e.name,
            **e.provider_fields(not SOURCES.load(e.format).Config.model_fields["url"].is_required()),
        }
        for e in usable
    ]
    assert parse_config(yaml.safe_dump({"providers": spelled}), "spelled.yaml", env={}).providers == (
        loaded.providers
    )


def test_a_provider_takes_its_catalog_entrys_category_unless_it_sets_its_own() -> None:
    loaded = parse_config(
        "providers:\n  - {catalog: stripe}\n  - {catalog: github, category: Vendors we pay}\n"
        "  - {name: own, type: statuspage, url: https://status.own.example}\n"
        "  - {name: mine, type: statuspage, url: https://status.mine.example, category: Internal}\n",
        "providers.yaml",
        env={},
    )
    assert [(p.name, p.category) for p in loaded.providers] == [
        ("stripe", "Payments & Finance"),
        ("github", "Vendors we pay"),
        ("own", None),
        ("mine", "Internal"),
    ]


def test_the_catalog_is_package_data() -> None:
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert "catalog/*.yaml" in pyproject["tool"]["setuptools"]["package-data"]["monitor"]
    assert files("monitor.catalog").joinpath("providers.yaml").is_file()


def entry(**fields: Any) -> dict[str, Any]:
    return {
        "name": "acme",
        "title": "Acme",
        "format": "statuspage",
        "url": "https://status.acme.example",
        "category": "Developer tools",
        "source": "tests",
    } | fields


@pytest.mark.parametrize(
    "bad",
    [
        entry(format="pagerduty"),  # not a supported format
        entry(url="http://status.acme.example"),  # https only
        entry(name="Acme Inc"),
        {k: v for k, v in entry().items() if k != "format"},  # the format is never implicit
        entry(colour="red"),
        entry(category="Cloud"),  # not one of CATEGORIES
        {k: v for k, v in entry().items() if k != "category"},
        {k: v for k, v in entry().items() if k != "source"},
    ],
)
def test_a_malformed_entry_is_refused(bad: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        Catalog.model_validate([bad])


def test_an_unknown_category_is_an_error_naming_the_entry() -> None:
    with pytest.raises(ValueError, match=r"catalog entry 'acme': category: .*unknown category 'Clouds'"):
        parse_catalog([entry(name="fine"), entry(category="Clouds")])


def test_duplicate_names_are_refused() -> None:
    with pytest.raises(ValidationError, match="duplicate catalog name 'acme'"):
        Catalog.model_validate([entry(), entry(title="Acme again")])


def test_search_looks_in_name_title_and_notes_whatever_the_case() -> None:
    hashicorp = CatalogEntry.model_validate(
        entry(name="hashicorp", title="HashiCorp (HCP)", notes="was a Statuspage page until 2024")
    )
    assert hashicorp.matches("HASHI") and hashicorp.matches("hcp") and hashicorp.matches("until 2024")
    assert hashicorp.matches("developer TOOLS")  # the category too
    assert not hashicorp.matches("terraform enterprise")


def test_a_format_with_a_vendor_host_reads_from_there_not_from_the_page() -> None:
    gitlab = CatalogEntry.model_validate(
        entry(name="gitlab", format="statusio", url="https://status.gitlab.com", options={"page_id": "x"})
    )
    assert gitlab.provider_fields(url_has_default=True) == {
        "type": "statusio",
        "category": "Developer tools",
        "page_id": "x",
    }
    assert gitlab.provider_fields(url_has_default=False) == {
        "type": "statusio",
        "category": "Developer tools",
        "url": "https://status.gitlab.com",
        "page_id": "x",
    }


def test_a_page_url_finds_its_catalog_entry() -> None:
    found = listed_at("https://githubstatus.com/incidents/xyz")
    assert found is not None and found.name == "github"
    assert listed_at("https://status.unknown-vendor.example") is None
