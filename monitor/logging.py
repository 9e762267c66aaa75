"""Structured logging: JSON lines in containers, readable lines on a terminal.

Libraries that log through the standard `logging` module (aiohttp, asyncio) come out the same way, one
structured line each, instead of Python's bare fallback text and tracebacks."""

from __future__ import annotations

import logging
import sys
from typing import Literal

import structlog
from aiohttp.http_exceptions import HttpProcessingError

LogFormat = Literal["json", "console", "auto"]

MAX_CLIENT_ERROR_CHARS = 200


def setup_logging(fmt: LogFormat = "auto", level: str = "info") -> None:
    """Configure structlog once for the process; `auto` picks console on a TTY, JSON elsewhere."""
    use_console = fmt == "console" or (fmt == "auto" and sys.stderr.isatty())
    renderer: structlog.typing.Processor = (
        structlog.dev.ConsoleRenderer() if use_console else structlog.processors.JSONRenderer()
    )
    timestamper = structlog.processors.TimeStamper(fmt="iso", utc=True)
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            timestamper,
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=False,
    )
    handler = _StderrHandler(logging.getLevelName(level.upper()))
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[
                structlog.stdlib.add_log_level,
                structlog.stdlib.add_logger_name,
                structlog.stdlib.ExtraAdder(allow=["error"]),
                timestamper,
            ],
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                renderer,
            ],
        )
    )
    logging.getLogger("aiohttp.server").addFilter(_client_errors_as_warnings)  # adding it again is a no-op
    root = logging.getLogger()
    for previous in [h for h in root.handlers if isinstance(h, _StderrHandler)]:
        root.removeHandler(previous)
    root.addHandler(handler)


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    logger: structlog.stdlib.BoundLogger = structlog.get_logger(name)
    return logger


class _StderrHandler(logging.Handler):
    """Writes to whatever `sys.stderr` is when a record comes (as structlog's own lines do)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
        except Exception:
            self.handleError(record)


def _client_errors_as_warnings(record: logging.LogRecord) -> bool:
    """aiohttp logs a malformed request (any client can send one) as an error with a traceback; it is the
    client's fault, not ours: one `http_bad_request` warning saying what was wrong."""
    error = record.exc_info[1] if record.exc_info else None
    if isinstance(error, HttpProcessingError):
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        record.msg, record.args, record.exc_info, record.exc_text = "http_bad_request", (), None, None
        record.error = " ".join(str(error).split())[:MAX_CLIENT_ERROR_CHARS]
    return True
