"""The performance benchmark: one table from one run.

    python benchmarks/run.py                                   # 10^3, 10^4, 10^5 claims, every engine
    python benchmarks/run.py --sizes 1000000 --engines handwritten,alignrules,duckdb
    python benchmarks/run.py --sizes 1000,10000 --engines alignrules --no-extras

For every engine and size, a worker process (`engines.py`) loads and checks a generated plan
(`generate.py`) up to --repeat times and reports the best times and its peak RSS. Every
engine's findings are compared with the hand-written baseline's before its row is printed;
a mismatch is shown in the row and listed below the table. An engine that is not installed,
crashes or times out gets a row that says so.

Then, unless --no-extras: `import alignrules` time, a 100-rule ruleset's cold compile time,
`alignrules.load` of an unchanged ruleset (from the in-memory cache), and, when 10^6 is among
the sizes (or with --cli-size), the CLI end to end on that plan with its peak RSS.
Finally the performance targets, each with the measured value.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from engines import ENGINES  # noqa: E402
from generate import OUT, counts, plan_path  # noqa: E402

DEFAULT_ENGINES = [
    "handwritten",
    "handwritten-nogc",
    "alignrules",
    "alignrules-json",
    "duckdb",
    "alignrules-duckdb",
    "opa",
    "cel-rust",
    "cel-python",
    "rule-engine",
]
POLICY_ENGINES = ("opa", "cel-rust", "cel-python", "rule-engine")
BASELINE = "handwritten"


def _env() -> dict[str, str]:
    """The environment of every measured process: bytecode caching on, as an installed
    package has it (this machine sets PYTHONDONTWRITEBYTECODE, which makes every import
    compile its module from source)."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HERE), env.get("PYTHONPATH", "")]))
    return env


# ------------------------------------------------------------------ engines × sizes
def run_engine(
    engine: str, n: int, path: Path, repeat: int, timeout: float, budget: float
) -> dict[str, Any]:
    findings = OUT / f"findings-{engine}-{n}.json"
    findings.unlink(missing_ok=True)
    cmd = [
        sys.executable,
        str(HERE / "engines.py"),
        "--engine",
        engine,
        "--plan",
        str(path),
        "--repeat",
        str(repeat),
        "--budget",
        str(budget),
        "--findings",
        str(findings),
    ]
    try:
        proc = subprocess.run(
            cmd, capture_output=True, text=True, timeout=timeout, env=_env(), check=False
        )
    except subprocess.TimeoutExpired:
        return {"engine": engine, "error": f"timed out after {timeout:.0f} s"}
    lines = proc.stdout.strip().splitlines()
    try:
        result: dict[str, Any] = json.loads(lines[-1])
    except (IndexError, json.JSONDecodeError):
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        return {"engine": engine, "error": f"worker failed (exit {proc.returncode}): {tail}"}
    return result


def compare(result: dict[str, Any], baseline: set[tuple[str, ...]] | None) -> str | None:
    """None when the engine found what the baseline found, else what differs."""
    if baseline is None or "findings_file" not in result:
        return None
    got = {tuple(f) for f in json.loads(Path(result["findings_file"]).read_text())}
    if got == baseline:
        return None
    missing, extra = sorted(baseline - got), sorted(got - baseline)
    return (
        f"{len(missing)} findings of the baseline missing, {len(extra)} extra; "
        f"missing e.g. {missing[:3]}, extra e.g. {extra[:3]}"
    )


def fmt_s(x: float) -> str:
    return f"{x:.3f}" if x < 10 else f"{x:.1f}"


def fmt_ratio(x: float) -> str:
    return f"{x:.2f}×" if x < 10 else f"{x:.0f}×"


