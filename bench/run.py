"""Benchmark the real daemon against N Statuspage pages on loopback, then `poll` against a bare loop.

    python -m bench.run                      # 10,000 providers every 60 s: about 5 minutes
    python -m bench.run --providers 1000 --interval 10 --duration 30    # quick

It starts the fleet (bench/fleet.py) and `python -m monitor run` as subprocesses, waits for /readyz,
lets one interval pass (every provider baselined, so the window sees the steady state), measures
over `--duration`, stops the daemon, compares `poll` with the bare loop on `--compare` pages, and
prints a table of figures with each target marked PASS or MISS. It exits 0 whether targets are met
or not: it measures. Everything listens on 127.0.0.1 and every child is stopped on the way out.
"""

from __future__ import annotations

import argparse
import json
import select
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

from bench.compare import CompareError, Comparison, compare
from bench.configs import write_config
from bench.failover import Failover, FailoverError, kill_and_time
from bench.hotspots import read_profile, render
from bench.procs import Children, cpu_seconds, cpu_times, memory_mb
from bench.scrape import MetricsSample, delta, get_json, ready, scrape

TARGET_RATE = 0.95  # of the wanted polls/s
TARGET_CPU = 0.25  # of one core
TARGET_RSS_MB = 200.0
TARGET_RATIO = 1.5  # poll CPU / bare loop CPU
TARGET_FLOOR_RATIO = 1.5  # daemon CPU per poll / the paced floor's, measured in the same run
TARGET_STORE_RATIO = 1.2  # on PostgreSQL: daemon CPU per poll / a SQLite daemon's beside it, same run
HOST = "127.0.0.1"


class BenchError(RuntimeError):
    """The benchmark could not measure (a child died, never got ready): no figures to print."""


@dataclass(frozen=True, slots=True)
class Reading:
    at: float  # time.monotonic()
    cpu: float  # of the program read: the daemon, the paced floor or the SQLite daemon beside
    system: float  # the kernel's part of cpu: sockets, epoll, SQLite's writes
    fleet_cpu: float
    fleet: dict[str, Any]  # the fleet's /stats

    def rate(self, earlier: Reading) -> float:
        served = int(self.fleet["requests"]) - int(earlier.fleet["requests"])
        return served / (self.at - earlier.at)


