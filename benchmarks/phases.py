"""Where the time of `alignrules check --format json` goes, phase by phase, on one plan.

    python benchmarks/phases.py 100000             # best of 3
    python benchmarks/phases.py 1000000 --repeat 1

The phases are what `alignrules check` does, in order, each timed on its own: read the file
and parse the JSON (`read_plan`), bind it (the generated `load`), check (the generated
`check`: rules and `Report.build`), locate every violation in the JSON text
(`Report.with_locations`, given all the report's pointers at once), render the JSON report.
The ruleset is compiled first (not timed here; `run.py` measures compile times). Run it
with bytecode caching on, like `run.py`, for import-time-sensitive numbers; the phases
themselves do not depend on it. Each phase's best wall time and best CPU time are printed.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import plan_path  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("claims", type=int, help="plan size (generated if missing)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per phase; the best is kept")
    ap.add_argument("--seed", type=int, default=20261122)
    args = ap.parse_args(argv)

    import alignrules
    from alignrules.data.from_json import bulk_locator
    from alignrules.data.read import read_plan
    from alignrules.gcpause import gc_paused
    from alignrules.render.json import render_json

    path = plan_path(args.claims, args.seed)
    checker = alignrules.load(HERE / "reference.rules")
    module = checker.module
    as_of = date(2026, 1, 1)
    state: dict[str, Any] = {}

    def read() -> None:
        state["data"] = read_plan(path)

    def bind() -> None:
        state["plan"] = module.load(state["data"].root, "json")

    def check() -> None:
        state["report"] = module.check(state["plan"], today=as_of)

    def locate() -> None:
        data = state["data"]
        with gc_paused():  # as Checker.check does: every pointer at once where it can
            state["located"] = state["report"].with_locations(data.locate, bulk_locator(data))

    def render() -> None:
        state["text"] = render_json(state["located"], tool_version=alignrules.__version__)

    phases: list[tuple[str, Callable[[], None]]] = [
        ("read + parse JSON", read),
        ("bind", bind),
        ("check (rules + Report.build)", check),
        ("locate violations", locate),
        ("render JSON report", render),
    ]
    best = {name: float("inf") for name, _ in phases}
    cpu = {name: float("inf") for name, _ in phases}
    # As `alignrules check` does: the command line allows the collector pauses.
    with alignrules.pausing_gc():
        for _ in range(args.repeat):  # each run reads the file again: a fresh locator too
            for name, run in phases:
                t, c = time.perf_counter(), time.process_time()
                run()
                best[name] = min(best[name], time.perf_counter() - t)
                cpu[name] = min(cpu[name], time.process_time() - c)
    print(
        f"{args.claims:,} claims, {len(state['report'].violations):,} violations, best of {args.repeat}"
    )
    # CPU time as well as wall time: on a shared machine, other processes lengthen the wall
    # time of a phase far more than its CPU time.
    print(f"  {'phase':30} {'wall':>10} {'cpu':>10}")
    for name, _ in phases:
        print(f"  {name:30} {best[name]:8.3f} s {cpu[name]:8.3f} s")
    print(f"  {'total':30} {sum(best.values()):8.3f} s {sum(cpu.values()):8.3f} s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  peak RSS {peak:,.0f} MiB (this process holds every phase's result at once)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
