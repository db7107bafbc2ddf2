"""Where the SQL engines hand a plan back to the Python engine, and the decimal scale a plan
needs.

A DuckDB decimal holds 38 digits, split once per column type between the integer part and
`scale` places. The engine that loads bound records (`sql.duckdb_engine`) picks one scale for
the whole check: 9, or more when the plan (or a parameter) is written with more places, as long
as the integer digits present still fit. Where no `DECIMAL(38, s)` holds every number, or the
database cannot finish a rule on this data (an overflow, a date out of range, a division by
zero, a product needing more than 38 places), the engine raises `PythonNeeded`: the API then
checks the plan with the Python engine, so the report is the same whatever the engine, and
only the time differs (docs/sql.md). Engines with no plan file behind their tables (Parquet,
a DuckDB file, Spark) read the tables back into the plan they hold for the Python engine
(`sql.from_tables`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from alignrules.ir import nodes as ir
from alignrules.ir import types as t
from alignrules.runtime.report import RuleCrashed
from alignrules.sql.layout import DECIMAL_PRECISION, DECIMAL_SCALE


def digits(value: Decimal | int) -> tuple[int, int]:
    """The decimal places and the integer digits `value` needs: `(2, 3)` for `100.50`.

    Counted on the digits themselves, never through a decimal context (whose precision would
    round them)."""
    sign_digits_exponent = Decimal(value).as_tuple()
    kept = list(sign_digits_exponent.digits)
    exponent = sign_digits_exponent.exponent
    assert isinstance(exponent, int)  # the runtime refuses NaN and infinities
    while len(kept) > 1 and kept[-1] == 0 and exponent < 0:
        kept.pop()
        exponent += 1
    if kept == [0]:
        return 0, 0
    return max(0, -exponent), max(0, len(kept) + exponent)


def fits(value: Decimal | int, scale: int = DECIMAL_SCALE) -> bool:
    """Whether DECIMAL(38, `scale`) holds `value` exactly."""
    places, whole = digits(value)
    return places <= scale and whole <= DECIMAL_PRECISION - scale


class PythonNeeded(Exception):
    """The DuckDB engine cannot give the Python engine's report on this plan; the message
    says why. The caller checks the plan with the Python engine instead."""


class RuleNeedsPython(RuleCrashed, PythonNeeded):
    """A rule query the database could not finish on this plan (the cause is chained)."""


def plan_scale(
    program: ir.Program,
    entities: Mapping[str, Sequence[Any]],
    attrs_of: Mapping[str, Mapping[str, str]],
    params: Mapping[str, Any],
) -> int:
    """The scale of every decimal column for these bound records and parameter values: the
    most places any number is written with, at least 9, leaving room for the most integer
    digits any number has. Raises `PythonNeeded` when no scale leaves room for both."""
    places, whole = DECIMAL_SCALE, 0
    for number in _numbers(program, entities, attrs_of, params):
        p, w = digits(number)
        places, whole = max(places, p), max(whole, w)
    if places + whole > DECIMAL_PRECISION:
        raise PythonNeeded(
            f"its numbers need {whole} integer digits and {places} decimal places, more than"
            f" the {DECIMAL_PRECISION} digits of a SQL decimal"
        )
    return places


def _numbers(
    program: ir.Program,
    entities: Mapping[str, Sequence[Any]],
    attrs_of: Mapping[str, Mapping[str, str]],
    params: Mapping[str, Any],
) -> Iterable[Decimal]:
    for entity in program.entities:
        fields = [f for f in entity.fields if _decimal(f.type)]
        if not fields or entity.name not in entities:
            continue
        names = [attrs_of[entity.name][f.name] for f in fields]
        for record in entities[entity.name]:
            for name in names:
                yield from _amounts(getattr(record, name))
    for value in params.values():
        yield from _amounts(value)
    yield from _constants(program)


def _constants(program: ir.Program) -> Iterable[Decimal]:
    """The decimal and money literals of the rules and predicates."""
    roots: list[ir.Expr] = [p.body for p in program.predicates]
    for rule in program.rules:
        roots.extend(
            s.coll if isinstance(s, ir.Bind) else s.cond if isinstance(s, ir.Filter) else s.expr
            for s in rule.steps
        )
        if rule.cond is not None:
            roots.append(rule.cond)
    for root in roots:
        for node in ir.walk(root):
            if isinstance(node, ir.Const) and isinstance(node.value, Decimal):
                yield node.value


def _amounts(value: Any) -> Iterable[Decimal]:
    """The decimal amounts in a field's or parameter's value (a list's elements)."""
    if isinstance(value, tuple | list | set | frozenset):
        for item in value:
            yield from _amounts(item)
        return
    amount = getattr(value, "amount", value)  # Money
    if isinstance(amount, Decimal):
        yield amount


def _decimal(typ: t.Type) -> bool:
    base = t.strip_opt(typ)
    if isinstance(base, t.CollT):
        base = t.strip_opt(base.elem)
    return base in (t.DECIMAL, t.MONEY)
