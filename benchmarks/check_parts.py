"""Where the compiled checker's check time goes, beside the hand-written baseline's check.

    python benchmarks/check_parts.py 100000            # best of 7
    python benchmarks/check_parts.py 10000 --repeat 15
    python benchmarks/check_parts.py 1000000 --repeat 2

One process, one bound plan, CPU time (the machine is shared: CPU time of the best of N
runs is what moves least). Each row is timed on its own and divided by the baseline's
check in the same run:

- the baseline's check (`handwritten.check`: bare `(rule, key, related)` tuples, unsorted);
- the generated `check` (rules + `Report.build`), with the collector on and paused;
- the rules alone (every rule function of the module drained, collector paused);
- `Report.build` alone on what the rules found (the sort and de-duplication);
- making the report's records alone: each violation's `Violation` and `Location`s built
  again from its fields (message text already made), against a bare tuple per violation.

The last two rows are the part of the check the baseline does not do at all; the rules'
row minus the records' row is what the rule loops and their messages cost.
"""

from __future__ import annotations

import argparse
import gc
import inspect
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import plan_path  # noqa: E402

AS_OF = date(2026, 11, 22)


def _best(work: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.process_time()
        work()
        times.append(time.process_time() - start)
    return min(times)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("claims", type=int)
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args(argv)

    import handwritten

    import alignrules
    from alignrules.data.read import read_plan
    from alignrules.runtime.report import Location, Report, Violation

    path = plan_path(args.claims)
    if not path.exists():
        print(f"no plan at {path}: run `python benchmarks/generate.py {args.claims}`")
        return 2
    module: Any = alignrules.load(HERE / "reference.rules").module
    plan = module.load(read_plan(path).root)
    base_plan = handwritten.load(path)
    report = module.check(plan, today=AS_OF)
    found = [*plan.problems, *report.violations]

    def run_rules() -> None:
        for _info, rule in module.RULES:
            wanted = inspect.signature(rule).parameters
            subjects = _subjects(plan, rule)
            extra = [a for n, a in (("plan", plan), ("params", module.Params())) if n in wanted]
            for _ in rule(iter(subjects), *extra):
                pass

    def records() -> None:
        [
            Violation(
                v.rule,
                v.severity,
                v.message,
                v.entity,
                v.key,
                Location(None, v.location.pointer),
                v.related,
                v.field,
                None if v.field_location is None else Location(None, v.field_location.pointer),
            )
            for v in found
        ]

    def tuples() -> None:
        [(v.rule, v.key, v.related) for v in found]

    def build() -> None:
        Report.build(found, report.rules, AS_OF, report.entities)

    def check() -> None:
        module.check(plan, today=AS_OF)

    rows: list[tuple[str, float]] = []
    rows.append(
        ("baseline check (bare tuples)", _best(lambda: handwritten.check(base_plan), args.repeat))
    )
    rows.append(("alignrules check, collector on", _best(check, args.repeat)))
    gc.collect()
    gc.disable()
    try:
        rows.append(("alignrules check, collector paused", _best(check, args.repeat)))
        rows.append(("  the rules alone", _best(run_rules, args.repeat)))
        rows.append(("    of which the records (Violation, Location)", _best(records, args.repeat)))
        rows.append(("    a bare tuple per violation instead", _best(tuples, args.repeat)))
        rows.append(("  Report.build alone (sort, de-duplication)", _best(build, args.repeat)))
    finally:
        gc.enable()
    base = rows[0][1]
    print(f"{args.claims:,} claims, {len(found):,} violations, CPU time, best of {args.repeat}")
    print(f"{'part':50} {'seconds':>9} {'× baseline':>11} {'µs/violation':>13}")
    for name, seconds in rows:
        per = seconds / len(found) * 1e6 if found else 0.0
        print(f"{name:50} {seconds:9.4f} {seconds / base:10.2f}× {per:13.2f}")
    return 0


def _subjects(plan: Any, rule: Callable[..., Any]) -> Any:
    """The records a rule function walks: the plan's tuple named by its `subjects` type."""
    annotation = str(inspect.signature(rule).parameters["subjects"].annotation)
    entity = annotation.rsplit("[", 1)[-1].rstrip("]")
    return getattr(plan, f"all_{entity.lower()}")


if __name__ == "__main__":
    raise SystemExit(main())
