"""Start-up of `alignrules check`: what a CI job or a pre-commit hook pays in each new process.

    python benchmarks/startup.py [--rounds 15] [--plan examples/aligned/plan.yaml]

Runs whole processes, alternating the cases round by round so that a machine whose speed
drifts affects them alike, and prints one table: wall and CPU time (user + system, from the
kernel's accounting of each finished child) as minimum and median, and the ratio of each
median to the interpreter's own start-up measured in the same run. The cases:

- `python -c pass`: the interpreter alone, the floor no Python tool goes below;
- `import alignrules`: the library as a host application imports it;
- `check`, warm: the standard ruleset on a shipped plan, its compiled module in the cache;
- `check`, cold: the same with an empty cache folder (parse, type-check, generate, store).

Bytecode of alignrules' own modules is written on the first run, as an installed package
has it. Nothing is asserted: the figures go in docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--plan", default="examples/aligned/plan.yaml")
    args = parser.parse_args()

    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    warm_cache = Path(tempfile.mkdtemp(prefix="alignrules-startup-"))
    cold_cache = warm_cache / "cold"
    check = [sys.executable, "-m", "alignrules", "check", "std:strategy", "--data", args.plan]
    check += ["--as-of", "2026-11-22", "--fail-on", "never"]
    cases = {
        "python -c pass": ([sys.executable, "-c", "pass"], {}),
        "import alignrules": ([sys.executable, "-c", "import alignrules"], {}),
        "check, warm cache": (check, {"ALIGNRULES_CACHE_DIR": str(warm_cache)}),
        "check, cold cache": (check, {"ALIGNRULES_CACHE_DIR": str(cold_cache)}),
    }
    try:
        for argv, extra in cases.values():  # bytecode written, the warm cache filled
            _run(argv, {**env, **extra})
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in cases}
        for _ in range(args.rounds):
            for name, (argv, extra) in cases.items():
                if name.endswith("cold cache"):
                    shutil.rmtree(cold_cache, ignore_errors=True)
                times[name].append(_run(argv, {**env, **extra}))
    finally:
        shutil.rmtree(warm_cache, ignore_errors=True)

    floor = statistics.median(w for w, _ in times["python -c pass"])
    print(f"{args.rounds} rounds, plan {args.plan}; ratios are of median wall times")
    print("| case | wall min s | wall median s | CPU min s | CPU median s | × python -c pass |")
    print("|---|---|---|---|---|---|")
    for name, runs in times.items():
        walls, cpus = [w for w, _ in runs], [c for _, c in runs]
        print(
            f"| {name} | {min(walls):.3f} | {statistics.median(walls):.3f} | {min(cpus):.3f} "
            f"| {statistics.median(cpus):.3f} | {statistics.median(walls) / floor:.1f}× |"
        )


if __name__ == "__main__":
    main()
