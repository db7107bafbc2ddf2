"""IR → IR passes, run between type checking and code generation.

They see the typed IR only, never the AST: `desugar` rewrites the conveniences of the
language into the core IR every target implements, and `locate` chooses where each rule's
findings point. `run_passes` is the one place that orders them.
"""

from __future__ import annotations

from alignrules.ir import nodes as ir
from alignrules.passes.desugar import desugar
from alignrules.passes.locate import locate


def run_passes(program: ir.Program) -> ir.Program:
    """`program` as the targets take it: desugared, each rule's finding located."""
    return locate(desugar(program))


__all__ = ["run_passes"]
