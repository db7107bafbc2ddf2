"""Every engine of the benchmark, behind one small interface, and the worker that times one.

    python benchmarks/engines.py --engine alignrules --plan benchmarks/out/plan-10000-20261122.json

An engine has `prepare()` (imports, compiles its rules: not timed), `load(path)` (read the plan
file and bind it: timed as load+bind) and `check(state)` (run the four reference rules: timed
as check) returning findings as `(rule, subject key, related key)` triples, the form of
`handwritten.py`. `run.py` starts one worker process per engine and size, so that imports,
caches and peak memory of one engine never touch another.

The reference rules R1-R4 are written once per engine below (alignrules: reference.rules;
OPA: Rego; CEL: one expression per rule; rule-engine: one rule per rule; DuckDB: SQL).
CEL and rule-engine evaluate one record at a time, as they are meant to be embedded: Python
looks the record's references up in dict indexes and hands the engine the record with what
it references (neither language can index a collection; given the whole plan as one value,
both copy or convert it on every access, which is quadratic: measured, see
docs/performance.md). OPA and DuckDB get the whole plan and do the joins themselves.
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import handwritten  # noqa: E402

Finding = tuple[str, str, str]
AS_OF = date(2026, 1, 1)


class Unavailable(Exception):
    """The engine's package is missing or refuses to run here; the message says why."""


def _require(module: str, package: str) -> Any:
    try:
        return __import__(module, fromlist=["_"])
    except Exception as exc:  # ImportError, or a native library that will not load
        raise Unavailable(f"`{package}` not importable: {type(exc).__name__}: {exc}") from None


class Engine:
    name = ""
    description = ""

    def prepare(self) -> None:
        """Import the engine and compile the rules (not timed)."""

    def load(self, path: Path) -> Any:
        raise NotImplementedError

    def check(self, state: Any) -> Any:
        """Run the rules; what they return is turned into findings by `findings`, untimed."""
        raise NotImplementedError

    def findings(self, result: Any) -> Iterable[Finding]:
        return result  # type: ignore[no-any-return]


# ------------------------------------------------------------------ baseline
class Handwritten(Engine):
    name = "handwritten"
    description = "json.load + hand-written binding and rules with dict indexes (the baseline)"

    def load(self, path: Path) -> Any:
        return handwritten.load(path)

    def check(self, state: Any) -> Iterable[Finding]:
        return handwritten.check(state)


class HandwrittenNoGC(Handwritten):
    name = "handwritten-nogc"
    description = "the baseline with the cyclic GC paused while it loads and checks"

    def load(self, path: Path) -> Any:
        with _gc_paused():
            return handwritten.load(path)

    def check(self, state: Any) -> Iterable[Finding]:
        with _gc_paused():
            return handwritten.check(state)


class _gc_paused:
    def __enter__(self) -> None:
        self.was = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc: object) -> None:
        if self.was:
            gc.enable()


# ------------------------------------------------------------------ alignrules
#: alignrules rule id → the finding's rule; the loader's dangling references by field.
_ALIGN_RULES = {
    "r1-unfunded-capability": "R1",
    "r2-launch-before-ready": "R2-ready",
    "r2-demand-over-capacity": "R2-capacity",
    "r3-acquisition-unit-economics": "R3",
    "r4-campaign-without-objective": "R4-objective",
    "r4-segment-outside-strategy": "R4-segment",
}
_ALIGN_DANGLING = {("Claim", "capabilities"): "R1", ("Campaign", "objective"): "R4-objective"}


def alignrules_findings(report: Any) -> Iterator[Finding]:
    for v in report.violations:
        related = v.related[0][1] if v.related else ""
        if v.rule == "dangling-reference":
            yield (
                _ALIGN_DANGLING.get((v.entity, v.field), f"dangling {v.entity}.{v.field}"),
                v.key,
                related,
            )
        else:
            yield (_ALIGN_RULES.get(v.rule, v.rule), v.key, related)


class Alignrules(Engine):
    name = "alignrules"
    description = (
        "compiled checker; plan read by alignrules' own reader (as check_file and the CLI)"
    )

    def prepare(self) -> None:
        import alignrules
        from alignrules.data.read import read_plan

        self.read_plan = read_plan
        self.module = alignrules.load(HERE / "reference.rules").module

    def load(self, path: Path) -> Any:
        return self.module.load(self.read_plan(path).root)

    def check(self, state: Any) -> Any:
        return self.module.check(state, today=AS_OF)  # a Report: sorted, with messages

    def findings(self, result: Any) -> Iterable[Finding]:
        return alignrules_findings(result)


