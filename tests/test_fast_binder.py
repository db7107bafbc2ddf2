"""The binder's fast per-class readers give the same entities as the detailed cattrs path.

The fast reader (written into the generated module by codegen/loader.py) takes only the canonical form of each field
and hands everything else to the detailed reader; these tests bind real example plans, and a
plan full of non-canonical spellings, both ways and compare every entity field by field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs
import pytest

import alignrules
from alignrules.data.read import read_plan, read_plan_text

ROOT = Path(__file__).resolve().parent.parent


def _both_ways(module: Any, root: Any, dialect: str) -> None:
    binder = module.BINDER
    fast, _, fast_problems = binder.bind(root, dialect)
    # The same data through the detailed reader only: every fast reader refuses everything.
    saved = dict(binder._fast)

    def refuse(record: Any, pointer: str) -> Any:
        raise RuntimeError("take the detailed path")

    binder._fast = dict.fromkeys(saved, refuse)
    try:
        slow, _, slow_problems = binder.bind(root, dialect)
    finally:
        binder._fast = saved
    assert fast.keys() == slow.keys()
    for name in fast:
        assert len(fast[name]) == len(slow[name]), name
        for a, b in zip(fast[name], slow[name], strict=True):
            assert type(a) is type(b)
            for field in attrs.fields(type(a)):
                va, vb = getattr(a, field.name), getattr(b, field.name)
                assert va == vb and type(va) is type(vb), (name, field.name, va, vb)
    assert [v.to_json() for v in fast_problems] == [v.to_json() for v in slow_problems]


@pytest.mark.parametrize(
    ("ruleset", "plan"),
    [
        ("rulesets/strategy", "examples/aligned/plan.yaml"),
        ("rulesets/strategy", "examples/hardware-launch"),
        ("tests/fixtures/mini", "tests/fixtures/mini/plan.json"),
        ("tests/fixtures/mini", "tests/fixtures/mini/plan.yaml"),
        ("tests/fixtures/mini", "tests/fixtures/mini/csv"),
    ],
)
def test_fast_and_detailed_readers_agree_on_examples(ruleset: str, plan: str) -> None:
    module = alignrules.load(ROOT / ruleset).module
    data = read_plan(ROOT / plan)
    _both_ways(module, data.root, "csv" if data.kind == "csv" else "json")


def test_fast_and_detailed_readers_agree_on_unusual_spellings() -> None:
    module = alignrules.load(ROOT / "tests/fixtures/mini").module
    text = """
    {"capabilities": {
        "K1": {"status": "Stress-tested", "readyOn": " 2026-03-01 ", "capacity": 5.0},
        "K2": {"id": "K2", "status": "FUNDED", "readyOn": null, "capacity": null},
        "K3": {"id": "K3", "status": "built"}},
     "marketing": {
        "campaigns": [
            {"id": "M1", "Launch Date": "2026-04-01", "Budget (USD)": "USD 1,200.50", "demand": 3},
            {"id": "M2", "Launch Date": "2026-04-01", "Budget (USD)": {"amount": 7, "currency": "EUR"}, "demand": 4}],
        "claims": [
            {"id": "C1", "text": "x", "channel": "TV", "capability_ids": ["K1", "K9"], "campaign_id": "M1"},
            {"id": "C2", "text": "", "channel": "social", "capability_ids": [], "campaign_id": null},
            {"id": "C3", "text": "y", "channel": " e-mail ", "capability_ids": ["K2"], "campaign_id": "M7"}]}}
    """
    data = read_plan_text(text.replace("e-mail", "email"), "json", "plan.json")
    _both_ways(module, data.root, "json")
