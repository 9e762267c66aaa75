"""outage-monitor: watch third-party status pages and page on-call once per real outage."""

__version__ = "0.1.0"  # the single source: pyproject.toml reads it (a metadata lookup costs start-up time)
USER_AGENT = f"outage-monitor/{__version__}"
