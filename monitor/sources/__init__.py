"""Status-page formats, one module each; `SOURCES` maps a provider's `type:` to its class."""

from __future__ import annotations

from monitor.sources.aws import AwsSource
from monitor.sources.base import Source, SourceConfig
from monitor.sources.cachet import CachetSource
from monitor.sources.gcp import GcpSource
from monitor.sources.heroku import HerokuSource
from monitor.sources.slack import SlackSource
from monitor.sources.statuspage import StatuspageSource

SOURCES: dict[str, type[Source]] = {
    cls.type_name: cls
    for cls in (StatuspageSource, CachetSource, GcpSource, AwsSource, SlackSource, HerokuSource)
}


def build_source(config: SourceConfig) -> Source:
    return SOURCES[config.type](config)


__all__ = ["SOURCES", "Source", "SourceConfig", "build_source"]
