"""The SQL target as users drive it: `alignrules compile --target sql`, `check --engine`,
and `engine=` in the API.

Every generated text, for every dialect, parses back with sqlglot into as many statements as
the ruleset has rules; constructs a dialect cannot run identically are located errors (exit
2, nothing written); the DuckDB engine's report renders byte for byte as the Python
engine's in every output format.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

import alignrules
from alignrules.cli import main
from alignrules.render import FORMATS, render

sqlglot = pytest.importorskip("sqlglot")
pytest.importorskip("duckdb")

ROOT = Path(__file__).resolve().parents[1]
DIALECTS = ["duckdb", "spark", "trino", "snowflake", "bigquery", "postgres"]
RULESETS = [
    "std:strategy",
    str(ROOT / "tests" / "fixtures" / "dangling.rules"),
    str(ROOT / "tests" / "fixtures" / "distinct.rules"),
    str(ROOT / "tests" / "fixtures" / "message_values.rules"),
    str(ROOT / "tests" / "fixtures" / "message_values_numbers.rules"),
    *sorted(str(p) for p in (ROOT / "tests" / "cases" / "valid").glob("*.rules")),
]
AS_OF = "2026-11-22"


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("ruleset", RULESETS, ids=lambda r: Path(r).name)
def test_generated_sql_parses_back_in_its_dialect(
    ruleset: str, dialect: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "rules.sql"
    code = main(["compile", ruleset, "--target", "sql", "--dialect", dialect, "-o", str(out)])
    err = capsys.readouterr().err
    assert code == 0, err
    text = out.read_text(encoding="utf-8")
    statements = [s for s in sqlglot.parse(text, read=dialect) if s is not None]
    checker = alignrules.load(ruleset)
    rules = checker.rules
    assert len(statements) == len(checker.module.RULES)  # a query per body of each rule
    assert text.count("-- ") >= len(rules)  # a comment line before each query
    for rule in rules:
        assert f"rule {rule.id}" in text


def test_the_standard_ruleset_compiles_for_duckdb_and_bigquery(tmp_path: Path) -> None:
    for dialect in ("duckdb", "bigquery", "postgres"):
        out = tmp_path / f"{dialect}.sql"
        assert (
            main(
                ["compile", "std:strategy", "--target", "sql", "--dialect", dialect, "-o", str(out)]
            )
            == 0
        )


def test_matches_is_refused_where_regular_expressions_are_not_re2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("re2")
    rules = tmp_path / "text.rules"
    rules.write_text(
        "entity Claim { id: text  text: text }\n"
        'rule absolute { no claim where text matches "\\\\d ?%" }\n',
        encoding="utf-8",
    )
    out = tmp_path / "rules.sql"
    assert (
        main(["compile", str(rules), "--target", "sql", "--dialect", "spark", "-o", str(out)]) == 2
    )
    err = capsys.readouterr().err
    assert "text.rules:2:" in err and "RE2" in err and "[sql-unsupported]" in err
    assert not out.exists()
    assert (
        main(["compile", str(rules), "--target", "sql", "--dialect", "duckdb", "-o", str(out)]) == 0
    )
    assert "REGEXP_MATCHES" in out.read_text(encoding="utf-8")


def test_ignoring_case_calls_a_named_host_function_and_runs_on_the_engine(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = tmp_path / "case.rules"
    rules.write_text(
        "entity Claim { id: text  text: text }\n"
        'rule strasse { no claim where text contains "STRASSE" ignoring case }\n',
        encoding="utf-8",
    )
    out = tmp_path / "rules.sql"
    assert main(["compile", str(rules), "--target", "sql", "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "-- The queries call functions the database must provide:" in text
    assert "ar_casefold(text): Python's str.casefold" in text
    assert text.count("AR_CASEFOLD(") + text.count("ar_casefold(") >= 2
    plan = {"claims": [{"id": "C1", "text": "Hauptstraße 1"}, {"id": "C2", "text": "Gasse"}]}
    python = alignrules.load(str(rules)).check(plan)
    duck = alignrules.load(str(rules), engine="duckdb").check(plan)
    assert [v.key for v in duck.violations] == [v.key for v in python.violations] == ["C1"]


def test_identifiers_and_text_from_the_ruleset_stay_quoted(tmp_path: Path) -> None:
    rules = tmp_path / "hostile.rules"
    rules.write_text(
        'entity Claim in "claims" { id: text  text: text }\n'
        'rule x { title "*/ DROP TABLE Claim; --"\n'
        '  no claim where text = "\'); DROP TABLE Claim; --" }\n',
        encoding="utf-8",
    )
    out = tmp_path / "rules.sql"
    assert main(["compile", str(rules), "--target", "sql", "-o", str(out)]) == 0
    statements = sqlglot.parse(out.read_text(encoding="utf-8"), read="duckdb")
    assert [type(s).__name__ for s in statements if s is not None] == ["Select"]
    plan = {"claims": [{"id": "C1", "text": "'); DROP TABLE Claim; --"}]}
    report = alignrules.load(str(rules), engine="duckdb").check(plan)
    assert [v.key for v in report.violations] == ["C1"]


@pytest.mark.parametrize(
    "plan",
    [
        ROOT / "examples" / "quick-commerce" / "plan.json",
        ROOT / "examples" / "aligned" / "plan.yaml",
    ],
    ids=lambda p: p.parent.name,
)
def test_every_output_format_is_the_same_on_both_engines(plan: Path) -> None:
    reports = [
        alignrules.load("std:strategy", engine=engine).check_file(plan, as_of=date(2026, 11, 22))
        for engine in ("python", "duckdb")
    ]
    for fmt in sorted(FORMATS):
        texts = [render(r, fmt, tool_version="0", ruleset_names=["std:strategy"]) for r in reports]
        assert texts[0] == texts[1], fmt


def test_check_engine_flag_gives_the_same_output_and_exit_code(
    capsys: pytest.CaptureFixture[str],
) -> None:
    plan = str(ROOT / "examples" / "quick-commerce" / "plan.json")
    runs = []
    for engine in ("python", "duckdb"):
        code = main(
            [
                "check",
                "std:strategy",
                "--data",
                plan,
                "--as-of",
                AS_OF,
                "--format",
                "json",
                "--engine",
                engine,
            ]
        )
        runs.append((code, capsys.readouterr().out))
    assert runs[0] == runs[1]
    assert runs[0][0] == 1 and json.loads(runs[0][1])["violations"]


def test_money_in_two_currencies_gives_the_python_engines_report_on_both_engines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The Python engine stops on a rule that combines two currencies; the DuckDB engine,
    which compares amounts only, hands a plan whose money (here a predicate's literal and
    the data) is in several currencies to the Python engine: the same output, exit code
    and error on both engines, for a rule of one body and for the second body of a rule."""
    rules = tmp_path / "money.rules"
    data = tmp_path / "plan.json"

    def both(expected_code: int) -> str:
        runs = []
        for engine in ("python", "duckdb"):
            code = main(["check", str(rules), "--data", str(data), "--engine", engine])
            captured = capsys.readouterr()
            runs.append((code, captured.out, captured.err))
        assert runs[0] == runs[1]
        assert runs[0][0] == expected_code
        return runs[0][2]

    rules.write_text(
        "entity Campaign { id: text  budget: money }\n"
        "predicate big(c: Campaign) = c.budget > 100 USD\n"
        "rule big-campaign { no campaign where big(campaign) }\n",
        encoding="utf-8",
    )
    data.write_text('{"campaigns": [{"id": "M1", "budget": "EUR 500"}]}', encoding="utf-8")
    assert "[rule-crashed]" in both(2)
    data.write_text('{"campaigns": [{"id": "M1", "budget": "USD 500"}]}', encoding="utf-8")
    both(1)
    rules.write_text(
        "entity Campaign { id: text  budget: money }\n"
        "entity Product { id: text }\n"
        "rule big {\n"
        '    no product where product.id = ""\n'
        "    no campaign where campaign.budget > 100 USD\n"
        "}\n",
        encoding="utf-8",
    )
    data.write_text(
        '{"products": [], "campaigns": [{"id": "M1", "budget": "EUR 500"}]}', encoding="utf-8"
    )
    assert "[rule-crashed]" in both(2)
    # money in two currencies in the data, compared within each record's own currency
    rules.write_text(
        "entity Campaign { id: text  budget: money  spent: money }\n"
        "rule over { no campaign where campaign.spent > campaign.budget }\n",
        encoding="utf-8",
    )
    data.write_text(
        '{"campaigns": [{"id": "M1", "budget": "EUR 500", "spent": "EUR 600"},'
        ' {"id": "M2", "budget": "USD 500", "spent": "USD 100"}]}',
        encoding="utf-8",
    )
    both(1)


