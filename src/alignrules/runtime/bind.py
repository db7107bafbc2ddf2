"""The helpers that generated rules call: reference lookups, back-references, aggregates,
missing values, message text, violations, the decimal context, crash subjects, patterns.

It is the one runtime module a generated rule body names (`bind.deref(...)`), so it also
re-exports what those bodies reach elsewhere: what a dangling reference does
(`runtime/dangling`), the collector pause, `ZERO_MONEY`, and the binder's `DataError` and
`DANGLING` rule.
"""

from __future__ import annotations

import contextlib
import decimal
import enum
import functools
from collections.abc import Callable, Iterable, Mapping
from datetime import timedelta
from decimal import Decimal
from typing import Any, Final, TypeVar, cast

import attrs

from alignrules.gcpause import gc_paused as gc_paused  # generated `check` pauses through bind
from alignrules.pointer import escape as escape_pointer
from alignrules.runtime.binder import DANGLING as DANGLING
from alignrules.runtime.binder import DataError as DataError

# What a dangling reference does inside an expression has its own module; generated code
# reaches it through `bind`, its one runtime import for behaviour.
from alignrules.runtime.crashes import CRASHED as CRASHED
from alignrules.runtime.crashes import reported_rules as reported_rules
from alignrules.runtime.crashes import run_rule as run_rule
from alignrules.runtime.dangling import Dangling as Dangling
from alignrules.runtime.dangling import hole as hole
from alignrules.runtime.dangling import known as known
from alignrules.runtime.dangling import terms as terms
from alignrules.runtime.regex import Pattern
from alignrules.runtime.report import Location, RuleInfo, Violation
from alignrules.runtime.values import (
    ZERO_MONEY as ZERO_MONEY,  # re-exported: generated sums over money start from it
)
from alignrules.runtime.values import Money, ValueProblem

T = TypeVar("T")
E = TypeVar("E")
K = TypeVar("K")


#: The decimal arithmetic rules run with, whatever the host application's own context is:
#: 60 significant digits, so that sums, differences and products of any amount a plan holds
#: are exact; a quotient with no finite decimal form (`1 / 3`) is rounded to 60 digits.
#: Overflow and invalid operations raise (the record is then a `rule-crashed` finding).
ARITHMETIC: Final = decimal.Context(
    prec=60,
    rounding=decimal.ROUND_HALF_EVEN,
    traps=[decimal.DivisionByZero, decimal.InvalidOperation, decimal.Overflow],
)


def arithmetic() -> contextlib.AbstractContextManager[decimal.Context]:
    """Run the rules in `ARITHMETIC`: results must not depend on the caller's decimal context."""
    return decimal.localcontext(ARITHMETIC)


# ------------------------------------------------------------------ indexes and lookups
def back_index(
    items: Iterable[E], keys: Callable[[E], Any], many: bool
) -> dict[Any, tuple[E, ...]]:
    """Key → the items whose reference field names that key (built once per check)."""
    out: dict[Any, list[E]] = {}
    with gc_paused():
        if not many:  # one key per item: no tuple of it per item
            seq = items if isinstance(items, tuple | list) else tuple(items)
            for item, k in zip(seq, map(keys, seq), strict=True):
                if k is None:
                    continue
                bucket = out.get(k)
                if bucket is None:
                    out[k] = [item]
                else:
                    bucket.append(item)
            return {k: tuple(v) for k, v in out.items()}
        for item in items:
            value = keys(item)
            if value is None:
                continue
            for k in dict.fromkeys(value) if len(value) > 1 else value:
                bucket = out.get(k)
                if bucket is None:
                    out[k] = [item]
                else:
                    bucket.append(item)
        return {k: tuple(v) for k, v in out.items()}


def deref(index: Mapping[K, E], key: K) -> E:
    try:
        return index[key]
    except KeyError:
        raise Dangling(key) from None


def deref_opt(index: Mapping[K, E], key: K | None) -> E | None:
    if key is None:
        return None
    try:
        return index[key]
    except KeyError:
        raise Dangling(key) from None


def deref_many(index: Mapping[K, E], keys: Iterable[K]) -> tuple[E, ...]:
    """The entities the keys name; dangling keys are left out (the loader reported them)."""
    if not isinstance(keys, tuple | list):
        keys = tuple(keys)
    try:
        return tuple(map(index.__getitem__, keys))  # the common case, at C speed
    except KeyError:
        return tuple(index[k] for k in keys if k in index)


def deref_many_opt(index: Mapping[K, E], keys: Iterable[K] | None) -> tuple[E, ...] | None:
    return None if keys is None else deref_many(index, keys)


