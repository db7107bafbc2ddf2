"""The rules on a real Spark session (local mode, one per module): the SQL engine's queries,
translated for Spark, find what the Python backend finds on a sample of generated plans."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest
from hypothesis import Phase, given, settings
from pyspark.sql import SparkSession

import alignrules
from alignrules.diagnostics import DiagnosticError
from alignrules.sql.layout import layout
from alignrules.sql.spark_engine import check
from tests.conftest import benchmark_plan, layout_tables, run_cli
from tests.randplans import plans_for

ROOT = Path(__file__).resolve().parent.parent
AS_OF = date(2026, 1, 1)
SPARK_TYPES = {"VARCHAR": "STRING", "INTEGER": "INT", "DECIMAL(38, 9)": "DECIMAL(38,9)"}


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    session = (
        SparkSession.builder.master("local[1]")
        .appName("alignrules-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "1")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def _to_spark(spark: Any, checker: Any, plan: Path, prefix: str) -> dict[str, str]:
    """The plan's layout tables, as the Python loader binds them, as Spark tables named
    `prefix` + relation; returns the mapping `check` takes."""
    con = duckdb.connect()
    lay = layout_tables(con, checker, plan)
    names = {}
    for table in lay.tables:
        schema = ", ".join(
            f"`{c.name}` {SPARK_TYPES.get(c.sql_type, c.sql_type)}" for c in table.columns
        )
        rows = con.execute(f'SELECT * FROM "{table.name}"').fetchall()
        name = f"{prefix}{table.name}"
        spark.createDataFrame(rows, schema=schema).createOrReplaceTempView(name)
        names[table.name] = name
    return names


def _findings(report: Any) -> list[tuple[Any, ...]]:
    return sorted(
        (v.rule, v.entity, v.key, v.message, v.related, v.location.pointer)
        for v in report.violations
    )


@pytest.mark.parametrize("seed", [1, 2])
def test_spark_finds_what_the_python_backend_finds(spark: Any, tmp_path: Path, seed: int) -> None:
    checker = alignrules.load(ROOT / "benchmarks" / "reference.rules")
    plan = benchmark_plan(tmp_path, 300, seed)
    expected = checker.check_file(plan, as_of=AS_OF)
    tables = _to_spark(spark, checker, plan, f"plan{seed}_")
    got = check(spark, checker, tables, as_of=AS_OF)
    assert _findings(got) == _findings(expected)
    assert len(got.violations) > 20
    assert {v.rule for v in got.violations} >= {"dangling-reference", "r1-unfunded-capability"}


def test_the_modules_examples_run() -> None:
    import doctest

    from alignrules.sql import spark_engine

    result = doctest.testmod(spark_engine)
    assert result.attempted > 0 and result.failed == 0


WAREHOUSE_RULES = """
enum Status { idea < funded < built }

entity Capability in "business.capabilities" table "global_temp.ar_capabilities" {
    id: text
    status: Status column "cap_status"
}

entity Claim in "marketing.claims" table "global_temp.ar_claims" {
    id: text column "claim_id"
    promise: text from "text" column "claim text"
    capability: Capability column "capability_id"
}

