"""The in-process API: load a ruleset once, check many plans."""

from __future__ import annotations

import decimal
import os
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import attrs

from alignrules.diagnostics import Diagnostic, DiagnosticError
from alignrules.runtime.report import Location, Report, RuleCrashed, RuleInfo
from alignrules.runtime.values import ValueProblem

if TYPE_CHECKING:
    from alignrules.compile import CompiledRuleset
    from alignrules.data.read import PlanData
    from alignrules.runtime.module import AnyModule, Params, Plan

# The compiler (`alignrules.compile` and what it imports), the plan reader and the binder are
# imported where they are first needed, so that `import alignrules` stays cheap
# (docs/performance.md); after the first call each import is a dictionary lookup.


class Checker:
    """A compiled ruleset, ready to check plan data.

    >>> checker = alignrules.load("std:strategy")               # doctest: +SKIP
    >>> report = checker.check_file("examples/aligned/plan.yaml", as_of=date(2026, 11, 22))
    """

    def __init__(self, compiled: CompiledRuleset, params: Mapping[str, str] | None = None) -> None:
        self.compiled = compiled
        self.module: AnyModule = compiled.module
        self._params = self._make_params(params or {})

    @property
    def rules(self) -> tuple[RuleInfo, ...]:
        """The rules, in declaration order."""
        return tuple(info for info, _ in self.module.RULES)

    @property
    def python(self) -> str:
        """The generated module's source text."""
        return self.compiled.python

    def _make_params(self, overrides: Mapping[str, Any]) -> Params:
        texts = {k: v if isinstance(v, str) else _param_text(v) for k, v in overrides.items()}
        try:
            return self.module.params_from(texts)
        except ValueProblem as exc:
            raise DiagnosticError(Diagnostic("bad-parameter", str(exc), where="--param")) from None

    def bind(
        self,
        data: Mapping[str, Any] | PlanData,
        *,
        dialect: str = "json",
        source: PlanData | None = None,
    ) -> BoundPlan:
        """Bind plan data to this ruleset's entities once, to `run` the rules on it any number
        of times (with other parameters or dates, or to time binding and checking apart).

        `data` is a mapping as parsed from JSON or YAML (`dialect="csv"`: file name → rows),
        or a plan read by `read_plan`, whose file then locates every violation. Bad data
        raises a `DiagnosticError` naming the place of each problem.
        """
        from alignrules.data.read import PlanData
        from alignrules.runtime.bind import DataError

        if isinstance(data, PlanData):
            source, dialect, data = data, "csv" if data.kind == "csv" else "json", data.root
        try:
            plan = self.module.load(data, dialect)
        except DataError as exc:
            raise DiagnosticError([_data_diag(p, m, source) for p, m in exc.problems]) from None
        return BoundPlan(plan, self.module, source)

    def bind_file(self, path: str | os.PathLike[str], *, max_bytes: int | None = None) -> BoundPlan:
        """`bind` a plan export read as by `check_file`."""
        return self.bind(read_plan(path, max_bytes=max_bytes))

    def run(
        self,
        bound: BoundPlan,
        *,
        as_of: date | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> Report:
        """Run every rule on a plan bound by this checker's `bind` (as `check` does)."""
        if bound.module is not self.module:
            raise ValueError("this plan was bound by another ruleset: bind it with this checker")
        chosen = self._params if params is None else self._make_params(params)
        return self._run(bound, as_of, chosen)

    def _run(self, bound: BoundPlan, as_of: date | None, chosen: Params) -> Report:
        from alignrules.runtime.gcpause import gc_paused

        today = as_of if as_of is not None else date.today()
        source = bound.source
        try:
            report = self.module.check(bound.plan, chosen, today=today)
        except RuleCrashed as exc:
            raise DiagnosticError(_crash_diag(exc, source)) from exc
        if source is not None:
            with gc_paused():  # a new Violation and Locations per violation, no cycles
                report = report.with_locations(source.locate)
        return report

    def check(
        self,
        data: Mapping[str, Any],
        *,
        as_of: date | None = None,
        params: Mapping[str, Any] | None = None,
        dialect: str = "json",
        source: PlanData | None = None,
    ) -> Report:
        """Check plan data already in memory (a mapping as parsed from JSON or YAML).

        `as_of` is the evaluation date that rules call `today` (default: today's date).
        `params` overrides ruleset parameters by name (text or Python values).
        """
        chosen = self._params if params is None else self._make_params(params)
        return self._run(self.bind(data, dialect=dialect, source=source), as_of, chosen)

    def check_file(
        self,
        path: str | os.PathLike[str],
        *,
        as_of: date | None = None,
        params: Mapping[str, Any] | None = None,
        max_bytes: int | None = None,
    ) -> Report:
        """Check a plan export: a .json, .yaml/.yml file, or a folder of .csv files.

        Only a regular file is read, of at most `max_bytes` bytes (default 256 MiB; for a
        folder, its .csv files together); anything else is a `data` error.
        """
        from alignrules.data.limits import DEFAULT_MAX_BYTES
        from alignrules.data.read import read_plan

        data = read_plan(path, max_bytes=DEFAULT_MAX_BYTES if max_bytes is None else max_bytes)
        dialect = "csv" if data.kind == "csv" else "json"
        return self.check(data.root, as_of=as_of, params=params, dialect=dialect, source=data)

    def check_plans(
        self,
        plans: Sequence[str | os.PathLike[str] | PlanData],
        *,
        as_of: date | None = None,
        params: Mapping[str, Any] | None = None,
        max_bytes: int | None = None,
    ) -> PlansReport:
        """Check several plan exports (paths, or `PlanData` already read), each on its own.

        The result has one report over every plan that could be checked, each violation
        located in its own file, and the input errors of the others, each naming its file:
        one broken export does not hide what the rest show. Each file is read as by
        `check_file`, within `max_bytes`.
        """
        from alignrules.data.limits import DEFAULT_MAX_BYTES
        from alignrules.data.read import read_plan

        limit = DEFAULT_MAX_BYTES if max_bytes is None else max_bytes

        day = as_of if as_of is not None else date.today()  # one day for every plan
        reports: list[Report] = []
        checked: list[str] = []
        errors: list[Diagnostic] = []
        for plan in plans:
            try:
                if isinstance(plan, str | os.PathLike):
                    data = read_plan(plan, max_bytes=limit)
                else:
                    data = plan
                dialect = "csv" if data.kind == "csv" else "json"
                reports.append(
                    self.check(data.root, as_of=day, params=params, dialect=dialect, source=data)
                )
                checked.append(data.name)
            except DiagnosticError as exc:
                errors.extend(exc.diagnostics)
        report = (
            Report.combine(reports)
            if reports
            else Report.build((), (info for info, _ in self.module.RULES), day)
        )
        return PlansReport(report, tuple(checked), tuple(errors))


@attrs.frozen
class BoundPlan:
    """Plan data bound to one checker's entity classes (`Checker.bind`): typed records, key
    indexes and the dangling references found, ready for `Checker.run`."""

    plan: Plan = attrs.field(repr=False)  # the generated module's own `Plan`
    module: AnyModule = attrs.field(repr=False, eq=False)
    source: PlanData | None = attrs.field(default=None, repr=False, eq=False)


def read_plan(path: str | os.PathLike[str], *, max_bytes: int | None = None) -> PlanData:
    """Read a plan export (.json, .yaml/.yml, or a folder of .csv files) once, to bind it to
    several checkers; at most `max_bytes` (default 256 MiB) are read."""
    from alignrules.data import read
    from alignrules.data.limits import DEFAULT_MAX_BYTES

    return read.read_plan(path, max_bytes=DEFAULT_MAX_BYTES if max_bytes is None else max_bytes)


@attrs.frozen
class PlansReport:
    """What `Checker.check_plans` found: `report` covers the plans that could be checked;
    `errors` are the input errors of the others, each naming its plan's file."""

    report: Report
    checked: tuple[str, ...]  # the names of the plans in `report`
    errors: tuple[Diagnostic, ...] = ()

    @property
    def ok(self) -> bool:
        """True when every plan was checked and nothing of severity error was found."""
        return not self.errors and self.report.ok


def _param_text(value: Any) -> str:
    if isinstance(value, frozenset | set | list | tuple):
        return ",".join(sorted(_param_text(v) for v in value))
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return f"{value.days} days"
    return str(value)


def _crash_diag(exc: RuleCrashed, source: PlanData | None) -> Diagnostic:
    """A rule that failed on a record: where the record is, which rule, and why in words."""
    detail, hint = _crash_reason(exc.__cause__)
    on = f" on {exc.entity} ({exc.pointer or '/'})" if exc.entity else ""
    message = f"rule `{exc.rule}` ({exc.origin}) could not be checked{on}: {detail}"
    where = exc.origin if exc.pointer is None else _data_where(exc.pointer, source)
    return Diagnostic("rule-crashed", message, where=where, hint=hint)


def _crash_reason(cause: BaseException | None) -> tuple[str, str]:
    # 0 / 0 raises InvalidOperation itself, naming DivisionUndefined among its signals.
    signals = cause.args[0] if cause is not None and cause.args else ()
    undefined = isinstance(signals, list) and decimal.DivisionUndefined in signals
    if undefined or isinstance(
        cause, ZeroDivisionError | decimal.DivisionByZero | decimal.DivisionUndefined
    ):
        return "division by zero", "guard the division: `where <divisor> > 0`, or `otherwise`"
    if isinstance(cause, ValueProblem):
        return str(cause), "clean this value in the export, or guard the rule against it"
    if isinstance(cause, OverflowError) and "date" in str(cause):
        # `today + 3000000 days`: the language's durations are in range, their sum need not be.
        return (
            "a date out of range (before the year 1 or after the year 9999)",
            "guard the date arithmetic, or use a shorter duration",
        )
    if isinstance(cause, decimal.Overflow):
        return "a number too large for decimal arithmetic", "guard the rule against this value"
    if isinstance(cause, decimal.InvalidOperation):
        return "an invalid decimal operation", "guard the rule against this value"
    name = type(cause).__name__ if cause is not None else "an error"
    return f"{name}: {cause}", "please report this, with the ruleset and this record"


def _data_where(pointer: str, source: PlanData | None) -> str:
    """`file:line:col` of a JSON pointer in the plan, or `<data>` for data given in memory."""
    if source is None:
        return "<data>"
    loc = source.locate(Location(None, pointer))
    where = loc.file or source.name
    if loc.line is not None:
        where += f":{loc.line}"
        if loc.column is not None:
            where += f":{loc.column}"
    return where


def _data_diag(pointer: str, message: str, source: PlanData | None) -> Diagnostic:
    return Diagnostic("data", f"{pointer or '/'}: {message}", where=_data_where(pointer, source))


def load(ruleset: str | os.PathLike[str], *, params: Mapping[str, Any] | None = None) -> Checker:
    """Compile a ruleset into a Checker: a `.rules` file, a folder of them, ruleset text,
    or `std:NAME` for a ruleset that ships with alignrules (`std:strategy`).

    Compilation is cached by content, so loading an unchanged ruleset again is cheap.
    """
    from alignrules.compile import compile_paths, compile_text

    if isinstance(ruleset, str) and ("\n" in ruleset or "{" in ruleset):
        return Checker(compile_text(ruleset), params)
    return Checker(compile_paths([ruleset]), params)


def load_many(
    rulesets: list[str | os.PathLike[str]], *, params: Mapping[str, Any] | None = None
) -> Checker:
    """One Checker for several ruleset files or folders checked together."""
    from alignrules.compile import compile_paths

    return Checker(compile_paths(rulesets), params)
