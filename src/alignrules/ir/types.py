"""The type algebra of the language."""

from __future__ import annotations

from typing import Final, Literal

import attrs


@attrs.frozen
class Prim:
    """A built-in scalar type: text, int, decimal, money, bool, date, duration."""

    name: str

    def __str__(self) -> str:
        return self.name

    @property
    def is_ordered(self) -> bool:
        return self.name != "bool"


@attrs.frozen
class EnumT:
    name: str
    values: tuple[str, ...]
    ordered: bool

    def __str__(self) -> str:
        return self.name

    @property
    def is_ordered(self) -> bool:
        return self.ordered


@attrs.frozen
class EntityT:
    name: str

    def __str__(self) -> str:
        return self.name

    @property
    def is_ordered(self) -> bool:
        return False


@attrs.frozen
class CollT:
    """A list (from data) or a set (parameters and `{...}` literals) of `elem`."""

    elem: Type
    kind: Literal["list", "set"] = "list"

    def __str__(self) -> str:
        return f"{self.kind} of {self.elem}"

    @property
    def is_ordered(self) -> bool:
        return False


@attrs.frozen
class OptT:
    """A value that may be missing."""

    inner: Type

    def __str__(self) -> str:
        return f"{self.inner}?"

    @property
    def is_ordered(self) -> bool:
        return False


@attrs.frozen
class InvalidT:
    """The type of an expression already reported as wrong: no further errors cascade from it."""

    def __str__(self) -> str:
        return "<invalid>"

    @property
    def is_ordered(self) -> bool:
        return True


Type = Prim | EnumT | EntityT | CollT | OptT | InvalidT

TEXT: Final = Prim("text")
INT: Final = Prim("int")
DECIMAL: Final = Prim("decimal")
MONEY: Final = Prim("money")
BOOL: Final = Prim("bool")
DATE: Final = Prim("date")
DURATION: Final = Prim("duration")
INVALID: Final = InvalidT()

PRIMS: Final = {p.name: p for p in (TEXT, INT, DECIMAL, MONEY, BOOL, DATE, DURATION)}
NUMERIC: Final = frozenset({INT, DECIMAL})


def strip_opt(t: Type) -> Type:
    return t.inner if isinstance(t, OptT) else t


def is_numeric(t: Type) -> bool:
    return t in NUMERIC
