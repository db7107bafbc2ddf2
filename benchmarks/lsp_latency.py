"""Diagnostics latency of `alignrules lsp` after an edit to the standard ruleset.

    python benchmarks/lsp_latency.py                 # 30 edits, with and without debounce
    python benchmarks/lsp_latency.py --edits 100

The server runs as editors run it (a subprocess on stdio, the standard ruleset configured as
one ruleset). Each edit alternately introduces and fixes a typo in one rule file; the time is
from sending `didChange` to receiving that file's `publishDiagnostics`. It is measured with
the debounce set to 0 (the analysis itself: re-parse of the edited file, type check of the
whole ruleset, diagnostics sent) and with the default debounce (what a user waits after the
last keystroke). The target is under 300 ms.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from alignrules.lsp.server import DEBOUNCE_MS  # noqa: E402
from tests.lsp_client import LspClient  # noqa: E402

RULE_FILE = ROOT / "rulesets" / "strategy" / "rules" / "brand-erosion.rules"


def measure(edits: int, debounce_ms: int) -> list[float]:
    client = LspClient(ROOT, {"rulesets": ["rulesets/strategy"], "debounce_ms": debounce_ms})
    try:
        text = RULE_FILE.read_text("utf-8")
        typo = text.replace("budget_trend = cut", "budget_trend = cutt", 1)
        uri = client.open(RULE_FILE)
        client.diagnostics(uri)  # the first analysis parses every file: not counted
        times = []
        for version in range(2, edits + 2):
            edited = typo if version % 2 == 0 else text
            client.drain()
            start = time.perf_counter()
            client.change(uri, version, edited)
            diagnostics = client.diagnostics(uri)
            times.append((time.perf_counter() - start) * 1000)
            assert bool(diagnostics) == (edited is typo), diagnostics
        return times
    finally:
        client.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=30)
    args = parser.parse_args()
    print(f"{args.edits} edits of {RULE_FILE.relative_to(ROOT)}, standard ruleset")
    print("debounce   median     p90     max   (ms, edit sent → diagnostics received)")
    for debounce in (0, DEBOUNCE_MS):
        times = sorted(measure(args.edits, debounce))
        p90 = times[int(len(times) * 0.9) - 1]
        print(f"{debounce:>5} ms {statistics.median(times):>8.1f} {p90:>7.1f} {times[-1]:>7.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
