"""The report sort before and after its second optimisation round, in one process (A/B).

    python benchmarks/sort_ab.py 100000            # best of 9
    python benchmarks/sort_ab.py 1000000 --repeat 2

Runs the generated `check` on one bound plan, alternating `Report.build`'s sort between the
one it had before (`Violation.sort_key()` per violation, a dict to drop duplicates, a lookup
per key after sorting: copied below) and today's `_sorted_violations`, and prints the best
time of each. Both must give the same report.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import plan_path  # noqa: E402


def _old_natural(text: str) -> tuple[tuple[int, int | str], ...]:
    return tuple(
        (0, int(p)) if p.isdecimal() and p.isascii() else (1, p)
        for p in re.split(r"(\d+)", text)
        if p
    )


def _old_key(v: Any) -> tuple[Any, ...]:  # sort_key() as it was, with today's tie-breaks
    return (
        -v.severity,
        v.rule,
        v.entity,
        _old_natural(v.key),
        v.key,
        v.location.pointer,
        tuple((t, _old_natural(k), k) for t, k in v.related),
        v.message,
    )


def _old_sorted(items: Any) -> tuple[Any, ...]:
    unique = {_old_key(item): item for item in items}
    return tuple(unique[k] for k in sorted(unique))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("claims", type=int)
    ap.add_argument("--repeat", type=int, default=9)
    args = ap.parse_args(argv)

    import alignrules
    from alignrules.data.read import read_plan
    from alignrules.runtime import report

    module = alignrules.load(HERE / "reference.rules").module
    plan = module.load(read_plan(plan_path(args.claims)).root)
    as_of = date(2026, 1, 1)
    new = report._sorted_violations
    best = {"old": float("inf"), "new": float("inf")}
    results = {}
    for _ in range(args.repeat):
        for name, sort in (("old", _old_sorted), ("new", new)):
            report._sorted_violations = sort  # type: ignore[assignment]
            t = time.perf_counter()
            results[name] = module.check(plan, today=as_of)
            best[name] = min(best[name], time.perf_counter() - t)
    report._sorted_violations = new
    assert results["old"] == results["new"], "the two sorts disagree"
    print(
        f"{args.claims:,} claims, {len(results['new'].violations):,} violations, "
        f"best of {args.repeat}: check {best['old']:.3f} s with the old sort, "
        f"{best['new']:.3f} s with the new"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
