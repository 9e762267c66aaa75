"""Unmodified copies kept in the repo (captures, official schemas), checked against recorded sha256 sums."""

from __future__ import annotations

import hashlib
from pathlib import Path

SUMS = "SHA256SUMS"
NOT_COPIES = {SUMS, "README.md"}


def recorded(folder: Path) -> dict[str, str]:
    """`relative path -> sha256` from the folder's SHA256SUMS (the `sha256sum` output format)."""
    lines = (folder / SUMS).read_text().splitlines()
    return {name.lstrip("*"): digest for digest, name in (line.split(maxsplit=1) for line in lines if line)}


def mismatches(folder: Path) -> list[str]:
    """Every copy under `folder` whose sum differs from the recorded one, is unrecorded, or is missing."""
    sums = recorded(folder)
    copies = {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in folder.rglob("*")
        if path.is_file() and path.name not in NOT_COPIES
    }
    wrong = [f"{name}: changed" for name, digest in copies.items() if name in sums and sums[name] != digest]
    unrecorded = [f"{name}: not in {SUMS}" for name in copies if name not in sums]
    missing = [f"{name}: missing" for name in sums if name not in copies]
    return sorted(wrong + unrecorded + missing)
