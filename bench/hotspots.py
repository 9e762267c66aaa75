"""Where a process's CPU went, from a py-spy raw profile (collapsed stacks: `frame;frame;... count`).

`python -m bench.hotspots profile.txt` prints three rankings: by area (the package of the innermost
frame: `monitor/poller.py`, `aiohttp`, `asyncio`, ...), by function's own time (innermost frame) and
by inclusive time (any frame on the stack), each as a share of the samples.

Reading it: py-spy leaves idle samples out, but a thread blocked inside C (epoll_wait, a queue's
lock, a socket send) can still be sampled as active, so `selectors`, `asyncio` transports and the
aiosqlite worker are overstated; `--gil` profiles (`bench.run --profile-gil`) keep only Python at
work. A coroutine resumed by asyncio's C Task shows a stack that starts at the coroutine, so the
inclusive shares of the callers above it (the event loop, the scheduler's timers) are understated.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

_FRAME = re.compile(r"^(?P<function>.*?) \((?P<file>[^()]*?)(?::\d+)?\)$")
_SPLIT_AREAS = ("monitor",)  # our own package is broken down by module; libraries by package


@dataclass(frozen=True, slots=True)
class Profile:
    samples: int
    by_area: Counter[str]
    by_self: Counter[str]
    by_inclusive: Counter[str]


def read_profile(lines: Iterable[str]) -> Profile:
    by_area: Counter[str] = Counter()
    by_self: Counter[str] = Counter()
    by_inclusive: Counter[str] = Counter()
    samples = 0
    for line in lines:
        stack, _, count_text = line.rstrip("\n").rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [parsed for frame in stack.split(";") if (parsed := _parse(frame)) is not None]
        if not frames:
            continue
        samples += count
        function, file = frames[-1]
        by_area[_area(file)] += count
        by_self[f"{function} ({file})"] += count
        for label in {f"{f} ({p})" for f, p in frames}:
            by_inclusive[label] += count
    return Profile(samples, by_area, by_self, by_inclusive)


def _parse(frame: str) -> tuple[str, str] | None:
    match = _FRAME.match(frame.strip())
    if match is None:
        return None  # py-spy's own markers, e.g. a process or thread name
    return match["function"], match["file"]


def _area(file: str) -> str:
    """`monitor/poller.py` for our code, `aiohttp` or `asyncio` for a library or the standard library."""
    parts = file.replace("\\", "/").split("/")
    if "site-packages" in parts:
        parts = parts[parts.index("site-packages") + 1 :]
    if parts[0] in _SPLIT_AREAS and len(parts) > 1:
        return "/".join(parts)
    return parts[0].removesuffix(".py") if parts[0] else file


def render(profile: Profile, top: int = 15) -> str:
    lines = [f"{profile.samples} samples on CPU"]
    for title, counter in (
        ("by area (innermost frame's package or monitor module)", profile.by_area),
        ("by function, own time", profile.by_self),
        ("by function, inclusive", profile.by_inclusive),
    ):
        lines.append(f"\n{title}:")
        for label, count in counter.most_common(top):
            lines.append(f"  {100 * count / max(profile.samples, 1):5.1f}%  {label}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("profile", type=Path, help="py-spy record --format raw output")
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args(argv)
    with args.profile.open(encoding="utf-8") as lines:
        print(render(read_profile(lines), args.top))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
