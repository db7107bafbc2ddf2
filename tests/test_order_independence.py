"""The order of records, of the ids in a list and of the keys in a record never changes a
report: the same findings, and the same JSON, SARIF and text bytes once each JSON pointer is
mapped back through the permutation. Checked for every shipped rule and every ruleset of the
language's test cases that compiles, on random plans with dangling ids and missing values,
in this process and in two more with other hash seeds.
"""

from __future__ import annotations

import datetime
import json
import os
import random
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import alignrules
from alignrules.compile import compile_paths
from alignrules.diagnostics import DiagnosticError
from alignrules.render import render

from .plans import plans
from .randplans import permuted, plans_for, unpermute

ROOT = Path(__file__).resolve().parents[1]
AS_OF = datetime.date(2026, 11, 22)
FORMATS = ("json", "sarif", "text")


def _compiles(path: Path) -> bool:
    try:
        compile_paths([path])
    except DiagnosticError:
        return False
    return True


#: Every shipped ruleset, and every test-case ruleset that compiles (the others are error cases).
RULESETS = [
    ROOT / "rulesets" / "strategy",
    ROOT / "tests" / "fixtures" / "dangling.rules",
    *(
        p
        for p in sorted((ROOT / "tests" / "cases").rglob("*.rules"))
        if "syntax" not in p.parts and _compiles(p)
    ),
]


@cache
def checker(path: Path) -> alignrules.Checker:
    return alignrules.load(path)


def outputs(path: Path, raw: dict[str, Any]) -> dict[str, str]:
    """Every format's rendering of the report, or the error the check ends with."""
    try:
        report = checker(path).check(raw, as_of=AS_OF)
    except DiagnosticError as exc:
        return {"error": str(exc)}
    return {f: render(report, f, tool_version="0", ruleset_names=["r"]) for f in FORMATS}


def assert_order_independent(path: Path, raw: dict[str, Any], rnd: random.Random) -> None:
    first = outputs(path, raw)
    assert "error" not in first, first
    mixed, moved = permuted(raw, rnd)
    for fmt, text in outputs(path, mixed).items():
        assert unpermute(text, moved) == first[fmt], fmt


def _settings(n: int) -> settings:
    return settings(
        max_examples=n,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


@pytest.mark.parametrize("path", RULESETS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_reports_do_not_depend_on_order(path: Path) -> None:
    program = checker(path).compiled.program

    @_settings(25)
    @given(plans_for(program), st.randoms(use_true_random=False))
    def check(raw: dict[str, Any], rnd: random.Random) -> None:
        assert_order_independent(path, raw, rnd)

    check()


@_settings(40)
@given(plans(), st.randoms(use_true_random=False))
def test_standard_rules_on_real_shaped_plans_do_not_depend_on_any_order(
    raw: dict[str, Any], rnd: random.Random
) -> None:
    """The standard plans of tests/plans.py, with their id lists shuffled too."""
    assert_order_independent(RULESETS[0], raw, rnd)


_BATCH = """
import datetime, json, sys
import alignrules
from alignrules.render import render
checker = alignrules.load(sys.argv[1])
for line in open(sys.argv[2], encoding="utf-8"):
    report = checker.check(json.loads(line), as_of=datetime.date(2026, 11, 22))
    texts = [render(report, f, tool_version="0", ruleset_names=["r"]) for f in sys.argv[3:]]
    print(json.dumps(texts))
"""


def test_reports_are_the_same_bytes_under_other_hash_seeds(tmp_path: Path) -> None:
    """Permuted plans checked in interpreters with other hash seeds give, once pointers are
    mapped back, the bytes this process gives for the original plans."""
    path = ROOT / "tests" / "fixtures" / "dangling.rules"
    program = checker(path).compiled.program
    drawn: list[dict[str, Any]] = []

    @settings(max_examples=30, database=None, derandomize=True, phases=[Phase.generate])
    @given(plans_for(program))
    def collect(raw: dict[str, Any]) -> None:
        drawn.append(raw)

    collect()
    rnd = random.Random(7)
    pairs = [permuted(raw, rnd) for raw in drawn]
    plans_file = tmp_path / "plans.jsonl"
    plans_file.write_text("".join(json.dumps(p) + "\n" for p, _ in pairs), encoding="utf-8")
    expected = [[outputs(path, raw)[f] for f in FORMATS] for raw in drawn]
    env = {k: v for k, v in os.environ.items() if k != "ALIGNRULES_DEBUG"}
    for seed in ("0", "1", "4242"):
        run = subprocess.run(
            [sys.executable, "-c", _BATCH, str(path), str(plans_file), *FORMATS],
            env=env | {"PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=300,
            check=False,
        )
        assert run.returncode == 0, run.stderr
        lines = run.stdout.splitlines()
        got = [
            [unpermute(text, moved) for text in json.loads(line)]
            for line, (_, moved) in zip(lines, pairs, strict=True)
        ]
        assert got == expected, seed
