"""`alignrules test`: runs the examples written next to the rules.

An example gives plan data (inline YAML/JSON or a file), optional parameters and date, and
what it expects: `expect RULE on "K1", "K2"` (exactly these keys violate RULE), `expect no
RULE`, or `expect nothing` (no violation of any rule).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import attrs

from alignrules.api import Checker, _param_text
from alignrules.compile import compile_paths
from alignrules.data.read import read_plan, read_plan_text
from alignrules.diagnostics import Diagnostic, DiagnosticError, render_text
from alignrules.ir import nodes as ir

#: The date examples are checked at unless they say `today = ...`: fixed, so results reproduce.
DEFAULT_TODAY = date(2026, 1, 1)


@attrs.frozen
class ExampleResult:
    name: str
    origin: str
    ok: bool
    lines: tuple[str, ...]
    fired: frozenset[str]  # rules with at least one violation in this example


@attrs.frozen
class TestRun:
    results: tuple[ExampleResult, ...]
    text: str

    @property
    def ok(self) -> bool:
        return bool(self.results) and all(r.ok for r in self.results)


def _data_of(example: ir.Example) -> tuple[object, str, object]:
    if example.given_file is not None:
        base = Path(example.span.source.name).parent
        data = read_plan(base / example.given_file)
    elif example.given is not None:
        kind = "json" if example.given.lstrip().startswith(("{", "[")) else "yaml"
        name = f"{example.span.source.name}:{example.span.line} (example {example.name!r})"
        data = read_plan_text(example.given, kind, name)
    else:
        raise DiagnosticError(
            Diagnostic(
                "example",
                f"example `{example.name}` gives no data",
                example.span,
                'add `given """..."""`',
            )
        )
    return data.root, ("csv" if data.kind == "csv" else "json"), data


def run_example(checker: Checker, example: ir.Example) -> ExampleResult:
    origin = example.span.origin()
    try:
        root, dialect, source = _data_of(example)
        params = {name: _param_text(_py_value(value)) for name, value in example.params}
        report = checker.check(
            root,  # type: ignore[arg-type]
            as_of=example.today or DEFAULT_TODAY,
            params=params,
            dialect=dialect,
            source=source,  # type: ignore[arg-type]
        )
    except DiagnosticError as exc:
        lines = tuple(
            "      " + line for d in exc.diagnostics for line in render_text(d).splitlines()
        )
        return ExampleResult(
            example.name,
            origin,
            False,
            ("      the example's data could not be checked:", *lines),
            frozenset(),
        )
    found: dict[str, set[str]] = {}
    for v in report.violations:
        found.setdefault(v.rule, set()).add(v.key)
    problems: list[str] = []
    for rule, keys, none in example.expects:
        if rule is None:
            for r, ks in sorted(found.items()):
                problems += [
                    f"      + {r} on {k!r}   (found, expected nothing)" for k in sorted(ks)
                ]
            continue
        got = found.get(rule, set())
        want = set() if none else set(keys)
        for k in sorted(want - got):
            problems.append(f"      - {rule} on {k!r}   (expected, not found)")
        for k in sorted(got - want):
            problems.append(f"      + {rule} on {k!r}   (found, not expected)")
    return ExampleResult(example.name, origin, not problems, tuple(problems), frozenset(found))


def _py_value(value: object) -> object:
    if isinstance(value, tuple):  # money: (amount, currency)
        amount, currency = value
        return f"{amount} {currency}" if currency else str(amount)
    return value


def run_examples(paths: Sequence[str | os.PathLike[str]]) -> TestRun:
    """Compile the rulesets and run every example in them."""
    compiled = compile_paths(paths)
    checker = Checker(compiled)
    results = [run_example(checker, ex) for ex in compiled.program.examples]
    out: list[str] = []
    current = None
    for r in results:
        file = r.origin.rsplit(":", 1)[0]
        if file != current:
            out.append(file)
            current = file
        out.append(f"  {'PASS' if r.ok else 'FAIL'}  {r.name}  ({r.origin})")
        out.extend(r.lines)
    passed = sum(r.ok for r in results)
    failed = len(results) - passed
    if not results:
        out.append(
            'no examples found: write `example "name" { given ... expect ... }` next to the rules'
        )
    untested = [
        r.id
        for r in compiled.program.rules
        if not any(r.id in {e[0] for e in ex.expects} for ex in compiled.program.examples)
    ]
    if untested:
        out.append(f"rules no example mentions: {', '.join(untested)}")
    out.append(f"{len(results)} examples: {passed} passed, {failed} failed")
    return TestRun(tuple(results), "\n".join(out) + "\n")
