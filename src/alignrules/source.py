"""Source texts and spans: the one place where offsets become line and column."""

from __future__ import annotations

import bisect

import attrs


@attrs.frozen
class Source:
    """A named text, e.g. a ruleset file; `name` is what error messages print."""

    name: str
    text: str = attrs.field(repr=False)
    _starts: tuple[int, ...] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        starts = [0]
        starts.extend(i + 1 for i, ch in enumerate(self.text) if ch == "\n")
        object.__setattr__(self, "_starts", tuple(starts))

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based line and column (in characters) of `offset`."""
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self._starts, offset)
        return line, offset - self._starts[line - 1] + 1

    def line_text(self, line: int) -> str:
        """The text of 1-based `line`, without its line break."""
        if line < 1 or line > len(self._starts):
            return ""
        start = self._starts[line - 1]
        end = self._starts[line] - 1 if line < len(self._starts) else len(self.text)
        return self.text[start:end].rstrip("\r")


@attrs.frozen
class Span:
    """Characters `start` (inclusive) to `end` (exclusive) of `source`.

    The source is excluded from equality and repr, so trees compare by shape.
    """

    source: Source = attrs.field(eq=False, repr=False)
    start: int
    end: int

    @property
    def line(self) -> int:
        return self.source.line_col(self.start)[0]

    @property
    def column(self) -> int:
        return self.source.line_col(self.start)[1]

    def origin(self) -> str:
        """`file:line`, the form generated code and crash reports cite."""
        return f"{self.source.name}:{self.line}"

    def to(self, other: Span) -> Span:
        """The span from the start of this one to the end of `other`."""
        return Span(self.source, self.start, max(self.end, other.end))