class AlignrulesJson(Alignrules):
    name = "alignrules-json"
    description = "compiled checker on data from json.load (as Checker.check on parsed data)"

    def load(self, path: Path) -> Any:
        with open(path, "rb") as f:
            return self.module.load(json.load(f, parse_float=Decimal))


# ------------------------------------------------------------------ DuckDB
_DUCK_LOAD = """
CREATE TABLE plan AS SELECT * FROM read_json(
    '{path}', format = 'unstructured', maximum_object_size = 2000000000,
    columns = {{
        objectives: 'STRUCT(id VARCHAR, name VARCHAR, level VARCHAR, metric VARCHAR)[]',
        business: 'STRUCT(
            capabilities STRUCT(id VARCHAR, name VARCHAR, status VARCHAR, ready_on DATE, capacity BIGINT)[],
            segments STRUCT(id VARCHAR, name VARCHAR, chosen BOOLEAN)[],
            products STRUCT(id VARCHAR, name VARCHAR, price DECIMAL(18,2), unit_cost DECIMAL(18,2),
                            ltv DECIMAL(18,2), cac DECIMAL(18,2))[])',
        marketing: 'STRUCT(
            campaigns STRUCT(id VARCHAR, name VARCHAR, kind VARCHAR, channel VARCHAR,
                             budget DECIMAL(18,2), launch_on DATE, objective_id VARCHAR,
                             product_id VARCHAR, segment_ids VARCHAR[], projected_demand BIGINT)[],
            claims STRUCT(id VARCHAR, text VARCHAR, channel VARCHAR, campaign_id VARCHAR,
                          capability_ids VARCHAR[])[])'
    }});
CREATE TABLE objectives AS SELECT unnest(objectives, recursive := true) FROM plan;
CREATE TABLE capabilities AS SELECT unnest(business.capabilities, recursive := true) FROM plan;
CREATE TABLE segments AS SELECT unnest(business.segments, recursive := true) FROM plan;
CREATE TABLE products AS SELECT unnest(business.products, recursive := true) FROM plan;
CREATE TABLE campaigns AS SELECT unnest(marketing.campaigns, recursive := true) FROM plan;
CREATE TABLE claims AS SELECT unnest(marketing.claims, recursive := true) FROM plan;
CREATE TABLE claim_caps AS SELECT id AS claim, campaign_id, unnest(capability_ids) AS k FROM claims;
DROP TABLE plan;
"""

_DUCK_RULES = """
SELECT 'R1', cc.claim, cc.k
FROM claim_caps cc LEFT JOIN capabilities cap ON cap.id = cc.k
WHERE cap.id IS NULL OR cap.status = 'proposed'
UNION ALL
SELECT 'R2-ready', cc.claim, cc.k
FROM claim_caps cc
JOIN campaigns m ON m.id = cc.campaign_id
JOIN capabilities cap ON cap.id = cc.k
WHERE cap.ready_on IS NULL OR cap.ready_on > m.launch_on
UNION ALL
SELECT 'R2-capacity', m.id, ''
FROM campaigns m
LEFT JOIN (
    SELECT camp, sum(coalesce(cap.capacity, 0)) AS total
    FROM (SELECT DISTINCT campaign_id AS camp, k FROM claim_caps WHERE campaign_id IS NOT NULL) ck
    JOIN capabilities cap ON cap.id = ck.k
    GROUP BY camp
) s ON s.camp = m.id
WHERE m.projected_demand IS NOT NULL AND m.projected_demand > coalesce(s.total, 0)
UNION ALL
SELECT 'R3', m.id, ''
FROM campaigns m JOIN products p ON p.id = m.product_id
WHERE m.kind = 'acquisition' AND (p.ltv < p.cac * 3 OR p.price - p.unit_cost <= 0)
UNION ALL
SELECT 'R4-objective', m.id, coalesce(m.objective_id, '')
FROM campaigns m LEFT JOIN objectives o ON o.id = m.objective_id
WHERE o.id IS NULL
UNION ALL
SELECT 'R4-segment', ms.id, ms.s
FROM (SELECT id, unnest(segment_ids) AS s FROM campaigns) ms
JOIN segments seg ON seg.id = ms.s
WHERE NOT seg.chosen
"""