@pytest.mark.parametrize(
    "args",
    [
        # records nested in a custom export, with their own bindings
        [
            "std:strategy/rules",
            "examples/acme-binding/binding.rules",
            "--data",
            "examples/acme-binding/export.json",
        ],
        [
            "std:strategy/rules",
            "examples/nested-catalogue/binding.rules",
            "--data",
            "examples/nested-catalogue/export.json",
        ],
        # a folder of CSV files, and several plans in one report
        ["std:strategy", "--data", "examples/hardware-launch"],
        [
            "std:strategy",
            "--data",
            "examples/hardware-launch",
            "--data",
            "examples/aligned/plan.yaml",
        ],
    ],
    ids=["acme-binding", "nested-catalogue", "csv-folder", "several-plans"],
)
def test_every_plan_shape_gives_the_same_report(
    args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    runs = []
    for engine in ("python", "duckdb"):
        code = main(["check", *args, "--as-of", AS_OF, "--format", "sarif", "--engine", engine])
        runs.append((code, capsys.readouterr().out))
    assert runs[0] == runs[1]
    assert runs[0][0] == 1


def test_date_arithmetic_out_of_range_stops_both_engines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = tmp_path / "dates.rules"
    rules.write_text(
        "entity Objective { id: text  starts_on: date  horizon: duration }\n"
        "rule far { no objective where starts_on + horizon > today + 3000000 days }\n",
        encoding="utf-8",
    )
    data = tmp_path / "plan.json"
    data.write_text(
        '{"objectives": [{"id": "O1", "starts_on": "2026-01-01", "horizon": 30}]}', encoding="utf-8"
    )
    for engine in ("python", "duckdb"):
        assert (
            main(["check", str(rules), "--data", str(data), "--as-of", AS_OF, "--engine", engine])
            == 2
        )
        err = capsys.readouterr().err
        assert "rule `far`" in err and "a date out of range" in err and "[rule-crashed]" in err
