"""IR → IR passes, run between type checking and code generation.

They see the typed IR only, never the AST: `desugar` rewrites the conveniences of the
language into the core IR every target implements, `locate` chooses where each rule's
findings point, and `related` which dangling keys they name. `run_passes` is the one place that orders them.
"""

from __future__ import annotations

from alignrules.ir import nodes as ir
from alignrules.passes.desugar import desugar
from alignrules.passes.locate import locate
from alignrules.passes.related import related


def run_passes(program: ir.Program) -> ir.Program:
    """`program` as the targets take it: desugared, each rule's finding located and its
    dangling related keys chosen."""
    return related(locate(desugar(program)))


__all__ = ["run_passes"]