@dataclass(frozen=True, slots=True)
class Run:
    """Everything measured; `rows()` turns it into the figures table."""

    providers: int
    interval: float
    churn: float
    startup_seconds: float
    startup_cpu: float
    warmup: tuple[Reading, Reading]
    window: tuple[Reading, Reading]
    metrics: tuple[MetricsSample, MetricsSample]
    scrape_cpu: float
    peak_rss_mb: float
    stop_seconds: float
    comparison: Comparison | None
    failover: Failover | None = None
    floor: tuple[Reading, Reading] | None = None  # the paced floor (bench/paced.py), over the same window
    sqlite: tuple[Reading, Reading] | None = None  # with --state postgresql://: a SQLite daemon, same window

    @property
    def wanted(self) -> float:
        return self.providers / self.interval

    def summary(self) -> dict[str, Any]:
        (w0, w1), (r0, r1), (m0, m1) = self.warmup, self.window, self.metrics
        seconds = r1.at - r0.at
        requests = r1.fleet["requests"] - r0.fleet["requests"]
        cpu = r1.cpu - r0.cpu
        polls = defaultdict(float, delta(m1.polls, m0.polls))
        total = sum(polls.values())
        figures: dict[str, Any] = {
            "providers": self.providers,
            "interval_s": self.interval,
            "churn_per_min": self.churn,
            "window_s": round(seconds, 1),
            "wanted_polls_per_s": round(self.wanted, 2),
            "achieved_polls_per_s": round(requests / seconds, 2),
            "daemon_polls_per_s": round(total / (m1.at - m0.at), 2),
            "daemon_cpu_share": round(cpu / seconds, 4),
            "daemon_system_share_of_cpu": round((r1.system - r0.system) / max(cpu, 1e-9), 3),
            "cpu_per_poll_ms": round(1000 * cpu / max(requests, 1), 3),
            "peak_rss_mb": round(self.peak_rss_mb, 1),
            "outcomes": {
                "ok": polls["ok"],
                "not_modified": polls["not_modified"],
                "errors": total - polls["ok"] - polls["not_modified"],
                **{k: v for k, v in polls.items() if k not in ("ok", "not_modified")},
            },
            "fleet_200": r1.fleet["ok"] - r0.fleet["ok"],
            "fleet_304": r1.fleet["not_modified"] - r0.fleet["not_modified"],
            "page_changes": r1.fleet["changes"] - r0.fleet["changes"],
            "events": m1.events - m0.events,
            "notifications": delta(m1.notifications, m0.notifications),
            "outbox_pending_at_end": m1.outbox_pending,
            "mean_poll_duration_ms": round(
                1000
                * (m1.poll_seconds_sum - m0.poll_seconds_sum)
                / max(m1.poll_seconds_count - m0.poll_seconds_count, 1),
                2,
            ),
            "fleet_cpu_share": round((r1.fleet_cpu - r0.fleet_cpu) / seconds, 4),
            "startup_s": round(self.startup_seconds, 2),
            "startup_cpu_s": round(self.startup_cpu, 2),
            "first_interval_polls_per_s": round(w1.rate(w0), 2),
            "first_interval_cpu_share": round((w1.cpu - w0.cpu) / (w1.at - w0.at), 4),
            "metrics_scrape_cpu_s": round(self.scrape_cpu, 3),
            "metrics_series": m1.series,
            "metrics_bytes": m1.body_bytes,
            "stop_s": round(self.stop_seconds, 2),
        }
        if self.floor is not None:
            figures["floor"] = _beside(self.floor, figures["cpu_per_poll_ms"], "daemon_over_floor")
        if self.sqlite is not None:
            figures["sqlite_beside"] = _beside(
                self.sqlite, figures["cpu_per_poll_ms"], "postgres_over_sqlite"
            )
        if self.failover is not None:
            figures["failover"] = {
                "takeover_s": round(self.failover.takeover_s, 2),
                "first_poll_s": round(self.failover.first_poll_s, 2),
            }
        c = self.comparison
        if c is not None:
            figures["comparison"] = {
                "pages": c.pages,
                "repeats": c.repeats,
                "concurrency": c.concurrency,
                "cpu_s": {program: [round(v, 3) for v in runs] for program, runs in c.cpu.items()},
                "bare_loop_only_cpu_s": round(c.bare_loop_cpu, 3),
                "ratio_with_startup": round(c.ratio_with_startup(), 2),
                "ratio_without_startup": round(c.ratio_without_startup(), 2),
                "fastest_ratio_with_startup": round(c.ratio_with_startup(min), 2),
                "fastest_ratio_without_startup": round(c.ratio_without_startup(min), 2),
                "bare_rss_mb": round(c.bare_rss_mb, 1),
                "poll_rss_mb": round(c.poll_rss_mb, 1),
            }
            ratios = c.instruction_ratios()
            if c.instructions is not None and ratios is not None:
                figures["comparison"]["instructions_m"] = {
                    program: round(count / 1e6) for program, count in c.instructions.items()
                }
                figures["comparison"]["instruction_ratio_with_startup"] = round(ratios[0], 2)
                figures["comparison"]["instruction_ratio_without_startup"] = round(ratios[1], 2)
        return figures


