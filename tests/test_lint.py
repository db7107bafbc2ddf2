"""`alignrules lint`: one case file per finding code, expectations inline as caret comments.

`tests/cases/lint/*.rules` use the format of tests/test_cases.py (a `#  ^~~ warning[code]:
message` line under the source line). Each file is linted through the API and must give
exactly its expectations; the CLI is checked as a subprocess (exit codes, JSON, SARIF).
"""

from __future__ import annotations

import doctest
import json
import re
import sys
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alignrules.api import Checker
from alignrules.compile import compile_text
from alignrules.lint import (
    CODES,
    lint_text,
    regex_always_matches,
    regex_never_matches,
)
from alignrules.source import Source
from tests.conftest import ROOT, run_cli, sarif_validator
from tests.test_cases import expectations_in, expected_of, style_problems

LINT = ROOT / "tests" / "cases" / "lint"
CASES = sorted(LINT.glob("*.rules"))


def case_name(path: Path) -> str:
    return f"lint/{path.name}"


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_case(case: Path) -> None:
    text = case.read_text("utf-8")
    want = sorted(expectations_in(Source(case_name(case), text)))
    findings = lint_text(text, case_name(case))
    got = sorted(expected_of(f.as_diagnostic()) for f in findings)
    assert [e.key() for e in got] == [e.key() for e in want]
    hints = {e: e.hint for e in got}
    for w in want:
        if w.hint is not None:
            assert hints[w] == w.hint, f"{w}: hint {hints[w]!r}"
    for f in findings:
        assert f.hint, f"{f.code} needs a hint"
        assert not style_problems(f.as_diagnostic()), (f.message, style_problems(f.as_diagnostic()))


def test_every_code_has_a_case() -> None:
    shown = {
        e.code
        for case in CASES
        for e in expectations_in(Source(case.name, case.read_text("utf-8")))
    }
    assert shown == set(CODES)


def test_the_clean_case_has_no_findings_and_the_standard_ruleset_lints() -> None:
    assert lint_text((LINT / "clean.rules").read_text("utf-8")) == []
    if (ROOT / "rulesets" / "strategy").is_dir():
        result = run_cli("lint", "rulesets/strategy", "--format", "json")
        assert result.returncode in (0, 1), result.stderr
        json.loads(result.stdout)


# ---------------------------------------------------------------------------- CLI
def test_cli_text_output_and_exit_codes() -> None:
    result = run_cli("lint", "tests/cases/lint/never_fires.rules")
    assert result.returncode == 1, result.stderr
    first = result.stdout.splitlines()[0]
    assert first == (
        "tests/cases/lint/never_fires.rules:14:20: warning: rule `below-the-lowest-value` "
        "never fires: this `where` is never true (`proposed` is the lowest value of `Status`)"
        "  [never-fires]"
    )
    assert "    hint: check the condition against the filters before it" in result.stdout
    assert result.stdout.endswith("3 findings: 3 never-fires\n")

    clean = run_cli("lint", "tests/cases/lint/clean.rules")
    assert (clean.returncode, clean.stdout, clean.stderr) == (0, "no lint findings\n", "")


def test_cli_ignore_leaves_codes_out() -> None:
    result = run_cli(
        "lint", "tests/cases/lint/metadata.rules",
        "--ignore", "missing-title", "--ignore", "missing-rationale", "--ignore", "untested-rule",
    )  # fmt: skip
    assert (result.returncode, result.stdout) == (0, "no lint findings\n"), result.stderr


