"""Why a poll failed. Every failure makes the provider `unknown`; `outcome` is a bounded metric label."""

from __future__ import annotations

from typing import Literal

PollOutcome = Literal["timeout", "connect_error", "http_error", "rate_limited", "too_large", "parse_error"]


class PollError(Exception):
    """A fetch or parse failed. The message is safe to log and show (no secrets, bounded length)."""

    def __init__(self, outcome: PollOutcome, message: str, retry_after: float | None = None) -> None:
        super().__init__(message[:500])
        self.outcome: PollOutcome = outcome
        self.retry_after = retry_after


class FetchError(PollError):
    """The HTTP exchange failed: timeout, connection error, non-2xx answer, body too large."""


class ParseError(PollError):
    """The body arrived but is not the document the source expects (an HTML error page, garbage)."""

    def __init__(self, message: str) -> None:
        super().__init__("parse_error", message)
