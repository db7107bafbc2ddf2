"""Where the DuckDB engine meets SQL's limits, the report stays the Python engine's.

Decimals: the engine picks the scale of its decimal columns from the plan, so a plan written
with more than 9 places is checked in DuckDB; a plan no DECIMAL(38, s) can hold, or a product
that would need more than 38 places, is checked by the Python engine. Rules that fail on a
record (a date out of range, a division by zero, an overflow) are reported as the Python
engine reports them: a located `rule-crashed` finding naming the rule and the record.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

import alignrules
from alignrules.cli import main

pytest.importorskip("duckdb")

from alignrules.sql import duckdb_engine
from alignrules.sql.limits import PythonNeeded

AS_OF = "2026-11-22"

PRECISE = """\
entity Part in "parts" {
    id: text
    share: decimal
    rate: decimal?
    price: money
}

rule big-share {
    no part where share * (rate otherwise 1) > 1
    message "part {id}: share {share}, price {price}"
}

rule total {
    severity warning
    no part where sum(x.share * (x.rate otherwise 2) for x in Part) - share > 3
    message "part {id}"
}

rule cheap {
    no part where price < 0.0000000000005 USD
    message "part {id} costs {price}"
}
"""


def _both(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, rules: str, plan: str, *extra: str
) -> list[tuple[int, str, str]]:
    """Each engine's exit code, standard output and error output on the same files."""
    (tmp_path / "r.rules").write_text(rules, "utf-8")
    (tmp_path / "plan.json").write_text(plan, "utf-8")
    args = ["check", str(tmp_path / "r.rules"), "--data", str(tmp_path / "plan.json"), *extra]
    runs = []
    for engine in ("python", "duckdb"):
        code = main([*args, "--as-of", AS_OF, "--engine", engine])
        captured = capsys.readouterr()
        runs.append((code, captured.out, captured.err))
    return runs


def _duckdb_answers(tmp_path: Path) -> bool:
    """Whether the DuckDB engine checks the plan in `tmp_path` itself (rather than handing it
    to the Python engine)."""
    checker = alignrules.load(tmp_path / "r.rules")
    raw = json.loads((tmp_path / "plan.json").read_text("utf-8"), parse_float=Decimal)
    try:
        duckdb_engine.check(
            checker.compiled.program, checker.module, raw, checker._params, today=date(2026, 11, 22)
        )
    except PythonNeeded:
        return False
    return True


@pytest.mark.parametrize(
    "plan",
    [
        # more than 9 places: 0.5000000001 * 2 > 1 only by the tenth place
        '{"parts": [{"id": "P1", "share": 0.5000000001, "rate": 2, "price": "USD 1"},'
        ' {"id": "P2", "share": 0.5, "rate": 2, "price": "USD 0.0000000000001"}]}',
        # 17 places beside 20 integer digits
        '{"parts": [{"id": "P1", "share": 1.00000000000000001,'
        ' "price": "USD 12345678901234567890"}, {"id": "P2", "share": 0.99999999999999999,'
        ' "rate": 1.00000000000000002, "price": "0 USD"}]}',
    ],
    ids=["ten-places", "seventeen-places"],
)
def test_numbers_with_many_places_are_checked_in_duckdb(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, plan: str
) -> None:
    runs = _both(capsys, tmp_path, PRECISE, plan)
    assert runs[0] == runs[1]
    assert runs[0][0] == 1 and "[big-share]" in runs[0][1]
    assert _duckdb_answers(tmp_path)


