"""Constants as sqlglot literals: what a rule's literal or a parameter's value is in SQL.

Every value becomes a literal node (text through sqlglot's quoting, never pasted into SQL),
typed by the table layout (`DECIMAL(38, s)` for decimals and money amounts, at the layout's
scale, `INTEGER` days
for durations, the canonical value name for enums).
"""

from __future__ import annotations

import enum
from datetime import date, timedelta
from decimal import Decimal
from typing import Final

from sqlglot import exp

from alignrules.sql.layout import DECIMAL_SCALE, decimal_sql_type
from alignrules.sql.limits import fits

DATE_TYPE: Final = exp.DataType.build("DATE")


class NotExact(ValueError):
    """A value the layout's decimal columns cannot hold exactly."""


def decimal_literal(value: Decimal | int, scale: int = DECIMAL_SCALE) -> exp.Expr:
    """A decimal as `CAST('1.25' AS DECIMAL(38, 9))` (at `scale`), refusing one that would
    be rounded."""
    d = Decimal(value)
    if not fits(d, scale):
        raise NotExact(f"{d} has more than {scale} decimal places or is too large")
    return exp.cast(exp.Literal.string(format(d, "f")), exp.DataType.build(decimal_sql_type(scale)))


def date_literal(value: date) -> exp.Expr:
    return exp.cast(exp.Literal.string(value.isoformat()), DATE_TYPE)


def literal(
    value: object, enum_names: dict[object, str] | None = None, scale: int = DECIMAL_SCALE
) -> exp.Expr:
    """The SQL literal of a Python value of the language (a parameter's value, a constant).

    Money is its amount (currencies are checked by the engine, not in SQL); an enum member is
    its canonical name, looked up in `enum_names` when given; decimals are at `scale`.
    """
    if value is None:
        return exp.null()
    if isinstance(value, enum.Enum):  # before int: an ordered enum's members are ints
        name = enum_names.get(value) if enum_names else None
        return exp.Literal.string(name if name is not None else value.name)
    if isinstance(value, bool):
        return exp.true() if value else exp.false()
    if isinstance(value, int):
        return exp.Literal.number(value)
    if isinstance(value, Decimal):
        return decimal_literal(value, scale)
    if isinstance(value, date):
        return date_literal(value)
    if isinstance(value, timedelta):
        return exp.Literal.number(value.days)
    if isinstance(value, str):
        return exp.Literal.string(value)
    amount = getattr(value, "amount", None)
    if isinstance(amount, Decimal):  # Money
        return decimal_literal(amount, scale)
    raise NotExact(f"no SQL literal for {type(value).__name__}")
