"""The field readers of generated modules: one data value → the Python value of a field's
kind, refusing (with a `ValueProblem`) what the language does not allow.

A generated module's per-entity readers (written by `alignrules.codegen.readers`) check the
plain form of a record inline and call these for everything else; the binder's detailed
cattrs reader calls the same field readers, so both read every value alike.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Final, Generic, TypeVar

from alignrules.runtime import shapes
from alignrules.runtime.specs import EntitySpec, FieldSpec
from alignrules.runtime.values import (
    Money,
    ValueProblem,
    bounded_days,
    bounded_decimal,
    bounded_int,
    finite_decimal,
    is_currency_code,
    normalize_spelling,
    parse_bool,
    parse_date,
    parse_decimal,
    parse_duration,
    parse_int,
    parse_money,
)

M = TypeVar("M", bound=enum.Enum)


def kind_of(value: object) -> str:
    """How a data value is named in a message: `number`, `text`, `a list`..."""
    return shapes.kind_of(value, number="number")


class FieldProblem(ValueProblem):
    """A problem inside a field's value, `sub` the pointer suffix (e.g. "/0" in a list)."""

    def __init__(self, message: str, sub: str = "") -> None:
        super().__init__(message)
        self.sub = sub


class Retry(Exception):
    """A record the fast reader does not take as it is; the detailed reader decides."""


_ISO_DAY: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def fast_day(value: Any) -> date:
    """A date in its canonical spelling, `2026-03-31`; anything else goes to the full reader."""
    if type(value) is str and _ISO_DAY.fullmatch(value):
        return date.fromisoformat(value)
    raise Retry


def scalar_reader(
    kind: str, lenient: bool, spellings: Mapping[str, enum.Enum] | None
) -> Callable[[Any], Any]:
    """A function from one data value to the Python value of `kind`.

    `lenient` is for CSV, where every cell is text: numbers, dates and booleans are parsed.
    JSON and YAML must give numbers as numbers, except money and decimals, which exports
    often write as text (`"1,200.50 USD"`).
    """

    def text(v: Any) -> str:
        if isinstance(v, str):
            return v
        raise ValueProblem(f"expected text, got {kind_of(v)}")

    def integer(v: Any) -> int:
        if isinstance(v, bool):
            raise ValueProblem("expected a whole number, got true/false")
        if isinstance(v, int):
            return bounded_int(v)
        if isinstance(v, Decimal) and v.is_finite() and v == v.to_integral_value():
            return bounded_int(int(bounded_decimal(v)))
        if lenient and isinstance(v, str):
            return parse_int(v)
        raise ValueProblem(f"expected a whole number, got {kind_of(v)}")

    def decimal(v: Any) -> Decimal:
        if isinstance(v, bool):
            raise ValueProblem("expected a number, got true/false")
        if isinstance(v, int):
            return Decimal(bounded_int(v))
        if isinstance(v, Decimal):
            return finite_decimal(v)
        if isinstance(v, float):
            return finite_decimal(Decimal(repr(v)))
        if isinstance(v, str):
            return parse_decimal(v)
        raise ValueProblem(f"expected a number, got {kind_of(v)}")

    def money(v: Any) -> Money:
        if isinstance(v, str):
            return parse_money(v)
        if isinstance(v, Mapping) and "amount" in v:
            cur = v.get("currency")
            if cur is not None and not (isinstance(cur, str) and is_currency_code(cur)):
                raise ValueProblem(
                    "expected a currency code of three capital letters, such as `USD`"
                )
            return Money(decimal(v["amount"]), cur)
        return Money(decimal(v))

    def boolean(v: Any) -> bool:
        if isinstance(v, bool):
            return v
        if lenient and isinstance(v, str):
            return parse_bool(v)
        raise ValueProblem(f"expected true or false, got {kind_of(v)}")

    def day(v: Any) -> date:
        if isinstance(v, date):
            return v
        if isinstance(v, str):
            return parse_date(v)
        raise ValueProblem(f"expected a date like 2026-03-31, got {kind_of(v)}")

    def duration(v: Any) -> timedelta:
        if isinstance(v, str):
            return parse_duration(v)
        if isinstance(v, int) and not isinstance(v, bool):
            return bounded_days(v)
        raise ValueProblem(f"expected a duration like `90 days`, got {kind_of(v)}")

    def member(v: Any) -> enum.Enum:
        assert spellings is not None
        if isinstance(v, str):
            found = spellings.get(normalize_spelling(v))
            if found is not None:
                return found
        names = sorted({str(m) for m in spellings.values()})
        raise ValueProblem(f"{v!r} is not one of {', '.join(names)}")

    readers: dict[str, Callable[[Any], Any]] = {
        "text": text,
        "int": integer,
        "decimal": decimal,
        "money": money,
        "bool": boolean,
        "date": day,
        "duration": duration,
        "enum": member,
    }
    return readers[kind]


