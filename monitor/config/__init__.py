"""The `providers.yaml` schema: read it, expand it, validate it, and say exactly where a mistake is.

Every error names the file, the line and the field (`providers.yaml:14: providers[2].interval: ...`)
and all of them are reported at once, so one edit fixes a whole file. The modules, one job each:
`reading` (bounded YAML), `document` (the YAML with its lines, expanded: env, catalog, secret files),
`schema` (the models and checks across entries), `explain` (errors in the user's terms), `parse`
(the entry points). Import from here.
"""

from monitor.config.parse import load_config, parse_config
from monitor.config.problems import ConfigError
from monitor.config.reading import MAX_CONFIG_BYTES, MAX_SECRET_BYTES
from monitor.config.schema import (
    GROUP_LABELS,
    AnyNotifierConfig,
    AnySourceConfig,
    Config,
    LogLevel,
    RouteConfig,
    Settings,
)

__all__ = [
    "GROUP_LABELS",
    "MAX_CONFIG_BYTES",
    "MAX_SECRET_BYTES",
    "AnyNotifierConfig",
    "AnySourceConfig",
    "Config",
    "ConfigError",
    "LogLevel",
    "RouteConfig",
    "Settings",
    "load_config",
    "parse_config",
]
