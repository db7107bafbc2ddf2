"""Warehouse bindings: `table "schema.name"` on an entity, `column "name"` on a field.

They tell the SQL engines where an entity's records live in a warehouse; the Python engine
reads files by path and ignores them. The checks here run before any data is seen, so a
misspelt table name is a located error in the ruleset rather than a database's complaint.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from alignrules.diagnostics import Diagnostic
from alignrules.syntax import ast

Report = Callable[[Diagnostic], None]

# A part is what every supported warehouse accepts unquoted or quoted alike, so the same name
# means the same table whichever dialect the query is written in.
_PART = r"[A-Za-z_][A-Za-z0-9_$-]*"
_TABLE = re.compile(rf"{_PART}(\.{_PART}){{0,2}}")
_COLUMN = re.compile(r"[A-Za-z_][A-Za-z0-9_$ -]*")


def table_name(d: ast.EntityDecl, report: Report) -> str | None:
    """The entity's warehouse table, or None (also when its name is malformed: reported)."""
    if d.table is None:
        return None
    if not _TABLE.fullmatch(d.table):
        report(
            Diagnostic(
                "bad-binding",
                f"`{d.table}` is not a table name",
                d.table_span or d.span,
                "write `table`, `schema.table` or `catalog.schema.table`; each part starts"
                " with a letter or `_` and holds letters, digits, `_`, `$` or `-`",
            )
        )
        return None
    return d.table


def column_name(d: ast.EntityDecl, f: ast.FieldDecl, many: bool, report: Report) -> str | None:
    """The field's column in the entity's warehouse table, or None (errors reported)."""
    if f.column is None:
        return None
    span = f.column_span or f.span
    if d.table is None:
        report(
            Diagnostic(
                "bad-binding",
                f"`column` on field `{f.name}` needs a `table` on entity `{d.name}`",
                span,
                f'name the warehouse table: `entity {d.name} table "schema.name"`',
            )
        )
        return None
    if many:
        report(
            Diagnostic(
                "bad-binding",
                f"list field `{f.name}` has no column of its own in a warehouse table",
                span,
                "its elements live in their own relation (see docs/scale.md); remove `column`",
            )
        )
        return None
    if not _COLUMN.fullmatch(f.column) or "__" in f.column or f.column == "ar_row":
        report(
            Diagnostic(
                "bad-binding",
                f"`{f.column}` is not a column name the SQL table layout can use",
                span,
                "start with a letter or `_`; use letters, digits, `_`, `$`, `-` or spaces,"
                " and no `__` (the layout's own columns use it)",
            )
        )
        return None
    return f.column
