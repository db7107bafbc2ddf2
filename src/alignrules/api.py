"""The in-process API: load a ruleset once, check many plans."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import date
from typing import Any

from alignrules.compile import CompiledRuleset, compile_paths, compile_text
from alignrules.data.read import PlanData, read_plan
from alignrules.diagnostics import Diagnostic, DiagnosticError
from alignrules.runtime.bind import DataError
from alignrules.runtime.report import Location, Report, RuleCrashed, RuleInfo
from alignrules.runtime.values import ValueProblem


class Checker:
    """A compiled ruleset, ready to check plan data.

    >>> checker = alignrules.load("rulesets/strategy")          # doctest: +SKIP
    >>> report = checker.check_file("examples/aligned/plan.yaml", as_of=date(2026, 11, 22))
    """

    def __init__(self, compiled: CompiledRuleset, params: Mapping[str, str] | None = None) -> None:
        self.compiled = compiled
        self.module = compiled.module
        self._params = self._make_params(params or {})

    @property
    def rules(self) -> tuple[RuleInfo, ...]:
        """The rules, in declaration order."""
        return tuple(info for info, _ in self.module.RULES)

    @property
    def python(self) -> str:
        """The generated module's source text."""
        return self.compiled.python

    def _make_params(self, overrides: Mapping[str, Any]) -> Any:
        texts = {k: v if isinstance(v, str) else _param_text(v) for k, v in overrides.items()}
        try:
            return self.module.params_from(texts)
        except ValueProblem as exc:
            raise DiagnosticError(Diagnostic("bad-parameter", str(exc), where="--param")) from None

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
        try:
            plan = self.module.load(data, dialect)
        except DataError as exc:
            raise DiagnosticError([_data_diag(p, m, source) for p, m in exc.problems]) from None
        today = as_of if as_of is not None else date.today()
        try:
            report: Report = self.module.check(plan, chosen, today=today)
        except RuleCrashed as exc:
            cause = exc.__cause__
            detail = f"{type(cause).__name__}: {cause}" if cause else ""
            raise DiagnosticError(
                Diagnostic(
                    "rule-crashed",
                    f"rule `{exc.rule}` failed while checking: {detail}",
                    where=exc.origin,
                    hint="guard the rule against this data (e.g. `where x.cac > 0` before dividing)",
                )
            ) from exc
        if source is not None:
            report = report.with_locations(source.locate)
        return report

    def check_file(
        self,
        path: str | os.PathLike[str],
        *,
        as_of: date | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> Report:
        """Check a plan export: a .json, .yaml/.yml file, or a folder of .csv files."""
        data = read_plan(path)
        dialect = "csv" if data.kind == "csv" else "json"
        return self.check(data.root, as_of=as_of, params=params, dialect=dialect, source=data)


def _param_text(value: Any) -> str:
    if isinstance(value, frozenset | set | list | tuple):
        return ",".join(sorted(_param_text(v) for v in value))
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _data_diag(pointer: str, message: str, source: PlanData | None) -> Diagnostic:
    if source is None:
        return Diagnostic("data", f"{pointer or '/'}: {message}", where="<data>")
    loc = source.locate(Location(None, pointer))
    where = loc.file or source.name
    if loc.line is not None:
        where += f":{loc.line}"
        if loc.column is not None:
            where += f":{loc.column}"
    return Diagnostic("data", f"{pointer or '/'}: {message}", where=where)


def load(ruleset: str | os.PathLike[str], *, params: Mapping[str, Any] | None = None) -> Checker:
    """Compile a ruleset (a `.rules` file, a folder of them, or ruleset text) into a Checker.

    Compilation is cached by content, so loading an unchanged ruleset again is cheap.
    """
    if isinstance(ruleset, str) and ("\n" in ruleset or "{" in ruleset):
        return Checker(compile_text(ruleset), params)
    return Checker(compile_paths([ruleset]), params)


def load_many(
    rulesets: list[str | os.PathLike[str]], *, params: Mapping[str, Any] | None = None
) -> Checker:
    """One Checker for several ruleset files or folders checked together."""
    return Checker(compile_paths(rulesets), params)
