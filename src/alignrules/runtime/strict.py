"""A strict data contract, checked as plan data is bound.

By default the binder is lenient, as messy exports need: enum values in any case and with `-`
or spaces for `_`, numbers written as text (`"60,000"`, `"USD 1,200.50"`), any number of
decimals. A ruleset that declares `strict` (for every entity, or `entity X strict`) makes each
of these an input error with its file and place instead:

- an enum value must be spelled exactly as declared (its name or a declared data spelling);
- a number must be written as a number: a JSON/YAML number (money also as
  `{"amount": 12.5, "currency": "USD"}`), or in a CSV cell a plain numeral such as `-1200.50`
  (money may add a currency code: `USD 1200.50`);
- `strict decimals N`: a decimal or money value has at most N decimals;
- a key is neither empty nor blank, and no key is used by two strict entities.

Only the form is checked here; the field readers still read the value (and refuse what no
contract allows).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from alignrules.runtime.specs import EntitySpec, FieldSpec

Problems = list[tuple[str, str]]

_NUMERAL: Final = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_MONEY_TEXT: Final = re.compile(r"(?:[A-Z]{3} )?(-?[0-9]+(?:\.([0-9]+))?)(?: [A-Z]{3})?")
_NUMBER_KINDS: Final = frozenset({"int", "decimal", "money"})


def record_problems(
    spec: EntitySpec, items: Sequence[tuple[str, Mapping[str, Any]]], lenient: bool
) -> Problems:
    """What breaks the contract in the records of one strict entity, before they are read."""
    problems: Problems = []
    key = spec.key_field
    checked = [f for f in spec.fields if f.kind == "enum" or f.kind in _NUMBER_KINDS]
    for pointer, record in items:
        value = record.get(key.data)
        if isinstance(value, str) and not value.strip():
            problems.append((pointer + key.pointer, "strict: a key cannot be empty"))
        for f in checked:
            value = record.get(f.data)
            if value is None or (lenient and value == ""):
                continue
            values: list[tuple[int | None, Any]]
            if f.many and not isinstance(value, str):
                values = list(enumerate(value)) if isinstance(value, list | tuple) else []
            elif f.many and f.split is not None:
                values = list(enumerate(p.strip() for p in value.split(f.split) if p.strip()))
            else:
                values = [(None, value)]
            for i, v in values:
                problem = _value_problem(f, v, lenient, spec.decimals)
                if problem is not None:
                    sub = "" if i is None else f"/{i}"
                    problems.append((pointer + f.pointer + sub, f"strict: {problem}"))
    return problems


def _value_problem(f: FieldSpec, v: Any, lenient: bool, decimals: int | None) -> str | None:
    if f.kind == "enum":
        exact: frozenset[str] = getattr(f.enum, "exact", frozenset())
        if isinstance(v, str) and v not in exact:
            return f"`{v}` is not spelled as declared: write one of {_listed(exact)}"
        return None
    places: int | None = None
    if isinstance(v, bool):
        return None  # not a number at all: the reader says so
    if isinstance(v, int | Decimal):
        places = _places(Decimal(v))
    elif isinstance(v, float):
        places = _places(Decimal(repr(v)))
    elif f.kind == "money" and isinstance(v, Mapping):
        amount = v.get("amount")
        if isinstance(amount, str):
            return f"the amount `{amount}` is text: write it as a number"
        if isinstance(amount, int | Decimal) and not isinstance(amount, bool):
            places = _places(Decimal(amount))
    elif isinstance(v, str):
        if not lenient:
            return f"`{v}` is a number written as text: write it as a number"
        m = (_MONEY_TEXT if f.kind == "money" else _NUMERAL).fullmatch(v.strip())
        if m is None:
            example = "`USD 1200.50` or `1200.50`" if f.kind == "money" else "`1200.50`"
            return f"`{v}` is not a plain number: write it like {example}"
        places = len(v.strip().split(".", 1)[1].split(" ")[0]) if "." in v else 0
    if f.kind == "int" or decimals is None or places is None or places <= decimals:
        return None
    return f"`{v}` has {places} decimals, and at most {decimals} are allowed"


def _places(d: Decimal) -> int:
    exponent = d.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _listed(names: frozenset[str]) -> str:
    shown = sorted(names)[:8]
    more = ", ..." if len(names) > len(shown) else ""
    return ", ".join(f"`{n}`" for n in shown) + more


def shared_keys(specs: Sequence[EntitySpec], indexes: Mapping[str, Mapping[Any, Any]]) -> Problems:
    """A key used by two strict entities: reported at the later record, naming the first."""
    problems: Problems = []
    first: dict[str, tuple[str, str]] = {}
    for spec in specs:
        for key, obj in indexes.get(spec.name, {}).items():
            seen = first.setdefault(str(key), (spec.name, obj.ar_pointer))
            if seen[0] != spec.name:
                problems.append(
                    (
                        obj.ar_pointer,
                        f"strict: the key `{key}` of this {spec.name} is also the key of "
                        f"{seen[0]} at {seen[1]}; keys must be unique across entities",
                    )
                )
    return problems
