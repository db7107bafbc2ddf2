"""Numbers are bounded where they are read, so no number can stop or mislead a check.

The range (docs/language.md, "The range of numbers"): less than 10^30 in size, no digit past
the 30th decimal place; durations at most 3,652,058 days. Outside it, plan data is a located
`data` error, a `--param` a `bad-parameter` error, a ruleset literal a `bad-literal` error.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import alignrules
from alignrules.cli import main
from alignrules.runtime.values import MAX_DAYS

STANDARD = str(Path(__file__).resolve().parents[1] / "rulesets" / "strategy")

RULES = """entity Product {
    id: text
    price: money
    cost: money
    units: int
    share: decimal
    lead: duration
}
param cap: int = 5
param grace: duration = 5 days
rule margin { no product where (price - cost) * units / share < 0 USD }
rule ratio { no product where price / cost * share * share > 1000000 }
rule late { no product where today + lead > 2100-01-01 }
"""


def product(**fields: object) -> dict[str, object]:
    return {"id": "P1", "price": 5, "cost": 1, "units": 1, "share": 1, "lead": 1} | fields


def check(tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, text: str) -> str:
    (tmp_path / "r.rules").write_text(RULES, "utf-8")
    (tmp_path / name).write_text(text, "utf-8")
    args = ["check", str(tmp_path / "r.rules"), "--data", str(tmp_path / name)]
    assert main([*args, "--as-of", "2026-01-01"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "internal" not in err
    return err


@pytest.mark.parametrize(
    ("name", "text", "where", "message"),
    [
        ("p.json", '{"products": [{"price": 1e-99999999}]}', ":1:25", "the number 1E-99999999"),
        ("p.json", '{"products": [\n{"cost": 1E+31}]}', ":2:10", "the number 1E+31"),
        ("p.json", '{"x": -' + "9" * 5000 + "}", ":1:7", "a number with 5000 digits"),
        ("p.yaml", "products:\n  - price: 1.0e-400\n", ":2:12", "the number 1.0E-400"),
        ("p.yaml", "x: " + "9" * 40 + "\n", ":1:4", "a number with 40 digits"),
    ],
)
def test_numbers_out_of_range_in_data_are_located_errors(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    text: str,
    where: str,
    message: str,
) -> None:
    err = check(tmp_path, capsys, name, text)
    assert err.startswith(f"{tmp_path / name}{where}: error: {message} is out of range: ")
    assert err.splitlines()[0].endswith("  [data]")


def test_csv_cells_and_durations_out_of_range_are_located_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    header = "id,price,cost,units,share,lead\n"
    tiny = "0." + "0" * 40 + "1"
    err = check(tmp_path, capsys, "products.csv", header + f"P1,1,1,1,{tiny},1\n")
    assert ":2:" in err and "/products.csv/0/share: the number 1E-41 is out of range" in err
    err = check(tmp_path, capsys, "products.csv", header + "P1,1,1,1,1,99999999999\n")
    assert "/products.csv/0/lead: a duration of 99,999,999,999 days is out of range" in err
    plan = {"products": [product(lead=MAX_DAYS + 1)]}
    err = check(tmp_path, capsys, "p.json", json.dumps(plan))
    assert "/products/0/lead: a duration of 3,652,059 days is out of range" in err


def test_the_issue_plan_with_a_tiny_price_is_an_input_error_not_a_crash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text('{"products": [{"id": "P1", "unit_price": 1e-99999999}]}', "utf-8")
    assert main(["check", STANDARD, "--data", str(plan), "--as-of", "2026-01-01"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"{plan}:1:42: error: the number 1E-99999999 is out of range")


#: Numbers at the edges of the range, as JSON writes them.
EDGE = st.one_of(
    st.sampled_from(["0", "1", "-1", "1e-30", "-1e-30", "9" * 30, "-" + "9" * 30, "0.5"]),
    st.decimals(
        min_value=Decimal("-1e29"), max_value=Decimal("1e29"), places=30, allow_nan=False
    ).map(str),
)


@settings(max_examples=60, deadline=None)
@given(price=EDGE, cost=EDGE, share=EDGE, units=st.integers(-(10**29), 10**29))
def test_arithmetic_on_any_numbers_in_range_does_not_overflow(
    price: str, cost: str, share: str, units: int
) -> None:
    """Products and quotients of in-range numbers stay far inside the decimal context, so a
    rule either reports or, dividing by zero, gives a `rule-crashed` finding for the record."""
    checker = alignrules.load(RULES)
    text = '{"products": [{"id": "P1", "price": %s, "cost": %s, "units": %d, "share": %s,'
    text += ' "lead": 1}]}'
    from alignrules.data.read import read_plan_text

    data = read_plan_text(text % (price, cost, units, share), "json", "p.json")
    report = checker.check(data.root, source=data)
    for v in report.violations:
        if v.rule == "rule-crashed":
            assert v.message.endswith(": division by zero"), v.message


@pytest.mark.parametrize(
    ("literal", "message"),
    [
        ("9" * 5000, "a number with 5000 digits is out of range"),
        ("1." + "0" * 40 + "1", "is out of range: numbers must be less than 10^30"),
        ("1" + "0" * 30 + " USD", "the number 1000000000000000000000000000000 is out of range"),
        ("99999999 days", "a duration of 99,999,999 days is out of range"),
        ("10100 years", "a duration of 3,686,500 days is out of range"),
    ],
)
def test_literals_out_of_range_are_located_bad_literal_errors(literal: str, message: str) -> None:
    text = "entity Product { id: text  units: int }\n"
    text += f"rule r {{ no product where units > {literal} }}\n"
    with pytest.raises(alignrules.DiagnosticError) as info:
        alignrules.load(text)
    (d,) = info.value.diagnostics
    assert d.code == "bad-literal" and message in d.message
    assert d.span is not None and (d.span.line, d.span.column) == (2, 35)


@pytest.mark.parametrize(
    ("param", "message"),
    [
        ("cap=" + "9" * 5000, "parameter `cap`: a number with 5000 digits is out of range"),
        ("cap=" + "9" * 31, "parameter `cap`: a number with 31 digits is out of range"),
        ("grace=99999999999", "parameter `grace`: a duration of 99,999,999,999 days is out"),
        ("grace=P99999999999Y", "parameter `grace`: a duration of 36,499,999,999,635 days"),
    ],
)
def test_parameters_out_of_range_are_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], param: str, message: str
) -> None:
    (tmp_path / "r.rules").write_text(RULES, "utf-8")
    (tmp_path / "p.json").write_text(json.dumps({"products": [product()]}), "utf-8")
    args = ["check", str(tmp_path / "r.rules"), "--data", str(tmp_path / "p.json")]
    assert main([*args, "--param", param]) == 2
    err = capsys.readouterr().err
    assert f"error: {message}" in err and "[bad-parameter]" in err


def test_date_arithmetic_out_of_range_is_a_located_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "r.rules").write_text(RULES, "utf-8")
    plan = {"products": [product(), product(id="P2", lead=3_000_000)]}
    (tmp_path / "p.json").write_text(json.dumps(plan), "utf-8")
    args = ["check", str(tmp_path / "r.rules"), "--data", str(tmp_path / "p.json")]
    assert main([*args, "--as-of", "2026-01-01"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"{tmp_path / 'p.json'}:1:")
    assert "rule `late` (" in err and "on Product `P2` (/products/1)" in err
    assert "a date out of range (before the year 1 or after the year 9999)" in err
    assert "hint: guard the date arithmetic, or use a shorter duration" in err
