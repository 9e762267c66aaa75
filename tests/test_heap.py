"""The collector's tuning, in a fresh interpreter: it is process-wide; pytest's heap must stay as is."""

from __future__ import annotations

import json
import subprocess
import sys

PROGRAM = """
import gc, json, sys
from monitor import heap
before = gc.get_freeze_count()
heap.tune()
held = [[i] for i in range(50_000)]  # live: frozen
cycle = [None]
cycle[0] = cycle
del cycle  # garbage: collected before the freeze
heap.freeze("test")
print(json.dumps({"before": before, "threshold": gc.get_threshold()[0], "frozen": gc.get_freeze_count(),
                  "collectable_left": gc.collect()}), file=sys.stderr)
"""


def test_the_live_heap_is_set_aside_after_a_collection_and_young_collections_run_less_often() -> None:
    done = subprocess.run([sys.executable, "-c", PROGRAM], capture_output=True, text=True, check=True)
    lines = done.stderr.strip().splitlines()
    result = json.loads(lines[-1])
    assert result["before"] == 0
    assert result["threshold"] == 10_000
    assert result["frozen"] >= 50_000
    assert result["collectable_left"] == 0  # nothing left to collect: the cycle went before the freeze
    assert any("heap_frozen" in line for line in [*lines[:-1], *done.stdout.splitlines()])


ASIDE = """
import gc, json
from monitor import heap
held = [[i] for i in range(50_000)]
def state():
    return gc.get_threshold()[0], gc.get_freeze_count()
before = state()
with heap.set_aside():
    within = state()
print(json.dumps({"before": before, "within": within, "after": state()}))
"""


def test_a_command_that_runs_once_sets_the_heap_aside_while_it_runs_and_then_leaves_it_as_it_was() -> None:
    done = subprocess.run([sys.executable, "-c", ASIDE], capture_output=True, text=True, check=True)
    result = json.loads(done.stdout)
    assert result["before"] == [700, 0]
    assert result["within"][0] == 10_000
    assert result["within"][1] >= 50_000
    assert result["after"] == [700, 0]
