"""How a generated module describes its entities to the runtime: `EntitySpec` and
`FieldSpec` (what the binder, the strict contract and the alignment map read), and the
spellings of enum values."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Generic, TypeVar

import attrs

from alignrules.pointer import escape as escape_pointer
from alignrules.runtime.values import normalize_spelling

M = TypeVar("M", bound=enum.Enum)


@attrs.frozen
class FieldSpec:
    """How one field is read: `attr` on the class, `data` key in a record."""

    attr: str
    data: str
    kind: str  # text int decimal money bool date duration enum ref
    many: bool = False
    optional: bool = False
    split: str | None = None
    enum: Mapping[str, enum.Enum] | None = None  # normalized spelling → member
    key_kind: str = "text"  # for references: the target key's kind
    target: str | None = None  # for references: the target entity
    # The keys of a value inside nested objects (`data` is them joined by `.`, and is the CSV
    # column). In JSON or YAML the binder walks them and puts the value under `data` in a
    # copy of the record, where the readers find it; the schema refuses two fields with one
    # `data`, so that key is the field's own.
    path: tuple[str, ...] = ()
    parent: int = 0  # `from parent`: steps of the entity's path to the record holding it
    # False for `dangling unreported`: the ruleset reports this reference's dangling keys
    # itself (`is dangling`), so the binder's `dangling-reference` would say it twice.
    report_dangling: bool = True

    @property
    def pointer(self) -> str:
        """The JSON pointer from a record to this field's value: `/schedule/start`."""
        return "".join("/" + escape_pointer(k) for k in self.path or (self.data,))


@attrs.frozen
class EntitySpec:
    """One entity: its class, where its records are, its key and fields."""

    name: str
    cls: type[Any]
    path: tuple[str, ...]
    csv: str
    key: str  # attribute name of the key
    fields: tuple[FieldSpec, ...]
    single: bool = False  # `at`: the path holds one object, the one record
    strict: bool = False  # a strict data contract (`runtime/strict`)
    decimals: int | None = None  # strict: the most decimals a number may have

    @property
    def key_data(self) -> str:
        return next(f.data for f in self.fields if f.attr == self.key)

    @property
    def key_field(self) -> FieldSpec:
        return next(f for f in self.fields if f.attr == self.key)


class Spellings(dict[str, M], Generic[M]):
    """Normalized spelling → enum member; `exact` keeps the spellings as declared, which is
    all a strict data contract accepts."""

    exact: frozenset[str] = frozenset()


def spellings(members: Iterable[tuple[M, Sequence[str]]]) -> Spellings[M]:
    """Normalized spelling → enum member, for every name and declared data spelling."""
    out: Spellings[M] = Spellings()
    exact: set[str] = set()
    for member, names in members:
        for name in names:
            out.setdefault(normalize_spelling(name), member)
            exact.add(name)
    out.exact = frozenset(exact)
    return out
