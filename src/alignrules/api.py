"""The in-process API: load a ruleset once, check many plans.

Over 500 lines, because the choice of engine for a plan file (the Python engine, DuckDB on
bound records, DuckDB reading a JSON or CSV file or tables itself) and the handing back to
the Python engine happen here, beside the `Checker` whose private steps they use.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import attrs

from alignrules.diagnostics import Diagnostic, DiagnosticError, Place
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

    def __init__(
        self,
        compiled: CompiledRuleset,
        params: Mapping[str, str] | None = None,
        *,
        engine: str = "python",
    ) -> None:
        if engine not in ENGINES:
            raise DiagnosticError(
                Diagnostic(
                    "usage",
                    f"unknown engine `{engine}` (engines: {', '.join(ENGINES)})",
                    where="engine",
                )
            )
        self.compiled = compiled
        self.module: AnyModule = compiled.module
        self.engine = engine
        self._params = self._make_params(params or {})

    @property
    def rules(self) -> tuple[RuleInfo, ...]:
        """The rules, in declaration order."""
        # A rule of several bodies has an entry per body in RULES; it is one rule.
        return tuple({info.id: info for info, _ in self.module.RULES}.values())

    @property
    def python(self) -> str:
        """The generated module's source text."""
        return self.compiled.python

    def _make_params(self, overrides: Mapping[str, Any]) -> Params:
        texts = {k: v if isinstance(v, str) else _param_text(v) for k, v in overrides.items()}
        try:
            return self.module.params_from(texts)
        except ValueProblem as exc:
            raise DiagnosticError(
                Diagnostic("bad-parameter", str(exc), where=Place("--param"))
            ) from None

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
        raises a `DiagnosticError` naming the place of each problem. Binding and `run` are
        the Python engine's, whatever engine the checker was made with.
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
        from alignrules.gcpause import gc_paused

        today = as_of if as_of is not None else date.today()
        source = bound.source
        try:
            report = self.module.check(bound.plan, chosen, today=today)
        except RuleCrashed as exc:
            raise DiagnosticError(_crash_diag(exc, source)) from exc
        if source is not None:
            from alignrules.data.from_json import bulk_locator

            with gc_paused():  # a new Violation and Locations per violation, no cycles
                report = report.with_locations(source.locate, bulk_locator(source))
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
        if self.engine != "duckdb":
            return self._run(self.bind(data, dialect=dialect, source=source), as_of, chosen)
        from alignrules.gcpause import gc_paused
        from alignrules.runtime.bind import DataError

        today = as_of if as_of is not None else date.today()
        try:
            report: Report = _duckdb_check(self, data, chosen, today, dialect)
        except _python_needed():
            # DuckDB cannot give this plan's report exactly (a number beyond its decimals, a
            # rule that fails on a record): the Python engine's is the report.
            return self._run(self.bind(data, dialect=dialect, source=source), as_of, chosen)
        except DataError as exc:
            raise DiagnosticError([_data_diag(p, m, source) for p, m in exc.problems]) from None
        except RuleCrashed as exc:
            raise DiagnosticError(_crash_diag(exc, source)) from exc
        if source is not None:
            from alignrules.data.from_json import bulk_locator

            with gc_paused():  # a new Violation and Locations per violation, no cycles
                report = report.with_locations(source.locate, bulk_locator(source))
        return report

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

        limit = DEFAULT_MAX_BYTES if max_bytes is None else max_bytes
        if self._reads_natively(path):
            native = self._native(path, limit, as_of, params)
            if native is not None:
                return native
        _no_tables(path)
        data = read_plan(path, max_bytes=limit)
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
                if isinstance(plan, str | os.PathLike) and self._reads_natively(plan):
                    native = self._native(plan, limit, day, params)
                    if native is not None:
                        reports.append(native)
                        # tables have no text: their errors name the plan, not `<data>`
                        errors.extend(crash_diagnostics(native, os.fspath(plan)))
                        checked.append(os.fspath(plan))
                        continue
                if isinstance(plan, str | os.PathLike):
                    _no_tables(plan)
                    data = read_plan(plan, max_bytes=limit)
                else:
                    data = plan
                dialect = "csv" if data.kind == "csv" else "json"
                report = self.check(
                    data.root, as_of=day, params=params, dialect=dialect, source=data
                )
                reports.append(report)
                errors.extend(crash_diagnostics(report))
                checked.append(data.name)
            except DiagnosticError as exc:
                errors.extend(exc.diagnostics)
        report = Report.combine(reports) if reports else Report.build((), self.rules, day)
        return PlansReport(report, tuple(checked), tuple(errors))

    def _reads_natively(self, path: str | os.PathLike[str]) -> bool:
        """Whether the DuckDB engine is to read the plan file at `path` itself."""
        if self.engine == "auto":
            from alignrules.sql.choice import prefers_duckdb

            return prefers_duckdb(path)
        return self.engine == "duckdb"

    def _native(
        self,
        path: str | os.PathLike[str],
        limit: int,
        as_of: date | None,
        params: Mapping[str, Any] | None,
    ) -> Report | None:
        """`_native_check`; with `engine="auto"`, None (check it with Python) where the
        ruleset has a construct the SQL target refuses, or for a plan held as tables, the
        Python engine's report on the plan read back from them."""
        if self.engine != "auto":
            return _native_check(self, path, limit, as_of, params)
        from alignrules.sql.table_files import is_table_source

        try:
            return _native_check(self, path, limit, as_of, params)
        except DiagnosticError as exc:
            if not all(d.code == "sql-unsupported" for d in exc.diagnostics):
                raise
            if not is_table_source(path):
                return None
            chosen = self._params if params is None else self._make_params(params)
            return self._run(_bind_tables(self, Path(path)), as_of, chosen)