def test_cli_ruleset_that_does_not_compile_exits_2(tmp_path: Path) -> None:
    (tmp_path / "bad.rules").write_text("rule r { every claim must true }\n", "utf-8")
    result = run_cli("lint", "bad.rules", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("bad.rules:1:16: error: unknown entity `claim`")
    assert result.stdout == ""


def test_cli_json_gives_code_and_place() -> None:
    result = run_cli("lint", "tests/cases/lint/unused_declarations.rules", "--format", "json")
    assert result.returncode == 1, result.stderr
    doc = json.loads(result.stdout)
    assert doc["version"] == 1
    got = [(f["code"], f["line"], f["column"]) for f in doc["findings"]]
    case = LINT / "unused_declarations.rules"
    want = expectations_in(Source(case.name, case.read_text("utf-8")))
    assert got == sorted(((e.code, e.line, e.col) for e in want), key=lambda x: (x[1], x[2]))
    assert [c for c, *_ in got] == [
        "unused-enum", "unused-entity", "unused-param", "unused-predicate", "unused-let"
    ]  # fmt: skip
    assert all(f["file"] == "tests/cases/lint/unused_declarations.rules" for f in doc["findings"])


@pytest.mark.parametrize("case", ["never_fires", "quadratic_join", "clean", "metadata"])
def test_cli_sarif_is_valid(case: str) -> None:
    validator = sarif_validator()
    result = run_cli("lint", f"tests/cases/lint/{case}.rules", "--format", "sarif")
    assert result.returncode in (0, 1), result.stderr
    doc = json.loads(result.stdout)
    errors = sorted(validator.iter_errors(doc), key=str)
    assert not errors, errors[0]
    run = doc["runs"][0]
    rules = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert rules == list(CODES)
    for r in run["results"]:
        assert rules[r["ruleIndex"]] == r["ruleId"]
        region = r["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1 and region["endColumn"] >= 1
        assert r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
            f"tests/cases/lint/{case}.rules"
        )


# ---------------------------------------------------------------------------- soundness
def test_lower_and_upper_are_idempotent_on_every_code_point() -> None:
    """What `unmatchable-pattern` relies on for `lower(x) contains "ABC"`."""
    for code in range(sys.maxunicode + 1):
        ch = chr(code)
        assert ch.lower().lower() == ch.lower() and ch.upper().upper() == ch.upper()


def test_regex_examples() -> None:
    never = ["a^b", "a$b", r"x\Zy", r"a\Ab", "(a|b)^c", "a$(b|c)", "a+^"]
    maybe = ["^a", "a$", "a$\n", "(?m)a^b", "a|^b", "a*^b", "a$|b", r"\b^x"]
    assert [p for p in never if not regex_never_matches(p)] == []
    assert [p for p in maybe if regex_never_matches(p)] == []
    assert regex_always_matches("", False) and regex_always_matches("(ab)*", True)
    assert not regex_always_matches("^$", False) and not regex_always_matches("a", False)


PIECES = ["a", "b", "^", "$", r"\A", r"\Z", "\n", ".", "*", "+", "?", "|", "(", ")", "[ab]", r"\b"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=7), st.text("ab\n", max_size=6))
def test_regex_verdicts_are_sound(pieces: list[str], text: str) -> None:
    pattern = "".join(pieces)
    try:
        compiled = re.compile(pattern)
    except re.error:
        return
    if regex_never_matches(pattern):
        assert compiled.search(text) is None
    if regex_always_matches(pattern, False):
        assert compiled.search(text) is not None


STATUSES = ["proposed", "funded", "built"]
OPS = ["<", "<=", ">", ">=", "=", "!="]
SCHEMA = """
enum Status { proposed < funded < built }
entity Claim { id: text
  status: Status }
"""


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(st.sampled_from(OPS), st.sampled_from(STATUSES)), min_size=1, max_size=3),
    st.tuples(st.sampled_from(OPS), st.sampled_from(STATUSES)),
)
def test_never_and_always_fires_agree_with_the_checker(
    filters: list[tuple[str, str]], cond: tuple[str, str]
) -> None:
    """Whatever lint says about a rule, the compiled checker bears out on every status."""
    where = " and ".join(f"claim.status {op} {v}" for op, v in filters)
    text = SCHEMA + f"rule r {{ every claim where {where} must claim.status {cond[0]} {cond[1]} }}"
    codes = {f.code for f in lint_text(text)}
    checker = Checker(compile_text(text))
    plan = {"claims": [{"id": s, "status": s} for s in STATUSES]}
    report = checker.check(plan, as_of=date(2026, 1, 1))
    fired = {v.key for v in report.violations}
    selected = [s for s in STATUSES if all(_holds(s, op, v) for op, v in filters)]
    if "never-fires" in codes:
        assert not fired
    if "always-fires" in codes:
        assert fired == set(selected)
    assert fired == {s for s in selected if not _holds(s, *cond)}


def _holds(status: str, op: str, value: str) -> bool:
    a, b = STATUSES.index(status), STATUSES.index(value)
    return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b, "=": a == b, "!=": a != b}[op]


def test_a_schema_on_its_own_has_no_unused_findings() -> None:
    """A binding file is compiled with rules elsewhere; alone, nothing in it can be used."""
    assert lint_text("enum S { a, b }\nentity Claim { id: text\n s: S }\nparam p: int = 1\n") == []


def test_the_package_docstring_example_runs() -> None:
    import alignrules.lint

    result = doctest.testmod(alignrules.lint)
    assert (result.failed, result.attempted > 0) == (0, True)
