"""AST → the IR that targets take: the declarations typed (`program`), then the IR passes
(`alignrules.passes`). The compile entry points call `lower` or `lower_all`.

Every problem is collected, and none cascades: a wrong subtree becomes `ir.Invalid` once it
is reported, and nothing built on it is reported again.
"""

from __future__ import annotations

from collections.abc import Sequence

from alignrules.diagnostics import Diagnostic, DiagnosticError
from alignrules.ir import nodes as ir
from alignrules.passes import run_passes
from alignrules.syntax import ast
from alignrules.typecheck.names import BareField
from alignrules.typecheck.operators import arith_type
from alignrules.typecheck.program import Declarations


def lower(name: str, files: Sequence[ast.Ruleset]) -> ir.Program:
    """Type-check `files` together; the Program, or DiagnosticError listing every problem."""
    return lower_noting(name, files)[0]


def lower_noting(
    name: str, files: Sequence[ast.Ruleset]
) -> tuple[ir.Program, tuple[BareField, ...]]:
    """`lower`, with what name resolution saw and the IR does not keep: the bare names that
    more than one subject in scope could mean (for `alignrules lint`)."""
    checker = Declarations()
    program = checker.typed(name, files)
    if checker.diagnostics:
        raise DiagnosticError(checker.diagnostics)
    return run_passes(program), tuple(checker.ctx.bare_fields)


def lower_all(name: str, files: Sequence[ast.Ruleset]) -> tuple[ir.Program, tuple[Diagnostic, ...]]:
    """`lower` for rulesets being edited: the Program of what could be typed, and every
    problem (sorted, as DiagnosticError sorts them) instead of an exception."""
    checker = Declarations()
    program = run_passes(checker.typed(name, files))
    return program, tuple(sorted(checker.diagnostics, key=Diagnostic.sort_key))


__all__ = ["BareField", "arith_type", "lower", "lower_all", "lower_noting"]
