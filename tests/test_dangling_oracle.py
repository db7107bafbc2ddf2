"""tests/fixtures/dangling.rules against an independent oracle, on random plans full of
dangling ids and missing values.

The oracle below is written from docs/language.md ("Missing values and dangling
references"), not from the generated code: it reads the raw plan dict itself and says, rule
by rule, which findings (rule, subject key, related entities, message) the checker must
report. What it encodes:

- a list of references holds the records its existing keys name (repeats kept); a missing
  optional list or reference names nothing;
- following a single reference whose key names nothing raises `Dangling`; the innermost
  unit being evaluated is left out: an element of `some`/`every`/`no` (`some`, `every`,
  `none` below), a term of an aggregate or a step of a navigation (`terms`), or the rule's
  binding (the `Dangling` reaches `findings`, which drops that subject or combination);
- `and`/`or` read left to right and stop when the answer is known;
- a message hole that follows a dangling key prints `KEY (dangling)`;
- `ref is dangling` is true when the key (for a list, any key) names no record, and follows
  nothing; a field declared `dangling unreported` gets no `dangling-reference` findings;
- a positive `var.ref is dangling` among the top-level `and`s of a `no` rule's condition
  names the keys it found as the finding's related entities, sorted, each once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings

import alignrules

from .randplans import plans_for

ROOT = Path(__file__).resolve().parents[1]
RULESET = ROOT / "tests" / "fixtures" / "dangling.rules"
LEVELS = ["low", "mid", "high"]

Rec = dict[str, Any]
Finding = tuple[str, str, tuple[tuple[str, str], ...], str]


class Dangling(Exception):
    def __init__(self, key: Any) -> None:
        self.key = key


#: entity → reference field → (data name, target, many)
REFS: dict[str, dict[str, tuple[str, str, bool]]] = {
    "Objective": {"parent": ("parent_id", "Objective", False)},
    "Item": {"product": ("product_id", "Product", False)},
    "Campaign": {
        "objective": ("objective_id", "Objective", False),
        "backup": ("backup_id", "Objective", False),
        "items": ("item_ids", "Item", True),
        "extras": ("extra_ids", "Product", True),
    },
}
#: (entity, field) declared `dangling unreported`: no `dangling-reference` for their keys
UNREPORTED = {("Campaign", "backup")}
COLLECTIONS = {
    "Objective": "objectives",
    "Product": "products",
    "Item": "items",
    "Campaign": "campaigns",
}


class Plan:
    def __init__(self, raw: dict[str, Any]) -> None:
        self.all = {e: list(raw.get(c) or []) for e, c in COLLECTIONS.items()}
        self.ix = {e: {r["id"]: r for r in recs} for e, recs in self.all.items()}

    def follow(self, rec: Rec, entity: str, field: str) -> Rec | None:
        """A single reference: the record, None when missing, Dangling when it names none."""
        data, target, _ = REFS[entity][field]
        key = rec.get(data)
        if key is None:
            return None
        if key not in self.ix[target]:
            raise Dangling(key)
        return self.ix[target][key]

    def many(self, rec: Rec, entity: str, field: str) -> list[Rec] | None:
        """A list of references: the records that exist; None when the list is missing."""
        data, target, _ = REFS[entity][field]
        keys = rec.get(data)
        if keys is None:
            return None
        return [self.ix[target][k] for k in keys if k in self.ix[target]]

    def dangling(self) -> Iterator[Finding]:
        for entity, fields in REFS.items():
            for rec in self.all[entity]:
                for field, (data, target, many) in fields.items():
                    if (entity, field) in UNREPORTED:
                        continue
                    value = rec.get(data)
                    keys = [] if value is None else value if many else [value]
                    for k in dict.fromkeys(keys):
                        if k not in self.ix[target]:
                            yield (
                                "dangling-reference",
                                str(rec["id"]),
                                ((target, str(k)),),
                                f"{entity} {rec['id']} references {target} {k}, which does not exist",
                            )


def num(value: Any) -> Fraction:
    return Fraction(Decimal(str(value)))


def text(value: Any) -> str:
    if value is None:
        return "missing"
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return str(value.numerator)
        return format(Decimal(value.numerator) / Decimal(value.denominator), "f")
    return str(value)


def some(items: Iterable[Rec], test: Callable[[Rec], bool]) -> bool:
    for item in items:
        try:
            if test(item):
                return True
        except Dangling:
            continue
    return False


def every(items: Iterable[Rec], test: Callable[[Rec], bool]) -> bool:
    return not some(items, lambda x: not test(x))


def terms(items: Iterable[Rec], value: Callable[[Rec], Any]) -> list[Any]:
    out = []
    for item in items:
        try:
            v = value(item)
        except Dangling:
            continue
        if v is not None:
            out.append(v)
    return out


def hole(value: Callable[[], str]) -> str:
    try:
        return value()
    except Dangling as exc:
        return f"{exc.key} (dangling)"


# ------------------------------------------------------------------ the rules, one by one
Oracle = Callable[[Plan, Rec], Iterator[tuple[tuple[tuple[str, str], ...], str]]]
ORACLES: dict[str, tuple[str, Oracle]] = {}


def oracle(rule: str, subject: str) -> Callable[[Oracle], Oracle]:
    def register(fn: Oracle) -> Oracle:
        ORACLES[rule] = (subject, fn)
        return fn

    return register


def campaigns_of(plan: Plan, o: Rec) -> Callable[[Rec], bool]:
    """`c.objective = o`, following the reference (so a dangling one raises)."""
    return lambda c: plan.follow(c, "Campaign", "objective") is o


def budgets(plan: Plan, o: Rec) -> list[Fraction]:
    return terms(
        plan.all["Campaign"],
        lambda c: num(c["budget"]) if campaigns_of(plan, o)(c) else None,
    )


@oracle("objective-in-use", "Objective")
def _in_use(plan: Plan, o: Rec) -> Iterator[Any]:
    if some(plan.all["Campaign"], campaigns_of(plan, o)):
        yield (), f"{o['id']} in use"


@oracle("objective-overspent", "Objective")
def _overspent(plan: Plan, o: Rec) -> Iterator[Any]:
    if sum(budgets(plan, o)) > num(o["budget"]):
        yield (), f"{o['id']} overspent"


@oracle("objective-crowded", "Objective")
def _crowded(plan: Plan, o: Rec) -> Iterator[Any]:
    if sum(1 for c in terms(plan.all["Campaign"], lambda c: campaigns_of(plan, o)(c) or None)) >= 2:
        yield (), f"{o['id']} crowded"


@oracle("objective-biggest", "Objective")
def _biggest(plan: Plan, o: Rec) -> Iterator[Any]:
    if max(budgets(plan, o), default=0) > 50:
        yield (), f"{o['id']} has a big campaign"


@oracle("objective-smallest", "Objective")
def _smallest(plan: Plan, o: Rec) -> Iterator[Any]:
    if min(budgets(plan, o), default=100) < 5:
        yield (), f"{o['id']} has a small campaign"


@oracle("objective-average", "Objective")
def _average(plan: Plan, o: Rec) -> Iterator[Any]:
    values = budgets(plan, o)
    if (sum(values) / len(values) if values else 0) > 20:
        yield (), f"{o['id']} averages over 20"


@oracle("objective-all-high", "Objective")
def _all_high(plan: Plan, o: Rec) -> Iterator[Any]:
    mine = campaigns_of(plan, o)

    def high(c: Rec) -> bool:
        target = plan.follow(c, "Campaign", "objective")
        assert target is not None
        return target["level"] == "high"

    cs = plan.all["Campaign"]
    if some(cs, mine) and every(cs, lambda c: not mine(c) or high(c)):
        yield (), f"{o['id']}: all high"


@oracle("objective-no-backup", "Objective")
def _no_backup(plan: Plan, o: Rec) -> Iterator[Any]:
    def backs_up(c: Rec) -> bool:
        backup = plan.follow(c, "Campaign", "backup")  # `is present` follows it
        return backup is not None and backup is o

    if not some(plan.all["Campaign"], backs_up):
        yield (), f"{o['id']} backs nothing up"


@oracle("campaign-low-objective", "Campaign")
def _low(plan: Plan, c: Rec) -> Iterator[Any]:
    objective = plan.follow(c, "Campaign", "objective")
    assert objective is not None
    if objective["level"] == "low":
        yield (), f"{c['id']}: low objective {objective['id']}"


@oracle("campaign-backup-parent", "Campaign")
def _backup_parent(plan: Plan, c: Rec) -> Iterator[Any]:
    backup = plan.follow(c, "Campaign", "backup")
    if backup is not None and plan.follow(backup, "Objective", "parent") is not None:
        yield (), f"{c['id']}: backup {backup['id']} has a parent"


def products_of(plan: Plan, c: Rec) -> list[Rec]:
    """`campaign.items.product`: an item whose product dangles is left out."""
    items = plan.many(c, "Campaign", "items") or []
    return terms(items, lambda i: plan.follow(i, "Item", "product"))


@oracle("campaign-cheap-item", "Campaign")
def _cheap(plan: Plan, c: Rec) -> Iterator[Any]:
    products = products_of(plan, c)
    if any(num(p["price"]) < 1 for p in products):
        prices = ", ".join(sorted(text(num(p["price"])) for p in products))
        yield (), f"{c['id']} sells cheap: {prices}"


@oracle("campaign-free-item", "Campaign")
def _free(plan: Plan, c: Rec) -> Iterator[Any]:
    for i in plan.many(c, "Campaign", "items") or []:
        try:
            product = plan.follow(i, "Item", "product")
        except Dangling:
            continue  # this binding only
        assert product is not None
        if num(product["price"]) == 0:
            yield (("Item", i["id"]),), f"{c['id']} gives {i['id']} away"


@oracle("campaign-item-value", "Campaign")
def _value(plan: Plan, c: Rec) -> Iterator[Any]:
    def worth(i: Rec) -> Fraction:
        product = plan.follow(i, "Item", "product")
        assert product is not None
        return num(product["price"]) * i["qty"]

    value = sum(terms(plan.many(c, "Campaign", "items") or [], worth), Fraction(0))
    if value > 10:
        yield (), f"{c['id']} items worth {text(value)}"


@oracle("campaign-margin", "Campaign")
def _margin(plan: Plan, c: Rec) -> Iterator[Any]:
    for i in plan.many(c, "Campaign", "items") or []:
        try:
            p = plan.follow(i, "Item", "product")
        except Dangling:
            continue
        assert p is not None
        if p.get("cost") is not None and num(p["cost"]) > num(p["price"]):
            yield (("Item", i["id"]),), f"{c['id']}: {i['id']} sells below cost"


@oracle("campaign-backup-high", "Campaign")
def _backup_high(plan: Plan, c: Rec) -> Iterator[Any]:
    backup = plan.follow(c, "Campaign", "backup")
    if backup is not None and backup["level"] == "high":
        yield (("Objective", backup["id"]),), f"{c['id']} falls back on {backup['id']}"


@oracle("campaign-extra-unfolded", "Campaign")
def _extra_unfolded(plan: Plan, c: Rec) -> Iterator[Any]:
    for p in plan.many(c, "Campaign", "extras") or []:
        if num(p["price"]) > 50:
            yield (("Product", p["id"]),), f"{c['id']} extra {p['id']}"


@oracle("campaign-extra-where", "Campaign")
def _extra_where(plan: Plan, c: Rec) -> Iterator[Any]:
    if any(num(p["price"]) > 50 for p in plan.many(c, "Campaign", "extras") or []):
        yield (), f"{c['id']} has a dear extra"


@oracle("campaign-extra-every", "Campaign")
def _extra_every(plan: Plan, c: Rec) -> Iterator[Any]:
    extras = plan.many(c, "Campaign", "extras")
    if extras is not None and not any(p.get("cost") is not None for p in extras):
        yield (), f"{c['id']}: no extra with a known cost"


@oracle("campaign-private", "Campaign")
def _private(plan: Plan, c: Rec) -> Iterator[Any]:
    if c.get("public") is not True:
        yield (), f"{c['id']} is not public"


@oracle("campaign-untagged", "Campaign")
def _untagged(plan: Plan, c: Rec) -> Iterator[Any]:
    if not c.get("tags"):
        yield (), f"{c['id']} has no tags"


@oracle("objective-orphan", "Objective")
def _orphan(plan: Plan, o: Rec) -> Iterator[Any]:
    if not any(c.get("objective_id") == o["id"] for c in plan.all["Campaign"]):
        yield (), f"{o['id']} has no campaign"


@oracle("item-big", "Item")
def _item_big(plan: Plan, i: Rec) -> Iterator[Any]:
    if i["qty"] >= 5:

        def product_id() -> str:
            product = plan.follow(i, "Item", "product")
            assert product is not None
            return str(product["id"])

        yield (), f"{i['id']}: {i['qty']} of {hole(product_id)}"


def dangling_keys(plan: Plan, rec: Rec, entity: str, field: str) -> tuple[tuple[str, str], ...]:
    """The keys of `rec.field` that name no record, as (target, key), each once, sorted."""
    data, target, many = REFS[entity][field]
    value = rec.get(data)
    keys = [] if value is None else value if many else [value]
    return tuple(sorted({(target, str(k)) for k in keys if k not in plan.ix[target]}))


def dangles(plan: Plan, rec: Rec, entity: str, field: str) -> bool:
    """`rec.field is dangling`: a present key (for a list, any key) that names no record."""
    return bool(dangling_keys(plan, rec, entity, field))


# A top-level `is dangling` test of the rule's own variable names the keys it found as the
# finding's related entities.
@oracle("campaign-objective-dangles", "Campaign")
def _objective_dangles(plan: Plan, c: Rec) -> Iterator[Any]:
    if keys := dangling_keys(plan, c, "Campaign", "objective"):
        yield keys, f"{c['id']} names an objective that does not exist"


@oracle("campaign-backup-dangles", "Campaign")
def _backup_dangles(plan: Plan, c: Rec) -> Iterator[Any]:
    if keys := dangling_keys(plan, c, "Campaign", "backup"):
        yield keys, f"{c['id']} names a backup that does not exist"


@oracle("campaign-items-dangle", "Campaign")
def _items_dangle(plan: Plan, c: Rec) -> Iterator[Any]:
    if keys := dangling_keys(plan, c, "Campaign", "items"):
        yield keys, f"{c['id']} names an item that does not exist"


@oracle("campaign-item-product-dangles", "Campaign")
def _item_product_dangles(plan: Plan, c: Rec) -> Iterator[Any]:
    items = plan.many(c, "Campaign", "items") or []
    if some(items, lambda i: dangles(plan, i, "Item", "product")):
        yield (), f"{c['id']} has an item whose product does not exist"


@oracle("campaign-backup-low", "Campaign")
def _backup_low(plan: Plan, c: Rec) -> Iterator[Any]:
    if dangles(plan, c, "Campaign", "backup"):
        return
    backup = plan.follow(c, "Campaign", "backup")
    if backup is not None and backup["level"] == "low":
        yield (), f"{c['id']} backs up to a low objective"


def expected(raw: dict[str, Any]) -> set[Finding]:
    plan = Plan(raw)
    found = set(plan.dangling())
    for rule, (subject, fn) in ORACLES.items():
        for rec in plan.all[subject]:
            try:
                results = list(fn(plan, rec))
            except Dangling:
                continue  # the subject's own binding met a dangling reference
            found |= {(rule, str(rec["id"]), related, msg) for related, msg in results}
    return found


def actual(report: alignrules.Report) -> list[Finding]:
    return [(v.rule, v.key, tuple(v.related), v.message) for v in report.violations]


CHECKER = alignrules.load(RULESET)


def test_every_rule_has_an_oracle() -> None:
    assert set(ORACLES) == {r.id for r in CHECKER.compiled.program.rules}


@settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(plans_for(CHECKER.compiled.program, max_records=6))
def test_checker_agrees_with_the_oracle(raw: dict[str, Any]) -> None:
    found = actual(CHECKER.check(raw))
    assert len(found) == len(set(found)), "a finding is reported twice"
    want = expected(raw)
    missing, extra = sorted(want - set(found)), sorted(set(found) - want)
    assert not missing and not extra, f"oracle only: {missing}\nchecker only: {extra}"


def test_the_plans_reach_every_rule_and_dangle() -> None:
    """A guard on the generator: each rule fires, and dangling keys occur, in the plans."""
    fired: set[str] = set()

    @settings(max_examples=150, deadline=None, derandomize=True, database=None)
    @given(plans_for(CHECKER.compiled.program, max_records=6))
    def collect(raw: dict[str, Any]) -> None:
        fired.update(f[0] for f in expected(raw))

    collect()
    assert fired == {*ORACLES, "dangling-reference"}
