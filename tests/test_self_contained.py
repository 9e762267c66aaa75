"""A fresh clone, with nothing beside it, passes its own tests: no tracked file reaches outside the repo."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.checksums import mismatches

ROOT = Path(__file__).resolve().parents[1]
CHECKED = ("tests", "bench", ".ci", "monitor")
# The sibling folder of material for developers, a path climbing out of the checkout, or an absolute path of
# this machine's workspace. Spelled in pieces so this file does not match itself.
OUTSIDE = re.compile(
    "|".join(
        [
            r"\.\./" + "shared",
            r"""["']\.\.["']\s*/\s*["']""" + "shared",
            r"parents\[\d+\]\s*/\s*[\"']\.\.[\"']",
            "/" + r"work/",
            r"\.\./\.\./\.\.",
        ]
    )
)


def tracked(*folders: str) -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--", *folders], cwd=ROOT, capture_output=True, check=True
    ).stdout.decode()
    return [ROOT / name for name in listed.split("\0") if name]


def test_no_tracked_file_names_a_path_outside_the_repository() -> None:
    files = tracked(*CHECKED)
    assert len(files) > 100, "git ls-files found too little: is this a checkout?"
    offenders: list[str] = []
    for path in files:
        text = path.read_bytes().decode("utf-8", errors="replace")
        offenders.extend(
            f"{path.relative_to(ROOT)}:{text.count(chr(10), 0, m.start()) + 1}: {m.group(0)}"
            for m in OUTSIDE.finditer(text)
        )
    assert offenders == []


@pytest.mark.parametrize(
    "sample",
    [
        "SCHEMA = Path(__file__).parents[2] " + '/ "..' + '" / "shared" / "schemas"',
        "see ../" + "shared/fixtures/SOURCES.md",
        "cp /" + "work/shared/x .",
    ],
)
def test_the_guard_catches_each_form(sample: str) -> None:
    assert OUTSIDE.search(sample)


@pytest.mark.parametrize("folder", ["tests/schemas", "tests/sources/fixtures"])
def test_copies_match_their_recorded_sums(folder: str) -> None:
    assert mismatches(ROOT / folder) == []