rule funded-claims {
    every Claim must capability.status >= Status.funded
    message "claim {id} ({promise}) relies on an unfunded capability"
}
"""


def test_spark_reads_the_warehouse_tables_the_schema_names(spark: Any, tmp_path: Path) -> None:
    rules = tmp_path / "w.rules"
    rules.write_text(WAREHOUSE_RULES, "utf-8")
    checker = alignrules.load(rules)
    plan = tmp_path / "plan.json"
    plan.write_text(
        '{"business": {"capabilities": [{"id": "c1", "status": "idea"},'
        ' {"id": "c2", "status": "built"}]}, "marketing": {"claims": ['
        '{"id": "k1", "text": "green", "capability": "c1"},'
        ' {"id": "k2", "text": "fast", "capability": "c2"}]}}',
        "utf-8",
    )
    spark.createDataFrame(
        [(0, "c1", "idea"), (1, "c2", "built")], "ar_row BIGINT, id STRING, cap_status STRING"
    ).createOrReplaceGlobalTempView("ar_capabilities")
    claims = spark.createDataFrame(
        [(0, "k1", "green", "c1"), (1, "k2", "fast", "c2")],
        "ar_row BIGINT, claim_id STRING, `claim text` STRING, capability_id STRING",
    )
    claims.createOrReplaceGlobalTempView("ar_claims")
    got = check(spark, checker, as_of=AS_OF)
    expected = checker.check_file(plan, as_of=AS_OF)
    assert [v.message for v in got.violations] == [v.message for v in expected.violations]
    assert [v.message for v in got.violations] == [
        "claim k1 (green) relies on an unfunded capability"
    ]
    claims.drop("capability_id").createOrReplaceGlobalTempView("ar_claims")
    with pytest.raises(DiagnosticError, match="no column `capability_id`") as info:
        check(spark, checker, as_of=AS_OF)
    assert "w.rules:12:5: error:" in str(info.value)


def test_spark_refuses_a_ruleset_it_cannot_run_where_it_is_written(
    spark: Any, tmp_path: Path
) -> None:
    """`matches` would run on Java's regular expressions, not RE2: the engine says so,
    located in the ruleset, instead of answering differently."""
    pytest.importorskip("re2")
    rules = tmp_path / "text.rules"
    rules.write_text(
        "entity Claim { id: text  text: text }\n"
        'rule absolute { no claim where text matches "\\\\d ?%" }\n',
        encoding="utf-8",
    )
    with pytest.raises(DiagnosticError) as info:
        check(spark, alignrules.load(rules), as_of=AS_OF)
    (problem,) = info.value.diagnostics
    assert problem.code == "sql-unsupported" and "RE2" in problem.message
    assert problem.span is not None and problem.span.source.line_col(problem.span.start)[0] == 2


DISTINCT_PLAN = {
    "capabilities": [
        {"id": "K1", "status": "built", "capacity": 10, "cost": "2.5"},
        {"id": "K2", "status": "proposed", "capacity": 5, "cost": "2.50"},
        {"id": "K3", "status": "funded"},
    ],
    "campaigns": [
        {"id": "M1", "demand": 20, "product_id": "K2"},
        {"id": "M2", "demand": 12, "product_id": "K9"},
        {"id": "M3", "demand": 5, "product_id": "K1"},
    ],
    "claims": [
        {"id": "C1", "campaign_id": "M1", "capability_ids": ["K1", "K2"], "tags": ["eco", "x"]},
        {"id": "C2", "campaign_id": "M1", "capability_ids": ["K1", "K9"], "tags": ["eco"]},
        {"id": "C3", "campaign_id": "M2", "capability_ids": ["K1", "K1"], "weights": [1, "1.0"]},
        {"id": "C4", "campaign_id": "M3", "capability_ids": ["K2", "K3"], "tags": ["a", "a"]},
        {"id": "C5", "capability_ids": ["K3"], "weights": ["99.5", "0.5", "0.50"]},
    ],
}


def _found(report: Any) -> set[tuple[Any, ...]]:
    return {(v.rule, v.key, v.related) for v in report.violations}


def test_spark_keeps_each_element_of_distinct_once(spark: Any, tmp_path: Path) -> None:
    """Every use of `distinct` in tests/fixtures/distinct.rules (records and plain values,
    duplicates, dangling ids, missing lists and values) finds on Spark what the Python
    engine finds, on a written plan and on generated ones."""
    checker = alignrules.load(ROOT / "tests" / "fixtures" / "distinct.rules")
    plans = [DISTINCT_PLAN]

    @settings(
        max_examples=1, deadline=None, derandomize=True, database=None, phases=[Phase.generate]
    )
    @given(plans_for(checker.compiled.program, max_records=5))
    def collect(raw: dict[str, Any]) -> None:
        plans.append(raw)

    collect()
    fired: set[str] = set()
    for i, raw in enumerate(plans):
        plan = tmp_path / f"distinct{i}.json"
        plan.write_text(json.dumps(raw), "utf-8")
        expected = checker.check_file(plan, as_of=AS_OF)
        got = check(spark, checker, _to_spark(spark, checker, plan, f"distinct{i}_"), as_of=AS_OF)
        assert _found(got) == _found(expected)
        fired.update(v.rule for v in expected.violations)
    assert len(fired - {"dangling-reference"}) >= 8, fired  # the comparison is not vacuous


TINY_RULES = """
entity Item in "items" {
    id: text
    a: decimal
    b: decimal
}