def dangles(index: Mapping[K, E], key: K | None) -> bool:
    """`ref is dangling`: the key names no record (a missing key does not dangle)."""
    return key is not None and key not in index


def dangles_many(index: Mapping[K, E], keys: Iterable[K] | None) -> bool:
    """`refs is dangling`: some key of the list names no record."""
    return keys is not None and any(k not in index for k in keys)


def dangling_related(
    target: str, index: Mapping[K, E], value: K | Iterable[K] | None, many: bool
) -> tuple[tuple[str, str], ...]:
    """The keys of a reference field that name no record, as related entities of a finding:
    `(("Capability", "K-OCEAN"),)`, each key once and sorted, so that the order of the ids
    in a list never changes the finding."""
    if value is None:
        return ()
    keys = cast("Iterable[K]", value) if many else (cast("K", value),)
    return tuple(sorted({(target, str(k)) for k in keys if k not in index}))


def distinct(items: tuple[E, ...]) -> tuple[E, ...]:
    """Each item once, where it first appears, in one pass: records by identity (entity
    classes compare so), plain values by equality."""
    return tuple(dict.fromkeys(items))


def opt_list(value: E | None) -> tuple[E, ...]:
    return () if value is None else (value,)


def opt_items(values: tuple[E, ...] | None) -> tuple[E, ...]:
    """An optional list as a list to range over: a missing list has no elements."""
    return () if values is None else values


def otherwise(value: T | None, default: T) -> T:
    return default if value is None else value


def present(value: T | None) -> T:
    """A value the type checker proved present (`x is present and ...`)."""
    if value is None:  # pragma: no cover - the checker guards every use
        raise ValueProblem("a value proved present was missing")
    return value


def values_of(items: Iterable[T | None]) -> tuple[T, ...]:
    """The present values: aggregates leave missing ones out, as SQL does."""
    return tuple(v for v in items if v is not None)


def flat(items: Iterable[Iterable[T] | None]) -> tuple[T, ...]:
    return tuple(v for vs in items if vs is not None for v in vs)


def avg(values: Iterable[int | Decimal]) -> Decimal | None:
    vs = [Decimal(v) for v in values]
    return sum(vs, Decimal(0)) / len(vs) if vs else None


def avg_money(values: Iterable[Money]) -> Money | None:
    vs = list(values)
    if not vs:
        return None
    total = vs[0]
    for v in vs[1:]:
        total = total + v
    return total.scale_div(len(vs))


def money(value: int | Decimal | Money) -> Money:
    return value if isinstance(value, Money) else Money(Decimal(value))


def ratio(a: timedelta, b: timedelta) -> Decimal:
    return Decimal(a // timedelta(days=1)) / Decimal(b // timedelta(days=1))


def text(value: object) -> str:
    """How a value is written in a message."""
    if value is None:
        return "missing"
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, timedelta):
        return f"{value.days} days"
    if isinstance(value, Decimal):
        return (
            format(value.normalize(), "f")
            if value == value.to_integral_value()
            else format(value, "f")
        )
    if isinstance(value, tuple | list | frozenset):
        return ", ".join(sorted(text(v) for v in value))
    if isinstance(value, enum.Enum):
        return str(value)
    if hasattr(value, "ar_pointer") and attrs.has(type(value)):
        return str(getattr(value, "ar_key", value))
    return str(value)


def violation(
    info: RuleInfo,
    entity: str,
    key: object,
    pointer: str,
    message: str,
    related: tuple[tuple[str, str], ...] = (),
    field: str | None = None,
    field_data: str | None = None,
    field_path: tuple[str, ...] = (),
) -> Violation:
    return Violation(
        rule=info.id,
        severity=info.severity,
        message=message,
        entity=entity,
        key=key if type(key) is str else str(key),
        location=Location(None, pointer),
        related=related,
        field=field,
        field_location=Location(None, pointer + "".join(f"/{_escaped(k)}" for k in field_path))
        if field_path
        else None
        if field_data is None
        else Location(None, f"{pointer}/{_escaped(field_data)}"),
    )


@functools.lru_cache(maxsize=256)
def _escaped(token: str) -> str:
    return escape_pointer(token)


def regex(pattern: str, ignore_case: bool = False) -> Pattern:
    """A compiled `matches` pattern, on RE2 only (see `alignrules.runtime.regex`): raises
    `RegexEngineMissing`, an ImportError, when `google-re2` is not installed."""
    return Pattern(pattern, ignore_case)
