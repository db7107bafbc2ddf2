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
    "sql-unsupported": "a construct the SQL target cannot run exactly as the Python engine does",
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
class Place:
    """Where a problem is in an input that is not a ruleset: a data, waiver or configuration
    file (with line and column where known), or a name such as `<stdin>` or `--param`.

    Made where the position is known, shown as text only by `str`, and sorted by its fields,
    so `plan.json:122:5` comes after `plan.json:29:1`.

    >>> str(Place("plan.json", 12, 5)), str(Place("plan.json", 12)), str(Place("--param"))
    ('plan.json:12:5', 'plan.json:12', '--param')
    >>> places = [Place("p.json", 122, 5), Place("p.json", 29, 10), Place("p.json", 29, 1)]
    >>> [str(p) for p in sorted(places, key=Place.sort_key)]
    ['p.json:29:1', 'p.json:29:10', 'p.json:122:5']
    """

    file: str
    line: int | None = None
    column: int | None = None  # shown only with a line

    def __str__(self) -> str:
        if self.line is None:
            return self.file
        if self.column is None:
            return f"{self.file}:{self.line}"
        return f"{self.file}:{self.line}:{self.column}"

    def sort_key(self) -> tuple[str, int, int]:
        """File, then line and column as numbers (a missing one first)."""
        return (self.file, self.line or 0, self.column or 0)

    @classmethod
    def parse(cls, text: str) -> Place:
        """The place `text` shows (`file`, `file:line` or `file:line:column`): for callers
        that hold only that text, such as a rule's origin or a `where=` given as a string.

        >>> Place.parse("plan.json:29:10"), Place.parse("--param")
        (Place(file='plan.json', line=29, column=10), Place(file='--param', line=None, column=None))
        """
        m = _PLACE_TEXT.fullmatch(text)
        assert m is not None  # the pattern matches any text
        line, column = m[2], m[3]
        return cls(m[1], int(line) if line else None, int(column) if column else None)


_PLACE_TEXT: Final = re.compile(r"(.*?)(?::(\d+))?(?::(\d+))?", re.S)


def _to_place(where: Place | str | None) -> Place | None:
    return Place.parse(where) if isinstance(where, str) else where


@attrs.frozen
class Diagnostic:
    """One problem found before checking: a ruleset error, a data error, a usage error.

    `span` points into a ruleset; `place` names a place in another input (`plan.json:12:5`)
    when there is no span. It is given as `where=`, a `Place` (or its text, read back into
    one), and `where` is its text.
    """

    code: str
    message: str
    span: Span | None = None
    hint: str | None = None
    place: Place | None = attrs.field(default=None, alias="where", converter=_to_place)
    severity: Severity = Severity.ERROR

    @property
    def where(self) -> str | None:
        """The place as text (`plan.json:12:5`), or None when there is no place."""
        return None if self.place is None else str(self.place)

    def sort_key(self) -> tuple[str, int, int, str]:
        if self.span is None:
            return (*(self.place or _NOWHERE).sort_key(), self.message)
        return (self.span.source.name, self.span.line, self.span.column, self.message)


_NOWHERE: Final = Place("")


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