rule tiny-sum {
    no item may item.a + item.b > 0.000000001
    message "item {item.id} adds up to more than a billionth"
}

rule tiny-product {
    no item may item.a * item.b > 0.000000005
    message "item {item.id} multiplies to more than five billionths"
}
"""


def test_spark_keeps_every_decimal_place_of_sums_and_products(spark: Any, tmp_path: Path) -> None:
    """Spark's default decimal arithmetic drops places from a sum or product of two wide
    decimals (0.000000001 + 0.000000001 becomes 0E-8); the engine must not, and must leave
    the session's own setting as it found it."""
    rules = tmp_path / "tiny.rules"
    rules.write_text(TINY_RULES, "utf-8")
    checker = alignrules.load(rules)
    plan = tmp_path / "tiny.json"
    plan.write_text(
        '{"items": [{"id": "I1", "a": 0.000000001, "b": 0.000000001},'
        ' {"id": "I2", "a": 0.000000001, "b": 0},'
        ' {"id": "I3", "a": 0.0001, "b": 0.0001}]}',
        "utf-8",
    )
    expected = checker.check_file(plan, as_of=AS_OF)
    assert [(v.rule, v.key) for v in expected.violations] == [
        ("tiny-product", "I3"),
        ("tiny-sum", "I1"),
        ("tiny-sum", "I3"),
    ]
    setting = "spark.sql.decimalOperations.allowPrecisionLoss"
    before = spark.conf.get(setting)
    got = check(spark, checker, _to_spark(spark, checker, plan, "tiny_"), as_of=AS_OF)
    assert _findings(got) == _findings(expected)
    assert spark.conf.get(setting) == before


FAILING_RULES = """
entity Part in "parts" {
    id: text
    price: money
    reach: int
    a: decimal
    starts: date
    lead: duration?
    tags: list of text?
}

rule per-head {
    no part where price / reach > 10
    message "part {id} costs {price} for {reach}"
}

rule huge {
    no part where a * a * a > 1
    message "part {id} is huge: {a}"
}

rule late {
    no part where lead is present and starts + lead > 2027-01-01
    message "part {id} is late"
}
"""


def _failing_plan(reach: int, a: str, starts: str) -> str:
    """The plan, with P1's reach, P3's `a` (written as text: exact) and P3's start."""
    parts = [
        {"id": "P1", "price": "USD 100.50", "reach": reach, "a": "0.5", "tags": ["x"]},
        {"id": "P2", "price": "USD 100.50", "reach": 2, "a": "0.25", "tags": []},
        {"id": "P3", "price": "7", "reach": 1, "a": a},
    ]
    for part, (start, lead) in zip(
        parts, [("2026-01-01", 400), ("2026-01-01", 30), (starts, 400)], strict=True
    ):
        part.update(starts=start, lead=lead)
    return json.dumps({"parts": parts})


@pytest.mark.parametrize(
    ("rule", "plan"),
    [
        ("per-head", _failing_plan(0, "1.5", "2026-01-01")),
        ("huge", _failing_plan(5, "100000000000000", "2026-01-01")),
        ("late", _failing_plan(5, "1.5", "9999-12-01")),
    ],
    ids=["division-by-zero", "beyond-spark-decimals", "date-out-of-range"],
)
def test_spark_gives_the_python_engines_report_where_its_queries_cannot(
    spark: Any, tmp_path: Path, rule: str, plan: str
) -> None:
    """A rule that fails on a record (a division by zero, a date past the year 9999), and a
    product Spark's decimals cannot hold (ANSI mode stops the query): the relations the
    ruleset reads are collected and checked by the Python engine, whose report,
    `rule-crashed` findings included, this is."""
    rules = tmp_path / "failing.rules"
    rules.write_text(FAILING_RULES, "utf-8")
    checker = alignrules.load(rules)
    plan_file = tmp_path / "failing.json"
    plan_file.write_text(plan, "utf-8")
    expected = checker.check_file(plan_file, as_of=AS_OF)
    tables = _to_spark(spark, checker, plan_file, f"failing_{rule.replace('-', '_')}_")
    got = check(spark, checker, tables, as_of=AS_OF)
    assert _findings(got) == _findings(expected)
    assert [r.id for r in got.rules] == [r.id for r in expected.rules]
    assert got.entities == expected.entities
    found = {(v.rule, v.key) for v in got.violations}
    assert ("late", "P1") in found  # a date plus a duration column, in Spark's SQL
    crashed = {v.key: v for v in got.violations if v.rule == "rule-crashed"}
    if rule == "huge":
        assert ("huge", "P3") in found and not crashed
        return
    on, pointer = ("P1", "/parts/0") if rule == "per-head" else ("P3", "/parts/2")
    assert list(crashed) == [on] and crashed[on].location.pointer == pointer
    reason = "division by zero" if rule == "per-head" else "a date out of range"
    assert f"could not be checked on Part `{on}`: {reason}" in crashed[on].message


