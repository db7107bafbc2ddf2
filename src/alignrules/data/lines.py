"""Where offsets of a plan text fall: line and column, and where a line starts.

Every reader locates with this one index: the JSON locator and its error positions, YAML's
character errors, and CSV cells. Plan texts can be large and single-line (minified JSON), so
the index keeps no list of every line start: newlines are counted once per 4 KiB block, and a
lookup then counts inside one block. A 100 MB file costs 25,000 integers (200 KB).

>>> lines = LineIndex("ab\\ncd\\n\\nef")
>>> lines.position(0), lines.position(4), lines.position(7)
((1, 1), (2, 2), (4, 1))
>>> lines.start(2), lines.start(4), lines.start(5)
(3, 7, None)

With `carriage_returns=True`, a lone `\\r` ends a line too, and `\\r\\n` is one line end, as
`csv.reader` (and universal newlines) count them:

>>> LineIndex("a\\rb\\r\\nc", carriage_returns=True).position(5)
(3, 1)

Many offsets at once (a report's findings) are placed by `positions`, in one sweep through
the text in offset order, with the same answers as `LineIndex.position`:

>>> positions("ab\\ncd\\n\\nef", [7, 0, 4, 4])
{0: (1, 1), 4: (2, 2), 7: (4, 1)}
"""

from __future__ import annotations

import bisect
import re
from array import array
from collections.abc import Iterable
from typing import Final

__all__ = ["LineIndex", "positions"]

# Line ends as `csv.reader` over `io.StringIO(text, newline="")` counts them.
_ANY_LINE_END: Final = re.compile(r"\r\n|\r|\n")


class LineIndex:
    """Offset → (line, column) and line → offset for one text, both 1-based for lines and
    columns (columns count characters). Only `\\n` ends a line unless `carriage_returns`."""

    # A lookup reads at most one block: with 64 KiB blocks, counting was most of the time of
    # locating every violation of a large report (docs/performance.md).
    _BLOCK: Final = 1 << 12

    def __init__(self, text: str, *, carriage_returns: bool = False) -> None:
        self._text = text
        # Where lone carriage returns end lines, line ends are not one character to count:
        # such texts (CSV from old Mac tools) keep every line start instead.
        self._starts: array[int] | None = None
        if carriage_returns and "\r" in text:
            starts = array("q", [0])
            starts.extend(m.end() for m in _ANY_LINE_END.finditer(text))
            self._starts = starts
            return
        block, count = self._BLOCK, text.count
        before = array("q", [0])  # newlines before each block
        total = 0
        for start in range(0, len(text), block):
            total += count("\n", start, start + block)
            before.append(total)
        self._before = before

    def position(self, offset: int) -> tuple[int, int]:
        """The line and column of the character at `offset`."""
        starts = self._starts
        if starts is not None:
            line = bisect.bisect_right(starts, offset)
            return line, offset - starts[line - 1] + 1
        text, block = self._text, self._BLOCK
        b = offset // block
        newlines = self._before[b] + text.count("\n", b * block, offset)
        if newlines == 0:
            return 1, offset + 1
        # The line starts after newline number `newlines`; find the block that holds it.
        nb = bisect.bisect_left(self._before, newlines) - 1
        start = text.rfind("\n", nb * block, min(offset, (nb + 1) * block)) + 1
        return newlines + 1, offset - start + 1

    def start(self, line: int) -> int | None:
        """The offset where `line` starts; None if the text has fewer lines."""
        starts = self._starts
        if starts is not None:
            return starts[line - 1] if 1 <= line <= len(starts) else None
        if line == 1:
            return 0
        before, wanted = self._before, line - 1  # the newline that ends the previous line
        if not 1 <= wanted <= before[-1]:
            return None
        # The block holding newline number `wanted`, then that newline inside it.
        b = bisect.bisect_left(before, wanted) - 1
        at = b * self._BLOCK - 1
        for _ in range(wanted - before[b]):
            at = self._text.find("\n", at + 1)
        return at + 1


def positions(text: str, offsets: Iterable[int]) -> dict[int, tuple[int, int]]:
    """The line and column of the character at each of `offsets`, as `LineIndex.position`
    gives them (only `\\n` ends a line), found in one sweep: sorted, each offset's newlines
    are counted from the previous one, so the text is read once, whatever the number of
    offsets, and no index of it is built."""
    out: dict[int, tuple[int, int]] = {}
    count, rfind = text.count, text.rfind
    line, line_start, at = 1, 0, 0
    for offset in sorted(set(offsets)):
        newlines = count("\n", at, offset)
        if newlines:
            line += newlines
            line_start = rfind("\n", at, offset) + 1
        out[offset] = (line, offset - line_start + 1)
        at = offset
    return out
