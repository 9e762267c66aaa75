"""Status-page formats, one module each; `SOURCES` maps a provider's `type:` to its class."""

from __future__ import annotations

from monitor.sources.auto import AutoSource
from monitor.sources.aws import AwsSource
from monitor.sources.azure import AzureSource
from monitor.sources.base import Source, SourceConfig
from monitor.sources.betterstack import BetterstackSource
from monitor.sources.cachet import CachetSource
from monitor.sources.feed import FeedSource
from monitor.sources.firehydrant import FirehydrantSource
from monitor.sources.gcp import GcpSource
from monitor.sources.heroku import HerokuSource
from monitor.sources.incidentio import IncidentioSource
from monitor.sources.instatus import InstatusSource
from monitor.sources.probe import ProbeSource
from monitor.sources.slack import SlackSource
from monitor.sources.statusio import StatusioSource
from monitor.sources.statuspage import StatuspageSource

SOURCES: dict[str, type[Source]] = {
    cls.type_name: cls
    for cls in (
        StatuspageSource,
        FeedSource,
        AzureSource,
        ProbeSource,
        IncidentioSource,
        InstatusSource,
        StatusioSource,
        BetterstackSource,
        CachetSource,
        GcpSource,
        AwsSource,
        SlackSource,
        HerokuSource,
        FirehydrantSource,
        AutoSource,
    )
}


def build_source(config: SourceConfig) -> Source:
    if config.type == AutoSource.type_name:
        return AutoSource(config, SOURCES.values())
    return SOURCES[config.type](config)


__all__ = ["SOURCES", "Source", "SourceConfig", "build_source"]