def test_spark_prints_the_plain_values_a_rule_ranges_over(spark: Any, tmp_path: Path) -> None:
    """Messages that print a value of every plain type a rule ranges over (text, enum, whole
    number, date, bool, duration, decimal and money with their places), as the Python
    engine prints them (tests/fixtures/message_values_numbers.rules)."""
    from tests.test_message_values import NUMBERS, PLAN

    checker = alignrules.load(NUMBERS)
    plan = tmp_path / "values.json"
    plan.write_text(json.dumps(PLAN), "utf-8")
    expected = checker.check_file(plan, as_of=AS_OF)
    got = check(spark, checker, _to_spark(spark, checker, plan, "values_"), as_of=AS_OF)
    assert _findings(got) == _findings(expected)
    printed = {f[:4] for f in _findings(got)}
    assert ("high-score", "Offer", "O1", "offer O1 scores 2.50") in printed
    # a whole list of decimals, each element with its own places
    assert (
        "negative-score",
        "Offer",
        "O1",
        "offer O1 scores -3.10 of -3.10, 1, 1, 100, 2.5, 2.50, 2.50",
    ) in printed


@pytest.mark.parametrize(
    ("offer", "bundle", "message"),
    [
        (
            {2: None},
            {},
            "`nulls0_Offer.tier` is NULL at ar_row 1 (Offer `B`), and field `Offer.tier`"
            " is required",
        ),
        ({7: None}, {}, "`nulls1_Offer.floor` has 1 number(s) with no places in `floor__scale`"),
        (
            {},
            {2: None},
            "`nulls2_Offer__bundle.value` is NULL at ar_owner `A`, ar_pos 1, and a list holds"
            " no missing values",
        ),
    ],
)
def test_spark_refuses_a_null_the_python_engine_refuses(
    spark: Any,
    tmp_path: Path,
    offer: dict[int, Any],
    bundle: dict[int, Any],
    message: str,
) -> None:
    """A NULL in a required column, a list element or a number's places, in the second row
    of a table: the Python engine refuses such a plan, and so does Spark, naming the
    session's table, the column and the row, before any rule runs."""
    from tests.test_sql_sources import BUNDLES, OFFERS, RULES

    rules = tmp_path / "offers.rules"
    rules.write_text(RULES, "utf-8")
    checker = alignrules.load(rules)
    mended = (
        [OFFERS[0], tuple(offer.get(i, v) for i, v in enumerate(OFFERS[1])), OFFERS[2]],
        [BUNDLES[0], tuple(bundle.get(i, v) for i, v in enumerate(BUNDLES[1])), BUNDLES[2]],
    )
    tables = _offer_tables(spark, checker, message[1:8], *mended)  # `nulls0_`, ...
    with pytest.raises(DiagnosticError) as caught:
        check(spark, checker, tables, as_of=AS_OF)
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.code, diagnostic.where) == ("data", "<spark session>")
    assert diagnostic.message.startswith(message)


def test_spark_refuses_a_list_element_with_no_places(spark: Any, tmp_path: Path) -> None:
    """An element of `Offer.scores` with no places, which a message prints (`{s}`): refused
    as a data error naming the row, where the message could only make its places up."""
    from tests.test_message_values import NUMBERS, PLAN

    checker = alignrules.load(NUMBERS)
    plan = tmp_path / "values.json"
    plan.write_text(json.dumps(PLAN), "utf-8")
    tables = _to_spark(spark, checker, plan, "scaleless_")
    spark.sql(
        "SELECT ar_owner, ar_pos, value, IF(ar_pos = 1, NULL, value__scale) AS value__scale"
        f" FROM {tables['Offer__scores']}"
    ).createOrReplaceTempView("scaleless_scores")
    with pytest.raises(DiagnosticError) as caught:
        check(spark, checker, {**tables, "Offer__scores": "scaleless_scores"}, as_of=AS_OF)
    assert str(caught.value.diagnostics[0].message) == (
        "`scaleless_scores.value` has 1 number(s) with no places in `value__scale`,"
        " the first at ar_owner `O1`, ar_pos 1"
    )


