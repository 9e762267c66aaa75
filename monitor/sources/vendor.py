"""What the single-vendor formats (Google Cloud, AWS, Slack, Heroku, Azure) and self-hosted APIs share.

A vendor's own status API lives on the vendor's hosts: `url` defaults to it (and may point at a
mirror, a proxy or a test server), and discovery offers the format only for a URL on those hosts,
never for a random page. Most of these APIs have no page-level reading of their own, so the page's
indicator is derived from its items (`worst_impact`, `worst_status`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any, ClassVar
from urllib.parse import urlsplit

from pydantic import Field

from monitor.model import ComponentStatus, Impact
from monitor.sources.base import Source, SourceConfig

_IMPACT_RANK = {
    Impact.NONE: 0,
    Impact.MAINTENANCE: 1,
    Impact.MINOR: 2,
    Impact.UNKNOWN: 2,  # read as minor, as `Impact.severity` does
    Impact.MAJOR: 3,
    Impact.CRITICAL: 4,
}

Names = list[Annotated[str, Field(min_length=1)]]  # a filter option: names or ids to watch


def vendor_url(default: str) -> Any:
    """The `url` field of a fixed-host format: the vendor's host unless the user points elsewhere."""
    return Field(default=default, pattern=r"^https?://", description="the vendor's API host, or a mirror")


class VendorSource(Source):
    """A format served from its vendor's hosts (`vendor_hosts`); a candidate only for URLs on them,
    read at the config's default `url`."""

    vendor_hosts: ClassVar[frozenset[str]]
    detect_order = 10  # may go first: it never claims a page on another host

    @classmethod
    def candidate(cls, url: str) -> SourceConfig | None:
        try:
            host = urlsplit(url).hostname
        except ValueError:  # not a URL at all
            return None
        if host not in cls.vendor_hosts:
            return None
        default = cls.Config.model_fields["url"].default
        return cls.Config(name="discovered", type=cls.type_name, url=default)


def worst_impact(impacts: Iterable[Impact]) -> Impact:
    """The gravest impact (NONE for none): a page's overall reading when it gives none itself."""
    return max(impacts, key=_IMPACT_RANK.__getitem__, default=Impact.NONE)


def worst_status(statuses: Iterable[ComponentStatus]) -> ComponentStatus:
    """The gravest readable status; OPERATIONAL when nothing is wrong, UNKNOWN when nothing is readable."""
    seen = list(statuses)
    known = [status for status in seen if status.level is not None]
    if seen and not known:
        return ComponentStatus.UNKNOWN
    return max(known, key=lambda status: status.level or 0, default=ComponentStatus.OPERATIONAL)
