"""Shared helpers: paths, and running the CLI the way users and CI do (a subprocess)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
MINI = FIXTURES / "mini"
SHARED = ROOT.parent / "shared"


def run_cli(*args: str | os.PathLike[str], cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """`python -m alignrules ARGS` as a subprocess; never raises on a non-zero exit."""
    env = {k: v for k, v in os.environ.items() if k != "ALIGNRULES_DEBUG"}
    return subprocess.run(
        [sys.executable, "-m", "alignrules", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=300,
    )


@pytest.fixture
def cli():  # type: ignore[no-untyped-def]
    return run_cli
