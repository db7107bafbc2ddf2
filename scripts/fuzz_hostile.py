"""Run the hostile-input fuzz (tests/test_fuzz_hostile.py) for longer than the suite does.

The suite runs a few thousand derandomized cases; this runs as many fresh random ones as
asked, for example overnight:

    python scripts/fuzz_hostile.py                    # 50,000 cases per property
    python scripts/fuzz_hostile.py --examples 500000

A failure prints hypothesis' smallest failing ruleset or plan, which belongs in the suite as
a test once fixed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=50_000, help="cases per property")
    args = parser.parse_args()
    env = os.environ | {
        "ALIGNRULES_FUZZ_EXAMPLES": str(args.examples),
        "ALIGNRULES_FUZZ_RANDOM": "1",
    }
    command = [sys.executable, "-m", "pytest", "-x", "-p", "no:cacheprovider"]
    command.append(str(ROOT / "tests" / "test_fuzz_hostile.py"))
    return subprocess.run(command, cwd=ROOT, env=env, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