class DuckDB(Engine):
    name = "duckdb"
    description = "hand-written SQL; DuckDB reads the JSON file itself (in memory, 2 threads)"

    def prepare(self) -> None:
        self.duckdb = _require("duckdb", "duckdb")

    def load(self, path: Path) -> Any:
        con = self.duckdb.connect(":memory:")
        con.execute(_DUCK_LOAD.format(path=str(path).replace("'", "''")))
        return con

    def check(self, state: Any) -> Iterable[Finding]:
        rows = state.execute(_DUCK_RULES).fetchall()
        state.close()
        return [(r, str(s), str(k)) for r, s, k in rows]


class AlignrulesDuckDB(Engine):
    name = "alignrules-duckdb"
    description = (
        "the reference rules' SQL translation on DuckDB (`--engine duckdb`), from the plan file:"
        " DuckDB reads the JSON itself; all of it is timed as check"
    )

    def prepare(self) -> None:
        _require("duckdb", "duckdb")
        import alignrules

        compiled = alignrules.load(HERE / "reference.rules").compiled
        self.checker = alignrules.Checker(compiled, engine="duckdb")

    def load(self, path: Path) -> Any:
        return path  # the engine reads the file itself, inside check_file

    def check(self, state: Any) -> Any:
        # A 10^7-claim plan (1.6 GB) is over the default 256 MiB limit on plan files.
        return self.checker.check_file(state, as_of=AS_OF, max_bytes=state.stat().st_size)

    def findings(self, result: Any) -> Iterable[Finding]:
        return alignrules_findings(result)


# ------------------------------------------------------------------ Open Policy Agent
REGO = (
    (HERE / "reference.rego").read_text(encoding="utf-8")
    if (HERE / "reference.rego").exists()
    else ""
)


class OPA(Engine):
    name = "opa"
    description = "Open Policy Agent in process (opa-golib-python-bindings); Rego in reference.rego"

    def prepare(self) -> None:
        self.opa = _require("opa_bindings", "opa-golib-python-bindings")

    def load(self, path: Path) -> Any:
        engine = self.opa.OpaEngine()
        engine.add_policy("reference.rego", REGO)
        raw = path.read_bytes()
        try:  # hand the file's bytes to Go as they are, rather than parse and re-serialize them
            from opa_bindings.engine import _cstr

            engine._call(engine._lib.OpaAddData, _cstr("plan"), raw)
        except (ImportError, AttributeError):
            engine.add_data(json.loads(raw), path="plan")
        return engine

    def check(self, state: Any) -> Iterable[Finding]:
        out = [tuple(v) for v in state.eval_document("reference.violations")]
        state.close()
        return out  # type: ignore[return-value]


# ------------------------------------------------------------------ per-record engines
class Plain:
    """The plan as json.load gives it, with the dict indexes every per-record engine uses."""

    def __init__(self, path: Path) -> None:
        with open(path, "rb") as f:
            raw = json.load(f)
        business, marketing = raw["business"], raw["marketing"]
        self.claims: list[dict[str, Any]] = marketing["claims"]
        self.campaigns: list[dict[str, Any]] = marketing["campaigns"]
        self.caps = {c["id"]: c for c in business["capabilities"]}
        self.campaign_ix = {m["id"]: m for m in self.campaigns}
        self.products = {p["id"]: p for p in business["products"]}
        self.objectives = {o["id"]: o for o in raw["objectives"]}
        self.segments = {s["id"]: s for s in business["segments"]}
        # Capabilities per campaign, each once (the grouping R2 needs; neither CEL nor
        # rule-engine can group).
        self.campaign_caps: dict[str, dict[str, None]] = {}
        for claim in self.claims:
            camp = claim.get("campaign_id")
            if camp is not None:
                self.campaign_caps.setdefault(camp, {}).update(
                    dict.fromkeys(claim["capability_ids"])
                )

    def sub(self, index: dict[str, Any], keys: Iterable[str]) -> dict[str, Any]:
        """The entries of `index` that `keys` name (dangling keys left out)."""
        return {k: index[k] for k in keys if k in index}

    # The activations: each rule's subject with what it references, per record.
    def r1(self) -> Iterator[tuple[str, dict[str, Any]]]:
        for claim in self.claims:
            yield (
                claim["id"],
                {"claim": claim, "caps": self.sub(self.caps, claim["capability_ids"])},
            )

    def r2_ready(self) -> Iterator[tuple[str, dict[str, Any]]]:
        empty: dict[str, Any] = {}
        for claim in self.claims:
            camp = self.campaign_ix.get(claim.get("campaign_id"), empty)  # type: ignore[arg-type]
            yield (
                claim["id"],
                {
                    "claim": claim,
                    "campaign": camp,
                    "caps": self.sub(self.caps, claim["capability_ids"]),
                },
            )

    def r2_capacity(self) -> Iterator[tuple[str, dict[str, Any]]]:
        for m in self.campaigns:
            keys = self.campaign_caps.get(m["id"], {})
            yield m["id"], {"campaign": m, "caps": self.sub(self.caps, keys)}

    def r3(self) -> Iterator[tuple[str, dict[str, Any]]]:
        empty: dict[str, Any] = {}
        for m in self.campaigns:
            product = self.products.get(m.get("product_id"), empty)  # type: ignore[arg-type]
            yield m["id"], {"campaign": m, "product": product}

    def r4_objective(self) -> Iterator[tuple[str, dict[str, Any]]]:
        empty: dict[str, Any] = {}
        for m in self.campaigns:
            objective = self.objectives.get(m.get("objective_id"), empty)  # type: ignore[arg-type]
            yield m["id"], {"campaign": m, "objective": objective}

    def r4_segment(self) -> Iterator[tuple[str, dict[str, Any]]]:
        for m in self.campaigns:
            yield m["id"], {"campaign": m, "segments": self.sub(self.segments, m["segment_ids"])}