def table(rows: list[dict[str, Any]]) -> str:
    head = (
        "| engine | claims | load+bind s | check s | end-to-end s | peak RSS MiB "
        "| claims/s | load × base | check × base | e2e × base | note |"
    )
    out = [head, "|" + "---|" * 11]
    for r in rows:
        if "error" in r:
            out.append(
                f"| {r['engine']} | {r['n']:,} | – | – | – | – | – | – | – | – | {r['error']} |"
            )
            continue
        base = r.get("base")
        ratios = ["–", "–", "–"]
        if base is not None:
            ratios = [
                fmt_ratio(r["load"] / base["load"]),
                fmt_ratio(r["check"] / base["check"]),
                fmt_ratio(r["total"] / base["total"]),
            ]
        note = r.get("note") or ("ok" if r["runs"] > 1 else "ok (1 run)")
        out.append(
            f"| {r['engine']} | {r['n']:,} | {fmt_s(r['load'])} | {fmt_s(r['check'])} "
            f"| {fmt_s(r['total'])} | {r['peak_rss_mib']:.0f} | {r['n'] / r['total']:,.0f} "
            f"| {' | '.join(ratios)} | {note} |"
        )
    return "\n".join(out)


# ------------------------------------------------------------------ extras
def import_time(samples: int = 7) -> float:
    """Median seconds of `import alignrules` in a fresh interpreter (bytecode cached)."""
    code = "import alignrules"
    subprocess.run([sys.executable, "-c", code], env=_env(), check=True)  # write bytecode
    times = []
    for _ in range(samples):
        proc = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", code],
            env=_env(),
            capture_output=True,
            text=True,
            check=True,
        )
        last = [ln for ln in proc.stderr.splitlines() if ln.rstrip().endswith("| alignrules")]
        times.append(int(last[-1].split("|")[1]) / 1e6)
    return statistics.median(times)


def hundred_rules(variant: int = 0) -> str:
    """The reference schema and 100 rules: the four reference rules' shapes with different
    thresholds, names and messages (variant changes every rule, so nothing is cached)."""
    schema = (HERE / "reference.rules").read_text(encoding="utf-8")
    schema = schema[: schema.index("\nrule ")]
    rules = []
    for i in range(100):
        k = i + 1000 * variant
        shape = i % 5
        if shape == 0:
            body = f"no claim may reference a capability with status is below funded and capacity otherwise 0 < {k}"
        elif shape == 1:
            body = (
                "every claim where claim.campaign is present\n        let campaign = claim.campaign\n"
                "        must every capability in claim.capabilities\n"
                f"            must capability.ready_on is present and capability.ready_on + {k % 90} days <= campaign.launch_on"
            )
        elif shape == 2:
            body = (
                "every campaign where campaign.projected_demand is present\n"
                "        let capacity = sum(c.capacity otherwise 0 for c in (Claim referencing campaign).capabilities)\n"
                f"        must campaign.projected_demand <= capacity + {k}"
            )
        elif shape == 3:
            body = (
                "no campaign where campaign.kind = acquisition and campaign.product is present\n"
                "        let product = campaign.product\n"
                f"        may product.ltv < product.cac * {1 + k % 5} or product.price - product.unit_cost <= {k % 7} USD"
            )
        else:
            body = f'no campaign where campaign.name contains "{k}" may reference a segment without chosen'
        rules.append(
            f'rule generated-{k} {{\n    title "Generated rule {k}"\n    {body}\n'
            f'    message "{{{"claim" if shape < 2 else "campaign"}.id}} breaks rule {k}"\n}}\n'
        )
    return schema + "\n" + "\n".join(rules)


_COMPILE_PROBE = textwrap.dedent(
    """
    import json, sys, time
    import alignrules
    paths = sys.argv[1:]
    t0 = time.perf_counter(); alignrules.load(paths[0]); t1 = time.perf_counter()
    alignrules.load(paths[1]); t2 = time.perf_counter()
    cached = []
    for _ in range(21):
        s = time.perf_counter(); alignrules.load(paths[0]); cached.append(time.perf_counter() - s)
    cached.sort()
    ref = sys.argv[0]
    print(json.dumps({"cold": t1 - t0, "warm": t2 - t1, "cached": cached[len(cached) // 2]}))
    """
)


