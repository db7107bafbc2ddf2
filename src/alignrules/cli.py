"""The command line. The only module that prints, reads sys.argv or exits.

Exit codes: 0 nothing failing, 1 violations at or above `--fail-on` (or failing examples),
2 usage, ruleset or data error: one clear message, never a traceback.

Over 500 lines: it holds every subcommand's argument parsing and output, since it is the one
module allowed to print and exit. The next step is a `cli/` package with one module per
subcommand family (check and its outputs; compile/test/doc; fmt/lint; lsp).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from alignrules import api
from alignrules.compile import (
    VERSION,
    CompiledRuleset,
    compile_paths,
    display_name,
    read_source,
    ruleset_files,
)
from alignrules.diagnostics import Diagnostic, DiagnosticError, Place, render_text, visible
from alignrules.gcpause import pausing_gc
from alignrules.lint import CODES as LINT_CODES
from alignrules.lint import LINT_FORMATS
from alignrules.render import FORMATS, render
from alignrules.runtime.report import Report, Severity
from alignrules.terminal import colour, progress, wants_colour

if TYPE_CHECKING:
    from alignrules.data.read import PlanData
    from alignrules.render.alignment import AlignmentMap
    from alignrules.selection import Selection

EXIT_OK, EXIT_VIOLATIONS, EXIT_ERROR = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors in our format (and exit code 2)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise DiagnosticError(Diagnostic("usage", message, hint=f"see `{self.prog} --help`"))


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"`{text}` is not a date like 2026-11-22") from None


def _size(text: str) -> int:
    from alignrules.data.limits import parse_size

    try:
        return parse_size(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _percent(text: str) -> float:
    try:
        value = float(text.strip().removesuffix("%"))
    except ValueError:
        value = -1.0
    if not 0 <= value <= 100:
        raise argparse.ArgumentTypeError(f"`{text}` is not a percentage from 0 to 100")
    return value


def _param(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"`{text}` is not name=value")
    return name.strip(), value


def _output(text: str) -> tuple[str, str]:
    fmt, sep, path = text.partition("=")
    if not sep or fmt not in FORMATS or not path:
        raise argparse.ArgumentTypeError(
            f"`{text}` is not FORMAT=PATH with FORMAT one of {', '.join(FORMATS)}"
        )
    return fmt, path


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="alignrules",
        description="Check business and marketing plans against rules written in the alignrules language.",
    )
    parser.add_argument("--version", action="version", version=f"alignrules {VERSION}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    check = sub.add_parser("check", help="check plan data against rulesets")
    check.add_argument(
        "rulesets",
        nargs="*",
        metavar="RULESET",
        help="a .rules file, a folder of them, or std:NAME (default: the configuration's)",
    )
    check.add_argument(
        "--data",
        action="append",
        metavar="PLAN",
        help="a .json, .yaml or .yml file, a folder of .csv files, or `-` for JSON or YAML "
        "on standard input; repeat it to check several plans in one report",
    )
    check.add_argument("--format", choices=sorted(FORMATS), help="what to print (default: text)")
    check.add_argument(
        "--max-data-size",
        type=_size,
        metavar="SIZE",
        help="refuse a plan larger than this, e.g. 1G (default: 256M; a folder: its files together)",
    )
    check.add_argument(
        "--output",
        action="append",
        type=_output,
        default=[],
        metavar="FORMAT=PATH",
        help="also write a report to a file, e.g. sarif=report.sarif (repeatable)",
    )
    check.add_argument(
        "--fail-on",
        choices=["error", "warning", "info", "never"],
        help="exit 1 when a violation of this severity or worse is found (default: error)",
    )
    check.add_argument(
        "--param",
        action="append",
        type=_param,
        default=[],
        metavar="NAME=VALUE",
        help="override a ruleset parameter (repeatable)",
    )
    check.add_argument(
        "--as-of",
        type=_date,
        metavar="DATE",
        help="the evaluation date rules call `today` and waivers expire by (default: today)",
    )
    check.add_argument(
        "--waivers",
        metavar="FILE",
        help="a .yaml or .json file of waivers: accepted violations are reported as waived",
    )
    check.add_argument(
        "--baseline",
        metavar="REPORT",
        help="a JSON report of an earlier run (--format json): report only new violations",
    )
    check.add_argument(
        "--engine",
        choices=["python", "duckdb", "auto"],
        default="python",
        help="run the generated Python (default) or the SQL translation on DuckDB "
        "(needs alignrules[duckdb]), or let `auto` pick DuckDB for a large JSON or CSV "
        "plan or tables when it is installed; all give the same report",
    )
    _add_check_selection(check)

    comp = sub.add_parser(
        "compile", help="write the typed Python checker module (or SQL queries) for rulesets"
    )
    comp.add_argument("rulesets", nargs="+", metavar="RULESET")
    comp.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="FILE",
        help="the .py (or .sql) file to write (`-` for standard output)",
    )
    comp.add_argument(
        "--target",
        choices=["python", "sql"],
        default="python",
        help="python: a typed checker module (default); sql: one query per rule "
        "(needs alignrules[sql])",
    )
    comp.add_argument(
        "--dialect",
        choices=["duckdb", "spark", "trino", "snowflake", "bigquery", "postgres"],
        default="duckdb",
        help="the SQL dialect for --target sql (default: duckdb)",
    )

    test = sub.add_parser("test", help="run the examples written next to the rules")
    test.add_argument("rulesets", nargs="+", metavar="RULESET")
    test.add_argument(
        "--min-coverage",
        type=_percent,
        metavar="PERCENT",
        help="exit 1 when fewer than PERCENT%% of the rules are fully covered by examples",
    )
    test.add_argument(
        "--junit", metavar="FILE", help="also write the examples' results as JUnit XML"
    )
    _add_test_selection(test)

    fmt = sub.add_parser("fmt", help="rewrite ruleset files in the one canonical layout")
    fmt.add_argument("rulesets", nargs="+", metavar="RULESET")
    fmt.add_argument(
        "--check", action="store_true", help="change nothing; exit 1 if a file would change"
    )
    fmt.add_argument(
        "--diff",
        action="store_true",
        help="change nothing; print what would change as a unified diff, exit 1 if anything would",
    )

    lint = sub.add_parser(
        "lint", help="find rules that cannot fire, unused declarations, slow joins"
    )
    lint.add_argument("rulesets", nargs="+", metavar="RULESET")
    lint.add_argument(
        "--format", default="text", choices=LINT_FORMATS, help="what to print (default: text)"
    )
    lint.add_argument(
        "--ignore",
        action="append",
        default=[],
        choices=sorted(LINT_CODES),
        metavar="CODE",
        help="leave out findings with this code (repeatable)",
    )
    _add_rulesets_command(sub)
    _add_doc_command(sub)
    _add_explain_command(sub)

    lsp = sub.add_parser("lsp", help="run the language server for editors (needs alignrules[lsp])")
    # Editors' client libraries pass `--stdio`; stdio is the only transport.
    lsp.add_argument("--stdio", action="store_true", help=argparse.SUPPRESS)
    return parser


def _add_explain_command(sub: argparse._SubParsersAction[_Parser]) -> None:
    explain = sub.add_parser(
        "explain",
        help="explain an error code, or show a rule's rationale",
        description="Print the documentation of an error code (`unordered-compare`), or the "
        "title, rationale, owner and links of a rule of the given rulesets.",
    )
    explain.add_argument("name", metavar="CODE", help="an error code or a rule id")
    explain.add_argument(
        "rulesets",
        nargs="*",
        metavar="RULESET",
        default=["std:strategy"],
        help="where to look for rules (default: std:strategy)",
    )


def _add_doc_command(sub: argparse._SubParsersAction[_Parser]) -> None:
    doc = sub.add_parser(
        "doc",
        help="write a reviewer's document of rulesets: Markdown and a static HTML site",
        description="Write every rule with its metadata, text, parameters, examples and "
        "coverage, indexed by tag and owner: OUTPUT/ruleset.md, and OUTPUT/index.html with "
        "a page per rule under OUTPUT/rules/.",
    )
    doc.add_argument("rulesets", nargs="+", metavar="RULESET")
    doc.add_argument(
        "-o", "--output", required=True, metavar="FOLDER", help="the folder to write into"
    )
    doc.add_argument(
        "--format",
        choices=["markdown", "html", "both"],
        default="both",
        help="what to write (default: both)",
    )


def _add_test_selection(test: argparse.ArgumentParser) -> None:
    test.add_argument(
        "-k",
        dest="keyword",
        metavar="TEXT",
        help="run only the examples whose name contains TEXT (ignoring case)",
    )
    test.add_argument(
        "-x", "--exitfirst", action="store_true", help="stop after the first failing example"
    )
    test.add_argument(
        "-q", "--quiet", action="store_true", help="list only failing examples, and the totals"
    )


def _add_check_selection(check: argparse.ArgumentParser) -> None:
    for flag, what in (("--rule", "RULE"), ("--tag", "TAG"), ("--owner", "OWNER")):
        check.add_argument(
            flag,
            action="append",
            default=[],
            metavar=what,
            help=f"report only rules with this {what.lower()} (repeatable; any match counts)",
        )
    check.add_argument(
        "--config",
        metavar="FILE",
        help="the configuration file (default: alignrules.toml or pyproject.toml "
        "[tool.alignrules], found from here upwards)",
    )
    check.add_argument("--no-config", action="store_true", help="read no configuration file")


def _add_rulesets_command(sub: argparse._SubParsersAction[_Parser]) -> None:
    sub.add_parser(
        "rulesets",
        help="list the rulesets that ship with alignrules (use them as std:NAME)",
        description="List the shipped rulesets. Name one as `std:NAME` wherever a ruleset "
        "path goes: `alignrules check std:strategy --data plan.yaml`.",
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    # The command line owns its process, so it lets the library pause the garbage collector
    # while it builds many acyclic objects (alignrules/gcpause.py, `pausing_gc`).
    with pausing_gc():
        return _main(args_list)


def _main(args_list: list[str]) -> int:
    try:
        args = build_parser().parse_args(args_list)
        if args.command == "check":
            return _check(args)
        if args.command == "compile":
            return _compile(args)
        if args.command == "test":
            return _test(args)
        if args.command == "fmt":
            return _fmt(args)
        if args.command == "lint":
            return _lint(args)
        if args.command == "rulesets":
            return _rulesets()
        if args.command == "doc":
            return _doc(args)
        if args.command == "explain":
            from alignrules.explain import explain

            sys.stdout.write(explain(args.name, args.rulesets))
            return EXIT_OK
        if args.command == "lsp":
            return _lsp()
        raise AssertionError(args.command)  # pragma: no cover - argparse refuses others
    except DiagnosticError as exc:
        for d in exc.diagnostics:
            _error(render_text(d))
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_ERROR
    except RecursionError:
        print("error: the input is nested too deeply to process  [data]", file=sys.stderr)
        return EXIT_ERROR
    except Exception as exc:
        if os.environ.get("ALIGNRULES_DEBUG"):
            raise
        print(
            f"error: internal error: {type(exc).__name__}: {visible(str(exc))}  [internal]\n"
            "    hint: please report this; set ALIGNRULES_DEBUG=1 to see the traceback",
            file=sys.stderr,
        )
        return EXIT_ERROR


def _check(args: argparse.Namespace) -> int:
    selection = _configure_check(args)
    # Every input is read before checking, so a bad waiver or baseline file stops the run early.
    waivers = baseline = None
    if args.waivers is not None:
        from alignrules.waivers import apply_waivers, read_waivers

        waivers = read_waivers(args.waivers)
    if args.baseline is not None:
        from alignrules.baseline import apply_baseline, read_baseline

        baseline = read_baseline(args.baseline)
    compiled = compile_paths(args.rulesets)
    checker = api.Checker(compiled, dict(args.param), engine=args.engine)
    count = len(args.data)
    with progress(sys.stderr, f"reading and checking {count} plan{'' if count == 1 else 's'}"):
        plans, errors = _plans(args.data, args.max_data_size)
        checked = checker.check_plans(plans, as_of=args.as_of, max_bytes=args.max_data_size)
    errors += checked.errors
    if not checked.checked:
        raise DiagnosticError(errors)  # no plan could be checked: there is no report
    report = checked.report
    _has_rules(compiled, args.rulesets)  # after the data, so that its problems come first
    selection.check_against(checker.rules)
    report = selection.apply(report)
    if waivers is not None:
        report = apply_waivers(report, waivers)
    if baseline is not None:
        report = apply_baseline(report, baseline)
    names = [display_name(Path(r)) for r in args.rulesets]
    fail_on = None if args.fail_on == "never" else Severity.parse(args.fail_on)
    # Each format is rendered once, however many outputs (and stdout) ask for it.
    outputs = {
        fmt: render(report, fmt, tool_version=VERSION, ruleset_names=names, fail_on=fail_on)
        for fmt in dict.fromkeys([*(fmt for fmt, _ in args.output), args.format])
    }
    one = plans[0] if len(plans) == 1 else None
    html = _PlanRenders(checker, one, report, names, args.max_data_size)
    if "html" in outputs:
        outputs["html"] = html.render(".")
    if "sarif" in outputs and html.data is not None:  # related entities' places in the plan
        outputs["sarif"] = html.sarif()
    for fmt, path in args.output:
        text = html.render(str(Path(path).parent)) if fmt == "html" else outputs[fmt]
        _write_atomic(path, text)
    shown = outputs[args.format]
    sys.stdout.write(colour(shown) if args.format == "text" and wants_colour(sys.stdout) else shown)
    # A plan that could not be read or bound is named after the others' findings: the run
    # still fails as an input error.
    for d in errors:
        _error(render_text(d))
    if errors:
        return EXIT_ERROR
    if fail_on is None:
        return EXIT_OK
    return EXIT_VIOLATIONS if report.failing(fail_on) else EXIT_OK


class _PlanRenders:
    """The formats that need the plan's records besides the report, which are read once,
    when first asked for: the HTML report (its alignment map, and links to plan files relative
    to the folder each copy is written to) and SARIF (places of related entities)."""

    def __init__(
        self,
        checker: api.Checker,
        data: str | PlanData | None,
        report: Report,
        names: list[str],
        max_bytes: int | None = None,
    ) -> None:
        # `data` is None when several plans were checked: the map is of one plan.
        self.checker, self.data, self.report, self.names = checker, data, report, names
        self.limit = {} if max_bytes is None else {"max_bytes": max_bytes}
        self._map: AlignmentMap | None = None

    def plan_map(self) -> AlignmentMap:
        from alignrules.alignment import alignment_map
        from alignrules.data.read import read_plan

        if self.data is None:
            raise DiagnosticError(
                Diagnostic(
                    "usage",
                    "the HTML report maps one plan, and several were given with --data",
                    hint="check each plan on its own for its HTML report",
                )
            )
        if self._map is None:
            plan = read_plan(self.data, **self.limit) if isinstance(self.data, str) else self.data
            self._map = alignment_map(self.checker, plan)
        return self._map

    def render(self, links_from: str) -> str:
        from alignrules.render.html import render_html

        return render_html(
            self.report,
            tool_version=VERSION,
            ruleset_names=self.names,
            alignment=self.plan_map(),
            links_from=links_from,
        )

    def sarif(self) -> str:
        from alignrules.render.sarif import render_sarif

        places = {(r.entity, r.key): r.location for r in self.plan_map().records}
        return render_sarif(
            self.report, tool_version=VERSION, ruleset_names=self.names, places=places
        )


def _configure_check(args: argparse.Namespace) -> Selection:
    """Fill in what the flags leave out from the configuration file; flags win."""
    from alignrules.config import Config, find_config, read_config
    from alignrules.selection import Selection

    config = Config("")
    if not args.no_config:
        path = Path(args.config) if args.config else find_config(Path.cwd())
        if args.config and not path.is_file():  # type: ignore[union-attr]
            raise DiagnosticError(Diagnostic("usage", "no such file", where=Place(args.config)))
        if path is not None:
            config = read_config(path, display_name(path), FORMATS)
    args.rulesets = args.rulesets or list(config.rulesets)
    args.data = args.data or ([config.data] if config.data else [])
    args.format = args.format or config.format or "text"
    args.fail_on = args.fail_on or config.fail_on or "error"
    args.waivers = args.waivers or config.waivers
    args.baseline = args.baseline or config.baseline
    args.output = args.output or list(config.outputs)
    args.param = [*config.params, *args.param]  # later ones win: the flags
    missing = [f for f, v in (("RULESET", args.rulesets), ("--data", args.data)) if not v]
    if missing:
        raise DiagnosticError(
            Diagnostic(
                "usage",
                f"the following arguments are required: {', '.join(missing)}",
                hint="give them on the command line, or in alignrules.toml "
                "(see `alignrules check --help`)",
            )
        )
    where = f"{config.file} [rules]" if config.file else "--rule"
    return Selection(tuple(args.rule), tuple(args.tag), tuple(args.owner), config.rules, where)


def _plans(
    data: Sequence[str], max_bytes: int | None
) -> tuple[list[str | PlanData], list[Diagnostic]]:
    """The `--data` arguments, with `-` read from standard input (JSON, or else YAML), within
    the same size limit as a file."""
    from alignrules.data.limits import DEFAULT_MAX_BYTES
    from alignrules.data.read import read_plan_text

    if data.count("-") > 1:
        raise DiagnosticError(
            Diagnostic(
                "usage",
                "`--data -` is given twice, and standard input can be read once",
                hint="save one of the plans to a file",
            )
        )
    plans: list[str | PlanData] = []
    errors: list[Diagnostic] = []
    for name in data:
        if name != "-":
            plans.append(name)
            continue
        limit = DEFAULT_MAX_BYTES if max_bytes is None else max_bytes
        text = sys.stdin.read(limit + 1)  # characters: at least as many bytes
        if len(text.encode("utf-8", "surrogatepass")) > limit:
            errors.append(
                Diagnostic(
                    "data",
                    f"standard input holds more than the limit of {limit} bytes",
                    where=Place("<stdin>"),
                    hint="raise the limit with `--max-data-size`, or split the plan",
                )
            )
            continue
        kind = "json" if text.lstrip("\ufeff \t\r\n")[:1] in ("{", "[") else "yaml"
        try:
            plans.append(read_plan_text(text, kind, "<stdin>"))
        except DiagnosticError as exc:
            errors.extend(exc.diagnostics)
    return plans, errors


def _error(text: str) -> None:
    """A diagnostic on standard error, coloured when a person reads it on a terminal."""
    print(colour(text) if wants_colour(sys.stderr) else text, file=sys.stderr)


def _has_rules(compiled: CompiledRuleset, rulesets: Sequence[str]) -> None:
    """A ruleset without rules passes every plan: in CI that must not look like success."""
    if not compiled.module.RULES:  # not the IR: a module from the disk cache has none yet
        names = ", ".join(f"`{r}`" for r in rulesets)
        raise DiagnosticError(
            Diagnostic(
                "no-rules",
                f"no rule is declared in {names}",
                where=Place(rulesets[0]),
                hint="pass the files (or the folder) that hold the rules as well as the schema",
            )
        )


def _compile(args: argparse.Namespace) -> int:
    compiled = compile_paths(args.rulesets)
    text = compiled.laid_out() if args.target == "python" else _sql_text(compiled, args.dialect)
    if args.output == "-":
        sys.stdout.write(text)
    else:
        _write_atomic(args.output, text)
        n = len(compiled.program.rule_bodies())
        print(f"wrote {visible(args.output)}: {n} rule{'' if n == 1 else 's'}", file=sys.stderr)
    return EXIT_OK


def _sql_text(compiled: CompiledRuleset, dialect: str) -> str:
    """The ruleset's queries in `dialect`; a rule the dialect cannot run is a located error."""
    try:
        from alignrules.sql.naming import to_warehouse
        from alignrules.sql.text import to_sql
        from alignrules.sql.translate import translate
    except ImportError:
        raise DiagnosticError(
            Diagnostic(
                "usage",
                "`--target sql` needs sqlglot",
                where="--target",
                hint="pip install 'alignrules[sql]'",
            )
        ) from None
    header = (
        f"Generated by alignrules {VERSION} from {compiled.name} for {dialect}. Do not edit.\n"
        "Tables: docs/sql.md. `today` is CURRENT_DATE; parameters have their defaults."
    )
    translation = translate(compiled.program, dialect=dialect, casefold=True)
    return to_sql(to_warehouse(translation), header)


