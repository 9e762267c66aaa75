"""`outage-monitor poll` against the bare loop (bench/bare.py) on the same fleet pages.

Both run in a fresh interpreter, so both pay interpreter start-up and imports, and each child's CPU
comes from wait4's rusage of that child alone. Runs are interleaved and repeated.
The ratio without start-up compares marginal costs: (poll N - poll 1) / (bare N - bare 1), so what
each program pays before its first page (interpreter, imports, config of one provider) cancels out.
One unmeasured run of each goes first: it writes the bytecode and warms the page cache, as a user's
first run does for every later one.

With `instructions`, each program also runs once under valgrind's callgrind, which counts the
instructions it executed: unlike CPU seconds on a shared VM, the same count every run, so a change of a
few percent shows. Counted, not timed: a cache miss costs nothing there.
"""

from __future__ import annotations

import json
import re
import shutil
import statistics
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from bench.configs import write_config
from bench.procs import REPO, Children, Finished, child_env


class CompareError(RuntimeError):
    """A comparison run did not read every page: its CPU figure would mean nothing."""


Program = Literal["bare", "poll", "bare1", "poll1"]  # "1": the same program over one page
Statistic = Callable[[Sequence[float]], float]


@dataclass(frozen=True, slots=True)
class Comparison:
    """CPU seconds of every run of each program (start-up included), and what the ratios make of them.

    CPU time on a shared 2-core VM is noisy (one program's runs spread by half their value), and
    noise only ever adds: the median is the verdict; the fastest run of each (min) is shown beside it.
    """

    pages: int
    concurrency: int
    cpu: dict[Program, tuple[float, ...]]
    bare_loop_cpu: float  # median CPU of the bare loop alone, measured inside it (no start-up)
    bare_rss_mb: float
    poll_rss_mb: float
    instructions: dict[Program, int] | None = None  # callgrind's count of one run each, when asked

    @property
    def repeats(self) -> int:
        return len(self.cpu["bare"])

    def stat(self, program: Program, statistic: Statistic = statistics.median) -> float:
        return statistic(self.cpu[program])

    def ratio_with_startup(self, statistic: Statistic = statistics.median) -> float:
        return self.stat("poll", statistic) / self.stat("bare", statistic)

    def ratio_without_startup(self, statistic: Statistic = statistics.median) -> float:
        poll = self.stat("poll", statistic) - self.stat("poll1", statistic)
        return poll / max(self.stat("bare", statistic) - self.stat("bare1", statistic), 1e-9)

    def instruction_ratios(self) -> tuple[float, float] | None:
        """(with start-up, without start-up) of the instruction counts, as the CPU ratios are made."""
        n = self.instructions
        if n is None:
            return None
        return n["poll"] / n["bare"], (n["poll"] - n["poll1"]) / max(n["bare"] - n["bare1"], 1)


def compare(
    children: Children,
    fleet_url: str,
    pages: int,
    workdir: Path,
    *,
    repeats: int = 7,
    concurrency: int = 50,
    instructions: bool = False,
) -> Comparison:
    valgrind = shutil.which("valgrind")
    if instructions and valgrind is None:  # said before the CPU runs, not after them
        raise CompareError("--instructions needs valgrind (apt-get install valgrind)")
    workdir.mkdir(parents=True, exist_ok=True)
    state = workdir / "unused.db"  # `poll` never opens the store
    configs = {
        n: write_config(
            workdir / f"poll-{n}.yaml",
            fleet_url=fleet_url,
            providers=n,
            state=state,
            max_concurrent_fetches=concurrency,
        )
        for n in (pages, 1)
    }
    argv: dict[Program, list[str]] = {
        "bare": _bare_argv(fleet_url, pages, concurrency),
        "poll": _poll_argv(configs[pages]),
        "bare1": _bare_argv(fleet_url, 1, concurrency),
        "poll1": _poll_argv(configs[1]),
    }
    _bare(children, fleet_url, 1, concurrency, workdir)  # unmeasured: bytecode written, caches warm
    _poll(children, configs[1], 1, workdir)
    runs: dict[Program, list[Finished]] = {"bare": [], "poll": [], "bare1": [], "poll1": []}
    loop_cpu: list[float] = []
    for _ in range(repeats):  # interleaved, so a noisy minute hits both programs alike
        finished, report = _bare(children, fleet_url, pages, concurrency, workdir)
        runs["bare"].append(finished)
        loop_cpu.append(float(str(report["loop_cpu_seconds"])))
        runs["poll"].append(_poll(children, configs[pages], pages, workdir))
        runs["bare1"].append(_bare(children, fleet_url, 1, concurrency, workdir)[0])
        runs["poll1"].append(_poll(children, configs[1], 1, workdir))
    return Comparison(
        pages=pages,
        concurrency=concurrency,
        cpu={program: tuple(run.cpu_seconds for run in done) for program, done in runs.items()},
        bare_loop_cpu=statistics.median(loop_cpu),
        bare_rss_mb=statistics.median(run.max_rss_mb for run in runs["bare"]),
        poll_rss_mb=statistics.median(run.max_rss_mb for run in runs["poll"]),
        instructions={program: _instructions(valgrind, args) for program, args in argv.items()}
        if instructions and valgrind
        else None,
    )


def _bare_argv(fleet_url: str, pages: int, concurrency: int) -> list[str]:
    base = [sys.executable, "-m", "bench.bare", "--base", fleet_url, "--pages", str(pages)]
    return [*base, "--concurrency", str(concurrency)]


def _poll_argv(config: Path) -> list[str]:
    return [sys.executable, "-m", "monitor", "poll", "-c", str(config)]


def _instructions(valgrind: str, argv: Sequence[str]) -> int:
    """Instructions one run executed, counted by valgrind's callgrind."""
    counting = [valgrind, "--tool=callgrind", "--callgrind-out-file=/dev/null", *argv]
    done = subprocess.run(counting, cwd=REPO, env=child_env(), capture_output=True, check=False)
    found = re.search(rb"Collected : (\d+)", done.stderr)
    if done.returncode != 0 or found is None:
        raise CompareError(
            f"callgrind run of {argv[2:4]} failed: {done.stderr[-2000:].decode(errors='replace')}"
        )
    return int(found.group(1))


def _bare(
    children: Children, fleet_url: str, pages: int, concurrency: int, workdir: Path
) -> tuple[Finished, dict[str, object]]:
    out, err = workdir / "bare.out", workdir / "bare.err"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        finished = children.run_to_end(
            _bare_argv(fleet_url, pages, concurrency), stdout=stdout, stderr=stderr
        )
    report: dict[str, object] = json.loads(out.read_text() or "{}")
    if finished.returncode != 0 or report.get("ok") != pages:
        raise CompareError(f"bare loop read {report.get('ok')} of {pages} pages: {err.read_text()[-2000:]}")
    return finished, report


def _poll(children: Children, config: Path, pages: int, workdir: Path) -> Finished:
    out, err = workdir / "poll.out", workdir / "poll.err"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        finished = children.run_to_end(_poll_argv(config), stdout=stdout, stderr=stderr)
    read = sum(1 for line in out.read_text().splitlines() if line and not line[0].isspace())  # one per page
    if finished.returncode != 0 or read != pages:
        raise CompareError(
            f"poll read {read} of {pages} pages (exit {finished.returncode}): {err.read_text()[-2000:]}"
        )
    return finished
