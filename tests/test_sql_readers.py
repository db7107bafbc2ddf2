"""DuckDB's own JSON reader fills the SQL layout with exactly what the Python loader binds.

Each test reads a plan file both ways: natively (`alignrules.sql.readers.load_json`) and
through the generated module's loader, whose bound records are turned into layout rows here.
Where the native reader cannot match the Python loader it must say so (`NativeUnavailable`)
and leave no table behind.
"""

from __future__ import annotations

import enum
import json
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

import alignrules
from alignrules.data.read import read_plan
from alignrules.runtime.values import Money
from alignrules.sql.layout import OWNER, POS, ROW, VALUE, layout
from alignrules.sql.readers import NativeUnavailable, load_json, record_pointer
from tests.conftest import benchmark_plan

ROOT = Path(__file__).resolve().parent.parent

KINDS_RULES = """
enum Status { proposed < funded < built < stress_tested "Stress-Tested" }

entity Item in "catalogue.items" {
    id: text
    qty: int
    share: decimal?
    price: money?
    due: date?
    lead: duration?
    live: bool?
    status: Status
    parent: Item?
    tags: list of text?
    links: list of Item
}

rule counted { no item where qty < 0 }
"""

KINDS_PLAN = {
    "exported": "2026-11-20",
    "catalogue": {
        "items": [
            {
                "id": "I1",
                "qty": 3,
                "share": 0.25,
                "price": 1200.5,
                "due": "2026-03-31",
                "lead": "2 quarters",
                "live": True,
                "status": "Stress-Tested",
                "parent": "I2",
                "tags": ["a", "b"],
                "links": ["I2", "I9"],
            },
            {
                "id": "I2",
                "qty": -7,
                "lead": 45,
                "status": "built",
                "parent": None,
                "tags": [],
                "links": [],
            },
            {"id": "I3", "qty": 0, "status": " Stress tested ", "links": ["I1"]},
        ]
    },
}


def _sql_value(v: Any) -> Any:
    if isinstance(v, enum.Enum):
        return str(v)  # the canonical value name, as the layout holds it
    if isinstance(v, timedelta):
        return v.days
    if isinstance(v, Money):
        return v.amount
    if isinstance(v, Decimal):
        return v
    return v


def _python_tables(ruleset: Any, plan_file: Path) -> dict[str, list[tuple[Any, ...]]]:
    """The layout's rows as the Python loader binds the plan."""
    module = ruleset.module
    program = ruleset.compiled.program
    lay = layout(program)
    plan = module.load(read_plan(plan_file).root)
    out: dict[str, list[tuple[Any, ...]]] = {}
    for entity, spec in zip(program.entities, module.SPECS, strict=True):
        assert [f.data_name for f in entity.fields] == [f.data for f in spec.fields]
        records = getattr(plan, f"all_{entity.name.lower()}")
        table = lay.entity_table(entity.name)
        rows = []
        for row, record in enumerate(records):
            values: list[Any] = [row]
            for f, fs in zip(entity.fields, spec.fields, strict=True):
                v = getattr(record, fs.attr)
                if f.many:
                    values.append(v is not None)
                    continue
                values.append(None if v is None else _sql_value(v))
                if isinstance(v, Money) or (v is None and fs.kind == "money"):
                    values.append(None if v is None else v.currency)
            rows.append(tuple(values))
        width = len([c for c in table.columns if c.role != "scale"])
        assert all(len(r) == width for r in rows)
        out[table.name] = rows
        for f, fs in zip(entity.fields, spec.fields, strict=True):
            if not f.many:
                continue
            items = []
            for record in records:
                key = getattr(record, spec.key)
                for pos, v in enumerate(getattr(record, fs.attr) or ()):
                    items.append((key, pos, _sql_value(v)))
            out[lay.list_table(entity.name, f.name).name] = items
    return out


def _native_tables(ruleset: Any, plan_file: Path) -> dict[str, list[tuple[Any, ...]]]:
    con = duckdb.connect()
    lay = load_json(con, ruleset.compiled.program, plan_file)
    out = {}
    for table in lay.tables:
        order = ROW if table.field is None else f"{OWNER}, {POS}"
        if table.field is not None:
            cols = f"{OWNER}, {POS}, {VALUE}"
        else:
            # The places a number was written with are not known to DuckDB's reader (NULL),
            # and the engine does not use this reader for a query that reads them.
            cols = ", ".join(f'"{c.name}"' for c in table.columns if c.role != "scale")
        rows = con.execute(f'SELECT {cols} FROM "{table.name}" ORDER BY {order}').fetchall()
        out[table.name] = [tuple(r) for r in rows]
    return out


def _same(ruleset: Any, plan_file: Path) -> None:
    python = _python_tables(ruleset, plan_file)
    for name, rows in python.items():
        if rows and len(rows[0]) == 3 and name.count("__") == 1:
            python[name] = sorted(rows, key=lambda r: (r[0], r[1]))
    assert _native_tables(ruleset, plan_file) == python


