"""Between the compiler's records and the protocol's: positions, ranges and diagnostics.

Offsets become line and column through `Source.line_col` (the one place that does); LSP
columns are UTF-16 code units, the protocol's default encoding.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Final

from lsprotocol import types as lsp

from alignrules.diagnostics import Diagnostic, Severity
from alignrules.source import Source, Span

_DID_YOU_MEAN: Final = re.compile(r"did you mean `([^`]+)`\?")
_WORD: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:[.\-][A-Za-z0-9_]+)*")


def position(src: Source, offset: int) -> lsp.Position:
    """The LSP position (UTF-16 columns, as the protocol's default) of `offset`."""
    line, col = src.line_col(offset)
    before = src.line_text(line)[: col - 1]
    return lsp.Position(line=line - 1, character=len(before.encode("utf-16-le")) // 2)


def to_range(span: Span) -> lsp.Range:
    return lsp.Range(start=position(span.source, span.start), end=position(span.source, span.end))


def offset_of(text: str, pos: lsp.Position) -> int:
    """The offset in `text` of an LSP position (UTF-16 columns)."""
    lines = text.split("\n")
    if pos.line >= len(lines):
        return len(text)
    start = sum(len(line) + 1 for line in lines[: pos.line])
    units, chars = 0, 0
    for ch in lines[pos.line]:
        if units >= pos.character:
            break
        units += 2 if ord(ch) > 0xFFFF else 1
        chars += 1
    return start + chars


def to_lsp_diagnostic(
    d: Diagnostic, related: Sequence[lsp.DiagnosticRelatedInformation] = ()
) -> lsp.Diagnostic:
    """The compiler's diagnostic as the editor shows it: the same code, message and place;
    the hint on a line of its own; a "did you mean" replacement for the quick fix; the
    `related` places (another declaration of a duplicated name)."""
    if d.span is not None:
        rng = to_range(d.span)
    else:
        rng = lsp.Range(start=lsp.Position(line=0, character=0), end=lsp.Position(0, 0))
    message = d.message if d.where is None else f"{d.where}: {d.message}"
    data: dict[str, Any] = {}
    if d.hint is not None:
        message += f"\nhint: {d.hint}"
        data["hint"] = d.hint
        fix = _DID_YOU_MEAN.search(d.hint)
        word = None if d.span is None else replaced_word(d.span)
        if fix is not None and word is not None:
            data["replace"] = {"range": range_json(to_range(word)), "with": fix[1]}
    return lsp.Diagnostic(
        range=rng,
        message=message,
        severity=lsp.DiagnosticSeverity.Error
        if d.severity is Severity.ERROR
        else lsp.DiagnosticSeverity.Warning,
        code=d.code,
        source="alignrules",
        data=data or None,
        related_information=list(related) or None,
    )


def replaced_word(span: Span) -> Span | None:
    """The misspelt name in a diagnostic's span: the span itself, or the name it ends with."""
    text = span.source.text[span.start : span.end]
    if _WORD.fullmatch(text):
        return span
    m = re.search(r"[A-Za-z_][A-Za-z0-9_]*$", text)
    return None if m is None else Span(span.source, span.start + m.start(), span.end)


def range_json(r: lsp.Range) -> dict[str, Any]:
    return {
        "start": {"line": r.start.line, "character": r.start.character},
        "end": {"line": r.end.line, "character": r.end.character},
    }


def range_from_json(r: Mapping[str, Any]) -> lsp.Range:
    start, end = r["start"], r["end"]
    return lsp.Range(
        start=lsp.Position(line=start["line"], character=start["character"]),
        end=lsp.Position(line=end["line"], character=end["character"]),
    )
