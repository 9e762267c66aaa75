"""What `discover` prints, as a pure function of what was found (the CLI tests cover the process)."""

from __future__ import annotations

from typing import Literal

import yaml

from monitor.catalog import by_name
from monitor.model import Component, ComponentStatus, Snapshot
from monitor.report import discovery_text, provider_entry
from monitor.sources.base import SourceConfig
from monitor.sources.discovery import Discovery
from monitor.sources.statuspage import StatuspageConfig, StatuspageSource


class VendorConfig(SourceConfig):
    """A fixed-host format's config: its url defaults to the vendor's API host."""

    type: Literal["vendor"]
    url: str = "https://api.vendor.example"
    page_id: str


def test_a_page_in_the_catalog_also_gets_the_catalog_entry_to_paste() -> None:
    config = StatuspageConfig(name="github", type="statuspage", url="https://www.githubstatus.com")
    snapshot = Snapshot(
        page_url="https://www.githubstatus.com",
        components=(Component("c1", "Git Operations", ComponentStatus.OPERATIONAL),),
        description="All Systems Operational",
    )
    found = Discovery(StatuspageSource(config), snapshot, ())

    lines = discovery_text(found, "github", by_name()["github"]).splitlines()

    assert lines[:4] == [
        "format: statuspage (https://www.githubstatus.com)",
        "headline: All Systems Operational (indicator none)",
        "components (1):",
        "  Git Operations: operational",
    ]
    assert lines[-3:] == ["", "or, from the built-in catalog (GitHub):", "  - catalog: github"]


def test_the_entry_leaves_out_a_url_that_is_the_formats_default_and_keeps_its_own_options() -> None:
    config = VendorConfig(name="x", type="vendor", page_id="5b36dc65")
    lines = provider_entry(config, "gitlab", [])
    assert yaml.safe_load("\n".join(lines)) == [{"name": "gitlab", "type": "vendor", "page_id": "5b36dc65"}]
