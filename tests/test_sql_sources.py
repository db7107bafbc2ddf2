"""Plans held as tables in the SQL layout (a folder of Parquet files, a DuckDB database file)
are checked where they are, with the findings the same plan gives as JSON on the Python
backend; tables that do not fit the layout are located `data` errors, exit 2."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pytest

from alignrules.cli import main

RULES = """
enum Tier { basic < plus < premium }

entity Offer in "offers" {
    id: text
    tier: Tier
    price: money
    floor: decimal?
    rival: Offer?
    bundle: list of Offer
}

rule under-floor {
    no offer where offer.floor is present and offer.price < offer.floor
    message "offer {offer.id} ({offer.tier}) at {offer.price} is under {offer.floor}"
}
"""

PLAN = {
    "offers": [
        {"id": "A", "tier": "plus", "price": 100.50, "floor": 120.25, "bundle": ["B", "Z"]},
        {"id": "B", "tier": "basic", "price": 100, "floor": 99.990, "rival": "Q", "bundle": []},
        {"id": "C", "tier": "premium", "price": 7, "floor": 7.5, "bundle": ["A"]},
    ]
}

# The same plan in the layout: (ar_row, id, tier, price, currency, places, floor, places,
# rival, bundle present) and the bundle's (owner, position, value).
OFFERS = [
    (0, "A", "plus", "100.50", None, 2, "120.25", 2, None, True),
    (1, "B", "basic", "100", None, 0, "99.990", 3, "Q", True),
    (2, "C", "premium", "7", None, 0, "7.5", 1, None, True),
]
BUNDLES = [("A", 0, "B"), ("A", 1, "Z"), ("C", 0, "A")]


def _make_tables(con: duckdb.DuckDBPyConnection, offers: list[tuple[Any, ...]]) -> None:
    con.execute(
        'CREATE TABLE "Offer" (ar_row BIGINT, id VARCHAR, tier VARCHAR,'
        " price DECIMAL(38, 9), price__currency VARCHAR, price__scale SMALLINT,"
        " floor DECIMAL(38, 9), floor__scale SMALLINT, rival VARCHAR, bundle__present BOOLEAN)"
    )
    con.executemany('INSERT INTO "Offer" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)', offers)
    con.execute('CREATE TABLE "Offer__bundle" (ar_owner VARCHAR, ar_pos BIGINT, value VARCHAR)')
    con.executemany('INSERT INTO "Offer__bundle" VALUES (?, ?, ?)', BUNDLES)


def _findings(text: str) -> list[tuple[str, str, str, str]]:
    out = json.loads(text)["violations"]
    return sorted((v["rule"], v["entity"], v["key"], v["message"]) for v in out)


def _check(capsys: pytest.CaptureFixture[str], rules: Path, data: Path, *extra: str) -> Any:
    code = main(["check", str(rules), "--data", str(data), "--format", "json", *extra])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    path = tmp_path / "offers.rules"
    path.write_text(RULES, encoding="utf-8")
    return path


def _expected(tmp_path: Path, rules: Path, capsys: pytest.CaptureFixture[str]) -> Any:
    plan = tmp_path / "plan.json"
    plan.write_text(
        json.dumps(PLAN).replace("100.5,", "100.50,").replace("99.99,", "99.990,"),
        encoding="utf-8",
    )
    code, out, _ = _check(capsys, rules, plan)
    assert code == 1
    return _findings(out)


def test_a_duckdb_file_in_the_layout_is_checked_in_place(
    tmp_path: Path, rules: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = _expected(tmp_path, rules, capsys)
    db = tmp_path / "plan.duckdb"
    with duckdb.connect(str(db)) as con:
        _make_tables(con, OFFERS)
    code, out, err = _check(capsys, rules, db, "--engine", "duckdb")
    assert (code, err) == (1, "")
    assert _findings(out) == expected
    assert "offer A (plus) at 100.50 is under 120.25" in out
    assert '"pointer": "/offers/0"' in out


def test_parquet_files_in_the_layout_are_checked_in_place(
    tmp_path: Path, rules: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = _expected(tmp_path, rules, capsys)
    folder = tmp_path / "tables"
    folder.mkdir()
    with duckdb.connect() as con:
        _make_tables(con, OFFERS)
        for name in ("Offer", "Offer__bundle"):
            con.execute(f"COPY \"{name}\" TO '{folder / name}.parquet' (FORMAT parquet)")
    code, out, err = _check(capsys, rules, folder, "--engine", "duckdb")
    assert (code, err) == (1, "")
    assert _findings(out) == expected


@pytest.mark.parametrize(
    ("offers", "message"),
    [
        ([(*OFFERS[0][:2], "gold", *OFFERS[0][3:])], "holds 'gold', which is not a value of Tier"),
        ([OFFERS[0], (5, *OFFERS[1][1:])], "does not number its rows 0 to 1"),
        ([OFFERS[0], (1, "A", *OFFERS[1][2:])], "duplicate or missing Offer key"),
        # a number with no places: the message printing it could only make them up
        ([(*OFFERS[0][:7], None, *OFFERS[0][8:])], "`Offer.floor` has 1 number(s) with no"),
        (
            [OFFERS[0], (*OFFERS[1][:3], "1", None, None, *OFFERS[1][6:])],
            "no places in `price__scale`, the first at ar_row 1 (Offer `B`)",
        ),
        # a NULL in a required column is no missing value: the Python reader refuses it
        (
            [OFFERS[0], (*OFFERS[1][:2], None, *OFFERS[1][3:])],
            "`Offer.tier` is NULL at ar_row 1 (Offer `B`), and field `Offer.tier` is required",
        ),
        (
            [(*OFFERS[0][:3], None, None, None, *OFFERS[0][6:]), *OFFERS[1:]],
            "`Offer.price` is NULL at ar_row 0 (Offer `A`), and field `Offer.price` is required",
        ),
        (
            [*OFFERS[:2], (*OFFERS[2][:9], None)],
            "`Offer.bundle__present` is not TRUE at ar_row 2 (Offer `C`), so the list is absent,"
            " and list field `Offer.bundle` is required",
        ),
        (
            [(*OFFERS[0][:9], False), *OFFERS[1:]],
            "`Offer.bundle__present` is not TRUE at ar_row 0 (Offer `A`)",
        ),
    ],
)
def test_tables_that_do_not_fit_the_layout_are_located_errors(
    tmp_path: Path,
    rules: Path,
    capsys: pytest.CaptureFixture[str],
    offers: list[tuple[Any, ...]],
    message: str,
) -> None:
    db = tmp_path / "plan.duckdb"
    with duckdb.connect(str(db)) as con:
        _make_tables(con, offers)
    code, out, err = _check(capsys, rules, db, "--engine", "duckdb")
    assert (code, out) == (2, "")
    assert message in err and "plan.duckdb" in err and "Traceback" not in err


def test_a_missing_table_or_a_wrong_type_is_named(
    tmp_path: Path, rules: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "plan.duckdb"
    with duckdb.connect(str(db)) as con:
        _make_tables(con, OFFERS)
        con.execute('DROP TABLE "Offer__bundle"')
    code, _, err = _check(capsys, rules, db, "--engine", "duckdb")
    assert code == 2 and "no table `Offer__bundle` for Offer.bundle" in err
    with duckdb.connect(str(db)) as con:
        con.execute(
            'CREATE TABLE "Offer__bundle" (ar_owner VARCHAR, ar_pos INTEGER, value VARCHAR)'
        )
    code, _, err = _check(capsys, rules, db, "--engine", "duckdb")
    assert code == 2 and "`Offer__bundle.ar_pos` is INTEGER, where the layout has BIGINT" in err


def test_the_python_engine_names_the_engine_that_reads_tables(
    tmp_path: Path, rules: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "plan.duckdb"
    with duckdb.connect(str(db)) as con:
        _make_tables(con, OFFERS)
    code, out, err = _check(capsys, rules, db)
    assert (code, out) == (2, "")
    assert "plan.duckdb: error: is a plan held as tables" in err
    assert "hint: check it with `--engine duckdb`" in err


@pytest.mark.parametrize(
    ("bundles", "message"),
    [
        (
            [("A", 0, "B"), ("A", 1, None), ("C", 0, None)],
            "`Offer__bundle.value` is NULL at ar_owner `A`, ar_pos 1 (and 1 more row(s)),"
            " and a list holds no missing values",
        ),
        ([*BUNDLES, ("C", None, "B")], "`Offer__bundle.ar_pos` is NULL at ar_owner `C`"),
    ],
)
def test_a_null_in_a_list_is_a_located_error(
    tmp_path: Path,
    rules: Path,
    capsys: pytest.CaptureFixture[str],
    bundles: list[tuple[Any, ...]],
    message: str,
) -> None:
    db = tmp_path / "plan.duckdb"
    with duckdb.connect(str(db)) as con:
        _make_tables(con, OFFERS)
        con.execute('DELETE FROM "Offer__bundle"')
        con.executemany('INSERT INTO "Offer__bundle" VALUES (?, ?, ?)', bundles)
    code, out, err = _check(capsys, rules, db, "--engine", "duckdb")
    assert (code, out) == (2, "")
    assert f"plan.duckdb: error: {message}" in err and "Traceback" not in err


def test_a_null_where_the_python_engine_refuses_the_plan_is_refused_in_parquet_too(
    tmp_path: Path, rules: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same NULL tier: the Python engine refuses the plan written as JSON, and a Parquet
    folder holding it is refused with the file, the column and the row."""
    plan = tmp_path / "plan.json"
    offers = [PLAN["offers"][0], {**PLAN["offers"][1], "tier": None}, PLAN["offers"][2]]
    plan.write_text(json.dumps({"offers": offers}), encoding="utf-8")
    code, out, err = _check(capsys, rules, plan)
    assert (code, out) == (2, "")
    assert "/offers/1/tier: is null, and the field is required" in err
    folder = tmp_path / "tables"
    folder.mkdir()
    with duckdb.connect() as con:
        _make_tables(con, [OFFERS[0], (*OFFERS[1][:2], None, *OFFERS[1][3:]), OFFERS[2]])
        for name in ("Offer", "Offer__bundle"):
            con.execute(f"COPY \"{name}\" TO '{folder / name}.parquet' (FORMAT parquet)")
    code, out, err = _check(capsys, rules, folder, "--engine", "duckdb")
    assert (code, out) == (2, "")
    where = folder / "Offer.parquet"
    assert f"{where}: error: `Offer.tier` is NULL at ar_row 1 (Offer `B`)" in err
    assert "hint: declare the field optional with `?` where it may be missing" in err


def test_a_null_in_an_optional_column_is_a_missing_value(
    tmp_path: Path, rules: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`floor: decimal?` and `rival: Offer?` may be NULL (with no places): A has no floor."""
    db = tmp_path / "plan.duckdb"
    with duckdb.connect(str(db)) as con:
        _make_tables(con, [(*OFFERS[0][:6], None, None, None, True), *OFFERS[1:]])
    code, out, err = _check(capsys, rules, db, "--engine", "duckdb")
    assert (code, err) == (1, "")
    assert "offer A" not in out and "offer C (premium) at 7 is under 7.5" in out
