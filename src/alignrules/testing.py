"""`alignrules test`: runs the examples written next to the rules.

An example gives plan data (inline YAML/JSON or a file), optional parameters and date, and
what it expects: `expect RULE on "K1", "K2"` (exactly these keys violate RULE), `expect no
RULE`, or `expect nothing` (no violation of any rule).
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import attrs

from alignrules.api import Checker, _param_text
from alignrules.compile import CompiledRuleset, compile_paths
from alignrules.data.read import PlanData, read_plan, read_plan_text
from alignrules.diagnostics import Diagnostic, DiagnosticError, render_text, visible
from alignrules.ir import nodes as ir
from alignrules.render.junit import origin_classname

#: The date examples are checked at unless they say `today = ...`: fixed, so results reproduce.
DEFAULT_TODAY = date(2026, 1, 1)


@attrs.frozen
class ExampleResult:
    name: str
    origin: str
    ok: bool
    lines: tuple[str, ...]
    fired: frozenset[str]  # rules with at least one violation in this example
    # Rules this example expected to fire (`expect R on ...`) and that fired exactly so.
    fired_as_expected: frozenset[str] = frozenset()
    # Rules this example expected quiet (`expect no R`, `expect nothing`) and that were.
    quiet_as_expected: frozenset[str] = frozenset()
    errored: bool = False  # the example's data could not be checked


@attrs.frozen
class RuleCoverage:
    """Whether a rule's examples show it both firing and passing, as they expect."""

    rule: str
    fires: bool
    passes: bool

    @property
    def covered(self) -> bool:
        return self.fires and self.passes


@attrs.frozen
class TestRun:
    results: tuple[ExampleResult, ...]
    text: str
    coverage: tuple[RuleCoverage, ...] = ()
    complete: bool = True  # every example ran (no -k, no -x stop): coverage is measured

    @property
    def ok(self) -> bool:
        return bool(self.results) and all(r.ok for r in self.results)

    @property
    def coverage_percent(self) -> float:
        """The share of rules fully covered, in percent (see `percent_covered`)."""
        return percent_covered(self.coverage)

    def junit(self) -> str:
        """The examples as JUnit XML (see `render_junit_examples`)."""
        return render_junit_examples(self)


def _data_of(example: ir.Example) -> PlanData:
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
    return data


def run_example(checker: Checker, example: ir.Example) -> ExampleResult:
    origin = example.span.origin()
    try:
        data = _data_of(example)
        params = {name: _param_text(_py_value(value)) for name, value in example.params}
        report = checker.check(
            data.root,
            as_of=example.today or DEFAULT_TODAY,
            params=params,
            dialect="csv" if data.kind == "csv" else "json",
            source=data,
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
            errored=True,
        )
    found: dict[str, set[str]] = {}
    for v in report.violations:
        found.setdefault(v.rule, set()).add(v.key)
    problems: list[str] = []
    fired_ok: set[str] = set()
    quiet_ok: set[str] = set()
    for rule, keys, none in example.expects:
        if rule is None:
            for r, ks in sorted(found.items()):
                problems += [
                    f"      + {r} on {k!r}   (found, expected nothing)" for k in sorted(ks)
                ]
            if not found:
                quiet_ok.update(r.id for r in checker.rules)
            continue
        got = found.get(rule, set())
        want = set() if none else set(keys)
        if got == want:
            (fired_ok if want else quiet_ok).add(rule)
        for k in sorted(want - got):
            problems.append(f"      - {rule} on {k!r}   (expected, not found)")
        for k in sorted(got - want):
            problems.append(f"      + {rule} on {k!r}   (found, not expected)")
    return ExampleResult(
        example.name,
        origin,
        not problems,
        tuple(problems),
        frozenset(found),
        frozenset(fired_ok),
        frozenset(quiet_ok),
    )


def _py_value(value: object) -> object:
    if isinstance(value, tuple):  # money: (amount, currency)
        amount, currency = value
        return f"{amount} {currency}" if currency else str(amount)
    return value


def run_examples(
    paths: Sequence[str | os.PathLike[str]],
    *,
    keyword: str | None = None,
    exit_first: bool = False,
    quiet: bool = False,
) -> TestRun:
    """Compile the rulesets and run their examples (see `run_examples_of`)."""
    return run_examples_of(
        compile_paths(paths), keyword=keyword, exit_first=exit_first, quiet=quiet
    )


