"""The tokens and comments of one parse, as records: what the AST leaves out but a formatter,
an editor or a highlighter needs (keywords, parentheses, the raw text of strings, comments).

`syntax.parser.parse_file` keeps every token the lexer hands to the parser; the text between
two consecutive tokens is, by construction, only what the grammar ignores (white space and
`#` comments), so the comments are read from those gaps alone, with the grammar's own
`COMMENT` terminal. Lookups are by offset, in O(log n):

    >>> from alignrules.source import Source
    >>> from alignrules.syntax.parser import parse_file
    >>> lexed = parse_file(Source("x.rules", "import \\"a\\"  # why\\n")).lexed
    >>> [t.type for t in lexed.tokens], [c.text for c in lexed.comments]
    (['IMPORT', 'STRING'], ['# why'])
    >>> lexed.before(7).type
    'IMPORT'
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence

import attrs
from lark import Token


@attrs.frozen
class Comment:
    """A `# ...` comment: its text (trailing blanks removed) and where it stood."""

    text: str
    start: int
    end: int  # as lexed: to the end of its line, trailing blanks (and a `\r`) included
    own_line: bool  # only blanks before it on its line
    blank_before: bool  # a blank line separates it from what precedes it


@attrs.frozen(eq=False)
class Lexed:
    """Every token the parser read (lark tokens: `type`, `value`, `start_pos`, `end_pos`) and
    every comment of one file, both in text order."""

    text: str = attrs.field(repr=False)
    tokens: tuple[Token, ...]
    comments: tuple[Comment, ...]
    _starts: tuple[int, ...] = attrs.field(init=False, repr=False)
    _ends: tuple[int, ...] = attrs.field(init=False, repr=False)
    _comment_starts: tuple[int, ...] = attrs.field(init=False, repr=False)
    _comment_ends: tuple[int, ...] = attrs.field(init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        # Derived indexes of a frozen record, set once here.
        object.__setattr__(self, "_starts", tuple(_start(t) for t in self.tokens))
        object.__setattr__(self, "_ends", tuple(_end(t) for t in self.tokens))
        object.__setattr__(self, "_comment_starts", tuple(c.start for c in self.comments))
        object.__setattr__(self, "_comment_ends", tuple(c.end for c in self.comments))

    def before(self, pos: int) -> Token | None:
        """The last token that ends at or before `pos`."""
        i = bisect.bisect_right(self._ends, pos) - 1
        return self.tokens[i] if i >= 0 else None

    def at(self, pos: int) -> Token | None:
        """The first token that starts at or after `pos`."""
        i = bisect.bisect_left(self._starts, pos)
        return self.tokens[i] if i < len(self.tokens) else None

    def previous_end(self, pos: int) -> int | None:
        """Where the token or comment that ends last at or before `pos` ends (None: nothing)."""
        tok = self.before(pos)
        i = bisect.bisect_right(self._comment_ends, pos) - 1
        ends = [_end(tok)] if tok is not None else []
        if i >= 0:
            ends.append(self._comment_ends[i])
        return max(ends) if ends else None

    def has_comment(self, start: int, end: int) -> bool:
        """Whether a comment starts in [start, end)."""
        i = bisect.bisect_left(self._comment_starts, start)
        return i < len(self.comments) and self._comment_starts[i] < end

    def blank_before(self, pos: int) -> bool:
        """Whether a blank line separates `pos` from the token or comment before it."""
        prev = self.previous_end(pos)
        return prev is not None and prev > 0 and self.text.count("\n", prev, pos) >= 2

    def lead_in(self, pos: int, words: Sequence[str | None]) -> int:
        """Where the tokens `words` (None: any token) start when they stand just before `pos`
        with nothing but white space among them; `pos` when they do not."""
        i = bisect.bisect_right(self._ends, pos) - len(words)
        if i < 0:
            return pos
        found = self.tokens[i : i + len(words)]
        if any(w is not None and str(t) != w for t, w in zip(found, words, strict=True)):
            return pos
        start = _start(found[0])
        return pos if self.has_comment(start, pos) else start

    def strings(self, start: int = 0, end: int | None = None) -> list[Token]:
        """The STRING tokens that start in [start, end), in order."""
        lo = bisect.bisect_left(self._starts, start)
        hi = len(self.tokens) if end is None else bisect.bisect_left(self._starts, end)
        return [t for t in self.tokens[lo:hi] if t.type == "STRING"]


def _start(tok: Token) -> int:
    return tok.start_pos or 0


def _end(tok: Token) -> int:
    return tok.end_pos if tok.end_pos is not None else _start(tok) + len(tok)


def lexed(text: str, tokens: Sequence[Token], comment: re.Pattern[str]) -> Lexed:
    """The record of one parse: `tokens` as the parser read them, and the comments found
    between them with `comment` (the grammar's COMMENT terminal)."""
    comments: list[Comment] = []
    prev: int | None = None  # where the last token or comment ended
    pos = 0
    for i in range(len(tokens) + 1):
        gap_end = _start(tokens[i]) if i < len(tokens) else len(text)
        while (at := text.find("#", pos, gap_end)) != -1:
            m = comment.match(text, at)
            end = m.end() if m is not None else gap_end
            line_start = text.rfind("\n", 0, at) + 1
            own_line = prev is None or prev <= line_start
            blank = prev is not None and prev > 0 and text.count("\n", prev, at) >= 2
            comments.append(Comment(text[at:end].rstrip(), at, end, own_line, blank))
            prev = pos = end
        if i < len(tokens):
            prev = pos = _end(tokens[i])
    return Lexed(text, tuple(tokens), tuple(comments))
