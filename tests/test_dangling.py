"""A dangling reference leaves out only the element or binding it belongs to
(docs/language.md, "Missing values and dangling references").

Each reproduction runs through the command line in process, on real files, in both record
orders: before, the first dangling element met by `any(...)` or `sum(...)` switched the rule
off for the whole subject, so what was reported depended on the order of the records. The
compiled modules pass `mypy --strict`.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from alignrules.cli import main

OBJECTIVES = """\
entity Objective in "objectives" {
    id: text
    budget: decimal
}

entity Campaign in "campaigns" {
    id: text
    objective: Objective from "objective_id"
    required: Objective? from "required_id"
    budget: decimal
}

rule in-use {
    title "an objective with a campaign"
    no objective where (some c in Campaign where c.objective = objective)
    message "x {objective.id}"
}

rule overspent {
    no objective where sum(c.budget for c in Campaign where c.objective = objective) > 1
    message "over {objective.id}"
}

rule overspent-optional {
    no objective
        where sum(c.budget for c in Campaign where c.required is present and c.required = objective) > 1
    message "over-required {objective.id}"
}

rule counted {
    no objective where count(Campaign where campaign.objective = objective) >= 2
    message "counted {objective.id}"
}

rule all-small {
    no objective where (every c in Campaign where c.objective = objective must c.budget < 5)
    message "all-small {objective.id}"
}

rule none-big {
    no objective where (no c in Campaign where c.objective = objective and c.budget > 5)
    message "none-big {objective.id}"
}

rule top {
    no objective where (max(c.budget for c in Campaign where c.objective = objective) otherwise 0) > 1
    message "top {objective.id}"
}
"""

CAMPAIGNS = [
    {"id": "M1", "objective_id": "O1", "required_id": "O1", "budget": 1},
    {"id": "M2", "objective_id": "O1", "required_id": "O1", "budget": 2},
    {"id": "M3", "objective_id": "O9", "required_id": "O8", "budget": 1},
]

ITEMS = """\
entity Product in "products" {
    id: text
    price: decimal
}

entity Item in "items" {
    id: text
    product: Product from "product_id"
}

entity Campaign in "campaigns" {
    id: text
    items: list of Item from "item_ids"
}

rule cheap {
    no campaign where (some p in campaign.items.product where p.price < 1)
    message "cheap {campaign.id}"
}

rule free {
    no campaign, i in campaign.items where i.product.price = 0
    message "free {campaign.id} {i.id}"
}

rule prices {
    no campaign where count(campaign.items.product) > 0
    message "prices {campaign.id}: {campaign.items.product.price}"
}

rule items-total {
    no campaign where sum(i.product.price for i in campaign.items) > 1
    message "total {campaign.id}"
}
"""

CLAIMS = """\
enum Status { proposed < funded < built }

entity Capability in "capabilities" {
    id: text
    status: Status
}

entity Claim in "claims" {
    id: text
    capabilities: list of Capability?
}

rule unfolded {
    no claim may reference a capability with status is below funded
    message "unfolded {claim.id} {capability.id}"
}

rule in-where {
    no claim where (claim references a capability with status is below funded)
    message "where {claim.id}"
}

rule without {
    no claim where (claim references any capability without status is at least funded)
    message "without {claim.id}"
}

