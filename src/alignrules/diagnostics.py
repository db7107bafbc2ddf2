"""Errors as records: a Diagnostic holds code, message, place and hint; text is made at the edge."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from typing import Final

import attrs

# The project's one Severity lives with the reports, because generated checkers (which import
# only the runtime) need it too; diagnostics share it rather than keep a second scale.
from alignrules.runtime.report import Severity as Severity
from alignrules.source import Span

#: Every error code a user can meet, with a one-line summary; docs/errors.md is generated from it.
CODES: dict[str, str] = {
    "syntax": "the text does not follow the grammar",
    "bidi-control": "a bidirectional control character outside a string literal",
    "carriage-return": "a carriage return inside a comment, where it can show code that is not",
    "unknown-name": "a name that is not declared (entity, field, variable, predicate, parameter)",
    "unknown-entity": "an entity type that is not declared",
    "unknown-field": "an entity has no field of that name",
    "unknown-enum-value": "an enum has no value of that name",
    "unknown-parameter": "a parameter that the ruleset does not declare",
    "unknown-predicate": "a predicate that is not declared",
    "unknown-type": "a field type that is neither built in nor declared",
    "duplicate-name": "two declarations with the same name",
    "duplicate-rule": "two rules with the same id",
    "type-mismatch": "an operation on values of the wrong type",
    "arithmetic-type": "arithmetic on values that cannot be combined",
    "unordered-compare": "an ordering comparison on an unordered enum",
    "not-a-collection": "a quantifier or aggregate over a value that is not a collection",
    "not-a-reference": "navigation that needs a reference field",
    "ambiguous-reference": "an entity references the target through more than one field",
    "no-reference": "an entity has no reference to the target",
    "optional-value": "a value that may be missing, used without saying what missing means",
    "template": "a message template that names an unknown field or is malformed",
    "bad-regex": "a `matches` pattern that RE2 cannot run, or `matches` without RE2 installed",
    "bad-literal": "a literal that is not a valid value of its type",
    "too-deep": "an expression nested deeper than the compiler allows (64 levels)",
    "arity": "a predicate called with the wrong number of arguments",
    "recursive-predicate": "a predicate that calls itself, directly or through others",
    "import-cycle": "files that import each other",
    "missing-import": "an imported file that does not exist or cannot be read",
    "bad-key": "an entity key that is not a field, or not a text or int field",
    "bad-binding": "a data binding that cannot work (duplicate data name, bad split)",
    "bad-parameter": "a parameter override that is unknown or not a valid value",
    "bad-metadata": "rule metadata that is repeated or invalid",
    "missing-subject": "a rule needs something to check",
    "no-rules": "`check` was given ruleset files that declare no rule",
    "data": "plan data that cannot be read or bound",
    "waiver": "a waiver file (`--waivers`) that cannot be read or holds an invalid waiver",
    "baseline": "a baseline (`--baseline`) that is not a readable alignrules JSON report",
    "rule-crashed": "a rule failed while checking plan data (a division by zero, say)",
    "usage": "a command line that cannot be carried out",
    "format": "`alignrules fmt` could not reformat a file without changing what it means",
    "example": "an in-language example that names unknown data",
}


#: How a diagnostic spells its severity: a compiler's words, so the lowest is `note` where a
#: report of violations says `info` (SARIF calls both `note`).
SEVERITY_WORDS: Final[dict[Severity, str]] = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.INFO: "note",
}


@attrs.frozen
class Diagnostic:
    """One problem found before checking: a ruleset error, a data error, a usage error.

    `span` points into a ruleset; `where` names a place in data (`plan.json:12:5 /claims/3`)
    when there is no span.
    """

    code: str
    message: str
    span: Span | None = None
    hint: str | None = None
    where: str | None = None
    severity: Severity = Severity.ERROR

    def sort_key(self) -> tuple[str, int, int, str]:
        if self.span is None:
            # `plan.json:122:5` must come after `plan.json:29:1`: compare the numbers as numbers.
            m = _WHERE.fullmatch(self.where or "")
            assert m is not None  # the pattern matches any text
            return (m[1], int(m[2] or 0), int(m[3] or 0), self.message)
        return (self.span.source.name, self.span.line, self.span.column, self.message)


_WHERE: Final = re.compile(r"(.*?)(?::(\d+))?(?::(\d+))?", re.S)


class DiagnosticError(Exception):
    """Raised by library code for input it cannot accept; the CLI renders it and exits 2."""

    def __init__(self, diagnostics: Diagnostic | Sequence[Diagnostic]) -> None:
        diags = (diagnostics,) if isinstance(diagnostics, Diagnostic) else tuple(diagnostics)
        self.diagnostics: tuple[Diagnostic, ...] = tuple(sorted(diags, key=Diagnostic.sort_key))
        super().__init__("\n".join(render_text(d) for d in self.diagnostics))


def visible(text: str) -> str:
    """`text` with characters that could disguise a terminal escaped (U+202E, NUL, ESC...)."""
    out = []
    for ch in text:
        if ch == "\t" or (ch.isprintable() and not _is_bidi(ch)):
            out.append(ch)
        else:
            out.append(ch.encode("unicode_escape").decode("ascii"))
    return "".join(out)


def _is_bidi(ch: str) -> bool:
    return ch in BIDI_CONTROLS


#: Characters that reorder displayed text (CVE-2021-42574, "Trojan Source").
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


def render_text(d: Diagnostic) -> str:
    """`file:line:col: error: message  [code]`, the source line, a caret, and the hint."""
    if d.span is None:
        head = f"{visible(d.where)}: " if d.where else ""
        out = [f"{head}{SEVERITY_WORDS[d.severity]}: {visible(d.message)}  [{d.code}]"]
        return "\n".join(out + _hint(d))
    src = d.span.source
    line, col = src.line_col(d.span.start)
    raw = src.line_text(line)
    prefix = visible(raw[: col - 1].expandtabs())
    end_line, _ = src.line_col(max(d.span.start, d.span.end - 1))
    span_len = d.span.end - d.span.start if end_line == line else len(raw) - col + 1
    width = max(1, min(span_len, len(raw) - col + 1))
    shown = visible(raw[col - 1 : col - 1 + width].expandtabs())
    out = [
        f"{visible(src.name)}:{line}:{col}: {SEVERITY_WORDS[d.severity]}: {visible(d.message)}  [{d.code}]",
        "    " + visible(raw.expandtabs()),
        "    " + " " * len(prefix) + "^" + "~" * max(0, len(shown) - 1),
    ]
    return "\n".join(out + _hint(d))


def _hint(d: Diagnostic) -> list[str]:
    return [] if d.hint is None else [f"    hint: {visible(d.hint)}"]


def did_you_mean(word: str, known: Iterable[str]) -> str | None:
    """A hint naming the closest known spelling, or None."""
    close = difflib.get_close_matches(word, sorted(set(known)), n=1, cutoff=0.7)
    if not close:
        lowered = {k.lower(): k for k in known}
        if word.lower() in lowered:
            close = [lowered[word.lower()]]
    return f"did you mean `{close[0]}`?" if close else None
