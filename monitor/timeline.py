"""The recorded-timeline format that `settings.record` writes and `outage-monitor replay` reads.

A timeline is either a directory holding one folder per provider, each document in a file named by its
capture time (`TIMELINE/github/2024-05-01T12:00:00.000Z.json`; `.xml`, `.html` or `.txt` for other
media, served with HTTP 200 and the media type its extension names; hidden files are skipped), or a
JSON Lines file of `{"at", "provider", "status", "headers", "body"}` objects, which can also carry a
failed answer (`"status": 503`). docs/replay.md describes both.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

MEDIA_BY_EXTENSION = {
    ".json": "application/json",
    ".xml": "application/xml",
    ".html": "text/html",
    ".txt": "text/plain",
}


class TimelineError(ValueError):
    """The timeline cannot be read; the message names the file (and line) and the problem."""


@dataclass(frozen=True, slots=True)
class Capture:
    """One document as a provider's page answered it at `at`."""

    at: datetime
    provider: str
    body: bytes
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def content_type(self) -> str:
        return next((v for k, v in self.headers.items() if k.lower() == "content-type"), "")


def capture_name(at: datetime, content_type: str) -> str:
    """The file name a capture at `at` is kept under: its UTC time, ISO 8601, and the media's extension."""
    return iso_utc(at, "milliseconds") + extension_for(content_type)


def iso_utc(at: datetime, timespec: str = "seconds") -> str:
    """`2024-05-01T12:00:00Z`: UTC, ISO 8601, to `timespec`."""
    return at.astimezone(UTC).isoformat(timespec=timespec).replace("+00:00", "Z")


def extension_for(content_type: str) -> str:
    media = content_type.split(";", 1)[0].strip().lower()
    if media.endswith("json"):
        return ".json"
    if media.endswith("xml"):
        return ".xml"
    return ".html" if media == "text/html" else ".txt"


def read_timeline(path: Path) -> list[Capture]:
    """Every capture of a timeline directory or JSON Lines file, oldest first."""
    if path.is_dir():
        captures = _read_directory(path)
    elif path.is_file():
        captures = _read_lines(path)
    else:
        raise TimelineError(f"{path}: no such file or directory")
    return sorted(captures, key=lambda c: (c.at, c.provider))


def _read_directory(root: Path) -> list[Capture]:
    captures = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        for file in sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")):
            media = MEDIA_BY_EXTENSION.get(file.suffix.lower())
            if media is None:
                raise TimelineError(f"{file}: unknown extension (expected {', '.join(MEDIA_BY_EXTENSION)})")
            at = _time(file.name.removesuffix(file.suffix), str(file))
            captures.append(Capture(at, folder.name, file.read_bytes(), 200, {"Content-Type": media}))
    return captures


def _read_lines(file: Path) -> list[Capture]:
    captures = []
    with file.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if line.strip():
                captures.append(_capture(line, f"{file}:{number}"))
    return captures


def _capture(line: str, where: str) -> Capture:
    try:
        item: Any = json.loads(line)
    except json.JSONDecodeError as exc:
        raise TimelineError(f"{where}: not JSON ({exc.msg})") from None
    if not isinstance(item, dict):
        raise TimelineError(f"{where}: expected an object")
    provider, status, headers, body = (item.get(k) for k in ("provider", "status", "headers", "body"))
    headers = {} if headers is None else headers
    if not isinstance(provider, str) or not provider:
        raise TimelineError(f"{where}: 'provider' must be a name")
    if not isinstance(status, int) or isinstance(status, bool) or not 100 <= status <= 599:
        raise TimelineError(f"{where}: 'status' must be an HTTP status code")
    if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
        raise TimelineError(f"{where}: 'headers' must map names to strings")
    if not isinstance(body, str):
        raise TimelineError(f"{where}: 'body' must be a string")
    return Capture(_time(item.get("at"), where), provider, body.encode("utf-8"), status, headers)


def _time(value: object, where: str) -> datetime:
    """An ISO 8601 time with a zone (`Z` or an offset), as UTC."""
    try:
        at = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        at = None
    if at is None or at.tzinfo is None:
        raise TimelineError(
            f"{where}: {value!r} is not an ISO 8601 time with a zone, e.g. 2024-05-01T12:00:00Z"
        )
    return at.astimezone(UTC)
