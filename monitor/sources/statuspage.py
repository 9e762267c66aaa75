"""Atlassian Statuspage (and compatible pages such as incident.io's): `<url>/api/v2/summary.json`.

SKELETON: parsing to be implemented.
"""

from __future__ import annotations

from typing import Literal

from monitor.fetch import HttpClient, NotModified
from monitor.model import Snapshot
from monitor.sources.base import Source, SourceConfig


class StatuspageConfig(SourceConfig):
    type: Literal["statuspage"]


class StatuspageSource(Source):
    type_name = "statuspage"
    Config = StatuspageConfig

    async def fetch(self, http: HttpClient, timeout: float) -> Snapshot | NotModified:
        raise NotImplementedError
