"""Structured logging: JSON lines in containers, readable lines on a terminal.

Libraries that log through the standard `logging` module (aiohttp, asyncio) come out the same way, one
structured line each, instead of Python's bare fallback text and tracebacks."""

from __future__ import annotations

import logging
import sys
from functools import partial
from typing import TYPE_CHECKING, Any, Literal, TextIO

from aiohttp.http_exceptions import HttpProcessingError

if TYPE_CHECKING:
    from types import ModuleType

    import structlog

LogFormat = Literal["json", "console", "auto"]

MAX_CLIENT_ERROR_CHARS = 200

_pending: partial[None] | None = None  # a configuration waiting for structlog's first use


def setup_logging(fmt: LogFormat = "auto", level: str = "info") -> None:
    """Configure logging for the process; `auto` picks console on a TTY, JSON elsewhere.

    structlog is configured now if it is loaded, else when the first line is logged: importing it costs
    about 47 M instructions (2.6% of a one-page `poll`), which a command that logs nothing need not pay."""
    global _pending
    use_console = fmt == "console" or (fmt == "auto" and sys.stderr.isatty())
    numeric_level = logging.getLevelName(level.upper())
    _pending = partial(_configure, use_console, numeric_level, sys.stderr)
    if "structlog" in sys.modules:
        _structlog()
    handler = _StderrHandler(numeric_level, use_console)
    logging.getLogger("aiohttp.server").addFilter(_client_errors_as_warnings)  # adding it again is a no-op
    root = logging.getLogger()
    for previous in [h for h in root.handlers if isinstance(h, _StderrHandler)]:
        root.removeHandler(previous)
    root.addHandler(handler)


def _structlog() -> ModuleType:
    """structlog, configured as `setup_logging` last asked."""
    global _pending
    import structlog

    if _pending is not None:
        configure, _pending = _pending, None
        configure()
    return structlog


def _configure(use_console: bool, level: int, stream: TextIO) -> None:
    import structlog

    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            *_render(use_console),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(file=stream),
        cache_logger_on_first_use=False,
    )


def _render(use_console: bool) -> list[Any]:
    """The last processors of every line, structlog's own and the standard library's alike."""
    import structlog

    renderer = structlog.dev.ConsoleRenderer() if use_console else structlog.processors.JSONRenderer()
    return [
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.format_exc_info,
        renderer,
    ]


class Logger:
    """A module's logger: structlog's, made when it first logs a line (see `setup_logging`)."""

    __slots__ = ("_logger", "_name")

    def __init__(self, name: str) -> None:
        self._name = name
        self._logger: structlog.stdlib.BoundLogger | None = None

    def _bound(self) -> structlog.stdlib.BoundLogger:
        if self._logger is None:
            self._logger = _structlog().get_logger(self._name)
        return self._logger

    def info(self, event: str, **fields: Any) -> None:
        self._bound().info(event, **fields)

    def warning(self, event: str, **fields: Any) -> None:
        self._bound().warning(event, **fields)

    def error(self, event: str, **fields: Any) -> None:
        self._bound().error(event, **fields)

    def exception(self, event: str, **fields: Any) -> None:
        """`error` with the exception being handled."""
        self._bound().exception(event, **fields)


def get_logger(name: str) -> Logger:
    return Logger(name)


class _StderrHandler(logging.Handler):
    """Writes the standard library's records (aiohttp's, asyncio's) as structlog's own lines, to whatever
    `sys.stderr` is when a record comes; its formatter is made for the first record."""

    def __init__(self, level: int, use_console: bool) -> None:
        super().__init__(level)
        self.use_console = use_console

    def format(self, record: logging.LogRecord) -> str:
        if self.formatter is None:
            structlog = _structlog()
            self.setFormatter(
                structlog.stdlib.ProcessorFormatter(
                    foreign_pre_chain=[
                        structlog.stdlib.add_log_level,
                        structlog.stdlib.add_logger_name,
                        structlog.stdlib.ExtraAdder(allow=["error"]),
                    ],
                    processors=[
                        structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                        *_render(self.use_console),
                    ],
                )
            )
        return super().format(record)

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
