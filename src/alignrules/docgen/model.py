"""A compiled ruleset and its examples' run → the records a reviewer's document is made of."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Iterator, Sequence
from datetime import timedelta
from decimal import Decimal

import attrs

from alignrules.compile import CompiledRuleset, compile_paths
from alignrules.ir import nodes as ir
from alignrules.testing import TestRun, run_examples_of


@attrs.frozen
class ParamDoc:
    """A ruleset parameter: its name, type, default (as `--param` would write it), origin."""

    name: str
    type: str
    default: str
    origin: str


@attrs.frozen
class ExampleDoc:
    """An example: its data, parameters and date, what it expects, and whether it passed."""

    name: str
    origin: str
    given: str | None
    given_file: str | None
    params: tuple[tuple[str, str], ...]
    today: str | None
    expects: tuple[tuple[str | None, str], ...]  # (rule or None for `nothing`, as written)
    passed: bool


@attrs.frozen
class RuleDoc:
    """Everything a reviewer reads about one rule."""

    id: str
    title: str
    severity: str
    rationale: str
    owner: str | None
    tags: tuple[str, ...]
    links: tuple[str, ...]
    origin: str
    text: str
    params: tuple[str, ...]
    examples: tuple[ExampleDoc, ...]
    fires: bool  # an example shows it firing where expected
    passes: bool  # an example shows it quiet where expected


@attrs.frozen
class RulesetDoc:
    name: str
    rules: tuple[RuleDoc, ...]
    params: tuple[ParamDoc, ...]
    examples: int
    examples_passed: int
    coverage_percent: float


def document(paths: Sequence[str | os.PathLike[str]]) -> RulesetDoc:
    """Compile the ruleset, run its examples, and gather its document."""
    compiled = compile_paths(paths)
    run = run_examples_of(compiled)
    return document_of(compiled, run)


def document_of(compiled: CompiledRuleset, run: TestRun) -> RulesetDoc:
    program = compiled.program
    predicates = {p.name: p for p in program.predicates}
    results = {r.origin: r for r in run.results}
    coverage = {c.rule: c for c in run.coverage}
    examples = [_example(ex, results[ex.span.origin()].ok) for ex in program.examples]
    rules = []
    for rule, *more in program.rule_bodies().values():
        mentioned = tuple(
            doc
            for ex, doc in zip(program.examples, examples, strict=True)
            if any(rid in (rule.id, None) for rid, _, _ in ex.expects)
        )
        cov = coverage.get(rule.id)
        rules.append(
            RuleDoc(
                rule.id,
                rule.title,
                rule.severity,
                rule.rationale,
                rule.owner,
                rule.tags,
                rule.links,
                rule.span.origin(),
                rule.span.source.text[rule.span.start : rule.span.end],
                tuple(sorted(set().union(*(_params_used(r, predicates) for r in (rule, *more))))),
                mentioned,
                cov is not None and cov.fires,
                cov is not None and cov.passes,
            )
        )
    params = tuple(
        ParamDoc(p.name, str(p.type), _default_text(p), p.span.origin()) for p in program.params
    )
    passed = sum(r.ok for r in run.results)
    return RulesetDoc(
        compiled.name, tuple(rules), params, len(run.results), passed, run.coverage_percent
    )


def _example(ex: ir.Example, passed: bool) -> ExampleDoc:
    expects: list[tuple[str | None, str]] = []
    for rule, keys, none in ex.expects:
        if rule is None:
            expects.append((None, "expect nothing"))
        elif none:
            expects.append((rule, f"expect no {rule}"))
        else:
            expects.append((rule, f"expect {rule} on " + ", ".join(f'"{k}"' for k in keys)))
    return ExampleDoc(
        ex.name,
        ex.span.origin(),
        _dedent(ex.given) if ex.given is not None else None,
        ex.given_file,
        tuple((name, param_text(value)) for name, value in ex.params),
        None if ex.today is None else ex.today.isoformat(),
        tuple(expects),
        passed,
    )


def _default_text(p: ir.Param) -> str:
    if str(p.type) == "duration" and isinstance(p.default, int):  # kept as a number of days
        return f"{p.default} days"
    return param_text(p.default)


def param_text(value: object) -> str:
    """A parameter value as `--param` takes it: sets as `a, b`, durations in days."""
    if isinstance(value, frozenset | set | tuple | list):
        if isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], Decimal):
            amount, currency = value  # money
            return f"{amount} {currency}" if currency else str(amount)
        return ", ".join(sorted(param_text(v) for v in value))
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, timedelta):
        return f"{value.days} days"
    return str(value)


def _params_used(rule: ir.Rule, predicates: dict[str, ir.Predicate]) -> set[str]:
    """The parameters a rule reads, through the predicates it calls too."""
    found: set[str] = set()
    seen: set[str] = set()
    stack: list[object] = [rule.steps, rule.cond, rule.message]
    while stack:
        for node in _nodes(stack.pop()):
            if isinstance(node, ir.ParamRef):
                found.add(node.name)
            elif isinstance(node, ir.PredCall) and node.name not in seen:
                seen.add(node.name)
                if node.name in predicates:
                    stack.append(predicates[node.name].body)
    return found


def _nodes(value: object) -> Iterator[object]:
    """Every IR node under `value` (attrs instances and tuples of them), `value` first."""
    todo = [value]
    while todo:
        v = todo.pop()
        cls = type(v)
        if isinstance(v, tuple):
            todo.extend(v)
        elif attrs.has(cls):
            yield v
            todo.extend(
                getattr(v, f.name) for f in attrs.fields(cls) if f.name not in ("span", "type")
            )


def _dedent(text: str) -> str:
    return textwrap.dedent(text).strip("\n") + "\n"
