"""Where each cell of a CSV file starts: line and 1-based character column.

The `csv` module reads rows but keeps no positions, so a location needs the cell found again
in the text. That is done only for the cells a report or an error names, on demand: the line
ends are counted once per file (`data/lines.py`), then one row is scanned up to the cell. The
text is the one `csv.reader` accepted with `strict=True` (comma, `"` quotes doubled inside a
quoted cell), so the scan need not validate: a quoted cell may hold delimiters and line breaks.

>>> cells = CellFinder('id,note,amount\\nC1,"a, b",5\\nC2,"two\\nlines",7\\n')
>>> cells.position(2, 2), cells.position(3, 1), cells.position(3, 2)
((2, 11), (3, 4), (4, 8))
"""

from __future__ import annotations

from alignrules.data.lines import LineIndex


class CellFinder:
    """Positions of cells in one CSV text, computed when asked."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._lines: LineIndex | None = None

    def position(self, line: int, index: int) -> tuple[int, int] | None:
        """(line, column) where cell `index` (0-based) of the row starting on `line` begins;
        None when the row has no such cell."""
        if self._lines is None:
            # Line ends counted as `csv.reader` over `io.StringIO(text, newline="")` does.
            self._lines = LineIndex(self._text, carriage_returns=True)
        start = self._lines.start(line)
        if start is None:
            return None
        offset = _cell_offset(self._text, start, index)
        if offset is None:
            return None
        return self._lines.position(offset)


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
