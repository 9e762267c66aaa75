"""`catalog: NAME` in a provider entry: expanded from the built-in catalog, errors with file:line."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from monitor.config import parse_config
from monitor.sources import SOURCES

ErrorsOf = Callable[..., list[str]]


def test_a_catalog_entry_gives_name_type_and_url() -> None:
    config = parse_config("providers:\n  - catalog: github\n", "providers.yaml", env={})
    [github] = config.providers
    assert (github.name, github.type, github.url) == ("github", "statuspage", "https://www.githubstatus.com")


def test_the_entrys_own_keys_win_over_the_catalogs() -> None:
    text = """\
providers:
  - catalog: github
    name: gh-mirror
    url: https://github-status.mirror.example
    components: [Git Operations]
    interval: 30s
  - {catalog: cloudflare, confirm: 2}
"""
    mirror, cloudflare = parse_config(text, "providers.yaml", env={}).providers
    assert (mirror.name, mirror.type, mirror.url) == (
        "gh-mirror",
        "statuspage",
        "https://github-status.mirror.example",
    )
    assert mirror.components == ["Git Operations"] and mirror.interval == 30.0
    assert (cloudflare.name, cloudflare.url, cloudflare.confirm) == (
        "cloudflare",
        "https://www.cloudflarestatus.com",
        2,
    )


def test_an_unknown_catalog_name_suggests_the_closest(errors_of: ErrorsOf) -> None:
    text = "providers:\n  - {catalog: github}\n  - {catalog: cloudflair, interval: 30s}\n"
    assert errors_of(text) == [
        "providers.yaml:3: providers[1].catalog: unknown catalog provider 'cloudflair'; did you mean "
        "'cloudflare'? (`outage-monitor catalog search TERM` finds one)"
    ]


def test_type_with_catalog_is_an_error(errors_of: ErrorsOf) -> None:
    text = "providers:\n  - name: gh\n    catalog: github\n    type: statuspage\n"
    assert errors_of(text) == [
        "providers.yaml:3: providers[0].catalog: give either 'catalog' or 'type', not both: "
        "the catalog names the type"
    ]


def test_a_catalog_value_must_be_a_name(errors_of: ErrorsOf) -> None:
    assert errors_of("providers:\n  - catalog: [github]\n") == [
        "providers.yaml:2: providers[0].catalog: expected the name of a catalog provider "
        "(see `outage-monitor catalog`)"
    ]


def test_a_name_taken_twice_from_the_catalog_is_a_duplicate_at_the_second_line(errors_of: ErrorsOf) -> None:
    text = "providers:\n  - catalog: github\n  - catalog: github\n"
    assert errors_of(text) == [
        "providers.yaml:3: providers[1].catalog: duplicate name 'github' (first at providers[0])"
    ]


def test_mistakes_in_the_entrys_own_keys_point_at_their_own_lines(errors_of: ErrorsOf) -> None:
    text = """\
providers:
  - catalog: github
    url: ftp://mirror.example
    intervall: 30s
"""
    errors = errors_of(text)
    assert len(errors) == 2
    assert errors[0].startswith("providers.yaml:3: providers[0].url: String should match pattern")
    assert errors[1].startswith("providers.yaml:4: providers[0].intervall: unknown key 'intervall'; did you")


def test_a_catalog_entry_whose_format_this_build_lacks_says_so(
    errors_of: ErrorsOf, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(SOURCES, "places", {k: v for k, v in SOURCES.places.items() if k != "statuspage"})
    assert errors_of("providers:\n  - catalog: github\n") == [
        "providers.yaml:2: providers[0].catalog: 'github' is read by the 'statuspage' format, "
        "which this build lacks"
    ]
