"""What every plan reader makes, and how it fails: `PlanData`, `Locator`, `fail`.

A reader (`from_json`, `from_yaml`, `from_csv`) turns one format into plain data (dict, list,
str, int, Decimal, bool, None) and a `Locator` from JSON pointer to file, line and column.
A new format is one more such module, and one more line in `read.py`, the driver.

>>> from alignrules.data.read import read_plan_text
>>> plan = read_plan_text('{"a": 1}', "json", "p.json")
>>> plan.place("/a"), plan.place("/b")
(Place(file='p.json', line=1, column=7), Place(file='p.json', line=1, column=1))
"""

from __future__ import annotations

from typing import Any, Protocol

import attrs

from alignrules.diagnostics import Diagnostic, DiagnosticError, Place
from alignrules.runtime.report import Location

__all__ = ["MAX_DEPTH", "Locator", "PlanData", "Position", "Reject", "fail"]

#: Deepest nesting a YAML plan may have, and the depth a JSON error names. The stdlib JSON
#: parser recurses and gives up near the interpreter's recursion limit (about 1000); later
#: stages may recurse too, so YAML, whose reader here does not recurse, gets a firm bound.
MAX_DEPTH = 500

Position = tuple[str | None, int | None, int | None]


class Locator(Protocol):
    """Finds where a JSON pointer's value starts in the files a plan came from."""

    def find(self, pointer: str) -> Position:
        """`(file, line, column)`, 1-based; for a pointer that names nothing, the position of
        its nearest existing ancestor. Line or column is None where the format has none."""
        ...


@attrs.frozen
class PlanData:
    """Plain data read from a plan file or folder, and the way back to its source positions.

    `root` must not be mutated: the JSON locator walks it to map keys to text positions.
    """

    root: Any
    kind: str
    name: str
    locator: Locator = attrs.field(repr=False, eq=False)

    def locate(self, location: Location) -> Location:
        """`location` with file, line and column filled in from its pointer (which is kept).

        >>> from alignrules.data.read import read_plan_text
        >>> plan = read_plan_text("a: 1\\nb:\\n  c: 2\\n", "yaml", "p.yaml")
        >>> str(plan.locate(Location(None, "/b/c")))
        'p.yaml:3:6 /b/c'
        """
        file, line, column = self.locator.find(location.pointer)
        return Location(file or location.file, location.pointer, line, column)

    def place(self, pointer: str) -> Place:
        """Where `pointer`'s value is, for a diagnostic: file, line and column where known."""
        file, line, column = self.locator.find(pointer)
        return Place(file or self.name, line, column)


class Reject(Exception):
    """A value the format allows but a plan does not (NaN, a duplicate key); raised inside
    parser hooks, which know no position, and located afterwards."""


def fail(
    message: str,
    file: str,
    line: int | None = None,
    column: int | None = None,
    hint: str | None = None,
) -> DiagnosticError:
    """The error for bad plan input: code `data`, a lowercase one-line message, and its place."""
    return DiagnosticError(Diagnostic("data", message, where=Place(file, line, column), hint=hint))


def shorten(text: str, limit: int = 60) -> str:
    """`text` cut to `limit` characters, for quoting input in a one-line message."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def lower_first(text: str) -> str:
    """A parser's capitalised message as the middle of ours."""
    return text[:1].lower() + text[1:]
