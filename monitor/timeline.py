"""The recorded-timeline format that `settings.record` writes and `outage-monitor replay` reads.

A timeline is either a directory holding one folder per provider, each document in a file named by its
capture time (`TIMELINE/github/2024-05-01T12:00:00.000Z.json`; `.xml`, `.html` or `.txt` for other
media; a label after `~` tells apart documents of the same poll: `...000Z~2.json`; hidden files are
skipped), or a JSON Lines file of `{"at", "provider", "url", "status", "headers", "body"}` objects. A
directory's document is served with HTTP 200 and the media type its extension names unless a sidecar
`<file>.meta` says otherwise: a JSON object with the fields of a JSON Lines capture but `at`, `provider`
and `body`. Either form can say which URL a document answered (`url`), any status, a probe's latency
(`elapsed`) and a request that got no answer (`error`). docs/replay.md describes both.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, get_args

from monitor.errors import PollOutcome

MEDIA_BY_EXTENSION = {
    ".json": "application/json",
    ".xml": "application/xml",
    ".html": "text/html",
    ".txt": "text/plain",
}
META = ".meta"  # a capture's sidecar: `<capture file name>.meta`
LABEL = "~"  # what follows it in a capture's name, up to the extension, is a free label
_OUTCOMES: tuple[str, ...] = get_args(PollOutcome)


class TimelineError(ValueError):
    """The timeline cannot be read; the message names the file (and line) and the problem."""


@dataclass(frozen=True, slots=True)
class NoAnswer:
    """Why a request got no answer (a timeout, a refused connection), as the fetch reported it."""

    outcome: PollOutcome
    message: str


@dataclass(frozen=True, slots=True)
class Capture:
    """One document as a provider's page answered it at `at`: for the request of `url`, or (None) for
    any request of the provider's polls. `status` is None when no answer came (`error` says why)."""

    at: datetime
    provider: str
    body: bytes
    status: int | None = 200
    headers: dict[str, str] = field(default_factory=dict)
    url: str | None = None
    elapsed: float | None = None  # seconds the answer took: a probe's latency
    error: NoAnswer | None = None

    @property
    def content_type(self) -> str:
        return next((v for k, v in self.headers.items() if k.lower() == "content-type"), "")


@dataclass(frozen=True, slots=True)
class Stored:
    """A capture file of a timeline directory, as the recorder accounts for it."""

    name: str
    provider: str
    url: str | None
    size: int  # bytes of the file and its sidecar


def capture_name(at: datetime, content_type: str, sequence: int = 1) -> str:
    """The file name a capture at `at` is kept under: its UTC time, ISO 8601, `~N` for the Nth document
    of a poll after the first, and the media's extension."""
    label = "" if sequence == 1 else f"{LABEL}{sequence}"
    return iso_utc(at, "milliseconds") + label + extension_for(content_type)


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


def write_capture(folder: Path, capture: Capture, sequence: int) -> Stored:
    """Write `capture` into a provider's folder, its sidecar first: each file appears whole (written
    aside, then renamed), so a crash leaves no torn capture, at worst a sidecar without its file."""
    name = capture_name(capture.at, capture.content_type, sequence)
    meta = json.dumps(_meta(capture)).encode("utf-8")
    folder.mkdir(parents=True, exist_ok=True)
    for file, content in ((name + META, meta), (name, capture.body)):
        partial = folder / f".{file}.partial"
        partial.write_bytes(content)
        partial.replace(folder / file)
    return Stored(name, capture.provider, capture.url, len(capture.body) + len(meta))


def delete_capture(folder: Path, name: str) -> None:
    """Delete a capture file and its sidecar, the file first (an orphan sidecar is never read)."""
    (folder / name).unlink(missing_ok=True)
    (folder / (name + META)).unlink(missing_ok=True)


def stored_captures(root: Path) -> list[Stored]:
    """The capture files of a timeline directory with their URLs and sizes, oldest first (by name)."""
    if not root.is_dir():
        return []
    found = []
    for folder in (p for p in root.iterdir() if p.is_dir()):
        for file in (f for f in _capture_files(folder) if f.suffix.lower() in MEDIA_BY_EXTENSION):
            meta = folder / (file.name + META)
            size = file.stat().st_size + (meta.stat().st_size if meta.is_file() else 0)
            found.append(Stored(file.name, folder.name, _url_of(meta), size))
    return sorted(found, key=lambda s: (s.name, s.provider))


def _url_of(meta: Path) -> str | None:
    """The URL a sidecar names; None without one, or when it cannot be read (replay will say why)."""
    try:
        url = _read_meta(meta).get("url") if meta.is_file() else None
    except (OSError, TimelineError):
        return None
    return url if isinstance(url, str) else None


