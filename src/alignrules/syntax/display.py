"""A ruleset must display as it parses: no character outside a string may change what a
reader sees on screen without changing what the parser reads.

Two kinds of character do that. Bidirectional controls (U+202E and kin, "Trojan Source",
CVE-2021-42574) reorder the text around them. A carriage return that does not end a line
sends the cursor back to the start of the line, so inside a `#` comment
(`# note\\rrule free { ... }`) it shows what follows as code, while the parser reads it as
comment. Both are refused outside string literals, at the character.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from alignrules.diagnostics import BIDI_CONTROLS, Diagnostic, DiagnosticError
from alignrules.source import Source, Span


def bidi_diagnostic(src: Source, at: int) -> Diagnostic:
    return Diagnostic(
        "bidi-control",
        f"bidirectional control character U+{ord(src.text[at]):04X} outside a string",
        Span(src, at, at + 1),
        "such characters can make code display differently from how it parses; remove it",
    )


def carriage_return_diagnostic(src: Source, at: int) -> Diagnostic:
    return Diagnostic(
        "carriage-return",
        "a carriage return inside a comment, which can show the rest of the comment as code",
        Span(src, at, at + 1),
        "remove it; lines end with a line feed (or CR LF)",
    )


class _Spans:
    """Spans (of string literals, of comments), for asking in O(log n) whether an offset is
    inside one."""

    def __init__(self, spans: Sequence[tuple[int, int]]) -> None:
        ordered = sorted(spans)
        self.starts = [s for s, _ in ordered]
        self.ends = [e for _, e in ordered]

    def __contains__(self, offset: int) -> bool:
        i = bisect.bisect_right(self.starts, offset) - 1
        return i >= 0 and offset < self.ends[i]


def check_display(
    src: Source, strings: Sequence[tuple[int, int]], comments: Sequence[tuple[int, int]]
) -> None:
    """Raise a located DiagnosticError for the first bidirectional control outside a string,
    or carriage return inside a comment; linear in the text and the number of strings.

    `strings` and `comments` are the (start, end) offsets of the parse's tokens of each kind.
    """
    text = src.text
    has_bidi = any(ch in text for ch in BIDI_CONTROLS)
    if not has_bidi and "\r" not in text:
        return
    inside = _Spans(strings)
    if has_bidi:
        for i, ch in enumerate(text):
            if ch in BIDI_CONTROLS and i not in inside:
                raise DiagnosticError(bidi_diagnostic(src, i))
    in_comment = _Spans(comments)
    at = text.find("\r")
    while at != -1:
        if text[at + 1 : at + 2] != "\n" and at in in_comment:
            raise DiagnosticError(carriage_return_diagnostic(src, at))
        at = text.find("\r", at + 1)
