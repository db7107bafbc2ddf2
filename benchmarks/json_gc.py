"""`json.loads` of a plan with the cyclic garbage collector on and paused (best of N).

    python benchmarks/json_gc.py 1000000 --repeat 2

Plain `json.loads` (money as `Decimal`) and with alignrules' reader hooks (exact decimals,
NaN refused, duplicate keys refused): what `data/from_json.py` pays for its checks, and what
pausing the collector saves.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import plan_path  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("claims", type=int)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)

    from alignrules.data import from_json

    text = plan_path(args.claims).read_text(encoding="utf-8")
    hooks: dict[str, Any] = {
        "parse_float": from_json._json_decimal,
        "parse_constant": from_json._json_constant,
        "object_pairs_hook": from_json._json_object,
    }
    cases: list[tuple[str, Callable[[], Any]]] = [
        ("plain (parse_float=Decimal)", lambda: json.loads(text, parse_float=Decimal)),
        ("alignrules' hooks", lambda: json.loads(text, **hooks)),
    ]
    for name, parse in cases:
        times = {}
        for paused in (False, True):
            best = float("inf")
            for _ in range(args.repeat):
                gc.collect()
                if paused:
                    gc.disable()
                t = time.perf_counter()
                value = parse()
                best = min(best, time.perf_counter() - t)
                gc.enable()
                del value
            times[paused] = best
        print(f"{name:30} collector on {times[False]:7.2f} s   paused {times[True]:7.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
