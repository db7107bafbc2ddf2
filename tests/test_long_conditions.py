"""No size of condition breaks compilation.

A chain of `and` / `or` of any length compiles to one flat Python expression; parentheses of
any depth parse; what remains limited (an expression nesting more than 64 levels, such as 65
`not`s or a sum of 100 terms) is a located `too-deep` error, never a crash.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import alignrules
from alignrules.cli import main
from alignrules.syntax.limits import MAX_NESTING

SCHEMA = "entity Product { id: text  units: int  price: decimal }\n"


def chain(op: str, n: int) -> str:
    return f" {op} ".join(f"units = {i}" for i in range(n))


def paren_depth(python: str) -> int:
    """The deepest nesting of brackets in generated code (strings hold none of ours)."""
    depth = deepest = 0
    for ch in python:
        if ch in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in ")]}":
            depth -= 1
    return deepest


@pytest.mark.parametrize("n", [201, 1_000, 10_000])
def test_long_or_chains_compile_flat_and_check_correctly(n: int) -> None:
    checker = alignrules.load(SCHEMA + f"rule r {{ no product where {chain('or', n)} }}\n")
    assert paren_depth(checker.python) < 10
    plan = {
        "products": [{"id": "A", "units": n - 1, "price": 1}, {"id": "B", "units": n, "price": 1}]
    }
    assert [v.key for v in checker.check(plan).violations] == ["A"]


def test_long_and_chains_mixed_with_or_keep_their_meaning() -> None:
    # (units != 0 and ... and units != 2999) or price > 5: true for units >= 3000 or price > 5
    ands = " and ".join(f"units != {i}" for i in range(3_000))
    checker = alignrules.load(SCHEMA + f"rule r {{ no product where {ands} or price > 5 }}\n")
    plan = {
        "products": [
            {"id": "in", "units": 7, "price": 1},
            {"id": "out", "units": 3_000, "price": 1},
            {"id": "dear", "units": 7, "price": 6},
        ]
    }
    assert sorted(v.key for v in checker.check(plan).violations) == ["dear", "out"]


def test_missing_value_narrowing_reaches_along_a_long_and_chain() -> None:
    text = "entity Product { id: text  units: int? }\n"
    guards = " and ".join(["units is present"] + [f"units != {i}" for i in range(500)])
    checker = alignrules.load(text + f"rule r {{ no product where {guards} and units > 600 }}\n")
    plan = {"products": [{"id": "A", "units": 700}, {"id": "B"}, {"id": "C", "units": 5}]}
    assert [v.key for v in checker.check(plan).violations] == ["A"]


@pytest.mark.slow
def test_a_module_with_a_long_chain_passes_mypy_strict(tmp_path: Path) -> None:
    rules = tmp_path / "long.rules"
    rules.write_text(SCHEMA + f"rule r {{ no product where {chain('or', 1_000)} }}\n", "utf-8")
    assert main(["compile", str(rules), "-o", str(tmp_path / "long.py")]) == 0
    python = (tmp_path / "long.py").read_text("utf-8")
    assert max(len(line) for line in python.splitlines()) < 200  # one operand a line
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "long.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout


def test_deep_parentheses_parse() -> None:
    depth = 5_000
    text = SCHEMA + f"rule r {{ no product where {'(' * depth}units = 1{')' * depth} }}\n"
    checker = alignrules.load(text)
    assert len(checker.check({"products": [{"id": "A", "units": 1, "price": 1}]}).violations) == 1


@pytest.mark.parametrize(
    ("body", "column"),
    [
        ("not " * 1_000 + "units = 1", 27 + 4 * MAX_NESTING),
        ("units = " + " + ".join(["price"] * 2_000), 35),
        ("units = " + "(-" * 200 + "price" + ")" * 200, 35 + 2 * MAX_NESTING - 1),
    ],
)
def test_deeper_nesting_is_a_located_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], body: str, column: int
) -> None:
    rules = tmp_path / "deep.rules"
    rules.write_text(SCHEMA + f"rule r {{ no product where {body} }}\n", "utf-8")
    (tmp_path / "p.json").write_text('{"products": []}', "utf-8")
    assert main(["check", str(rules), "--data", str(tmp_path / "p.json")]) == 2
    err = capsys.readouterr().err
    first = err.splitlines()[0]
    assert re.fullmatch(
        rf"{re.escape(str(rules))}:2:(\d+): error: this expression nests more than 64 levels"
        r" deep  \[too-deep\]",
        first,
    ), first
    assert int(first.split(":")[2]) == column and "hint: name parts of it" in err


def test_nesting_at_the_limit_compiles_and_runs() -> None:
    # `no product where` is one level, `units = ...` one more, each `not` one.
    nots = "not " * (MAX_NESTING - 3)
    text = SCHEMA + f"rule r {{ no product where {nots}units = 1 }}\n"
    text += (
        "rule s { no product where units = " + " + ".join(["price"] * (MAX_NESTING - 2)) + " }\n"
    )
    checker = alignrules.load(text)
    report = checker.check({"products": [{"id": "A", "units": 2, "price": 1}]})
    assert [v.rule for v in report.violations] == ["r"]


def test_fmt_keeps_long_chains_and_the_authors_parentheses(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "f.rules"
    text = SCHEMA + f"rule r {{ no product where {chain('or', 300)} }}\n"
    text += "rule s { no product where units = 1 or (units = 2 or units = 3) or units = 4 }\n"
    path.write_text(text, "utf-8")
    assert main(["fmt", str(path)]) == 0
    out = path.read_text("utf-8")
    assert "            or units = 299\n" in out
    assert "units = 1 or (units = 2 or units = 3) or units = 4" in out
    assert main(["fmt", "--check", str(path)]) == 0
