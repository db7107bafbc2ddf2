"""AST to canonical text for `alignrules fmt`; re-parses its output and compares ASTs.

One layout for every ruleset: 4-space indentation, one field or rule item per line, rule
metadata first, then the condition, then the message; one space around operators; long
conditions broken before `and`/`or`/`where`/`must`/`with`, continuation lines 4 deeper.
What the AST forgets but a reader needs comes from the same parse's tokens and comments
(`syntax.tokens`): comments (re-attached to the nearest following item, or kept at the end
of the line they ended), blank lines between items (at most one), the author's grouping
parentheses (at most one pair), how a duration was written (`2 years`), and message
templates and embedded example data (`given \"\"\"...\"\"\"`).

    >>> print(format_text("rule r{every claim must claim.ok=true # why\\n}"), end="")
    rule r {
        every claim must claim.ok = true  # why
    }

The work is split by job: `fmt.strings` (string literals), `fmt.comments` (where comments
go), `fmt.exprs` (expressions), `fmt.decls` (declarations and blocks).

Safety: the output is parsed again and must give an equal AST (spans excluded) and the same
comments, or `DiagnosticError` with code `format` is raised and nothing should be written.
"""

from __future__ import annotations

from alignrules.diagnostics import Diagnostic, DiagnosticError, Place
from alignrules.source import Source
from alignrules.syntax.fmt.decls import Printer
from alignrules.syntax.fmt.strings import quote
from alignrules.syntax.parser import Parsed, parse_file

__all__ = ["format_source", "format_text", "quote"]


def format_source(src: Source) -> str:
    """The canonical text of `src`; DiagnosticError when it does not parse, or when the
    formatted text would not parse back to the same ruleset (a formatter bug)."""
    parsed = parse_file(src)
    out = Printer(parsed.ruleset, parsed.lexed).run()
    _verify(src, parsed, out)
    return out


def format_text(text: str, name: str = "<ruleset>") -> str:
    """`format_source` for a ruleset given as text."""
    return format_source(Source(name, text))


def _verify(src: Source, parsed: Parsed, out: str) -> None:
    def fail(why: str) -> DiagnosticError:
        return DiagnosticError(
            Diagnostic(
                "format",
                f"the formatted text {why}, so the file is left unchanged",
                where=Place(src.name),
                hint="this is a bug in `alignrules fmt`; please report it with the file",
            )
        )

    try:
        again = parse_file(Source(src.name, out))
    except DiagnosticError:
        raise fail("does not parse") from None
    if again.ruleset != parsed.ruleset:
        raise fail("parses to a different ruleset")
    before = sorted(c.text for c in parsed.lexed.comments)
    after = sorted(c.text for c in again.lexed.comments)
    if before != after:
        raise fail("lost or changed a comment")
