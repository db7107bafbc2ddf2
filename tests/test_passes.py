"""The IR passes: what the compiler hands to code generation is core IR (no `reference`
test left), and a fixed point of the passes, for the shipped ruleset and the examples."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import alignrules
from alignrules.compile import compile_paths
from alignrules.ir import nodes as ir
from alignrules.ir.nodes import walk
from alignrules.passes import run_passes

ROOT = Path(__file__).resolve().parents[1]
RULESETS = [
    ROOT / "rulesets" / "strategy",
    *sorted(p for p in (ROOT / "examples").iterdir() if p.is_dir() and any(p.rglob("*.rules"))),
    *sorted((ROOT / "tests" / "cases" / "valid").glob("*.rules")),
    ROOT / "tests" / "fixtures" / "dangling.rules",
]


def _exprs(program: ir.Program) -> Iterator[ir.Expr]:
    for p in program.predicates:
        yield from walk(p.body)
    for r in program.rules:
        for step in r.steps:
            e = (
                step.coll
                if isinstance(step, ir.Bind)
                else step.cond
                if isinstance(step, ir.Filter)
                else step.expr
            )
            yield from walk(e)
        if r.cond is not None:
            yield from walk(r.cond)
        for part in r.message:
            if part.expr is not None:
                yield from walk(part.expr)


@pytest.mark.parametrize("ruleset", RULESETS, ids=lambda p: p.name)
def test_compiled_ir_is_core_ir_and_a_fixed_point(ruleset: Path) -> None:
    program = compile_paths([ruleset]).program
    assert not [e for e in _exprs(program) if isinstance(e, ir.Refers)]
    assert run_passes(program) == program


def test_the_shipped_ruleset_uses_what_the_passes_rewrite() -> None:
    program = compile_paths([RULESETS[0]]).program
    unfolded = [r for r in program.rules if r.related]
    references = [e for e in _exprs(program) if isinstance(e, ir.Builtin) and e.name == "as_list"]
    assert unfolded and references


SCHEMA = """\
enum Status { proposed < funded }
entity Capability { id: text  status: Status }
entity Claim { id: text  capabilities: list of Capability }
"""


def test_a_reference_rule_unfolds_into_one_violation_per_pair() -> None:
    checker = alignrules.load(
        SCHEMA
        + "rule unfunded { no claim may reference a capability where status < funded\n"
        + '  message "{claim.id} rests on {capability.id}" }'
    )
    (rule,) = checker.compiled.program.rules
    assert [type(s).__name__ for s in rule.steps] == ["Bind", "Bind", "Filter"]
    assert rule.related == (("capability", "Capability"),) and rule.cond is None
    plan = {
        "capabilities": [{"id": "K1", "status": "proposed"}, {"id": "K2", "status": "proposed"}],
        "claims": [{"id": "C1", "capabilities": ["K1", "K2"]}],
    }
    report = checker.check(plan)
    assert [v.message for v in report.violations] == ["C1 rests on K1", "C1 rests on K2"]


def test_a_finding_points_at_the_first_field_of_the_subject_its_condition_reads() -> None:
    checker = alignrules.load(SCHEMA + "rule bare { every claim must length(capabilities) > 0 }")
    assert [r.field for r in checker.compiled.program.rules] == ["capabilities"]
    report = checker.check({"capabilities": [], "claims": [{"id": "C1", "capabilities": []}]})
    (found,) = report.violations
    assert found.field == "capabilities"
    assert found.field_location is not None
    assert found.field_location.pointer == "/claims/0/capabilities"