def test_a_sum_of_products_keeps_every_place(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A product's places survive where it meets a value of the columns' scale (here an
    `otherwise` default): DuckDB alone would round it to the smaller scale."""
    rules = """\
entity Item in "items" {
    id: text
    price: decimal
    rate: decimal
}

rule tiny {
    no item where (min(x.price * x.rate for x in Item where x.rate > 1) otherwise rate) < rate
    message "item {id}"
}
"""
    plan = (
        '{"items": [{"id": "B", "price": 0.000000001, "rate": 2.5},'
        ' {"id": "C", "price": 2, "rate": 0.000000003}]}'
    )
    runs = _both(capsys, tmp_path, rules, plan)
    assert runs[0] == runs[1]
    assert "item B" in runs[1][1] and "item C" in runs[1][1]
    assert _duckdb_answers(tmp_path)


@pytest.mark.parametrize(
    ("share", "price"),
    [
        # 10 places beside 29 integer digits: no DECIMAL(38, s) holds both
        ("0.0000000001", "USD 12345678901234567890123456789"),
        # 20 places: a product of two would need 40
        ("0.00000000000000000001", "USD 2"),
    ],
)
def test_a_plan_no_sql_decimal_holds_is_checked_by_python(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, share: str, price: str
) -> None:
    plan = (
        f'{{"parts": [{{"id": "P1", "share": {share}, "rate": 3, "price": "{price}"}},'
        ' {"id": "P2", "share": 2, "price": "USD 1"}]}'
    )
    runs = _both(capsys, tmp_path, PRECISE, plan, "--format", "json")
    assert runs[0] == runs[1]
    assert runs[0][0] == 1 and runs[0][2] == ""
    assert not _duckdb_answers(tmp_path)


DATES = """\
entity Objective in "objectives" {
    id: text
    starts_on: date
    horizon: duration
}

rule far {
    no objective where starts_on + horizon > today + 365 days
    message "objective {id} ends too late"
}
"""


def test_a_date_out_of_range_names_the_record_on_both_engines(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The Python engine reports the record a rule fails on and goes on with the others;
    the DuckDB engine gives the same report, exit code and error."""
    plan = {
        "objectives": [
            {"id": "O1", "starts_on": "2026-01-01", "horizon": 3000},
            {"id": "O2", "starts_on": "9999-01-01", "horizon": 3000},
            {"id": "O3", "starts_on": "2026-01-01", "horizon": 30},
        ]
    }
    runs = _both(capsys, tmp_path, DATES, json.dumps(plan))
    assert runs[0] == runs[1]
    code, out, err = runs[1]
    assert code == 2
    assert "objective O1 ends too late  [far]" in out
    assert "could not be checked on Objective `O2`" in out and "[rule-crashed]" in out
    assert "on Objective `O2` (/objectives/1): a date out of range" in err
    assert "plan.json:1:" in err and "Traceback" not in err


def test_a_division_by_zero_names_the_record_on_both_engines(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    rules = """\
entity Campaign in "campaigns" {
    id: text
    budget: decimal
    reach: int
}

rule costly {
    no campaign where budget / reach > 10
    message "campaign {id} spends too much per head"
}
"""
    plan = {
        "campaigns": [
            {"id": "M1", "budget": 100, "reach": 0},
            {"id": "M2", "budget": 100, "reach": 2},
            {"id": "M3", "budget": 100, "reach": 20},
        ]
    }
    runs = _both(capsys, tmp_path, rules, json.dumps(plan))
    assert runs[0] == runs[1]
    code, out, err = runs[1]
    assert code == 2 and "campaign M2 spends too much per head" in out
    assert "rule `costly` (" in err and "on Campaign `M1` (/campaigns/0): division by zero" in err


def test_an_overflow_is_reported_as_the_python_engine_reports_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Beyond 38 digits DuckDB stops; the Python engine computes with 60 and answers."""
    rules = """\
entity Part in "parts" {
    id: text
    a: decimal
    b: decimal
}

rule huge {
    no part where a * b * a > 1
    message "part {id}"
}
"""
    plan = {"parts": [{"id": "P1", "a": 10**14, "b": 10**14}, {"id": "P2", "a": 0, "b": 1}]}
    runs = _both(capsys, tmp_path, rules, json.dumps(plan))
    assert runs[0] == runs[1]
    assert runs[0][0] == 1 and "part P1  [huge]" in runs[0][1]