def key_reader(key_kind: str, lenient: bool) -> Callable[[Any], Any]:
    """Keys may be text or whole numbers; a CSV cell holding a number key is read as one."""
    if key_kind == "int":
        return scalar_reader("int", lenient, None)

    def text_key(v: Any) -> str:
        if isinstance(v, str):
            return v
        raise ValueProblem(f"expected text, got {kind_of(v)}")

    return text_key


def field_hook(spec: FieldSpec, lenient: bool) -> Callable[..., Any]:
    """The reader of one field's value, list and missing value included: called with the
    value alone by generated readers, and with the value and a type by cattrs."""
    if spec.kind == "ref":
        one = key_reader(spec.key_kind, lenient)
    else:
        one = scalar_reader(spec.kind, lenient, spec.enum)
    optional = spec.optional

    def read_one(value: Any, _: Any = None) -> Any:
        # A CSV cell cannot be null: an empty cell is a missing value, except in a required
        # text field, where it can only mean the empty text.
        if value is None or (lenient and value == "" and (spec.kind != "text" or optional)):
            if optional:
                return None
            raise ValueProblem(
                "is empty, and the field is required"
                if value == ""
                else "is null, and the field is required"
            )
        return one(value)

    def read_many(value: Any, _: Any = None) -> Any:
        if value is None:
            if optional:
                return None
            raise ValueProblem("is null, and the list is required (write [] for an empty list)")
        if isinstance(value, str) and (spec.split is not None or lenient):
            if spec.split is None:
                raise ValueProblem(
                    "expected a list; declare the field with `split` to read a CSV cell"
                )
            # `K1;` and `K1;;K2` are how spreadsheets leave a list: no empty items.
            items: Sequence[Any] = [p.strip() for p in value.split(spec.split) if p.strip()]
        elif isinstance(value, list | tuple):
            items = value
        else:
            raise ValueProblem(f"expected a list, got {kind_of(value)}")
        out = []
        for i, item in enumerate(items):
            try:
                if item is None:
                    raise ValueProblem("expected a value, got null")
                out.append(one(item))
            except ValueProblem as exc:
                raise FieldProblem(str(exc), f"/{i}") from None
        return tuple(out)

    return read_many if spec.many else read_one


class EnumLearner(Generic[M]):
    """Reads an enum value in any spelling the language allows, and keeps each spelling it
    read in `seen` (at first the spellings that normalize to themselves), where a generated
    reader looks first: each spelling in the data is normalized once."""

    def __init__(self, spellings_: Mapping[str, M]) -> None:
        self.seen: dict[str, M] = {
            k: m for k, m in spellings_.items() if normalize_spelling(k) == k
        }
        self._read = scalar_reader("enum", False, spellings_)

    def __call__(self, value: Any) -> M:
        member: M = self._read(value)
        if len(self.seen) < 1024:  # bounded: data may spell a value many ways
            self.seen[value] = member
        return member


def field_readers(spec: EntitySpec, lenient: bool) -> tuple[Callable[[Any], Any], ...]:
    """The reader of each field of `spec`, in order, for a generated per-entity reader.

    `lenient` is for CSV cells: each reader takes the cell as it is, missing and empty
    included. Otherwise a reader takes a value that is present: a list (a field of `many`),
    a date in any spelling the language allows, or a scalar of the field's kind.
    """
    return tuple(_field_reader(f, lenient) for f in spec.fields)


def _field_reader(f: FieldSpec, lenient: bool) -> Callable[[Any], Any]:
    if lenient or f.many:
        return field_hook(f, lenient)
    if f.kind == "ref":
        return key_reader(f.key_kind, False)
    return scalar_reader(f.kind, False, f.enum)