def compile_times(tmp: Path) -> dict[str, float]:
    a, b = tmp / "hundred-a.rules", tmp / "hundred-b.rules"
    a.write_text(hundred_rules(0), encoding="utf-8")
    b.write_text(hundred_rules(1), encoding="utf-8")
    runs = []
    for _ in range(3):
        proc = subprocess.run(
            [sys.executable, "-c", _COMPILE_PROBE, str(a), str(b)],
            env=_env(),
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            raise RuntimeError(f"compiling the 100-rule ruleset failed:\n{proc.stderr[-2000:]}")
        runs.append(json.loads(proc.stdout))
    return {k: min(r[k] for r in runs) for k in ("cold", "warm", "cached")}


def cli_run(n: int, path: Path, timeout: float) -> dict[str, Any]:
    """`alignrules check` end to end on the plan; wall time and the child's peak RSS."""
    report = OUT / f"cli-report-{n}.json"
    cmd = [
        sys.executable,
        "-m",
        "alignrules",
        "check",
        str(HERE / "reference.rules"),
        "--data",
        str(path),
        "--as-of",
        "2026-01-01",
        "--format",
        "json",
    ]
    t0 = time.perf_counter()
    with report.open("wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.PIPE, env=_env(), cwd=ROOT)
        deadline = t0 + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                return {"error": f"timed out after {timeout:.0f} s"}
            time.sleep(0.05)
    wall = time.perf_counter() - t0
    code = os.waitstatus_to_exitcode(status)
    proc.returncode = code
    err = proc.stderr.read().decode() if proc.stderr else ""
    if code not in (0, 1):
        return {"error": f"exit {code}: {err.strip()[-300:]}"}
    violations = len(json.loads(report.read_bytes())["violations"])
    return {"wall": wall, "rss_mib": usage.ru_maxrss / 1024, "exit": code, "violations": violations}


# ------------------------------------------------------------------ main
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000,10000,100000", help="claims per plan, comma-separated")
    ap.add_argument(
        "--engines",
        default=",".join(DEFAULT_ENGINES),
        help=f"comma-separated, from: {', '.join(ENGINES)} (the baseline always runs)",
    )
    ap.add_argument("--repeat", type=int, default=5, help="runs per engine and size (best is kept)")
    ap.add_argument("--timeout", type=float, default=300, help="seconds per engine and size")
    ap.add_argument("--budget", type=float, default=20, help="repeat only while runs fit this")
    ap.add_argument("--seed", type=int, default=20261122)
    ap.add_argument("--no-extras", action="store_true", help="only the engines × sizes table")
    ap.add_argument(
        "--cli-size", type=int, help="run the CLI on this size (default: 10^6 if listed)"
    )
    args = ap.parse_args(argv)

    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    unknown = [e for e in engines if e not in ENGINES]
    if unknown:
        ap.error(f"unknown engines {unknown}; known: {', '.join(ENGINES)}")
    if BASELINE not in engines:
        engines.insert(0, BASELINE)
    engines.sort(key=lambda e: e != BASELINE)

    started = time.perf_counter()
    print(
        f"# alignrules benchmark: {sys.version.split()[0]} on {os.cpu_count()} cores; "
        f"sizes {', '.join(f'{n:,}' for n in sizes)}; best of {args.repeat}",
        file=sys.stderr,
    )
    rows: list[dict[str, Any]] = []
    mismatches: list[str] = []
    results: dict[tuple[str, int], dict[str, Any]] = {}
    for n in sizes:
        t = time.perf_counter()
        path = plan_path(n, args.seed)
        c = counts(n)
        print(
            f"plan {n:,} claims ({c['capabilities']:,} capabilities, {c['campaigns']:,} campaigns, "
            f"{c['products']:,} products, {c['objectives']:,} objectives, {c['segments']:,} segments): "
            f"{path.stat().st_size / 1e6:.1f} MB, ready in {time.perf_counter() - t:.1f} s",
            file=sys.stderr,
        )
        baseline: set[tuple[str, ...]] | None = None
        base: dict[str, Any] | None = None
        for engine in engines:
            prev = [m for m in sizes if m < n and (engine, m) in results]
            if prev:
                last = results[(engine, prev[-1])]
                if "error" in last and ("timed out" in last["error"] or "skipped" in last["error"]):
                    results[(engine, n)] = {
                        "engine": engine,
                        "error": "skipped: too slow at a smaller size",
                    }
                    rows.append({**results[(engine, n)], "n": n})
                    continue
                guess = last.get("total", 0) * n / prev[-1] * 1.1  # one run, slightly superlinear
                if guess > args.timeout:
                    msg = (
                        f"skipped: about {guess:.0f} s per run expected from {prev[-1]:,} claims "
                        f"(timeout {args.timeout:.0f} s)"
                    )
                    results[(engine, n)] = {"engine": engine, "error": msg}
                    rows.append({**results[(engine, n)], "n": n})
                    continue
            t = time.perf_counter()
            repeat = args.repeat if n < 10**6 else 1
            r = run_engine(engine, n, path, repeat, args.timeout, args.budget)
            r["n"] = n
            print(
                f"  {engine:18} {n:>9,}: {time.perf_counter() - t:6.1f} s"
                + (f"  ({r['error']})" if "error" in r else ""),
                file=sys.stderr,
            )
            if engine == BASELINE and "findings_file" in r:
                baseline = {tuple(f) for f in json.loads(Path(r["findings_file"]).read_text())}
                base = r
            diff = compare(r, baseline)
            if diff:
                r["note"] = "MISMATCH with the baseline"
                mismatches.append(f"{engine} at {n:,} claims: {diff}")
            if "error" not in r:
                r["base"] = base
            results[(engine, n)] = r
            rows.append(r)

    print()
    print(table(rows))
    print()
    if mismatches:
        print("MISMATCHES (an engine found something else than the baseline):")
        for m in mismatches:
            print(f"  - {m}")
        print()
    else:
        print("Every engine that ran found exactly the baseline's findings at every size.")
        print()

    # Growth, 10x data.
    growth = []
    for engine in engines:
        for a, b in itertools.pairwise(sizes):
            ra, rb = results.get((engine, a), {}), results.get((engine, b), {})
            if "total" in ra and "total" in rb and b == 10 * a:
                growth.append(
                    f"| {engine} | {a:,} → {b:,} | {rb['load'] / ra['load']:.1f}× | "
                    f"{rb['check'] / ra['check']:.1f}× | {rb['total'] / ra['total']:.1f}× |"
                )
    if growth:
        print("| engine | claims | load+bind grows | check grows | end-to-end grows |")
        print("|---|---|---|---|---|")
        print("\n".join(growth))
        print()

    extras: dict[str, Any] = {}
    if not args.no_extras:
        extras["import"] = import_time()
        with tempfile.TemporaryDirectory() as tmp:
            extras["compile"] = compile_times(Path(tmp))
        cli_size = args.cli_size or (10**6 if 10**6 in sizes else None)
        if cli_size:
            extras["cli"] = cli_run(cli_size, plan_path(cli_size, args.seed), args.timeout * 4)
            extras["cli_size"] = cli_size
        print("| measurement | value |")
        print("|---|---|")
        print(
            f"| `import alignrules` (median of 7, fresh interpreter) | {extras['import'] * 1000:.0f} ms |"
        )
        comp = extras["compile"]
        print(f"| 100-rule ruleset, first compile in a fresh process | {comp['cold']:.3f} s |")
        print(f"| another 100-rule ruleset, same process | {comp['warm']:.3f} s |")
        print(
            f"| `alignrules.load` of the unchanged ruleset (median of 21) | {comp['cached'] * 1000:.1f} ms |"
        )
        if "cli" in extras:
            cli = extras["cli"]
            if "error" in cli:
                print(f"| CLI at {extras['cli_size']:,} claims | {cli['error']} |")
            else:
                print(
                    f"| `alignrules check --format json` at {extras['cli_size']:,} claims | "
                    f"{cli['wall']:.1f} s, peak RSS {cli['rss_mib']:,.0f} MiB, "
                    f"{cli['violations']:,} violations, exit {cli['exit']} |"
                )
        print()

    print(targets(results, sizes, extras))
    print(f"\n(whole run: {time.perf_counter() - started:.0f} s)")
    return 1 if mismatches else 0


def targets(
    results: dict[tuple[str, int], dict[str, Any]], sizes: list[int], extras: dict[str, Any]
) -> str:
    lines = ["Performance targets:"]

    def mark(ok: bool) -> str:
        return "met    " if ok else "NOT met"

    for n in (10**5, 10**6):
        a, b = results.get(("alignrules", n), {}), results.get((BASELINE, n), {})
        aj = results.get(("alignrules-json", n), {})
        if "check" in a and "check" in b:
            ratio = a["check"] / b["check"]
            lines.append(
                f"  {mark(ratio <= 1.3)} check within 1.3× of the baseline at {n:,}: {ratio:.2f}×"
            )
        if "load" in a and "load" in b:
            ratio = a["load"] / b["load"]
            lines.append(
                f"  {mark(ratio <= 1.5)} load+bind within 1.5× (alignrules' reader) at {n:,}: {ratio:.2f}×"
            )
        if "load" in aj and "load" in b:
            ratio = aj["load"] / b["load"]
            lines.append(
                f"  {mark(ratio <= 1.5)} load+bind within 1.5× (json.load + binder) at {n:,}: {ratio:.2f}×"
            )
    for n in (10**4, 10**5):
        a = results.get(("alignrules", n), {})
        for peer in POLICY_ENGINES:
            p = results.get((peer, n), {})
            if "total" in a and "total" in p:
                f = p["total"] / a["total"]
                lines.append(f"  {mark(f >= 10)} ≥10× faster than {peer} at {n:,}: {f:.1f}×")
            elif "total" in a and "error" in p:
                lines.append(f"  n/a     {peer} at {n:,}: {p['error']}")
    if 10**5 in sizes and 10**6 in sizes:
        a, b = results.get(("alignrules", 10**5), {}), results.get(("alignrules", 10**6), {})
        if "total" in a and "total" in b:
            g = b["total"] / a["total"]
            lines.append(f"  {mark(g <= 11)} 10^6 at most 11× the time of 10^5: {g:.1f}×")
    lines += _sql_targets(results, sizes)
    cli = extras.get("cli")
    if cli and "rss_mib" in cli:
        lines.append(
            f"  {mark(cli['rss_mib'] <= 4096)} CLI at {extras['cli_size']:,} claims within 4 GiB: {cli['rss_mib']:,.0f} MiB"
        )
    if "compile" in extras:
        c = extras["compile"]
        lines.append(
            f"  {mark(c['cold'] < 0.5)} 100-rule ruleset compiles in under 0.5 s cold: {c['cold']:.3f} s"
        )
        lines.append(
            f"  {mark(c['cached'] < 0.02)} load of an unchanged ruleset under 20 ms: {c['cached'] * 1000:.1f} ms"
        )
    if "import" in extras:
        lines.append(
            f"  {mark(extras['import'] < 0.15)} import alignrules under 150 ms: {extras['import'] * 1000:.0f} ms"
        )
    return "\n".join(lines)


def _sql_targets(results: dict[tuple[str, int], dict[str, Any]], sizes: list[int]) -> list[str]:
    """The SQL engine's targets: beside hand-written DuckDB SQL, the hand-written Python
    baseline and the Python backend; measured here, never asserted in a test."""
    lines = []

    def mark(ok: bool) -> str:
        return "met    " if ok else "NOT met"

    for n in (10**5, 10**6):
        sql = results.get(("alignrules-duckdb", n), {})
        if "total" not in sql:
            continue
        duck = results.get(("duckdb", n), {})
        if "total" in duck:
            r = sql["total"] / duck["total"]
            lines.append(
                f"  {mark(r <= 1.2)} alignrules-duckdb within 1.2× of hand-written DuckDB"
                f" end to end at {n:,}: {r:.2f}×"
            )
        hand = results.get((BASELINE, n), {})
        if n == 10**6 and "total" in hand:
            f = hand["total"] / sql["total"]
            lines.append(
                f"  {mark(f >= 3)} alignrules-duckdb ≥3× faster than hand-written Python"
                f" at {n:,}: {f:.2f}×"
            )
        py = results.get(("alignrules", n), {})
        if "peak_rss_mib" in sql and "peak_rss_mib" in py:
            lines.append(
                f"  {mark(sql['peak_rss_mib'] < py['peak_rss_mib'])} alignrules-duckdb peak memory below"
                f" the Python backend's at {n:,}: {sql['peak_rss_mib']:,.0f} vs {py['peak_rss_mib']:,.0f} MiB"
            )
    a = results.get(("alignrules-duckdb", 10**5), {})
    b = results.get(("alignrules-duckdb", 10**6), {})
    if "total" in a and "total" in b:
        g = b["total"] / a["total"]
        lines.append(f"  {mark(g <= 11)} alignrules-duckdb 10^6 at most 11× 10^5: {g:.1f}×")
    return lines


if __name__ == "__main__":
    raise SystemExit(main())
