"""Builds the LALR parser once from the packaged grammar; lark errors become Diagnostics."""

from __future__ import annotations

import functools
import importlib.resources
from pathlib import Path

from lark import Lark, Token, Tree, UnexpectedCharacters, UnexpectedInput, UnexpectedToken
from lark.exceptions import UnexpectedEOF, VisitError

from alignrules.diagnostics import BIDI_CONTROLS, Diagnostic, DiagnosticError, did_you_mean
from alignrules.source import Source, Span
from alignrules.syntax import ast
from alignrules.syntax.build import build

GRAMMAR_NAME = "alignrules.lark"


def grammar_text() -> str:
    """The grammar shipped inside the package (a wheel), or the repository's (an editable install)."""
    packaged = importlib.resources.files("alignrules.syntax").joinpath(GRAMMAR_NAME)
    if packaged.is_file():
        return packaged.read_text("utf-8")
    repo = Path(__file__).resolve().parents[3] / "grammar" / GRAMMAR_NAME
    return repo.read_text("utf-8")


@functools.cache
def _parser() -> Lark:
    return Lark(
        grammar_text(),
        parser="lalr",
        lexer="contextual",
        propagate_positions=True,
        maybe_placeholders=True,
    )


#: Readable names for the grammar's terminals, used in "expected ..." messages.
_TERMINALS = {
    "NAME": "a name",
    "RULE_ID": "a rule id",
    "STRING": "a string",
    "INT": "a number",
    "DECIMAL": "a number",
    "DATE": "a date",
    "DURATION_UNIT": "a unit such as `days`",
    "CURRENCY": "a currency code",
    "LBRACE": "`{`",
    "RBRACE": "`}`",
    "LPAR": "`(`",
    "RPAR": "`)`",
    "COLON": "`:`",
    "COMMA": "`,`",
    "EQUAL": "`=`",
    "DOT": "`.`",
    "OPTIONAL": "`?`",
    "$END": "the end of the file",
}

_EXAMPLES: dict[str, list[str]] = {
    "expected a value after the operator": [
        "rule r { every a must a.b < }",
        "rule r { every a must a.b = }",
        "rule r { every a must a.b + }",
    ],
    "`where` needs a condition": ["rule r { every a where }", "rule r { no a where }"],
    "`must` needs a condition": ["rule r { every a must }"],
    "a rule needs `{` after its id": ["rule r every a must x", "rule r title"],
}

_DECL_KEYWORDS = ("import", "enum", "entity", "param", "predicate", "rule", "example")


def _expected(terminals: set[str]) -> str:
    names = sorted({_TERMINALS.get(t, f"`{_literal(t)}`") for t in terminals})
    if len(names) > 8:
        names = [*names[:8], "..."]
    return ", ".join(names)


@functools.cache
def _literals() -> dict[str, str]:
    return {
        t.name: t.pattern.value
        for t in _parser().terminals
        if t.pattern.type == "str"
    }


def _literal(terminal: str) -> str:
    return _literals().get(terminal, terminal.lower())


def _diagnose(src: Source, e: UnexpectedInput) -> Diagnostic:
    at = len(src.text) if e.pos_in_stream in (None, -1) else e.pos_in_stream
    if isinstance(e, UnexpectedCharacters):
        ch = src.text[at] if at < len(src.text) else ""
        span = Span(src, at, at + 1)
        if ch == '"':
            return Diagnostic(
                "syntax",
                "unterminated string",
                span,
                'close it with `"` on the same line, or use `"""` for text over several lines',
            )
        return Diagnostic("syntax", f"unexpected character `{ch}`", span)
    label = None
    try:
        label = e.match_examples(_parser().parse, _EXAMPLES, use_accepts=True)
    except Exception:  # noqa: BLE001 - match_examples re-parses; any failure just means no label
        label = None
    if isinstance(e, UnexpectedToken) and e.token.type != "$END":
        tok: Token = e.token
        start = tok.start_pos if tok.start_pos is not None else at
        end = tok.end_pos if tok.end_pos is not None else start + 1
        span = Span(src, start, max(end, start + 1))
        expected = set(e.accepts or e.expected)
        hint = None
        if expected & {"RULE", "ENTITY", "ENUM", "IMPORT"} or {"RULE"} <= {
            x.upper() for x in expected
        }:
            hint = did_you_mean(str(tok), _DECL_KEYWORDS) or (
                "a file holds `import`, `enum`, `entity`, `param`, `predicate`, `rule` "
                "and `example` declarations"
            )
        else:
            words = [_literal(t) for t in expected if _literal(t).isalpha()]
            hint = did_you_mean(str(tok), words)
        message = label or f"unexpected `{tok}`; expected {_expected(expected)}"
        return Diagnostic("syntax", message, span, hint)
    expected = set(getattr(e, "expected", ()) or ())
    span = Span(src, len(src.text), len(src.text))
    message = label or "the file ends too early"
    if expected:
        message += f"; expected {_expected(expected)}"
    if isinstance(e, UnexpectedEOF | UnexpectedToken):
        return Diagnostic("syntax", message, span)
    return Diagnostic("syntax", message, span)  # pragma: no cover


def parse_tree(src: Source) -> Tree[Token]:
    """The lark parse tree of `src`, or DiagnosticError."""
    try:
        return _parser().parse(src.text)
    except UnexpectedInput as e:
        raise DiagnosticError(_diagnose(src, e)) from None


def parse(src: Source) -> ast.Ruleset:
    """The AST of a ruleset file, or DiagnosticError with one located Diagnostic."""
    tree = parse_tree(src)
    try:
        ruleset, strings = build(tree, src)
    except VisitError as e:
        if isinstance(e.orig_exc, DiagnosticError):
            raise e.orig_exc from None
        raise
    _check_bidi(src, strings)
    return ruleset


def _check_bidi(src: Source, strings: list[tuple[int, int]]) -> None:
    """Reject bidirectional controls outside string literals ("Trojan Source", CVE-2021-42574)."""
    if not any(ch in BIDI_CONTROLS for ch in src.text):
        return
    inside = sorted(strings)
    for i, ch in enumerate(src.text):
        if ch in BIDI_CONTROLS and not any(s <= i < e for s, e in inside):
            raise DiagnosticError(
                Diagnostic(
                    "bidi-control",
                    f"bidirectional control character U+{ord(ch):04X} outside a string",
                    Span(src, i, i + 1),
                    "such characters can make code display differently from how it parses; "
                    "remove it",
                )
            )