def run_examples_of(
    compiled: CompiledRuleset,
    *,
    keyword: str | None = None,
    exit_first: bool = False,
    quiet: bool = False,
) -> TestRun:
    """Run the examples of a compiled ruleset: those whose name contains `keyword` (ignoring
    case), stopping after the first failure with `exit_first`; `quiet` leaves out the lines
    of passing examples. Coverage is only measured when every example ran."""
    checker = Checker(compiled)
    chosen = [
        ex
        for ex in compiled.program.examples
        if keyword is None or keyword.casefold() in ex.name.casefold()
    ]
    results = []
    for ex in chosen:
        results.append(run_example(checker, ex))
        if exit_first and not results[-1].ok:
            break
    out: list[str] = []
    current = None
    for r in results:
        if quiet and r.ok:
            continue
        file = r.origin.rsplit(":", 1)[0]
        if file != current:
            out.append(visible(file))
            current = file
        out.append(f"  {'PASS' if r.ok else 'FAIL'}  {visible(r.name)}  ({visible(r.origin)})")
        out.extend(r.lines)
    passed = sum(r.ok for r in results)
    failed = len(results) - passed
    total = len(compiled.program.examples)
    if len(results) < total:
        why = "-x stopped at the first failure" if len(results) < len(chosen) else "-k"
        out.append(f"{len(results)} of {total} examples ran ({why}); rule coverage not measured")
        out.append(f"{len(results)} examples: {passed} passed, {failed} failed")
        return TestRun(tuple(results), "\n".join(out) + "\n", complete=False)
    if not results:
        out.append(
            'no examples found: write `example "name" { given ... expect ... }` next to the rules'
        )
    rule_ids = list(compiled.program.rule_bodies())
    untested = [
        rid
        for rid in rule_ids
        if not any(rid in {e[0] for e in ex.expects} for ex in compiled.program.examples)
    ]
    if untested:
        out.append(f"rules no example mentions: {', '.join(untested)}")
    coverage = tuple(
        RuleCoverage(
            rid,
            fires=any(rid in x.fired_as_expected for x in results),
            passes=any(rid in x.quiet_as_expected for x in results),
        )
        for rid in rule_ids
    )
    out += [] if quiet else coverage_table(coverage)
    if quiet:
        percent = percent_covered(coverage)
        out.append(
            f"{sum(c.covered for c in coverage)} of {len(coverage)} rules fully covered ({percent:g}%)"
        )
    out.append(f"{len(results)} examples: {passed} passed, {failed} failed")
    return TestRun(tuple(results), "\n".join(out) + "\n", coverage)


def percent_covered(coverage: Sequence[RuleCoverage]) -> float:
    """The share of rules fully covered, in percent, rounded to one decimal; 100 when there
    are no rules (nothing is left uncovered).

    >>> percent_covered([RuleCoverage("a", True, True), RuleCoverage("b", False, True)])
    50.0
    """
    if not coverage:
        return 100.0
    return round(100 * sum(c.covered for c in coverage) / len(coverage), 1)


def coverage_table(coverage: Sequence[RuleCoverage]) -> list[str]:
    """Lines of the coverage table: per rule, whether an example showed it firing as expected
    and one showed it quiet as expected, then the share of rules with both.

    >>> for line in coverage_table([RuleCoverage("a", True, True), RuleCoverage("bb", True, False)]):
    ...     print(line)
    rule coverage (fires: an example expects it to fire and it does; passes: one expects it quiet and it is)
      rule  fires  passes
      a     yes    yes
      bb    yes    no
    1 of 2 rules fully covered (50%)
    """
    if not coverage:
        return []
    width = max(len("rule"), *(len(c.rule) for c in coverage))
    lines = [
        "rule coverage (fires: an example expects it to fire and it does; "
        "passes: one expects it quiet and it is)",
        f"  {'rule':<{width}}  fires  passes",
    ]
    for c in coverage:
        fires, passes = ("yes" if c.fires else "no"), ("yes" if c.passes else "no")
        lines.append(f"  {visible(c.rule):<{width}}  {fires:<5}  {passes}".rstrip())
    covered = sum(c.covered for c in coverage)
    percent = percent_covered(coverage)
    lines.append(f"{covered} of {len(coverage)} rules fully covered ({percent:g}%)")
    return lines


def render_junit_examples(run: TestRun) -> str:
    """The examples as JUnit XML: one `<testcase>` per example (named by the example, grouped
    by ruleset file), a `<failure>` holding the diff for a failing one and an `<error>` for one
    whose data could not be checked. Fixed timestamp, host and times: equal runs give equal
    XML, valid against the Apache Ant JUnit schema.
    """
    root = ET.Element("testsuites")
    failures = sum(1 for r in run.results if not r.ok and not r.errored)
    errors = sum(1 for r in run.results if r.errored)
    suite = ET.SubElement(
        root,
        "testsuite",
        {
            "name": "alignrules examples",
            "timestamp": f"{DEFAULT_TODAY.isoformat()}T00:00:00",
            "hostname": "alignrules",
            "tests": str(len(run.results)),
            "failures": str(failures),
            "errors": str(errors),
            "time": "0",
            "package": "alignrules",
            "id": "0",
        },
    )
    properties = ET.SubElement(suite, "properties")
    ET.SubElement(
        properties,
        "property",
        {"name": "alignrules.coverage", "value": f"{run.coverage_percent:g}"},
    )
    for r in run.results:
        case = ET.SubElement(
            suite,
            "testcase",
            {"name": visible(r.name), "classname": origin_classname(r.origin), "time": "0"},
        )
        if r.ok:
            continue
        detail = "\n".join(visible(line.strip()) for line in r.lines)
        kind = "error" if r.errored else "failure"
        message = (
            "the example's data could not be checked"
            if r.errored
            else f"example {visible(r.name)!r} ({visible(r.origin)}) did not give what it expects"
        )
        element = ET.SubElement(case, kind, {"message": message, "type": kind})
        element.text = detail
    ET.SubElement(suite, "system-out").text = "\n".join(
        coverage_table(run.coverage) or ["no rules"]
    )
    ET.SubElement(suite, "system-err").text = ""
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"
