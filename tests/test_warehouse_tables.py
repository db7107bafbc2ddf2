"""Entities bound to warehouse tables (`table "schema.name"`, `column "name"`): the generated
SQL reads those tables and columns in every dialect, the DuckDB engine checks a database file
shaped that way with the findings the JSON plan gives, and a bad binding is a located error,
exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from alignrules.cli import main
from alignrules.sql.translate import DIALECTS

RULES = """\
enum Status { idea < funded < built }

entity Capability in "business.capabilities" table "business.capabilities" {
    id: text
    status: Status column "cap_status"
}

entity Claim in "marketing.claims" table "marketing.claims" {
    id: text column "claim_id"
    promise: text from "text" column "claim_text"
    capability: Capability column "capability_id"
}

rule funded-claims {
    every Claim must capability.status >= Status.funded
    message "claim {id} ({promise}) relies on an unfunded capability"
}
"""

PLAN = {
    "business": {"capabilities": [{"id": "c1", "status": "idea"}, {"id": "c2", "status": "built"}]},
    "marketing": {
        "claims": [
            {"id": "k1", "text": "green", "capability": "c1"},
            {"id": "k2", "text": "fast", "capability": "c2"},
        ]
    },
}


def _write(tmp_path: Path, rules: str = RULES) -> Path:
    path = tmp_path / "w.rules"
    path.write_text(rules, "utf-8")
    return path


def _warehouse(tmp_path: Path) -> Path:
    db = tmp_path / "warehouse.duckdb"
    con = duckdb.connect(str(db))
    con.execute("CREATE SCHEMA business; CREATE SCHEMA marketing")
    con.execute(
        "CREATE TABLE business.capabilities (ar_row BIGINT, id VARCHAR, cap_status VARCHAR)"
    )
    con.execute("INSERT INTO business.capabilities VALUES (0, 'c1', 'idea'), (1, 'c2', 'built')")
    con.execute(
        "CREATE TABLE marketing.claims (ar_row BIGINT, claim_id VARCHAR, claim_text VARCHAR,"
        " capability_id VARCHAR)"
    )
    con.execute(
        "INSERT INTO marketing.claims VALUES (0, 'k1', 'green', 'c1'), (1, 'k2', 'fast', 'c2')"
    )
    con.close()
    return db


def test_fmt_keeps_the_bindings(tmp_path: Path) -> None:
    rules = _write(tmp_path)
    assert main(["fmt", "--check", str(rules)]) == 0


@pytest.mark.parametrize("dialect", DIALECTS)
def test_generated_sql_reads_the_warehouse_names(
    tmp_path: Path, dialect: str, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = _write(tmp_path)
    assert main(["compile", str(rules), "--target", "sql", "--dialect", dialect, "-o", "-"]) == 0
    out = capsys.readouterr().out
    q = "`" if dialect in ("spark", "bigquery") else '"'
    assert f"{q}marketing{q}.{q}claims{q}" in out
    assert f"{q}business{q}.{q}capabilities{q}" in out
    for column in ("capability_id", "cap_status"):
        assert f"{q}{column}{q}" in out
    assert f"{q}Claim{q}" not in out


def test_duckdb_engine_checks_the_warehouse_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = _write(tmp_path)
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(PLAN), "utf-8")
    db = _warehouse(tmp_path)
    assert main(["check", str(rules), "--data", str(plan), "--format", "json"]) == 1
    expected = json.loads(capsys.readouterr().out)["violations"]
    args = ["check", str(rules), "--engine", "duckdb", "--data", str(db), "--format", "json"]
    assert main(args) == 1
    got = json.loads(capsys.readouterr().out)["violations"]
    assert [v["message"] for v in got] == [v["message"] for v in expected]
    assert got[0]["message"] == "claim k1 (green) relies on an unfunded capability"


@pytest.mark.parametrize(
    ("old", "new", "where", "message"),
    [
        ('"claim_text"', '"claim_txt"', "w.rules:10:5:", "has no column `claim_txt`"),
        ('table "marketing.claims"', 'table "marketing.claimz"', "w.rules:8:1:", "no table"),
    ],
)
def test_a_missing_table_or_column_is_located(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, where: str, message: str
) -> None:
    rules = _write(tmp_path, RULES.replace(old, new))
    db = _warehouse(tmp_path)
    assert main(["check", str(rules), "--engine", "duckdb", "--data", str(db)]) == 2
    err = capsys.readouterr().err
    assert where in err and message in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("old", "new", "where", "message"),
    [
        ('"marketing.claims" {', '"marketing..claims" {', "w.rules:8:42:", "is not a table name"),
        (
            "capability: Capability column",
            "capability: list of Capability column",
            "w.rules:11:43:",
            "has no column of its own",
        ),
        ('"claim_text"', '"capability_id"', "w.rules:11:5:", "both be read from column"),
    ],
)
def test_a_bad_binding_is_located(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, where: str, message: str
) -> None:
    rules = _write(tmp_path, RULES.replace(old, new))
    out = tmp_path / "out.sql"
    assert main(["compile", str(rules), "--target", "sql", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert where in err and message in err and "Traceback" not in err
    assert not out.exists()


def test_a_null_in_a_required_column_names_the_warehouse_table_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`Claim.promise` is read from `marketing.claims.claim_text`: the error names that."""
    rules = _write(tmp_path)
    db = _warehouse(tmp_path)
    with duckdb.connect(str(db)) as con:
        con.execute("UPDATE marketing.claims SET claim_text = NULL WHERE claim_id = 'k2'")
    assert main(["check", str(rules), "--engine", "duckdb", "--data", str(db)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(
        f"{db}: error: `marketing.claims.claim_text` is NULL at ar_row 1 (Claim `k2`),"
        " and field `Claim.promise` is required  [data]"
    )
