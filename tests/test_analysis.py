"""`compile.analyze`, the editors' seam: the same diagnostics as compiling, returned not raised."""

from __future__ import annotations

from pathlib import Path

import pytest

from alignrules.compile import analyze, compile_paths
from alignrules.diagnostics import DiagnosticError

CASES = Path(__file__).resolve().parent / "cases"
ERROR_CASES = sorted(
    [*CASES.glob("syntax/*.rules"), *CASES.glob("typecheck/*.rules"), *CASES.glob("imports/*")]
)


@pytest.mark.parametrize("case", ERROR_CASES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_analyze_reports_what_compiling_raises(case: Path) -> None:
    try:
        compile_paths([case])
        expected: tuple[object, ...] = ()
    except DiagnosticError as exc:
        expected = exc.diagnostics
    analysis = analyze([case])
    assert analysis.diagnostics == expected
    if expected:
        assert all(d.span is None or d.span.source.name in analysis.paths for d in expected)


def test_analyze_types_the_standard_ruleset_without_generating_code() -> None:
    ruleset = CASES.parents[1] / "rulesets" / "strategy"
    analysis = analyze([ruleset])
    assert analysis.diagnostics == ()
    assert analysis.program is not None
    assert len(analysis.files) == len(list(ruleset.rglob("*.rules")))
    assert analysis.program.rules == compile_paths([ruleset]).program.rules


def test_analyze_reads_unsaved_text_from_the_overlay(tmp_path: Path) -> None:
    f = tmp_path / "r.rules"
    f.write_text('entity Claim { id: text }\nrule r { no claim where id = "x" }\n', "utf-8")
    edited = 'entity Claim { id: text }\nrule r { no claim where idd = "x" }\n'
    analysis = analyze([f], {f: edited})
    (d,) = analysis.diagnostics
    assert (d.code, d.span.line if d.span else 0) == ("unknown-name", 2)
    assert analysis.program is not None  # the partial IR: what could be typed
    assert [e.name for e in analysis.program.entities] == ["Claim"]
    # A file that does not parse: its AST is missing and there is no IR, but no exception.
    broken = analyze([f], {f: "entity Claim {"})
    assert [d.code for d in broken.diagnostics] == ["syntax"]
    assert broken.program is None and broken.files == ()
