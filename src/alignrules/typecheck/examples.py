"""Example validation: an `example` names parameters that exist, with values of their types,
and expects rules that are declared."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from alignrules.diagnostics import Diagnostic, did_you_mean
from alignrules.ir import nodes as ir
from alignrules.runtime.report import DANGLING_RULE
from alignrules.source import Span
from alignrules.syntax import ast
from alignrules.typecheck.constants import constant


def example(
    d: ast.ExampleDecl,
    params: Mapping[str, ir.Param],
    rules: Mapping[str, Span],
    report: Callable[[Diagnostic], None],
) -> ir.Example:
    """The IR of example `d`; its problems are reported, and the parameters in error left out."""
    values: list[tuple[str, object]] = []
    for i, (name, value) in enumerate(d.params):
        p = params.get(name)
        if p is None:
            report(
                Diagnostic(
                    "unknown-parameter",
                    f"unknown parameter `{name}`",
                    d.param_spans[i] if i < len(d.param_spans) else value.span,
                    did_you_mean(name, params),
                )
            )
            continue
        v = constant(value, p.type, report)
        if v is not None:
            values.append((name, v))
    for exp in d.expects:
        # The loader's own rule is in every ruleset (runtime/bind.py): an example may expect it.
        if exp.rule is not None and exp.rule not in rules and exp.rule != DANGLING_RULE:
            report(
                Diagnostic(
                    "example",
                    f"the example expects rule `{exp.rule}`, which is not declared",
                    exp.span,
                    did_you_mean(exp.rule, rules),
                )
            )
    return ir.Example(
        d.name,
        d.given,
        d.given_file,
        tuple(values),
        d.today,
        tuple((e.rule, e.keys, e.none) for e in d.expects),
        span=d.span,
    )