def _write(tmp_path: Path, rules: str, plan: Any) -> tuple[Any, Path]:
    (tmp_path / "r.rules").write_text(rules, encoding="utf-8")
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(json.dumps(plan), encoding="utf-8")
    return alignrules.load(tmp_path / "r.rules"), plan_file


def test_every_kind_of_value_reads_as_the_python_loader_binds_it(tmp_path: Path) -> None:
    ruleset, plan_file = _write(tmp_path, KINDS_RULES, KINDS_PLAN)
    _same(ruleset, plan_file)
    con = duckdb.connect()
    load_json(con, ruleset.compiled.program, plan_file)
    # An absent list and an empty one differ; the canonical enum name replaces a spelling.
    assert con.execute(
        'SELECT id, tags__present, links__present, status, lead FROM "Item" ORDER BY ar_row'
    ).fetchall() == [
        ("I1", True, True, "stress_tested", 182),
        ("I2", True, True, "built", 45),
        ("I3", False, True, "stress_tested", None),
    ]
    assert record_pointer(ruleset.compiled.program, "Item", 2) == "/catalogue/items/2"


def test_a_generated_benchmark_plan_reads_natively(tmp_path: Path) -> None:
    ruleset = alignrules.load(ROOT / "benchmarks/reference.rules")
    _same(ruleset, benchmark_plan(tmp_path, 2000))


@pytest.mark.parametrize(
    ("change", "why"),
    [
        (lambda item: item.update(qty="3"), "does not take"),  # text where a number belongs
        (lambda item: item.update(price="EUR 5"), "could not read"),  # the binder parses it
        (lambda item: item.update(share=0.1234567891), "does not take"),  # over 9 places
        (lambda item: item.update(status="retired"), "does not take"),  # no such value
        (lambda item: item.update(status="ſtress_tested"), "does not take"),  # not ASCII
        (lambda item: item.update(due="2026-02-30"), "does not take"),  # no such day
        (lambda item: item.update(live=1), "does not take"),
        (lambda item: item.update(lead="P3W"), "does not take"),  # ISO 8601: the binder's
        (lambda item: item.update(lead="3 fortnights"), "does not take"),
        (lambda item: item.update(id="I2"), "duplicate key"),
        (lambda item: item.pop("links"), "does not take"),  # a required list
        (lambda item: item.update(tags=["a", None]), "element"),
    ],
)
def test_what_the_sql_reader_cannot_match_falls_back_and_leaves_nothing(
    tmp_path: Path, change: Any, why: str
) -> None:
    plan = json.loads(json.dumps(KINDS_PLAN))
    change(plan["catalogue"]["items"][0])
    ruleset, plan_file = _write(tmp_path, KINDS_RULES, plan)
    con = duckdb.connect()
    with pytest.raises(NativeUnavailable, match=why):
        load_json(con, ruleset.compiled.program, plan_file)
    assert con.execute("SELECT count(*) FROM duckdb_tables()").fetchall() == [(0,)]


def test_a_file_name_duckdb_would_read_as_a_pattern_is_left_to_the_python_loader(
    tmp_path: Path,
) -> None:
    ruleset, plan_file = _write(tmp_path, KINDS_RULES, KINDS_PLAN)
    pattern = plan_file.with_name("pl*n.json")
    pattern.write_bytes(plan_file.read_bytes())  # `pl*n.json` matches `plan.json` too
    with pytest.raises(NativeUnavailable, match="pattern"):
        load_json(duckdb.connect(), ruleset.compiled.program, pattern)


def test_shapes_the_binder_owns_are_left_to_it(tmp_path: Path) -> None:
    nested = KINDS_RULES.replace('"catalogue.items"', '"catalogue[].items"')
    ruleset, plan_file = _write(tmp_path, nested, {"catalogue": [KINDS_PLAN["catalogue"]]})
    with pytest.raises(NativeUnavailable, match="through `\\[\\]`"):
        load_json(duckdb.connect(), ruleset.compiled.program, plan_file)
    ruleset, plan_file = _write(tmp_path, KINDS_RULES, {"catalogue": {}})
    with pytest.raises(NativeUnavailable, match="absent or null"):
        load_json(duckdb.connect(), ruleset.compiled.program, plan_file)


def test_the_shipped_example_with_money_text_is_left_to_the_python_loader() -> None:
    ruleset = alignrules.load(ROOT / "rulesets/strategy")
    with pytest.raises(NativeUnavailable):
        load_json(
            duckdb.connect(), ruleset.compiled.program, ROOT / "examples/quick-commerce/plan.json"
        )


def test_the_modules_examples_run() -> None:
    import doctest

    from alignrules.sql import readers

    result = doctest.testmod(readers)
    assert result.attempted > 0 and result.failed == 0