#: CEL: each expression gives the related keys of the subject's findings ("" for none).
CEL_RULES: dict[str, tuple[str, str]] = {
    "R1": (
        "r1",
        "claim.capability_ids.filter(k, !(k in caps) || caps[k].status == 'proposed')",
    ),
    "R2-ready": (
        "r2_ready",
        "has(campaign.launch_on) ? claim.capability_ids.filter(k, k in caps"
        " && (!has(caps[k].ready_on) || caps[k].ready_on > campaign.launch_on)) : []",
    ),
    "R2-capacity": (
        "r2_capacity",
        "has(campaign.projected_demand) && campaign.projected_demand"
        " > total(caps.map(k, has(caps[k].capacity) ? caps[k].capacity : 0)) ? [''] : []",
    ),
    "R3": (
        "r3",
        "campaign.kind == 'acquisition' && has(product.ltv)"
        " && (product.ltv < product.cac * 3.0 || product.price - product.unit_cost <= 0.0)"
        " ? [''] : []",
    ),
    "R4-objective": (
        "r4_objective",
        "!has(campaign.objective_id) ? [''] : has(objective.id) ? [] : [campaign.objective_id]",
    ),
    "R4-segment": (
        "r4_segment",
        "campaign.segment_ids.filter(s, s in segments && !segments[s].chosen)",
    ),
}


def _total(values: Any) -> int:
    return sum(int(v) for v in values)


class CelRust(Engine):
    name = "cel-rust"
    description = "CEL, Rust interpreter (common-expression-language); one evaluation per record"

    def prepare(self) -> None:
        self.cel = _require("cel", "common-expression-language")
        self.programs = {
            rule: (gen, self.cel.compile(src)) for rule, (gen, src) in CEL_RULES.items()
        }

    def load(self, path: Path) -> Any:
        return Plain(path)

    def check(self, state: Plain) -> Iterable[Finding]:
        out: list[Finding] = []
        functions = {"total": _total}
        for rule, (gen, program) in self.programs.items():
            for key, activation in getattr(state, gen)():
                ctx = self.cel.Context(activation, functions)
                for related in program.execute(ctx):
                    out.append((rule, key, related))
        return out


class CelPython(Engine):
    name = "cel-python"
    description = "CEL, pure-Python interpreter (cel-python); one evaluation per record"

    def prepare(self) -> None:
        self.celpy = _require("celpy", "cel-python")
        celtypes = _require("celpy.celtypes", "cel-python")
        env = self.celpy.Environment()

        def total(values: Any) -> Any:
            return celtypes.IntType(sum(int(v) for v in values))

        self.programs = {
            rule: (gen, env.program(env.compile(src), functions={"total": total}))
            for rule, (gen, src) in CEL_RULES.items()
        }

    def load(self, path: Path) -> Any:
        return Plain(path)

    def check(self, state: Plain) -> Iterable[Finding]:
        out: list[Finding] = []
        to_cel = self.celpy.json_to_cel
        for rule, (gen, program) in self.programs.items():
            for key, activation in getattr(state, gen)():
                act = {name: to_cel(value) for name, value in activation.items()}
                for related in program.evaluate(act):
                    out.append((rule, key, str(related)))
        return out