def _offer_tables(
    spark: Any, checker: Any, prefix: str, offers: list[Any], bundles: list[Any]
) -> dict[str, str]:
    """Rows of the layout's `Offer` and `Offer__bundle` (tests/test_sql_sources.py) as Spark
    tables named `prefix` + relation; returns the mapping `check` takes."""
    from decimal import Decimal

    tables = {}
    for table, rows in zip(layout(checker.compiled.program).tables, (offers, bundles), strict=True):
        types = [SPARK_TYPES.get(c.sql_type, c.sql_type) for c in table.columns]
        schema = ", ".join(f"`{c.name}` {typ}" for c, typ in zip(table.columns, types, strict=True))
        decimal = [typ.startswith("DECIMAL") for typ in types]
        cells = [
            tuple(Decimal(v) if d and v else v for v, d in zip(r, decimal, strict=True))
            for r in rows
        ]
        spark.createDataFrame(cells, schema=schema).createOrReplaceTempView(prefix + table.name)
        tables[table.name] = prefix + table.name
    return tables


def _bad(row: int, **cells: Any) -> list[tuple[Any, ...]]:
    """The `Offer` rows of tests/test_sql_sources.py, with `cells` changed in row `row`."""
    from tests.test_sql_sources import OFFERS

    columns = ["ar_row", "id", "tier"]
    return [
        tuple(cells.get(columns[i], v) if n == row and i < 3 else v for i, v in enumerate(r))
        for n, r in enumerate(OFFERS)
    ]


@pytest.mark.parametrize(
    ("case", "offers", "extra", "message"),
    [
        ("rownull", _bad(2, ar_row=None), [], "`Offer.ar_row` does not number its rows 0 to 2"),
        ("rowtwice", _bad(2, ar_row=1), [], "`Offer.ar_row` does not number its rows 0 to 2"),
        ("keytwice", _bad(1, id="A"), [], "`Offer` has a duplicate or missing Offer key"),
        ("orphan", _bad(0), [("Q", 0, "A")], "`Offer__bundle` has elements of no Offer"),
        (
            "gold",
            _bad(1, tier="gold"),
            [],
            "`Offer.tier` holds 'gold', which is not a value of Tier",
        ),
    ],
)
def test_spark_refuses_tables_that_do_not_fit_as_duckdb_does(
    spark: Any,
    tmp_path: Path,
    case: str,
    offers: list[tuple[Any, ...]],
    extra: list[tuple[Any, ...]],
    message: str,
) -> None:
    """A table whose row numbers, keys, list owners or enum values break the layout: the
    DuckDB engine refuses the database file holding it, and Spark refuses the session's
    table, with the same message and hint, at `<spark session>`, before any rule runs."""
    from tests.test_sql_sources import BUNDLES, RULES, _make_tables

    rules = tmp_path / "offers.rules"
    rules.write_text(RULES, "utf-8")
    db = tmp_path / "plan.duckdb"
    with duckdb.connect(str(db)) as con:
        _make_tables(con, offers)
        for row in extra:
            con.execute('INSERT INTO "Offer__bundle" VALUES (?, ?, ?)', row)
    result = run_cli("check", rules, "--data", db, "--engine", "duckdb")
    assert (result.returncode, result.stdout) == (2, "")
    checker = alignrules.load(rules)
    tables = _offer_tables(spark, checker, f"{case}_", offers, [*BUNDLES, *extra])
    with pytest.raises(DiagnosticError) as caught:
        check(spark, checker, tables, as_of=AS_OF)
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.code, diagnostic.where, diagnostic.message) == (
        "data",
        "<spark session>",
        message,
    )
    # the same message, and the same hint, as the DuckDB engine gives on the file
    hint = f"    hint: {diagnostic.hint}\n" if diagnostic.hint else ""
    assert result.stderr == f"{db}: error: {message}  [data]\n{hint}"
