"""outage-monitor: watch third-party status pages and page on-call once per real outage."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("outage-monitor")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"