rule must {
    every claim must references a capability with status is at least funded
    message "must {claim.id}"
}
"""


def check(tmp_path: Path, rules: str, plan: dict[str, Any], capsys: Any) -> tuple[int, list[str]]:
    """`alignrules check` in process: the exit code and the (rule, message) of each finding."""
    (tmp_path / "r.rules").write_text(rules, "utf-8")
    (tmp_path / "plan.json").write_text(json.dumps(plan), "utf-8")
    code = main(
        [
            *("check", str(tmp_path / "r.rules"), "--data", str(tmp_path / "plan.json")),
            *("--format", "json", "--as-of", "2026-11-22"),
        ]
    )
    out = capsys.readouterr()
    assert out.err == ""
    report = json.loads(out.out)
    return code, sorted(f"{v['rule']}: {v['message']}" for v in report["violations"])


@pytest.mark.parametrize("order", [(0, 1, 2), (2, 1, 0), (2, 0, 1), (1, 2, 0)])
def test_a_dangling_campaign_is_left_out_of_quantifiers_and_aggregates(
    tmp_path: Path, capsys: Any, order: tuple[int, ...]
) -> None:
    plan = {
        "objectives": [{"id": "O1", "budget": 50}],
        "campaigns": [CAMPAIGNS[i] for i in order],
    }
    code, found = check(tmp_path, OBJECTIVES, plan, capsys)
    assert code == 1
    assert found == [
        "all-small: all-small O1",
        "counted: counted O1",
        "dangling-reference: Campaign M3 references Objective O8, which does not exist",
        "dangling-reference: Campaign M3 references Objective O9, which does not exist",
        "in-use: x O1",
        "none-big: none-big O1",
        "overspent-optional: over-required O1",
        "overspent: over O1",
        "top: top O1",
    ]  # M3 is left out everywhere; M1 and M2 decide for O1 whatever the order


@pytest.mark.parametrize("ids", [["I2", "I1", "I3"], ["I1", "I3", "I2"], ["I3", "I2", "I1"]])
def test_one_dangling_item_does_not_hide_the_others(
    tmp_path: Path, capsys: Any, ids: list[str]
) -> None:
    plan = {
        "products": [{"id": "P1", "price": 0}, {"id": "P2", "price": 3}],
        "items": [
            {"id": "I1", "product_id": "P1"},
            {"id": "I2", "product_id": "P9"},
            {"id": "I3", "product_id": "P2"},
        ],
        "campaigns": [{"id": "M1", "item_ids": ids}],
    }
    code, found = check(tmp_path, ITEMS, plan, capsys)
    assert code == 1
    assert found == [
        "cheap: cheap M1",
        "dangling-reference: Item I2 references Product P9, which does not exist",
        "free: free M1 I1",
        "items-total: total M1",
        "prices: prices M1: 0, 3",
    ]


def test_all_three_reference_forms_work_on_an_optional_list(tmp_path: Path, capsys: Any) -> None:
    plan = {
        "capabilities": [{"id": "K1", "status": "proposed"}, {"id": "K2", "status": "built"}],
        "claims": [
            {"id": "C1", "capabilities": ["K1"]},
            {"id": "C2"},
            {"id": "C3", "capabilities": ["K7", "K2"]},
            {"id": "C4", "capabilities": None},
            {"id": "C5", "capabilities": []},
        ],
    }
    code, found = check(tmp_path, CLAIMS, plan, capsys)
    assert code == 1
    assert found == [
        "dangling-reference: Claim C3 references Capability K7, which does not exist",
        "in-where: where C1",
        "must: must C1",
        "must: must C2",
        "must: must C4",
        "must: must C5",
        "unfolded: unfolded C1 K1",
        "without: without C1",
    ]


def test_a_message_hole_that_dangles_keeps_the_violation(tmp_path: Path, capsys: Any) -> None:
    rules = (
        ITEMS
        + 'rule named {\n    no item where item.id = "I2"\n    message "{item.id} sells {item.product.id}"\n}\n'
    )
    plan = {
        "products": [],
        "items": [{"id": "I2", "product_id": "P9"}],
        "campaigns": [],
    }
    code, found = check(tmp_path, rules, plan, capsys)
    assert code == 1
    assert "named: I2 sells P9 (dangling)" in found


@pytest.mark.parametrize("rules", [OBJECTIVES, ITEMS, CLAIMS], ids=["quant", "nav", "ref"])
def test_the_guarded_modules_pass_mypy_strict(tmp_path: Path, capsys: Any, rules: str) -> None:
    (tmp_path / "r.rules").write_text(rules, "utf-8")
    out = tmp_path / "checks.py"
    assert main(["compile", str(tmp_path / "r.rules"), "-o", str(out)]) == 0
    capsys.readouterr()
    mypy = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert mypy.returncode == 0, mypy.stdout