#: `auto` checks a large JSON or CSV plan, or a plan held as tables, with DuckDB when it is
#: installed, and anything else with Python (`sql.choice`).
ENGINES: Final = ("python", "duckdb", "auto")


def _duckdb_check(checker: Checker, data: Any, params: Any, today: date, dialect: str) -> Report:
    """`data` checked by the SQL translation of the ruleset on DuckDB (extra `duckdb`)."""
    try:
        from alignrules.sql import duckdb_engine
    except ImportError:
        raise DiagnosticError(
            Diagnostic(
                "usage",
                "the duckdb engine needs DuckDB and sqlglot",
                where="engine",
                hint="pip install 'alignrules[duckdb]'",
            )
        ) from None
    return duckdb_engine.check(
        checker.compiled.program, checker.module, data, params, today=today, dialect=dialect
    )


def _python_needed() -> type[Exception]:
    """What the SQL engines raise where only the Python engine gives the plan's report."""
    from alignrules.sql.limits import PythonNeeded

    return PythonNeeded


def _no_tables(path: str | os.PathLike[str]) -> None:
    """Refuse, with the way out, a plan held as tables when the engine is Python's."""
    from alignrules.sql.table_files import is_table_source

    if is_table_source(path):
        raise DiagnosticError(
            Diagnostic(
                "data",
                "is a plan held as tables (a DuckDB file or Parquet files), which only the"
                " duckdb engine reads",
                where=os.fspath(path),
                hint="check it with `--engine duckdb`",
            )
        )


def _native_check(
    checker: Checker,
    path: str | os.PathLike[str],
    limit: int,
    as_of: date | None,
    params: Mapping[str, Any] | None,
) -> Report | None:
    """The plan file at `path` checked in DuckDB as DuckDB reads it, or None when the Python
    reader must read it (not a JSON file or CSV plan within `limit`, or values DuckDB's
    reader cannot take exactly as the Python loader does). Locations are looked up only when
    there is a finding to locate: in a JSON file's text (`data.json_text`), or by the Python
    reader of a CSV plan."""
    from alignrules.data.from_json import BulkLocate, bulk_locator
    from alignrules.data.json_text import JsonText
    from alignrules.data.limits import read_text
    from alignrules.data.read import read_plan
    from alignrules.gcpause import gc_paused

    file = Path(path)
    try:
        from alignrules.sql import native_engine
    except ImportError:
        return None  # the baseline path names the missing extra
    chosen = checker._params if params is None else checker._make_params(params)
    today = as_of if as_of is not None else date.today()
    from alignrules.sql.csv_reader import csv_plan_bytes
    from alignrules.sql.table_files import is_table_source

    if is_table_source(file):
        # Tables in the layout (Parquet files, a DuckDB file): no text to locate findings in,
        # so each keeps its record's place in the plan (`/marketing/claims/7`).
        try:
            return native_engine.check_tables(
                checker.compiled.program, checker.module, file, chosen, today=today
            )
        except _python_needed():
            # The queries cannot give this plan's report (a rule fails on a record, money in
            # several currencies): the tables, read back into the plan they hold, are
            # checked by the Python engine, whose report it is.
            return checker._run(_bind_tables(checker, file), as_of, chosen)
        except RuleCrashed as exc:
            raise DiagnosticError(_crash_diag(exc, None)) from exc
    csv_bytes = csv_plan_bytes(file)
    if csv_bytes is not None or file.is_dir():
        if csv_bytes is None or csv_bytes > limit:  # the Python reader says why
            return None

        def run() -> Report:
            return native_engine.check_csv(
                checker.compiled.program, checker.module, file, chosen, today=today
            )

        def locate() -> tuple[Callable[[Location], Location], BulkLocate | None]:
            # The rows' lines and the cells' columns: the Python reader finds them.
            plan = read_plan(file, max_bytes=limit)
            return plan.locate, bulk_locator(plan)
    else:
        if file.suffix.lower() != ".json" or not file.is_file() or file.stat().st_size > limit:
            return None
        # The file's text, not a parse of it: findings are located, and the numbers a
        # message prints read as written, from the text along their pointers (`json_text`).
        texts: list[JsonText] = []

        def text() -> JsonText:
            if not texts:
                texts.append(JsonText(read_text(os.fspath(file), limit), os.fspath(file)))
            return texts[0]

        def run() -> Report:
            return native_engine.check_file(
                checker.compiled.program,
                checker.module,
                file,
                chosen,
                today=today,
                raw=lambda pointer: text().value(pointer),
            )

        def locate() -> tuple[Callable[[Location], Location], BulkLocate | None]:
            return text().locate, text().locate_all  # every finding's pointer at once

    try:
        report = run()
    except native_engine.NativeUnavailable:
        return None
    except _python_needed():
        return checker._run(checker.bind(read_plan(file, max_bytes=limit)), as_of, chosen)
    except RuleCrashed as exc:
        raise DiagnosticError(_crash_diag(exc, read_plan(file, max_bytes=limit))) from exc
    if report.violations:
        with gc_paused():  # a new Violation and Locations per violation, no cycles
            report = report.with_locations(*locate())
    return report