def read_timeline(path: Path) -> list[Capture]:
    """Every capture of a timeline directory or JSON Lines file, oldest first (in file or line order
    within the same time)."""
    if path.is_dir():
        captures = _read_directory(path)
    elif path.is_file():
        captures = _read_lines(path)
    else:
        raise TimelineError(f"{path}: no such file or directory")
    return sorted(captures, key=lambda c: (c.at, c.provider))


def _capture_files(folder: Path) -> list[Path]:
    """A provider folder's capture files (not hidden, not sidecars), by name."""
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and not p.name.startswith(".") and not p.name.endswith(META)
    )


def _read_directory(root: Path) -> list[Capture]:
    captures = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        for file in _capture_files(folder):
            media = MEDIA_BY_EXTENSION.get(file.suffix.lower())
            if media is None:
                raise TimelineError(f"{file}: unknown extension (expected {', '.join(MEDIA_BY_EXTENSION)})")
            at = _time(file.name.removesuffix(file.suffix).partition(LABEL)[0], str(file))
            meta = folder / (file.name + META)
            fields = _fields(_read_meta(meta), str(meta), 200) if meta.is_file() else {"headers": {}}
            if not any(k.lower() == "content-type" for k in fields["headers"]):
                fields["headers"] = {"Content-Type": media, **fields["headers"]}
            captures.append(Capture(at, folder.name, file.read_bytes(), **fields))
    return captures


def _read_meta(meta: Path) -> dict[str, Any]:
    try:
        text = meta.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise TimelineError(f"{meta}: not UTF-8") from None
    return _object(text, str(meta))


def _read_lines(file: Path) -> list[Capture]:
    captures = []
    with file.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if line.strip():
                captures.append(_capture(line, f"{file}:{number}"))
    return captures


def _capture(line: str, where: str) -> Capture:
    item = _object(line, where)
    provider, body = item.get("provider"), item.get("body", "" if "error" in item else None)
    if not isinstance(provider, str) or not provider:
        raise TimelineError(f"{where}: 'provider' must be a name")
    if not isinstance(body, str):
        raise TimelineError(f"{where}: 'body' must be a string")
    at = _time(item.get("at"), where)
    return Capture(at, provider, body.encode("utf-8"), **_fields(item, where, None))


def _object(text: str, where: str) -> dict[str, Any]:
    try:
        item: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TimelineError(f"{where}: not JSON ({exc.msg})") from None
    if not isinstance(item, dict):
        raise TimelineError(f"{where}: expected an object")
    return item


def _fields(item: dict[str, Any], where: str, default_status: int | None) -> dict[str, Any]:
    """The fields both forms share (`url`, `status`, `headers`, `elapsed`, `error`), checked, as
    `Capture` keywords. `status` defaults to `default_status`; a capture with an `error` has none."""
    url, headers, elapsed, error = (item.get(k) for k in ("url", "headers", "elapsed", "error"))
    headers = {} if headers is None else headers
    if url is not None and (not isinstance(url, str) or not url):
        raise TimelineError(f"{where}: 'url' must be a URL or a path")
    if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
        raise TimelineError(f"{where}: 'headers' must map names to strings")
    if elapsed is not None and not (
        isinstance(elapsed, int | float) and not isinstance(elapsed, bool) and 0 <= elapsed < math.inf
    ):
        raise TimelineError(f"{where}: 'elapsed' must be a number of seconds")
    no_answer = None if error is None else _no_answer(error, where)
    status = item.get("status", None if no_answer else default_status)
    if no_answer is not None and status is not None:
        raise TimelineError(f"{where}: a capture with an 'error' got no answer: it has no 'status'")
    if no_answer is None and (
        not isinstance(status, int) or isinstance(status, bool) or not 100 <= status <= 599
    ):
        raise TimelineError(f"{where}: 'status' must be an HTTP status code")
    return {"url": url, "status": status, "headers": headers, "elapsed": elapsed, "error": no_answer}


def _no_answer(error: Any, where: str) -> NoAnswer:
    outcome = error.get("outcome") if isinstance(error, dict) else None
    message = error.get("message") if isinstance(error, dict) else None
    if outcome not in _OUTCOMES or not isinstance(message, str):
        raise TimelineError(
            f'{where}: \'error\' must be {{"outcome": one of {", ".join(_OUTCOMES)}, "message": text}}'
        )
    return NoAnswer(outcome, message)


def _meta(capture: Capture) -> dict[str, Any]:
    """A capture's sidecar: what its file and name do not say."""
    meta: dict[str, Any] = {"url": capture.url}
    if capture.error is not None:
        meta["error"] = {"outcome": capture.error.outcome, "message": capture.error.message}
    else:
        meta.update(status=capture.status, headers=capture.headers)
    if capture.elapsed is not None:
        meta["elapsed"] = capture.elapsed
    return meta


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
