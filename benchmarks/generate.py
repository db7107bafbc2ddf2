"""Deterministic synthetic strategy plans for the benchmarks.

    python benchmarks/generate.py 100000                 # -> benchmarks/out/plan-100000.json
    python benchmarks/generate.py 1000 --out plan.json --seed 7

A plan has N marketing claims and, in proportion, capabilities (N/20), campaigns (N/10),
products (N/100), objectives (N/200) and segments (N/500), each with a floor so that small
plans still have variety. The shape is the standard export shape (`business.capabilities`,
`marketing.claims`, ...). Every reference rule of `reference.rules` fires for roughly 10-20 %
of its subjects, and some references dangle (claims naming capabilities, campaigns naming
objectives, that do not exist). The same N and seed always give byte-identical JSON.

Values are chosen away from the rules' boundaries (an LTV is at least 3.5x or at most 2.5x
its CAC, never 3x), so engines that read money as binary floats agree with exact decimals.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent / "out"

STATUSES = (("proposed", 6), ("funded", 20), ("built", 30), ("stress_tested", 44))
CHANNELS = ("tv", "outdoor", "social", "search", "email", "events", "web", "retail")
KINDS = (("acquisition", 50), ("brand", 20), ("retention", 20), ("launch", 10))
METRICS = ("revenue_growth", "market_share", "cac", "awareness", "retention", "nps")
WORDS = (
    *("fast", "delivery", "next", "day", "service", "repair", "carbon", "neutral"),
    *("packaging", "concierge", "support", "installation", "recycled", "local", "fresh"),
    *("premium", "guarantee", "warranty", "returns", "always", "in", "stock", "tailored"),
    *("advice", "for", "every", "home", "energy", "savings", "quiet", "reliable"),
)


def counts(n: int) -> dict[str, int]:
    """How many records of each kind a plan with `n` claims has."""
    return {
        "claims": n,
        "capabilities": max(50, n // 20),
        "campaigns": max(20, n // 10),
        "products": max(20, n // 100),
        "objectives": max(10, n // 200),
        "segments": max(10, n // 500),
    }


def _weighted(rng: random.Random, table: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([v for v, _ in table], [w for _, w in table])[0]


def _money(value: float) -> float:
    return round(value, 2)


def _day(start: date, spread_days: int, rng: random.Random) -> str:
    return (start + timedelta(days=rng.randrange(spread_days))).isoformat()


def generate(n: int, seed: int = 20261122) -> dict[str, Any]:
    """The plan with `n` claims, as plain JSON-ready data."""
    rng = random.Random(seed * 1_000_003 + n)
    c = counts(n)

    objectives = [
        {
            "id": f"O{i}",
            "name": f"Objective {i}",
            "level": "business" if i % 3 == 0 else "marketing",
            "metric": METRICS[i % len(METRICS)],
        }
        for i in range(1, c["objectives"] + 1)
    ]

    n_seg = c["segments"]
    outside = set(rng.sample(range(1, n_seg + 1), -(-n_seg * 8 // 100)))
    segments = [
        {"id": f"S{i}", "name": f"Segment {i}", "chosen": i not in outside}
        for i in range(1, n_seg + 1)
    ]

    # Statuses by quota, not by draw, so that small plans have the same mix as large ones.
    n_caps = c["capabilities"]
    statuses = [s for s, share in STATUSES for _ in range(round(n_caps * share / 100))]
    statuses = (statuses + ["stress_tested"] * n_caps)[:n_caps]
    rng.shuffle(statuses)
    capabilities: list[dict[str, Any]] = []
    for i, status in enumerate(statuses, start=1):
        cap: dict[str, Any] = {
            "id": f"K{i}",
            "name": f"Capability {i}: {' '.join(rng.sample(WORDS, 3))}",
            "status": status,
        }
        if status != "proposed":
            late = rng.random() < 0.06  # ready only late in the launch year
            cap["ready_on"] = (
                _day(date(2026, 6, 1), 200, rng) if late else _day(date(2025, 1, 1), 300, rng)
            )
        if rng.random() < 0.95:
            cap["capacity"] = rng.randrange(100, 5000)
        capabilities.append(cap)

    # Poor unit economics by quota: 15 % of products with LTV/CAC below 3, 12 % without margin.
    n_prod = c["products"]
    poor = rng.sample(range(1, n_prod + 1), round(n_prod * 0.15) + round(n_prod * 0.12))
    low_ltv, no_margin = set(poor[: round(n_prod * 0.15)]), set(poor[round(n_prod * 0.15) :])
    products: list[dict[str, Any]] = []
    for i in range(1, n_prod + 1):
        price = _money(rng.uniform(10, 500))
        if i in no_margin:  # sells at or below its unit cost
            unit_cost = price if rng.random() < 0.3 else _money(price * rng.uniform(1.01, 1.3))
        else:
            unit_cost = _money(price * rng.uniform(0.3, 0.8))
        cac = _money(rng.uniform(5, 200))
        ltv = _money(cac * (rng.uniform(1.0, 2.5) if i in low_ltv else rng.uniform(3.5, 8)))
        products.append(
            {
                "id": f"P{i}",
                "name": f"Product {i}",
                "price": price,
                "unit_cost": unit_cost,
                "ltv": ltv,
                "cac": cac,
            }
        )

    campaigns: list[dict[str, Any]] = []
    for i in range(1, c["campaigns"] + 1):
        camp: dict[str, Any] = {
            "id": f"M{i}",
            "name": f"Campaign {i}",
            "kind": _weighted(rng, KINDS),
            "channel": rng.choice(CHANNELS),
            "budget": _money(rng.uniform(1000, 250000)),
            "launch_on": _day(date(2026, 1, 1), 360, rng),
        }
        r = rng.random()
        if r < 0.05:
            camp["objective_id"] = f"O-X{i}"  # names no objective
        elif r >= 0.12:  # 7 % name none at all
            camp["objective_id"] = f"O{rng.randrange(1, c['objectives'] + 1)}"
        if rng.random() < 0.95:
            camp["product_id"] = f"P{rng.randrange(1, c['products'] + 1)}"
        camp["segment_ids"] = [
            f"S{s}" for s in rng.sample(range(1, n_seg + 1), rng.choice((1, 1, 2, 2, 3)))
        ]
        campaigns.append(camp)

    # Claims: 90 % belong to a campaign; a campaign's claims never share a capability, so the
    # capability sum of R2 is the same whether or not an engine counts each capability once.
    used: dict[int, set[int]] = {}
    claims: list[dict[str, Any]] = []
    n_camp = c["campaigns"]
    for i in range(1, n + 1):
        claim: dict[str, Any] = {
            "id": f"CL{i}",
            "text": " ".join(rng.sample(WORDS, 4)),
            "channel": rng.choice(CHANNELS),
        }
        camp_no = rng.randrange(1, n_camp + 1) if rng.random() < 0.9 else 0
        if camp_no:
            claim["campaign_id"] = f"M{camp_no}"
        taken = used.setdefault(camp_no, set()) if camp_no else set()
        refs: list[str] = []
        for _ in range(rng.choice((1, 2, 2, 3))):
            if rng.random() < 0.02:
                refs.append(f"K-X{i}-{len(refs)}")  # a capability that does not exist
                continue
            for _attempt in range(20):
                k = rng.randrange(1, n_caps + 1)
                if k not in taken:
                    break
            else:
                continue
            taken.add(k)
            refs.append(f"K{k}")
        claim["capability_ids"] = refs
        claims.append(claim)

    # Projected demand: about 15 % of campaigns plan more than their claims' capabilities serve.
    capacity = {i + 1: cap.get("capacity") for i, cap in enumerate(capabilities)}
    for no, camp in enumerate(campaigns, start=1):
        if rng.random() < 0.05:
            continue  # always-on work: no projected demand
        total = sum(capacity[k] or 0 for k in used.get(no, ()))
        if rng.random() < 0.15:
            camp["projected_demand"] = total + rng.randrange(1, 1000)
        else:
            camp["projected_demand"] = rng.randrange(0, total + 1)

    return {
        "objectives": objectives,
        "business": {"capabilities": capabilities, "segments": segments, "products": products},
        "marketing": {"campaigns": campaigns, "claims": claims},
    }


def write(n: int, path: Path, seed: int = 20261122) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    plan = generate(n, seed)
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as f:
        json.dump(plan, f, separators=(",", ":"))
    tmp.replace(path)
    return path


def plan_path(n: int, seed: int = 20261122) -> Path:
    """The cached plan file for `n` claims, generated on first use."""
    path = OUT / f"plan-{n}-{seed}.json"
    if not path.exists():
        write(n, path, seed)
    return path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("claims", type=int, nargs="+", help="number of marketing claims")
    ap.add_argument("--seed", type=int, default=20261122)
    ap.add_argument("--out", type=Path, help="output file (one size only)")
    args = ap.parse_args(argv)
    if args.out and len(args.claims) != 1:
        ap.error("--out takes one size")
    for n in args.claims:
        path = write(n, args.out, args.seed) if args.out else plan_path(n, args.seed)
        print(f"{path}: {n} claims, {path.stat().st_size / 1e6:.1f} MB", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