def _test(args: argparse.Namespace) -> int:
    from alignrules.testing import run_examples

    if args.min_coverage is not None and args.keyword is not None:
        raise DiagnosticError(
            Diagnostic(
                "usage",
                "--min-coverage measures every example: it cannot be combined with -k",
                hint="run `alignrules test` without -k to measure coverage",
            )
        )
    result = run_examples(
        args.rulesets, keyword=args.keyword, exit_first=args.exitfirst, quiet=args.quiet
    )
    if args.junit is not None:
        _write_atomic(args.junit, result.junit())
    sys.stdout.write(result.text)
    failed = not result.ok
    if (
        args.min_coverage is not None
        and result.complete
        and result.coverage_percent < args.min_coverage
    ):
        print(
            f"rule coverage {result.coverage_percent:g}% is below --min-coverage "
            f"{args.min_coverage:g}%"
        )
        failed = True
    return EXIT_VIOLATIONS if failed else EXIT_OK


def _fmt(args: argparse.Namespace) -> int:
    """Format each file on its own; a file that does not parse is reported and left alone."""
    from alignrules.syntax.printer import format_source

    failed = 0
    changed = []
    files = ruleset_files(args.rulesets)
    for path in files:
        try:
            src = read_source(path)
            text = format_source(src)
        except DiagnosticError as exc:
            for d in exc.diagnostics:
                _error(render_text(d))
            failed += 1
            continue
        if text == src.text:
            continue
        changed.append(src.name)
        if args.diff:
            sys.stdout.write(_unified_diff(visible(src.name), src.text, text))
        elif args.check:
            print(f"would reformat {visible(src.name)}")
        else:
            _write_atomic(str(path), text, keep_mode=True)
            print(f"reformatted {visible(src.name)}")
    dry = args.check or args.diff
    print(_fmt_summary(len(changed), len(files) - len(changed) - failed, dry=dry, failed=failed))
    if failed:
        return EXIT_ERROR
    return EXIT_VIOLATIONS if dry and changed else EXIT_OK


