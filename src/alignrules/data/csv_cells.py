"""Where each cell of a CSV file starts: line and 1-based character column.

The `csv` module reads rows but keeps no positions, so a location needs the cell found again
in the text. That is done only for the cells a report or an error names, on demand: the line
starts are counted once per file, then one row is scanned up to the cell. The text is the
one `csv.reader` accepted with `strict=True` (comma, `"` quotes doubled inside a quoted cell),
so the scan need not validate: a quoted cell may hold delimiters and line breaks.

>>> cells = CellFinder('id,note,amount\\nC1,"a, b",5\\nC2,"two\\nlines",7\\n')
>>> cells.position(2, 2), cells.position(3, 1), cells.position(3, 2)
((2, 11), (3, 4), (4, 8))
"""

from __future__ import annotations

import bisect
import re
from array import array
from typing import Final

# Line ends as `csv.reader` over `io.StringIO(text, newline="")` counts them.
_LINE_END: Final = re.compile(r"\r\n|\r|\n")


class CellFinder:
    """Positions of cells in one CSV text, computed when asked."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._starts: array[int] | None = None

    def _line_starts(self) -> array[int]:
        if self._starts is None:
            starts = array("q", [0])
            starts.extend(m.end() for m in _LINE_END.finditer(self._text))
            self._starts = starts
        return self._starts

    def position(self, line: int, index: int) -> tuple[int, int] | None:
        """(line, column) where cell `index` (0-based) of the row starting on `line` begins;
        None when the row has no such cell."""
        starts = self._line_starts()
        if not 1 <= line <= len(starts):
            return None
        offset = _cell_offset(self._text, starts[line - 1], index)
        if offset is None:
            return None
        at = bisect.bisect_right(starts, offset)
        return at, offset - starts[at - 1] + 1


def _cell_offset(text: str, offset: int, index: int) -> int | None:
    """The offset where cell `index` of the row starting at `offset` begins."""
    end = len(text)
    i = offset
    for _ in range(index):
        if i < end and text[i] == '"':
            i += 1
            while True:  # to the closing quote: `""` inside is one quote character
                close = text.find('"', i)
                if close < 0:
                    return None
                if text.startswith('"', close + 1):
                    i = close + 2
                    continue
                i = close + 1
                break
        while i < end and text[i] not in ",\r\n":
            i += 1
        if i >= end or text[i] != ",":
            return None  # the row ended first
        i += 1
    return i
