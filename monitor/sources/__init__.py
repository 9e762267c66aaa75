"""Status-page formats, one module each; `SOURCES` maps a provider's `type:` to where its class lives,
imported the first time a config names it."""

from __future__ import annotations

from monitor.plugins import Registry
from monitor.sources.base import Source, SourceConfig

SOURCES: Registry[Source] = Registry(
    {
        "statuspage": ("monitor.sources.statuspage", "StatuspageSource"),
        "feed": ("monitor.sources.feed", "FeedSource"),
        "azure": ("monitor.sources.azure", "AzureSource"),
        "probe": ("monitor.sources.probe", "ProbeSource"),
        "incidentio": ("monitor.sources.incidentio", "IncidentioSource"),
        "instatus": ("monitor.sources.instatus", "InstatusSource"),
        "statusio": ("monitor.sources.statusio", "StatusioSource"),
        "betterstack": ("monitor.sources.betterstack", "BetterstackSource"),
        "cachet": ("monitor.sources.cachet", "CachetSource"),
        "gcp": ("monitor.sources.gcp", "GcpSource"),
        "aws": ("monitor.sources.aws", "AwsSource"),
        "slack": ("monitor.sources.slack", "SlackSource"),
        "heroku": ("monitor.sources.heroku", "HerokuSource"),
        "firehydrant": ("monitor.sources.firehydrant", "FirehydrantSource"),
        "auto": ("monitor.sources.auto", "AutoSource"),
    }
)


def build_source(config: SourceConfig) -> Source:
    if config.type == "auto":  # discovery tries every format
        from monitor.sources.auto import AutoSource

        return AutoSource(config, SOURCES.every().values())
    return SOURCES.load(config.type)(config)


__all__ = ["SOURCES", "Source", "SourceConfig", "build_source"]
