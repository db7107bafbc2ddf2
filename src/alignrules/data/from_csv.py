"""Plan data from CSV: one file, or a folder whose `.csv` files each become one collection.

Strict about quoting, header names and row widths; every cell stays text, for the schema to
read. A row's pointer is `/claims.csv/3`, a cell's `/claims.csv/3/Budget (USD)`.

>>> plan = read_csv('id,note\\nC1,"a, b"\\n', "claims.csv")
>>> plan.root, plan.locator.find("/claims.csv/0/note")
({'claims.csv': [{'id': 'C1', 'note': 'a, b'}]}, ('claims.csv', 2, 4))
"""

from __future__ import annotations

import csv
import io
import os

import attrs

from alignrules.data.csv_cells import CellFinder
from alignrules.data.limits import file_size, read_text, too_large
from alignrules.data.plan import PlanData, Position, fail, lower_first, shorten
from alignrules.pointer import array_index
from alignrules.pointer import split as split_pointer

__all__ = ["read_csv", "read_csv_folder"]


def read_csv(text: str, name: str) -> PlanData:
    """One CSV text as the collection named after `name`'s last path component."""
    key = os.path.basename(name) or name
    rows, table = _read_table(text, name)
    return PlanData({key: rows}, "csv", name, _CsvLocator(name, {key: table}))


@attrs.frozen
class _CsvTable:
    """Where one CSV file's rows start, and each header's 1-based column."""

    file: str
    lines: list[int]
    columns: dict[str, int]
    cells: CellFinder = attrs.field(eq=False, repr=False)


class _CsvLocator:
    """Positions in a folder of CSV files; pointers look like `/claims.csv/0/Budget (USD)`."""

    def __init__(self, name: str, tables: dict[str, _CsvTable]) -> None:
        self._name, self._tables = name, tables

    def find(self, pointer: str) -> Position:
        tokens = split_pointer(pointer) or []
        table = self._tables.get(tokens[0]) if tokens else None
        if table is None:
            return (self._name, None, None)
        row = array_index(tokens[1], len(table.lines)) if len(tokens) > 1 else None
        if row is None:
            return (table.file, 1, None)
        line = table.lines[row]
        # A value read by a path (`from "schedule.start"`) is in the column of the path's keys
        # joined by `.`, as flattening tools name it; its pointer has one token per key. What
        # follows the column (an item of a `split` list) is inside the cell.
        for n in range(len(tokens), 2, -1):
            column = table.columns.get(".".join(tokens[2:n]))
            if column is not None:
                found = table.cells.position(line, column - 1)
                return (table.file, *found) if found else (table.file, line, None)
        return (table.file, line, 1)  # the record: its row


def read_csv_folder(name: str, max_bytes: int) -> PlanData:
    try:
        with os.scandir(name) as entries:
            # Dot files are editors' and file systems' leftovers (`._claims.csv` on macOS).
            files = sorted(
                e.name
                for e in entries
                if e.name.lower().endswith(".csv") and not e.name.startswith(".") and e.is_file()
            )
    except OSError as e:
        reason = (e.strerror or type(e).__name__).lower()
        raise fail(f"cannot read the folder: {reason}", name) from None
    if not files:
        raise fail("a folder with no .csv files", name)
    # The files' sizes together are checked before any is read.
    total = sum(file_size(os.path.join(name, f), max_bytes) for f in files)
    if total > max_bytes:
        raise too_large(total, max_bytes, name, "the folder's .csv files together are")
    root: dict[str, list[dict[str, str]]] = {}
    tables: dict[str, _CsvTable] = {}
    for file_name in files:
        path = os.path.join(name, file_name)
        root[file_name], tables[file_name] = _read_table(read_text(path, max_bytes), path)
    return PlanData(root, "csv", name, _CsvLocator(name, tables))


def _read_table(text: str, file: str) -> tuple[list[dict[str, str]], _CsvTable]:
    """Rows as `{header: cell}` dicts; strict about quoting, header names and row widths."""
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise fail("the file is empty", file)
    # newline="" leaves line ends to the csv module, so quoted cells may hold line breaks.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[dict[str, str]] = []
    lines: list[int] = []
    try:
        header = next(reader)
        if not header:
            raise fail("the first line is blank, expected the header", file, 1)
        columns: dict[str, int] = {}
        for i, column in enumerate(header, 1):
            if column in columns:
                raise fail(f'duplicate column "{shorten(column)}" in the header', file, 1, i)
            columns[column] = i
        width = len(header)
        last = reader.line_num
        for cells in reader:
            start, last = last + 1, reader.line_num
            if not cells:
                continue  # a blank line, as csv.DictReader skips it
            if len(cells) != width:
                raise fail(
                    f"row has {_plural(len(cells), 'cell')}, header has {width}", file, start
                )
            rows.append(dict(zip(header, cells, strict=True)))
            lines.append(start)
    except csv.Error as e:
        raise fail(f"invalid CSV: {lower_first(str(e))}", file, reader.line_num) from None
    return rows, _CsvTable(file, lines, columns, CellFinder(text))


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
