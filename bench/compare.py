"""`outage-monitor poll` against the bare loop (bench/bare.py) on the same fleet pages.

Both run in a fresh interpreter, so both pay interpreter start-up and imports, and each child's CPU
comes from wait4's rusage of that child alone. Runs are interleaved and repeated; medians are kept.
The ratio without start-up compares marginal costs: (poll N - poll 1) / (bare N - bare 1), so what
each program pays before its first page (interpreter, imports, config of one provider) cancels out.
"""

from __future__ import annotations

import json
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path

from bench.configs import provider_name, write_config
from bench.procs import Children, Finished


class CompareError(RuntimeError):
    """A comparison run did not read every page: its CPU figure would mean nothing."""


@dataclass(frozen=True, slots=True)
class Comparison:
    pages: int
    repeats: int
    concurrency: int
    bare_cpu: float  # median CPU seconds of the bare loop over all pages, start-up included
    poll_cpu: float
    bare_one_cpu: float  # the same over one page: start-up and imports, mostly
    poll_one_cpu: float
    bare_loop_cpu: float  # the bare loop's own CPU, measured inside it (no start-up)
    bare_rss_mb: float
    poll_rss_mb: float
    bare_wall: float
    poll_wall: float

    @property
    def ratio_with_startup(self) -> float:
        return self.poll_cpu / self.bare_cpu

    @property
    def ratio_without_startup(self) -> float:
        return (self.poll_cpu - self.poll_one_cpu) / max(self.bare_cpu - self.bare_one_cpu, 1e-9)


def compare(
    children: Children, fleet_url: str, pages: int, workdir: Path, *, repeats: int = 3, concurrency: int = 50
) -> Comparison:
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
    runs: dict[str, list[Finished]] = {"bare": [], "poll": [], "bare1": [], "poll1": []}
    loop_cpu: list[float] = []
    for _ in range(repeats):
        for n, suffix in ((pages, ""), (1, "1")):
            finished, report = _bare(children, fleet_url, n, concurrency, workdir)
            runs["bare" + suffix].append(finished)
            if n == pages:
                loop_cpu.append(float(str(report["loop_cpu_seconds"])))
            runs["poll" + suffix].append(_poll(children, configs[n], n, workdir))
    return Comparison(
        pages=pages,
        repeats=repeats,
        concurrency=concurrency,
        bare_cpu=_median(runs["bare"], "cpu_seconds"),
        poll_cpu=_median(runs["poll"], "cpu_seconds"),
        bare_one_cpu=_median(runs["bare1"], "cpu_seconds"),
        poll_one_cpu=_median(runs["poll1"], "cpu_seconds"),
        bare_loop_cpu=statistics.median(loop_cpu),
        bare_rss_mb=_median(runs["bare"], "max_rss_mb"),
        poll_rss_mb=_median(runs["poll"], "max_rss_mb"),
        bare_wall=_median(runs["bare"], "wall_seconds"),
        poll_wall=_median(runs["poll"], "wall_seconds"),
    )


def _median(runs: list[Finished], attribute: str) -> float:
    return statistics.median(float(getattr(run, attribute)) for run in runs)


def _bare(
    children: Children, fleet_url: str, pages: int, concurrency: int, workdir: Path
) -> tuple[Finished, dict[str, object]]:
    out, err = workdir / "bare.out", workdir / "bare.err"
    argv = [sys.executable, "-m", "bench.bare", "--base", fleet_url, "--pages", str(pages)]
    with out.open("wb") as stdout, err.open("wb") as stderr:
        finished = children.run_to_end(
            [*argv, "--concurrency", str(concurrency)], stdout=stdout, stderr=stderr
        )
    report: dict[str, object] = json.loads(out.read_text() or "{}")
    if finished.returncode != 0 or report.get("ok") != pages:
        raise CompareError(f"bare loop read {report.get('ok')} of {pages} pages: {err.read_text()[-2000:]}")
    return finished, report


def _poll(children: Children, config: Path, pages: int, workdir: Path) -> Finished:
    out, err = workdir / "poll.out", workdir / "poll.err"
    argv = [sys.executable, "-m", "monitor", "poll", "-c", str(config)]
    with out.open("wb") as stdout, err.open("wb") as stderr:
        finished = children.run_to_end(argv, stdout=stdout, stderr=stderr)
    read = sum(1 for line in out.read_text().splitlines() if line.startswith(provider_name(0)[0]))
    if finished.returncode != 0 or read != pages:
        raise CompareError(
            f"poll read {read} of {pages} pages (exit {finished.returncode}): {err.read_text()[-2000:]}"
        )
    return finished
