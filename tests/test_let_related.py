"""`let related x = ...`: the record a `let` binds is a related entity of the violation, in
every output format and on both engines, as users run it from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from alignrules.cli import main
from alignrules.render import FORMATS

SCHEMA = """\
entity Product in "products" {
    id: text
    ltv: int
}
entity Campaign in "campaigns" {
    id: text
    product: Product? from "product_id"
}
"""

RULE = """
rule low-ltv {
    no campaign where campaign.product is present
        let %s = campaign.product
        may product.ltv < 10
    message "campaign {campaign.id} sells below 10"
}
"""

PLAN = {
    "products": [{"id": "PX1", "ltv": 5}, {"id": "PX2", "ltv": 50}],
    "campaigns": [{"id": "M1", "product_id": "PX1"}, {"id": "M2", "product_id": "PX2"}],
}


def _check(tmp_path: Path, binding: str, fmt: str, *args: str) -> str:
    ruleset, data = tmp_path / "r.rules", tmp_path / "r.json"
    ruleset.write_text(SCHEMA + RULE % binding, encoding="utf-8")
    data.write_text(json.dumps(PLAN), encoding="utf-8")
    out = tmp_path / "report"
    code = main(["check", str(ruleset), "--data", str(data), *args, "--output", f"{fmt}={out}"])
    assert code == 1
    return out.read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_format_names_the_related_record(fmt: str, tmp_path: Path) -> None:
    # The message does not name the product; the HTML report lists every record anyway, so
    # the related record shows as one more mention of its key.
    related = _check(tmp_path, "related product", fmt).count("PX1")
    assert related > _check(tmp_path, "product", fmt).count("PX1")


def test_sarif_points_at_the_related_record_in_the_data(tmp_path: Path) -> None:
    sarif = json.loads(_check(tmp_path, "related product", "sarif"))
    (result,) = sarif["runs"][0]["results"]
    (place,) = result["relatedLocations"]
    assert place["logicalLocations"][0]["fullyQualifiedName"] == "/products/0"


@pytest.mark.parametrize("engine", ["python", "duckdb"])
def test_both_engines_give_the_same_related_record(engine: str, tmp_path: Path) -> None:
    if engine == "duckdb":
        pytest.importorskip("duckdb")
    report = json.loads(_check(tmp_path, "related product", "json", "--engine", engine))
    assert [(v["key"], v["related"]) for v in report["violations"]] == [
        ("M1", [{"entity": "Product", "key": "PX1"}])
    ]


def test_a_related_value_that_may_be_missing_is_a_located_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ruleset, data = tmp_path / "r.rules", tmp_path / "r.json"
    ruleset.write_text(
        SCHEMA + "rule r {\n    no campaign\n        let related p = campaign.product\n}\n",
        encoding="utf-8",
    )
    data.write_text(json.dumps(PLAN), encoding="utf-8")
    assert main(["check", str(ruleset), "--data", str(data)]) == 2
    err = capsys.readouterr().err
    assert "r.rules:11:25: error: a related record must be one record that is present" in err
    assert "Traceback" not in err
