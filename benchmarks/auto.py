"""Where `--engine auto` switches to DuckDB: both engines on the benchmark's plans, checked
with rules that find (almost) nothing.

    python benchmarks/auto.py                       # 10^4, 10^5, 3 x 10^5 claims
    python benchmarks/auto.py --sizes 1000000
    python benchmarks/auto.py --csv                 # the same plans as folders of CSV files
    python benchmarks/auto.py --csv --reference     # ... checked with the reference rules

`run.py` times the reference rules, which fire for 10-20 % of their subjects, and on such a
plan the DuckDB engine's cost is its findings. A CI job mostly checks plans that pass; this
times that case: the reference schema with its references read as plain ids (so the loader
reports no dangling ids) and two rules the generated plans never break. Each engine runs in
a process of its own, through `Checker.check_file`, as `alignrules check` runs it.

`--csv` writes each plan as a folder of CSV files (one per collection, `claims.csv`..., list
cells joined by `;`, as spreadsheet exports write them) and checks that instead; the schema's
lists get `split ";"`. `--reference` checks with the reference rules (findings for 10-20 % of
the subjects) instead of the quiet ones.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import OUT, generate, plan_path  # noqa: E402

#: Reference fields read as plain ids: no `dangling-reference` findings.
PLAIN_IDS = {
    'objective: Objective? from "objective_id"': 'objective: text? from "objective_id"',
    'product: Product? from "product_id"': 'product: text? from "product_id"',
    'segments: list of Segment from "segment_ids"': 'segments: list of text from "segment_ids"',
    'campaign: Campaign? from "campaign_id"': 'campaign: text? from "campaign_id"',
    'capabilities: list of Capability from "capability_ids"': (
        'capabilities: list of text from "capability_ids"'
    ),
}

QUIET_RULES = """
rule long-claim {
    no claim where length(text) > 5000
    message "claim {claim.id} is long"
}

rule huge-budget {
    no campaign where budget > 1000000000 USD
    message "campaign {campaign.id} spends {campaign.budget}"
}
"""

_TIME = """
import json, resource, sys, time
from datetime import date
import alignrules
checker = alignrules.load(sys.argv[1], engine=sys.argv[3])
start = time.perf_counter()
report = checker.check_file(sys.argv[2], as_of=date(2026, 11, 22))
print(json.dumps({"s": time.perf_counter() - start, "findings": len(report.violations),
                  "mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def quiet_ruleset() -> str:
    text = (HERE / "reference.rules").read_text("utf-8")
    schema = text[: text.index("param ltv_cac_min")]
    for old, new in PLAIN_IDS.items():
        schema = schema.replace(old, new)
    return schema + QUIET_RULES


#: The reference schema's list fields, read from one CSV cell.
SPLIT_LISTS = {
    'from "segment_ids"': 'from "segment_ids" split ";"',
    'from "capability_ids"': 'from "capability_ids" split ";"',
}


def csv_ruleset(text: str) -> str:
    for old, new in SPLIT_LISTS.items():
        text = text.replace(old, new)
    return text


def csv_plan_path(n: int, seed: int = 20261122) -> Path:
    """The benchmark plan for `n` claims as a folder of CSV files, written on first use."""
    folder = OUT / f"plan-{n}-{seed}-csv"
    if not folder.is_dir():
        tmp = folder.with_name(folder.name + ".tmp")
        write_csv(n, tmp, seed)
        tmp.replace(folder)
    return folder


def write_csv(n: int, folder: Path, seed: int = 20261122) -> Path:
    """The benchmark plan for `n` claims written in `folder` as CSV files: one file per
    collection, named after its last key, with a column per key any record has."""
    plan = generate(n, seed)
    tmp = folder
    tmp.mkdir(parents=True, exist_ok=True)
    collections = {
        "objectives": plan["objectives"],
        **plan["business"],
        **plan["marketing"],
    }
    for name, records in collections.items():
        columns = list(dict.fromkeys(k for r in records for k in r))
        with (tmp / f"{name}.csv").open("w", encoding="utf-8", newline="") as f:
            out = csv.writer(f, lineterminator="\n")
            out.writerow(columns)
            out.writerows([_cell(r.get(c)) for c in columns] for r in records)
    return folder


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(map(str, value))
    return str(value)


def _size(plan: Path) -> int:
    if plan.is_dir():
        return sum(p.stat().st_size for p in plan.iterdir())
    return plan.stat().st_size


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="10000,100000,300000", help="claims, comma-separated")
    ap.add_argument("--csv", action="store_true", help="check the plans as CSV folders")
    ap.add_argument("--reference", action="store_true", help="check with the reference rules")
    args = ap.parse_args(argv)
    text = (HERE / "reference.rules").read_text("utf-8") if args.reference else quiet_ruleset()
    with tempfile.TemporaryDirectory() as tmp:
        rules = Path(tmp) / "bench.rules"
        rules.write_text(csv_ruleset(text) if args.csv else text, "utf-8")
        print("| claims | file MB | python s | duckdb s | python MiB | duckdb MiB | findings |")
        print("|---|---|---|---|---|---|---|")
        for size in (int(s) for s in args.sizes.split(",")):
            plan = csv_plan_path(size) if args.csv else plan_path(size)
            got = {}
            for engine in ("python", "duckdb"):
                out = subprocess.run(
                    [sys.executable, "-c", _TIME, str(rules), str(plan), engine],
                    check=True,
                    capture_output=True,
                    text=True,
                ).stdout
                got[engine] = json.loads(out.splitlines()[-1])
            py, duck = got["python"], got["duckdb"]
            assert py["findings"] == duck["findings"]
            print(
                f"| {size:,} | {_size(plan) / 1e6:.1f} | {py['s']:.2f} | {duck['s']:.2f}"
                f" | {py['mib']:.0f} | {duck['mib']:.0f} | {py['findings']} |"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