def _unified_diff(name: str, before: str, after: str) -> str:
    import difflib

    lines = difflib.unified_diff(
        before.splitlines(keepends=True), after.splitlines(keepends=True), name, name
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def _fmt_summary(changed: int, rest: int, *, dry: bool, failed: int = 0) -> str:
    """One line that says what `fmt` did, as ruff's formatter says it; a file that could not
    be read or parsed is counted apart, never as already formatted."""

    def files(n: int) -> str:
        return f"{n} file{'' if n == 1 else 's'}"

    if not changed:
        done = f"{files(rest)} already formatted" if rest or not failed else ""
    else:
        done = f"{files(changed)} would be reformatted" if dry else f"{files(changed)} reformatted"
        if rest:
            done += f", {files(rest)} already formatted" if dry else f", {rest} left unchanged"
    if not failed:
        return done
    broken = f"{files(failed)} not formatted (errors above)"
    return f"{done}, {broken}" if done else broken


def _lint(args: argparse.Namespace) -> int:
    from alignrules.lint import lint_paths, render_lint

    findings = lint_paths(args.rulesets, ignore=args.ignore)
    sys.stdout.write(render_lint(findings, args.format, tool_version=VERSION))
    if not findings and args.format == "text":
        print("no lint findings")
    return EXIT_VIOLATIONS if findings else EXIT_OK


def _rulesets() -> int:
    from alignrules.standard import available

    shipped = available()
    width = max((len(r.spec) for r in shipped), default=0)
    for r in shipped:
        print(f"{r.spec:<{width}}  {r.description}".rstrip())
    return EXIT_OK


def _doc(args: argparse.Namespace) -> int:
    from alignrules.docgen.markdown import render_markdown_doc
    from alignrules.docgen.model import document
    from alignrules.docgen.site import site_pages

    doc = document(args.rulesets)
    pages: dict[str, str] = {}  # everything is made before anything is written
    if args.format in ("markdown", "both"):
        pages["ruleset.md"] = render_markdown_doc(doc)
    if args.format in ("html", "both"):
        pages.update(site_pages(doc))
    for name, text in pages.items():
        _write_atomic(str(Path(args.output) / name), text)
    n = len(doc.rules)
    print(f"wrote {args.output}: {len(pages)} files, {n} rule{'' if n == 1 else 's'}")
    return EXIT_OK


def _lsp() -> int:
    try:
        from alignrules.lsp.server import serve
    except ImportError as exc:
        missing = (exc.name or "").partition(".")[0]
        if missing not in {"pygls", "lsprotocol"}:
            raise
        raise DiagnosticError(
            Diagnostic(
                "usage",
                f"the language server needs `{missing}`, which is not installed",
                hint="pip install 'alignrules[lsp]'",
            )
        ) from None
    serve()
    return EXIT_OK


def _write_atomic(path: str, text: str, keep_mode: bool = False) -> None:
    """Write all of `text` or nothing: a temporary file renamed over the target.

    Missing folders are made, as `pytest --junitxml=reports/x.xml` does: CI jobs name report
    folders that a fresh checkout does not have. Whatever fails, no temporary file is left.
    """
    import tempfile  # only to write: most runs write nothing, and it costs start-up

    target = Path(path)
    tmp: str | None = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        # mkstemp makes 0600; a rewritten file keeps its own mode, a new one gets the usual.
        if keep_mode and target.exists():
            os.chmod(tmp, target.stat().st_mode & 0o7777)
        else:
            os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
        tmp = None
    except OSError as exc:
        raise DiagnosticError(
            Diagnostic("usage", f"cannot write: {exc.strerror}", where=Place(path))
        ) from None
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _umask() -> int:
    mask = os.umask(0)  # the only way to read it is to set it; put it back at once
    os.umask(mask)
    return mask