#: rule-engine: each rule gives the related keys of the subject's findings ("" for none).
#: (A missing key read as an attribute, `m.objective_id`, is null.)
RULE_ENGINE_RULES: dict[str, tuple[str, str]] = {
    "R1": (
        "r1",
        "[k for k in claim.capability_ids if k not in caps or caps[k].status == 'proposed']",
    ),
    "R2-ready": (
        "r2_ready",
        "campaign.launch_on == null ? [] : [k for k in claim.capability_ids if k in caps"
        " and (caps[k].ready_on == null or caps[k].ready_on > campaign.launch_on)]",
    ),
    "R2-capacity": (
        "r2_capacity",
        "campaign.projected_demand != null"
        " and campaign.projected_demand > $sum([c.capacity ?? 0 for c in caps.values])"
        " ? [''] : []",
    ),
    "R3": (
        "r3",
        "campaign.kind == 'acquisition' and product.ltv != null"
        " and (product.ltv < product.cac * 3 or product.price - product.unit_cost <= 0)"
        " ? [''] : []",
    ),
    "R4-objective": (
        "r4_objective",
        "campaign.objective_id == null ? ['']"
        " : (objective.id != null ? [] : [campaign.objective_id])",
    ),
    "R4-segment": (
        "r4_segment",
        "[s for s in campaign.segment_ids if s in segments and not segments[s].chosen]",
    ),
}


class RuleEngine(Engine):
    name = "rule-engine"
    description = "rule-engine; one evaluation per record"

    def prepare(self) -> None:
        re_ = _require("rule_engine", "rule-engine")
        context = re_.Context(default_value=None)
        self.rules = {
            rule: (gen, re_.Rule(src, context=context))
            for rule, (gen, src) in RULE_ENGINE_RULES.items()
        }

    def load(self, path: Path) -> Any:
        return Plain(path)

    def check(self, state: Plain) -> Iterable[Finding]:
        out: list[Finding] = []
        for rule, (gen, compiled) in self.rules.items():
            for key, activation in getattr(state, gen)():
                for related in compiled.evaluate(activation):
                    out.append((rule, key, related))
        return out


ENGINES: dict[str, Callable[[], Engine]] = {
    e.name: e
    for e in (
        Handwritten,
        HandwrittenNoGC,
        Alignrules,
        AlignrulesJson,
        DuckDB,
        AlignrulesDuckDB,
        OPA,
        CelRust,
        CelPython,
        RuleEngine,
    )
}


# ------------------------------------------------------------------ worker
def _rss_mib() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20


def work(name: str, plan: Path, repeat: int, budget: float, findings_out: Path) -> dict[str, Any]:
    """Time one engine on one plan: the best of up to `repeat` runs (fewer when one run
    takes more than `budget` seconds); peak RSS is the process's, over all runs."""
    engine = ENGINES[name]()
    try:
        engine.prepare()
    except Unavailable as exc:
        return {"engine": name, "error": str(exc)}
    rss_ready = _rss_mib()
    best_load = best_check = best_total = float("inf")
    findings: list[Finding] = []
    runs = 0
    while runs < repeat:
        t0 = time.perf_counter()
        state = engine.load(plan)
        t1 = time.perf_counter()
        result = engine.check(state)
        t2 = time.perf_counter()
        found = list(engine.findings(result))
        del result
        del state
        runs += 1
        best_load, best_check = min(best_load, t1 - t0), min(best_check, t2 - t1)
        best_total = min(best_total, t2 - t0)
        findings = found
        if runs == 1 and (t2 - t0) * repeat > budget:
            break
    findings_out.write_text(json.dumps(sorted(set(map(tuple, findings)))), encoding="utf-8")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "engine": name,
        "runs": runs,
        "load": best_load,
        "check": best_check,
        "total": best_total,
        "peak_rss_mib": peak,
        "ready_rss_mib": rss_ready,
        "findings": len(set(map(tuple, findings))),
        "findings_file": str(findings_out),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="time one engine on one plan (run.py's worker)")
    ap.add_argument("--engine", required=True, choices=sorted(ENGINES))
    ap.add_argument("--plan", required=True, type=Path)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--budget", type=float, default=20.0)
    ap.add_argument("--findings", type=Path, required=True)
    args = ap.parse_args(argv)
    try:
        result = work(args.engine, args.plan, args.repeat, args.budget, args.findings)
    except Exception as exc:
        result = {
            "engine": args.engine,
            "error": f"crashed: {type(exc).__name__}: {exc}",
            "traceback": traceback.format_exc(),
        }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
