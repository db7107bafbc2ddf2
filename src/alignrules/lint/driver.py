"""The driver: a ruleset → its typed IR and ASTs (stopping before code generation) → every
check family → the findings, sorted by place."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence

from alignrules.compile import typecheck_paths, typecheck_text
from alignrules.ir import nodes as ir
from alignrules.ir.nodes import walk
from alignrules.lint.ambiguity import Ambiguity
from alignrules.lint.conditions import Conditions
from alignrules.lint.declarations import Declarations
from alignrules.lint.exprs import program_exprs
from alignrules.lint.findings import Finding
from alignrules.lint.joins import Joins
from alignrules.lint.patterns import pattern_findings
from alignrules.syntax import ast
from alignrules.typecheck.names import BareField


def lint_paths(
    paths: Sequence[str | os.PathLike[str]], ignore: Iterable[str] = ()
) -> list[Finding]:
    """Type-check the ruleset made of `paths` and lint it (DiagnosticError if it does not
    type-check: the compiler's own diagnostics). Nothing is generated or run."""
    typed = typecheck_paths(paths)
    skip = set(ignore)
    findings = lint_program(typed.program, typed.trees, typed.bare_fields)
    return [f for f in findings if f.code not in skip]


def lint_text(text: str, name: str = "<ruleset>") -> list[Finding]:
    """Lint a ruleset given as text."""
    typed = typecheck_text(text, name)
    return lint_program(typed.program, typed.trees, typed.bare_fields)


def lint_program(
    program: ir.Program, trees: Sequence[ast.Ruleset], bare_fields: Iterable[BareField] = ()
) -> list[Finding]:
    """Every finding for `program`, whose files parsed to `trees`, in file order;
    `bare_fields` are what the type checker noted of names several entities could mean
    (`TypedRuleset.bare_fields`)."""
    declarations = Declarations(program, trees)
    declarations.metadata()
    if program.rules:  # a schema on its own is meant to be compiled with rules
        declarations.unused()
    conditions = Conditions({p.name: p for p in program.predicates})
    joins = Joins()
    for rule in program.rules:
        conditions.rule(rule)
        declarations.unused_lets(rule)
        joins.in_steps(rule)
    patterns: list[Finding] = []
    # After every rule's own conditions: a part of a condition already reported whole is
    # not reported again.
    for e in program_exprs(program):
        conditions.constant_parts(e)
        for node in walk(e):
            if isinstance(node, ir.TextMatch):
                patterns.extend(pattern_findings(node))
            if isinstance(node, ir.Quant | ir.Aggregate):
                joins.in_loop(node)
    ambiguity = Ambiguity()
    ambiguity.bare_fields(bare_fields)
    found = {
        *ambiguity.findings,
        *declarations.findings,
        *conditions.findings,
        *joins.findings,
        *patterns,
    }
    return sorted(found, key=Finding.sort_key)