def rows(f: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(figure, value, target, PASS/MISS or "") for the table."""
    share = f["achieved_polls_per_s"] / f["wanted_polls_per_s"]
    outcomes = f["outcomes"]
    errors = ", ".join(f"{k} {v:g}" for k, v in outcomes.items() if k not in ("ok", "not_modified", "errors"))
    table = [
        (
            "polls/s achieved (fleet) / wanted",
            f"{f['achieved_polls_per_s']:.1f} / {f['wanted_polls_per_s']:.1f} ({100 * share:.1f}%)",
            f">= {100 * TARGET_RATE:.0f}%",
            _verdict(share >= TARGET_RATE),
        ),
        ("polls/s counted by the daemon", f"{f['daemon_polls_per_s']:.1f}", "", ""),
        (
            "daemon CPU, share of one core",
            f"{100 * f['daemon_cpu_share']:.1f}%",
            f"< {100 * TARGET_CPU:.0f}%",
            _verdict(f["daemon_cpu_share"] < TARGET_CPU),
        ),
        ("daemon CPU per poll", f"{f['cpu_per_poll_ms']:.2f} ms", "", ""),
        ("kernel (system) part of daemon CPU", f"{100 * f['daemon_system_share_of_cpu']:.0f}%", "", ""),
        (
            "daemon peak RSS (VmHWM)",
            f"{f['peak_rss_mb']:.0f} MB",
            f"< {TARGET_RSS_MB:.0f} MB",
            _verdict(f["peak_rss_mb"] < TARGET_RSS_MB),
        ),
        (
            "poll outcomes ok / not_modified / errors",
            f"{outcomes['ok']:g} / {outcomes['not_modified']:g} / {outcomes['errors']:g}"
            + (f" ({errors})" if errors else ""),
            "",
            "",
        ),
        ("fleet answers 200 / 304", f"{f['fleet_200']} / {f['fleet_304']}", "", ""),
        (
            "page changes / events / notifications",
            f"{f['page_changes']} / {f['events']:g} / "
            + (", ".join(f"{k} {v:g}" for k, v in f["notifications"].items()) or "0"),
            "",
            "",
        ),
        ("mean poll duration (fetch + parse)", f"{f['mean_poll_duration_ms']:.1f} ms", "", ""),
        ("fleet CPU, share of one core", f"{100 * f['fleet_cpu_share']:.1f}%", "", ""),
        ("daemon start-up to /readyz (CPU)", f"{f['startup_s']:.1f} s ({f['startup_cpu_s']:.1f} s)", "", ""),
        (
            "first interval: polls/s, CPU share",
            f"{f['first_interval_polls_per_s']:.1f}, {100 * f['first_interval_cpu_share']:.1f}%",
            "",
            "",
        ),
        (
            "one /metrics scrape: CPU, series, size",
            f"{1000 * f['metrics_scrape_cpu_s']:.0f} ms, {f['metrics_series']}, "
            f"{f['metrics_bytes'] / 1e6:.1f} MB",
            "",
            "",
        ),
        ("graceful stop (SIGTERM to exit)", f"{f['stop_s']:.1f} s", "", ""),
    ]
    if (floor := f.get("floor")) is not None:
        table += _beside_rows(
            floor, "paced floor", "daemon / paced floor", "daemon_over_floor", TARGET_FLOOR_RATIO
        )
    if (beside := f.get("sqlite_beside")) is not None:
        table += _beside_rows(
            beside,
            "SQLite daemon beside",
            "PostgreSQL / SQLite beside",
            "postgres_over_sqlite",
            TARGET_STORE_RATIO,
        )
    if (failover := f.get("failover")) is not None:
        table.append(
            (
                "failover: leader SIGKILLed -> follower leads / polls",
                f"{failover['takeover_s']:.1f} s / {failover['first_poll_s']:.1f} s",
                "",
                "",
            )
        )
    c = f.get("comparison")
    if c is not None:
        n, cpu = c["pages"], c["cpu_s"]
        table += [
            (
                f"bare loop, {n} pages / 1 page, CPU",
                f"{_spread(cpu['bare'])} / {_spread(cpu['bare1'])}",
                "",
                "",
            ),
            (
                f"poll, {n} providers / 1 provider, CPU",
                f"{_spread(cpu['poll'])} / {_spread(cpu['poll1'])}",
                "",
                "",
            ),
            (
                "poll / bare, start-up included",
                f"{c['ratio_with_startup']:.2f}x (fastest runs {c['fastest_ratio_with_startup']:.2f}x)",
                f"<= {TARGET_RATIO:g}x",
                _verdict(c["ratio_with_startup"] <= TARGET_RATIO),
            ),
            (
                "poll / bare, start-up excluded",
                f"{c['ratio_without_startup']:.2f}x (fastest runs {c['fastest_ratio_without_startup']:.2f}x)",
                f"<= {TARGET_RATIO:g}x",
                _verdict(c["ratio_without_startup"] <= TARGET_RATIO),
            ),
            ("peak RSS bare / poll", f"{c['bare_rss_mb']:.0f} / {c['poll_rss_mb']:.0f} MB", "", ""),
        ]
        if "instructions_m" in c:
            counts = c["instructions_m"]
            table += [
                (
                    f"instructions bare {n} / 1, poll {n} / 1",
                    f"{counts['bare']} / {counts['bare1']} M, {counts['poll']} / {counts['poll1']} M",
                    "",
                    "",
                ),
                (
                    "poll / bare instructions, with / without start-up",
                    f"{c['instruction_ratio_with_startup']:.2f}x"
                    f" / {c['instruction_ratio_without_startup']:.2f}x",
                    "",
                    "",
                ),
            ]
    return table


def _beside(window: tuple[Reading, Reading], daemon_per_poll_ms: float, ratio_key: str) -> dict[str, Any]:
    """The figures of a program read beside the daemon over `window`, and under `ratio_key` the daemon's
    CPU per poll over its."""
    r0, r1 = window
    cpu = r1.cpu - r0.cpu
    per_poll = 1000 * cpu / max(r1.fleet["requests"] - r0.fleet["requests"], 1)
    return {
        "window_s": round(r1.at - r0.at, 1),
        "polls_per_s": round(r1.rate(r0), 2),
        "cpu_share": round(cpu / (r1.at - r0.at), 4),
        "cpu_per_poll_ms": round(per_poll, 3),
        ratio_key: round(daemon_per_poll_ms / max(per_poll, 1e-9), 2),
    }


def _beside_rows(
    figures: dict[str, Any], name: str, ratio_name: str, ratio_key: str, target: float
) -> list[tuple[str, str, str, str]]:
    """Its two rows: its polls/s, CPU share and CPU per poll; the ratio against `target`."""
    ratio = figures[ratio_key]
    return [
        (
            f"{name}: polls/s, CPU share, CPU per poll",
            f"{figures['polls_per_s']:.1f}, {100 * figures['cpu_share']:.1f}%, "
            f"{figures['cpu_per_poll_ms']:.2f} ms",
            "",
            "",
        ),
        (f"{ratio_name}, CPU per poll", f"{ratio:.2f}x", f"<= {target:g}x", _verdict(ratio <= target)),
    ]


def _spread(values: list[float]) -> str:
    """`1.44 s [1.09-1.81]`: median and range of the runs."""
    return f"{statistics.median(values):.2f} s [{min(values):.2f}-{max(values):.2f}]"


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def render_table(table: list[tuple[str, str, str, str]]) -> str:
    header = ("figure", "measured", "target", "")
    widths = [max(len(row[i]) for row in [header, *table]) for i in range(4)]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in [header, *table]
    ]
    lines.insert(1, "-" * len(max(lines, key=len)))
    return "\n".join(lines)


class Bench:
    """One run: the fleet, the daemon, and the readings taken of them."""

    def __init__(self, args: argparse.Namespace, children: Children, workdir: Path) -> None:
        self.args = args
        self.children = children
        self.workdir = workdir
        self.fleet_url = ""
        self.fleet_pid = 0
        self.daemon_pid = 0
        self.daemon_url = ""
        self._proc: subprocess.Popen[bytes] | None = None
        self._beside: dict[str, _Beside] = {}  # programs read over the same windows: "floor", "sqlite"

    def start_fleet(self) -> None:
        self.fleet_pid, self.fleet_url = self._start_fleet(
            "fleet", max(self.args.providers, self.args.compare)
        )

    def _start_fleet(self, name: str, pages: int) -> tuple[int, str]:
        argv = [sys.executable, "-m", "bench.fleet", "--pages", str(pages), "--churn", str(self.args.churn)]
        with (self.workdir / f"{name}.log").open("wb") as log:
            proc = self.children.start(
                [*argv, "--seed", str(self.args.seed)], stdout=subprocess.PIPE, stderr=log
            )
        assert proc.stdout is not None
        readable, _, _ = select.select([proc.stdout], [], [], 60.0)
        line = proc.stdout.readline() if readable else b""
        if not line:
            raise BenchError(f"the {name} did not start: {self._tail(f'{name}.log')}")
        return proc.pid, f"http://{HOST}:{json.loads(line)['port']}"

    def start_floor(self) -> None:
        """The paced floor (bench/paced.py) against a fleet of its own, built alike (same pages, seed
        and churn), running beside the daemon: both are read over the same windows, so whatever else
        the machine does in a window weighs on both."""
        fleet_pid, fleet_url = self._start_fleet("floor-fleet", self.args.providers)
        argv = [sys.executable, "-m", "bench.paced", "--base", fleet_url]
        argv += ["--pages", str(self.args.providers), "--interval", str(self.args.interval)]
        with (self.workdir / "floor.log").open("wb") as log:
            proc = self.children.start(argv, stdout=log, stderr=log)
        self._beside["floor"] = _Beside(proc, fleet_pid, fleet_url)

    def start_sqlite_beside(self) -> None:
        """With a PostgreSQL store: the same daemon on SQLite, against a fleet of its own built alike,
        read over the same windows, so the two stores are compared under the same machine load (runs
        one after the other differed by more than the stores do)."""
        fleet_pid, fleet_url = self._start_fleet("sqlite-fleet", self.args.providers)
        proc, _ = self._start_replica("sqlite", fleet_url, self.workdir / "sqlite-beside.db")
        self._beside["sqlite"] = _Beside(proc, fleet_pid, fleet_url)

    def start_daemon(self) -> tuple[float, float]:
        """Start `monitor run` and wait for /readyz; (seconds, CPU seconds) it took."""
        started = time.monotonic()
        proc, self.daemon_url = self._start_replica("daemon", self.fleet_url, self._state)
        self.daemon_pid = proc.pid
        self._proc = proc
        return time.monotonic() - started, cpu_seconds(proc.pid)

    def start_follower(self) -> tuple[subprocess.Popen[bytes], str]:
        """A second replica on the same PostgreSQL state, once the first leads: it follows."""
        return self._start_replica("follower", self.fleet_url, self._state)

    @property
    def _state(self) -> Path | str:
        return self.args.state or self.workdir / "state.db"

    def _start_replica(
        self, name: str, fleet_url: str, state: Path | str
    ) -> tuple[subprocess.Popen[bytes], str]:
        listen = f"{HOST}:{_free_port()}"
        config = write_config(
            self.workdir / f"providers-{name}.yaml",
            fleet_url=fleet_url,
            providers=self.args.providers,
            state=state,
            listen=listen,
            interval=self.args.interval,
        )
        url = f"http://{listen}"
        started = time.monotonic()
        with (self.workdir / f"{name}.log").open("wb") as log:
            proc = self.children.start(
                [sys.executable, "-m", "monitor", "run", "-c", str(config)], stdout=log, stderr=log
            )
        while not ready(url + "/readyz"):
            if proc.poll() is not None:
                raise BenchError(f"the {name} exited with {proc.returncode}: {self._tail(f'{name}.log')}")
            if time.monotonic() - started > self.args.ready_timeout:
                raise BenchError(f"the {name} was not ready in {self.args.ready_timeout:g} s")
            time.sleep(0.2)
        return proc, url

    @property
    def daemon(self) -> subprocess.Popen[bytes]:
        assert self._proc is not None, "the daemon is not started"
        return self._proc

    def read(self) -> Reading:
        """The daemon's CPU and its fleet's count."""
        return self._read(self.daemon, "daemon", self.fleet_pid, self.fleet_url)

    def read_beside(self) -> dict[str, Reading]:
        """The CPU of each program running beside the daemon, and its own fleet's count."""
        return {name: self._read(b.proc, name, b.fleet_pid, b.fleet_url) for name, b in self._beside.items()}

    def _read(self, proc: subprocess.Popen[bytes], name: str, fleet_pid: int, fleet_url: str) -> Reading:
        if proc.poll() is not None:
            raise BenchError(f"the {name} exited with {proc.returncode}: {self._tail(f'{name}.log')}")
        user, system = cpu_times(proc.pid)
        stats: dict[str, Any] = get_json(fleet_url + "/stats")
        return Reading(time.monotonic(), user + system, system, cpu_seconds(fleet_pid), stats)

    def watch(
        self, phase: str, seconds: float
    ) -> tuple[tuple[Reading, Reading], dict[str, tuple[Reading, Reading]]]:
        """Readings of the daemon, and of each program beside it, at the start and end of `seconds`,
        with a progress line every `--sample` seconds."""
        first = previous = self.read()
        beside_first = beside_previous = self.read_beside()
        deadline = first.at + seconds
        while (left := deadline - time.monotonic()) > 0:
            time.sleep(min(self.args.sample, left))
            now, beside_now = self.read(), self.read_beside()
            line = (
                f"[{phase} +{now.at - first.at:4.0f}s] polls/s {now.rate(previous):7.1f}"
                f"  daemon CPU {_share(now, previous)}  fleet CPU {_share(now, previous, fleet=True)}"
                f"  RSS {memory_mb(self.daemon_pid, 'VmRSS'):5.0f} MB"
            )
            for name, reading in beside_now.items():
                before = beside_previous[name]
                line += f"  | {name} polls/s {reading.rate(before):7.1f} CPU {_share(reading, before)}"
            print(line, flush=True)
            previous, beside_previous = now, beside_now
        return (first, previous), {name: (r, beside_previous[name]) for name, r in beside_first.items()}

    def scrape(self) -> tuple[MetricsSample, float]:
        """The daemon's metrics, and the CPU that one scrape cost it."""
        before = cpu_seconds(self.daemon_pid)
        sample = scrape(self.daemon_url + "/metrics")
        return sample, cpu_seconds(self.daemon_pid) - before

    def profile(self) -> subprocess.Popen[bytes] | None:
        """py-spy over the window, if asked for: it pauses the daemon 100 times a second; figures run high."""
        if self.args.profile is None:
            return None
        py_spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
        if not Path(py_spy).exists():
            raise BenchError("--profile needs py-spy: pip install py-spy (and root, or ptrace permission)")
        argv = [py_spy, "record", "--pid", str(self.daemon_pid), "--rate", "100", "--nolineno"]
        argv += ["--format", "raw", "-o", str(self.args.profile)]
        if self.args.profile_gil:
            argv.append("--gil")
        with (self.workdir / "py-spy.log").open("wb") as log:
            return self.children.start(argv, stdout=log, stderr=log)

    def stop_beside(self) -> None:
        for beside in self._beside.values():
            self.children.stop(beside.proc)
        self._beside.clear()

    def stop_daemon(self) -> float:
        seconds = self.children.stop(self.daemon)
        if self.daemon.returncode != 0:
            print(f"warning: the daemon exited with {self.daemon.returncode}", file=sys.stderr)
        return seconds

    def _tail(self, name: str) -> str:
        path = self.workdir / name
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""


@dataclass(frozen=True, slots=True)
class _Beside:
    """A program read beside the daemon (the paced floor, the SQLite daemon) and its own fleet."""

    proc: subprocess.Popen[bytes]
    fleet_pid: int
    fleet_url: str


def _share(now: Reading, before: Reading, *, fleet: bool = False) -> str:
    """CPU share of one core between two readings, of the program or of its fleet."""
    used = now.fleet_cpu - before.fleet_cpu if fleet else now.cpu - before.cpu
    return f"{100 * used / (now.at - before.at):5.1f}%"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        port: int = s.getsockname()[1]
        return port


def measure(args: argparse.Namespace, children: Children, workdir: Path) -> Run:
    bench = Bench(args, children, workdir)
    bench.start_fleet()
    print(
        f"fleet: {max(args.providers, args.compare)} pages at {bench.fleet_url}, churn {args.churn:g}/min",
        flush=True,
    )
    startup_seconds, startup_cpu = bench.start_daemon()
    print(
        f"daemon ready in {startup_seconds:.1f} s ({startup_cpu:.1f} s CPU), pid {bench.daemon_pid}",
        flush=True,
    )
    follower = bench.start_follower() if args.failover else None
    if args.floor:
        bench.start_floor()
        print("the paced floor runs beside it, on a fleet of its own", flush=True)
    if _on_postgres(args):
        bench.start_sqlite_beside()
        print("a SQLite daemon runs beside it, on a fleet of its own", flush=True)
    settle = args.warmup if args.warmup is not None else 1.1 * args.interval
    warmup, _ = bench.watch("warm-up", settle)
    m0, scrape_cpu = bench.scrape()
    spy = bench.profile()
    window, beside = bench.watch("measure", args.duration)
    if spy is not None:  # stopped before the scrape, which is not part of the window
        spy.send_signal(signal.SIGINT)  # py-spy writes its profile on SIGINT
        spy.wait(60)
    bench.stop_beside()  # their fleets stay up until the end; idle, they cost nothing
    m1, _ = bench.scrape()
    peak = memory_mb(bench.daemon_pid, "VmHWM")
    failover = None
    if follower is not None:
        print("failover: SIGKILL of the leader...", flush=True)
        failover = kill_and_time(bench.daemon, follower[1], timeout=args.ready_timeout)
        stop_seconds = children.stop(follower[0])
    else:
        stop_seconds = bench.stop_daemon()
    comparison = None
    if args.compare:
        print(
            f"comparing poll with the bare loop on {args.compare} pages ({args.repeats} runs each)...",
            flush=True,
        )
        comparison = compare(
            children,
            bench.fleet_url,
            args.compare,
            workdir / "compare",
            repeats=args.repeats,
            instructions=args.instructions,
        )
    return Run(
        providers=args.providers,
        interval=args.interval,
        churn=args.churn,
        startup_seconds=startup_seconds,
        startup_cpu=startup_cpu,
        warmup=warmup,
        window=window,
        metrics=(m0, m1),
        scrape_cpu=scrape_cpu,
        peak_rss_mb=peak,
        stop_seconds=stop_seconds,
        comparison=comparison,
        failover=failover,
        floor=beside.get("floor"),
        sqlite=beside.get("sqlite"),
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench.run",
        description=(__doc__ or "").splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--providers", type=int, default=10_000, help="providers the daemon polls (default 10000)"
    )
    parser.add_argument("--interval", type=float, default=60.0, help="poll interval, seconds (default 60)")
    parser.add_argument(
        "--duration",
        type=float,
        default=300.0,
        help="measured window, seconds (default 300: a whole heartbeat cycle, see monitor/poller.py)",
    )
    parser.add_argument("--warmup", type=float, help="seconds before the window (default 1.1 x interval)")
    parser.add_argument(
        "--churn", type=float, default=0.01, help="fraction of pages changed per minute (0.01)"
    )
    parser.add_argument(
        "--compare", type=int, default=1000, help="pages for poll vs bare loop, 0 to skip (1000)"
    )
    parser.add_argument(
        "--no-floor",
        dest="floor",
        action="store_false",
        help="skip the paced floor (bench/paced.py) measured beside the daemon",
    )
    parser.add_argument("--repeats", type=int, default=7, help="runs of each comparison program (default 7)")
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="also count each comparison program's instructions under valgrind (repeatable; ~2 min)",
    )
    parser.add_argument(
        "--sample", type=float, default=10.0, help="seconds between progress lines (default 10)"
    )
    parser.add_argument("--ready-timeout", type=float, default=300.0, help="seconds to wait for /readyz")
    parser.add_argument("--seed", type=int, default=1, help="seed of the fleet's pages and churn")
    parser.add_argument("--json", type=Path, help="also write the figures to this file as JSON")
    parser.add_argument("--profile", type=Path, help="py-spy raw profile of the daemon over the window")
    parser.add_argument(
        "--profile-gil",
        action="store_true",
        help="profile only samples holding the GIL (Python code at work)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the work directory (config, logs, state)")
    parser.add_argument(
        "--state",
        help=(
            "the daemon's store: postgresql://... (an empty database; default SQLite in the work dir); "
            "on PostgreSQL a SQLite daemon runs beside it, on a fleet of its own, for the store's ratio"
        ),
    )
    parser.add_argument(
        "--failover",
        action="store_true",
        help="with --state postgresql://: a second replica; time its takeover after SIGKILL of the leader",
    )
    return parser


def _terminate(signum: int, _: FrameType | None) -> None:
    raise SystemExit(128 + signum)  # unwinds through `finally`, which stops the children


def _on_postgres(args: argparse.Namespace) -> bool:
    return (args.state or "").startswith(("postgresql://", "postgres://"))


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.failover and not _on_postgres(args):
        parser.error("--failover needs --state postgresql://... (replicas share a PostgreSQL store)")
    signal.signal(signal.SIGTERM, _terminate)
    workdir = Path(tempfile.mkdtemp(prefix="outage-bench-"))
    children = Children()
    try:
        run = measure(args, children, workdir)
    except (BenchError, CompareError, FailoverError) as error:
        print(f"benchmark failed: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted: no figures", file=sys.stderr)
        return 130
    finally:
        children.stop_all()
        if args.keep:
            print(f"work directory kept: {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    figures = run.summary()
    print()
    print(render_table(rows(figures)))
    if args.json is not None:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    if args.profile is not None and args.profile.exists():
        with args.profile.open(encoding="utf-8") as lines:
            print("\nwhere the daemon's CPU went (py-spy, measured window):\n" + render(read_profile(lines)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