def _bind_tables(checker: Checker, path: Path) -> BoundPlan:
    """The plan held as tables at `path`, bound for the Python engine; its records keep their
    places in the plan (`/marketing/claims/7`), and a data error names the tables."""
    from alignrules.runtime.bind import DataError
    from alignrules.sql.from_tables import read_tables

    data = read_tables(checker.compiled.program, checker.module, path)
    try:
        plan = checker.module.load(data, "json")
    except DataError as exc:
        where = Place(os.fspath(path))
        raise DiagnosticError(
            [Diagnostic("data", f"{p or '/'}: {m}", where=where) for p, m in exc.problems]
        ) from None
    return BoundPlan(plan, checker.module)


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
    """A rule that stopped the check: where the record is (an engine that stops at the first
    failing record names it) or which rule, and why in words."""
    from alignrules.runtime import crashes

    why, hint = crashes.reason(exc.__cause__), crashes.hint(exc.__cause__)
    on = f" on {exc.entity} ({exc.pointer or '/'})" if exc.entity else ""
    message = f"rule `{exc.rule}` ({exc.origin}) could not be checked{on}: {why}"
    # The rule's origin is `file:line` text, made by generated code from the rule's span.
    where = Place.parse(exc.origin) if exc.pointer is None else _data_place(exc.pointer, source)
    return Diagnostic("rule-crashed", message, where=where, hint=hint)


def crash_diagnostics(report: Report, data: str = "<data>") -> list[Diagnostic]:
    """The records rules failed on (`rule-crashed` findings), as located errors: the report
    keeps them too, but a report with one is not complete. A finding with no file (data
    given in memory, a plan held as tables) is placed at `data`."""
    from alignrules.runtime import crashes

    out = []
    for v in report.violations:
        if v.rule == crashes.CRASHED.id:
            loc = v.location
            where = Place(loc.file or data, loc.line, loc.column)
            on = f" on {v.entity} `{v.key}`"
            head, _, why = v.message.partition(on + ": ")
            hint = crashes.HINTS.get(why, crashes.VALUE_HINT)
            message = f"{head}{on} ({loc.pointer or '/'}): {why}"
            out.append(Diagnostic("rule-crashed", message, where=where, hint=hint))
    return out


def _data_place(pointer: str, source: PlanData | None) -> Place:
    """Where a JSON pointer's value is in the plan, or `<data>` for data given in memory."""
    return Place("<data>") if source is None else source.place(pointer)


def _data_diag(pointer: str, message: str, source: PlanData | None) -> Diagnostic:
    return Diagnostic("data", f"{pointer or '/'}: {message}", where=_data_place(pointer, source))


def load(
    ruleset: str | os.PathLike[str],
    *,
    params: Mapping[str, Any] | None = None,
    engine: str = "python",
) -> Checker:
    """Compile a ruleset into a Checker: a `.rules` file, a folder of them, ruleset text,
    or `std:NAME` for a ruleset that ships with alignrules (`std:strategy`).

    Compilation is cached by content, so loading an unchanged ruleset again is cheap.
    `engine` is `python` (the generated module), `duckdb` (the SQL translation, run on
    DuckDB: extra `duckdb`), or `auto` (DuckDB for a large JSON plan file or a plan held as
    tables, when it is installed; Python otherwise); all give the same report.
    """
    from alignrules.compile import compile_paths, compile_text

    if isinstance(ruleset, str) and ("\n" in ruleset or "{" in ruleset):
        return Checker(compile_text(ruleset), params, engine=engine)
    return Checker(compile_paths([ruleset]), params, engine=engine)


def load_many(
    rulesets: list[str | os.PathLike[str]],
    *,
    params: Mapping[str, Any] | None = None,
    engine: str = "python",
) -> Checker:
    """One Checker for several ruleset files or folders checked together."""
    from alignrules.compile import compile_paths

    return Checker(compile_paths(rulesets), params, engine=engine)
