"""Three-valued constant folding of conditions: True, False, or None (depends on the data).

What a condition is folded with: constants (`Value`), and the facts that the filters before
it assert (`Fact`: `term op constant`, or `term` is true or false). Each verdict comes with
a reason that the finding quotes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import attrs

from alignrules.ir import nodes as ir
from alignrules.ir import types as t
from alignrules.ir.builtins import BUILTINS
from alignrules.lint.exprs import conjuncts, key, strip, text_of
from alignrules.lint.patterns import pattern_problem

_OPS = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


@attrs.frozen
class Value:
    """A constant, with a `kind` saying which other constants it can be compared with."""

    kind: str
    value: Any


def constant(e: ir.Expr) -> Value | None:
    """The value of `e` when it is a literal (or a negated one); parameters are not constants."""
    e = strip(e)
    if isinstance(e, ir.Const):
        v = e.value
        if e.type == t.BOOL:
            return Value("bool", v)
        if e.type in t.NUMERIC:
            return Value("number", v)
        if e.type == t.MONEY:
            return Value(f"money {e.currency}", v)
        if e.type == t.TEXT:
            return Value("text", v)
        if e.type == t.DATE and isinstance(v, date):
            return Value("date", v)
        if e.type == t.DURATION:
            return Value("duration", v)
        return None
    if isinstance(e, ir.EnumConst) and isinstance(e.type, t.EnumT):
        return Value(f"enum {e.enum}", e.type.values.index(e.value))
    if isinstance(e, ir.Neg):
        inner = constant(e.expr)
        if inner is not None and isinstance(inner.value, int | Decimal):
            return Value(inner.kind, -inner.value)
    return None


@attrs.frozen
class Fact:
    """`term op value` (a comparison with a constant), or `term` is `truth`."""

    term: object
    op: str
    value: Value | None
    truth: bool
    text: str
    vars: frozenset[str]


def fact_of(atom: ir.Expr, truth: bool) -> Fact:
    """What asserting `atom` at `truth` tells of its terms."""
    atom = strip(atom)
    text = text_of(atom.span)
    names = frozenset(ir.free_vars(atom))
    if isinstance(atom, ir.Compare):
        op = atom.op if truth else ir.NEGATED[atom.op]
        right = constant(atom.right)
        left = constant(atom.left)
        if right is not None and left is None:
            return Fact(key(atom.left), op, right, True, text, names)
        if left is not None and right is None:
            return Fact(key(atom.right), ir.MIRRORED[op], left, True, text, names)
    if isinstance(atom, ir.IsMissing):
        present = atom.negated == truth
        return Fact(key(atom.expr), "present", None, present, text, names)
    return Fact(key(atom), "", None, truth, text, names)


def facts_of(cond: ir.Expr) -> list[Fact]:
    """What a filter `cond` asserts, for the conditions after it."""
    return [fact_of(a, truth) for a, truth in conjuncts(cond)]


def forget(facts: Sequence[Fact], var: str) -> list[Fact]:
    """The facts that stay true when `var` is bound again (to something else)."""
    return [f for f in facts if var not in f.vars]


class Folder:
    """Three-valued constant folding: True, False, or None (depends on the data)."""

    def __init__(self, predicates: Mapping[str, ir.Predicate]) -> None:
        self.predicates = predicates
        self.reason = ""

    def fold(self, e: ir.Expr, facts: Sequence[Fact]) -> bool | None:
        self.reason = ""
        return self.ev(e, list(facts))

    def ev(self, e: ir.Expr, facts: list[Fact]) -> bool | None:
        e = strip(e)
        known = self.from_facts(e, facts)
        if known is not None:
            return known
        if isinstance(e, ir.Const) and e.type == t.BOOL:
            self.reason = f"`{text_of(e.span)}` is a constant"
            return bool(e.value)
        if isinstance(e, ir.Not):
            inner = self.ev(e.expr, facts)
            return None if inner is None else not inner
        if isinstance(e, ir.BoolOp):
            left = self.ev(e.left, facts)
            why = self.reason
            if (e.op == "and" and left is False) or (e.op == "or" and left is True):
                self.reason = why
                return left
            more = facts_of(e.left) if e.op == "and" else []
            right = self.ev(e.right, facts + more)
            if e.op == "and":
                return False if right is False else (True if left and right else None)
            return True if right is True else (False if left is False and right is False else None)
        if isinstance(e, ir.Compare):
            return self.compare(e, facts)
        if isinstance(e, ir.Member):
            return self.member(e, facts)
        if isinstance(e, ir.TextMatch):
            problem = pattern_problem(e)
            if problem is not None:
                self.reason = problem[1]
                return problem[0] == "trivial-pattern"
            return None
        if isinstance(e, ir.Quant):
            return self.quant(e, facts)
        if isinstance(e, ir.PredCall):
            pred = self.predicates.get(e.name)
            if pred is not None and not ir.free_vars(pred.body):
                return self.ev(pred.body, [])
            return None
        return None

    def from_facts(self, e: ir.Expr, facts: Sequence[Fact]) -> bool | None:
        term = key(e)
        for f in facts:
            if f.term == term and f.op == "":
                self.reason = f"the filter `{f.text}` already decides it"
                return f.truth
        if isinstance(e, ir.IsMissing):
            inner = key(e.expr)
            for f in facts:
                if f.term == inner and f.op == "present":
                    self.reason = f"the filter `{f.text}` already decides it"
                    return f.truth == e.negated
        return None

    def quant(self, e: ir.Quant, facts: list[Fact]) -> bool | None:
        coll = strip(e.coll)
        empty = isinstance(coll, ir.SetLit) and not coll.items
        facts = forget(facts, e.var)
        where = None if e.where is None else self.ev(e.where, facts)
        if empty or where is False:
            if empty:
                self.reason = f"`{text_of(coll.span)}` is empty"
            return e.kind != "some"
        if e.kind == "every" and e.must is not None:
            inner = facts + ([] if e.where is None else facts_of(e.where))
            must = self.ev(e.must, inner)
            if must is True:
                return True
        return None

    def member(self, e: ir.Member, facts: list[Fact]) -> bool | None:
        coll = strip(e.coll)
        if not isinstance(coll, ir.SetLit):
            return None
        if not coll.items:
            self.reason = f"`{text_of(coll.span)}` is empty"
            return e.negated
        items = [constant(i) for i in coll.items]
        if any(i is None for i in items):
            return None
        element = constant(e.element)
        if element is None:
            element = self.equal_to(key(e.element), facts)
        if element is None:
            return None
        inside = any(i is not None and i == element for i in items)
        self.reason = f"`{text_of(e.element.span)}` is known here"
        return inside != e.negated

    def equal_to(self, term: object, facts: Sequence[Fact]) -> Value | None:
        for f in facts:
            if f.term == term and f.op == "=" and f.value is not None:
                return f.value
        return None

    def compare(self, e: ir.Compare, facts: list[Fact]) -> bool | None:
        left, right = constant(e.left), constant(e.right)
        if left is not None and right is not None:
            if left.kind != right.kind and {left.kind, right.kind} != {"number"}:
                return None
            self.reason = f"`{text_of(e.span)}` compares constants"
            return bool(_OPS[e.op](left.value, right.value))
        if key(e.left) == key(e.right):
            self.reason = f"`{text_of(e.span)}` compares a value with itself"
            return e.op in ("=", "<=", ">=")
        op: str  # the flipped or negated operator is looked up by name
        if right is not None:
            term, op, value = e.left, e.op, right
        elif left is not None:
            term, op, value = e.right, ir.MIRRORED[e.op], left
        else:
            return None
        return self.bounded(term, op, value, facts, e)

    def bounded(
        self, term: ir.Expr, op: str, value: Value, facts: Sequence[Fact], e: ir.Compare
    ) -> bool | None:
        """`term op value` from what is known of `term`: its type's range and the facts."""
        term = strip(term)
        wanted = key(term)
        lows: list[tuple[Any, bool, str]] = []  # (bound, inclusive, why)
        highs: list[tuple[Any, bool, str]] = []
        equal: list[tuple[Any, str]] = []
        unequal: list[tuple[Any, str]] = []
        typ = t.strip_opt(term.type)
        if isinstance(typ, t.EnumT) and typ.ordered and value.kind == f"enum {typ.name}":
            first, last = typ.values[0], typ.values[-1]
            lows.append((0, True, f"`{first}` is the lowest value of `{typ.name}`"))
            highs.append(
                (len(typ.values) - 1, True, f"`{last}` is the highest value of `{typ.name}`")
            )
        if value.kind == "number" and (
            (isinstance(term, ir.Aggregate) and term.op == "count")
            or (isinstance(term, ir.Builtin) and BUILTINS[term.name].never_negative)
        ):
            lows.append((0, True, f"`{text_of(term.span)}` is never negative"))
        if (
            isinstance(term, ir.Builtin)
            and value.kind == "text"
            and op in ("=", "!=")
            and BUILTINS[term.name].excludes_text("equals", value.value)
        ):
            self.reason = f"`{text_of(term.span)}` never gives {json.dumps(value.value)}"
            return op == "!="
        for f in facts:
            if f.term != wanted or f.value is None or f.value.kind != value.kind:
                continue
            why = f"the filter `{f.text}` rules it out"
            if f.op == "=":
                equal.append((f.value.value, why))
            elif f.op == "!=":
                unequal.append((f.value.value, why))
            elif f.op in (">", ">="):
                lows.append((f.value.value, f.op == ">=", why))
            elif f.op in ("<", "<="):
                highs.append((f.value.value, f.op == "<=", why))
        v = value.value
        for known, why in equal:
            self.reason = why
            return bool(_OPS[op](known, v))
        # Does every value the term may take satisfy `op v` (True), or none (False)?
        if op in ("=", "!="):
            for known, why in unequal:
                if known == v:
                    self.reason = why
                    return op == "!="
            for lo, incl, why in lows:
                if v < lo or (v == lo and not incl):
                    self.reason = why
                    return op == "!="
            for hi, incl, why in highs:
                if v > hi or (v == hi and not incl):
                    self.reason = why
                    return op == "!="
            return None
        for lo, incl, why in lows:  # term >= lo (or > lo)
            if op in ("<", "<=") and (v < lo or (v == lo and (op == "<" or not incl))):
                self.reason = why
                return False
            if op in (">", ">=") and (v < lo or (v == lo and (op == ">=" or not incl))):
                self.reason = why
                return True
        for hi, incl, why in highs:  # term <= hi (or < hi)
            if op in (">", ">=") and (v > hi or (v == hi and (op == ">" or not incl))):
                self.reason = why
                return False
            if op in ("<", "<=") and (v > hi or (v == hi and (op == "<=" or not incl))):
                self.reason = why
                return True
        return None
