"""Builds the LALR parser once from the packaged grammar; lark errors become Diagnostics."""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Sequence

import attrs
import lark
from lark import Lark, Token, Tree, UnexpectedCharacters, UnexpectedInput, UnexpectedToken
from lark.exceptions import VisitError

from alignrules.compile_cache import cache_folder
from alignrules.diagnostics import BIDI_CONTROLS, Diagnostic, DiagnosticError, did_you_mean
from alignrules.source import Source, Span
from alignrules.syntax import ast
from alignrules.syntax.build import build
from alignrules.syntax.display import bidi_diagnostic, check_display
from alignrules.syntax.grammar import GRAMMAR_NAME as GRAMMAR_NAME
from alignrules.syntax.grammar import grammar_text as grammar_text
from alignrules.syntax.limits import check_nesting
from alignrules.syntax.tokens import Lexed
from alignrules.syntax.tokens import lexed as make_lexed


def parse_table_cache(kind: str) -> str | bool:
    """Where lark keeps the parse tables it built for `kind`, or False for no cache.

    Building the LALR tables takes most of a short `alignrules check` (0.3-0.8 s); loading
    them takes milliseconds. They live in alignrules' private cache folder (`cache_folder`),
    never in a shared temporary folder, because lark reads them with pickle. Lark checks the grammar's
    hash and its options on every load and rebuilds (silently) on any mismatch or damage;
    an empty `ALIGNRULES_CACHE_DIR`, or a folder that cannot be written, turns the cache off.
    """
    folder = cache_folder()
    if folder is None:
        return False
    version = f"lark{lark.__version__}-py{sys.version_info[0]}{sys.version_info[1]}"
    return str(folder / f"{kind}-{version}.tables")


@functools.cache
def _parser() -> Lark:
    return Lark(
        grammar_text(),
        parser="lalr",
        lexer="contextual",
        propagate_positions=True,
        maybe_placeholders=True,
        cache=parse_table_cache("parser"),
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


@functools.cache
def _example_signatures() -> tuple[tuple[int, frozenset[str], str], ...]:
    """(LALR state, acceptable terminals, label) of every syntax example.

    lark's `match_examples` also compares the depth of the parser's stack, so an example
    written as the first declaration of a file never matches the same mistake in the second
    one. The state and the terminals it accepts are what the mistake is about; the depth is
    only where it happened, so it is left out here.
    """
    out: list[tuple[int, frozenset[str], str]] = []
    for label, examples in _EXAMPLES.items():
        for text in examples:
            try:
                _parser().parse(text)
            except UnexpectedToken as e:
                if e.state is not None:
                    out.append((e.state.position, frozenset(e.accepts or e.expected), label))
    return tuple(out)


def _label(e: UnexpectedInput) -> str | None:
    """The label of the syntax example that failed in the same way as `e`, if any."""
    if not isinstance(e, UnexpectedToken) or e.state is None:
        return None
    accepts = frozenset(e.accepts or e.expected)
    for position, example_accepts, label in _example_signatures():
        if position == e.state.position and example_accepts == accepts:
            return label
    return None


def _unclosed_brace(tokens: Sequence[Token]) -> int | None:
    """The offset of the innermost `{` that the tokens read so far never close."""
    stack: list[int] = []
    for tok in tokens:
        if tok.type == "LBRACE":
            stack.append(tok.start_pos or 0)
        elif tok.type == "RBRACE" and stack:
            stack.pop()
    return stack[-1] if stack else None


def _end_of_text(src: Source, e: UnexpectedInput) -> int:
    """Where an early end of file is reported: just after the last token (lark gives the end
    token the last real token's position), so the caret sits where the text stops, not on a
    blank line or after a trailing comment."""
    tok = getattr(e, "token", None)
    if tok is not None and tok.end_pos is not None and 0 < tok.end_pos <= len(src.text):
        return int(tok.end_pos)
    return len(src.text.rstrip())


def _expected(terminals: set[str]) -> str:
    names = sorted({_TERMINALS.get(t, f"`{_literal(t)}`") for t in terminals})
    if len(names) > 8:
        names = [*names[:8], "..."]
    return ", ".join(names)


@functools.cache
def _literals() -> dict[str, str]:
    return {t.name: t.pattern.value for t in _parser().terminals if t.pattern.type == "str"}


def _literal(terminal: str) -> str:
    return _literals().get(terminal, terminal.lower())


def _diagnose(src: Source, e: UnexpectedInput, tokens: Sequence[Token]) -> Diagnostic:
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
        if ch in BIDI_CONTROLS:
            return bidi_diagnostic(src, at)
        hint = None
        if ch in "'\u2018\u2019\u201c\u201d":
            hint = 'write strings in straight double quotes: `"text"`'
        return Diagnostic("syntax", f"unexpected character `{ch}`", span, hint)
    label = _label(e)
    if isinstance(e, UnexpectedToken) and e.token.type != "$END":
        tok: Token = e.token
        start = tok.start_pos if tok.start_pos is not None else at
        end = tok.end_pos if tok.end_pos is not None else start + 1
        span = Span(src, start, max(end, start + 1))
        expected = set(e.accepts or e.expected)
        # The token read before `tok` (the lexer may raise `tok` without handing it on).
        before = next((t for t in reversed(tokens) if (t.end_pos or 0) <= start), None)
        if (
            str(tok) == "="
            and before is not None
            and before.end_pos == start
            and before.endswith("=")
        ):
            # `==` from another language
            return Diagnostic(
                "syntax",
                "`==` is not an operator here",
                Span(src, start - 1, end),
                'compare with a single `=` (and `!=` for "not equal")',
            )
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
        swallowed = _keyword_read_as_name(e)
        if label is None and swallowed is not None:
            kw_span = Span(src, swallowed.start_pos or start, swallowed.end_pos or end)
            return Diagnostic(
                "syntax",
                f"something is missing before `{swallowed}`",
                kw_span,
                f"`{swallowed}` was read as a name, because a name or value had to come first",
            )
        message = label or f"unexpected `{tok}`; expected {_expected(expected)}"
        return Diagnostic("syntax", message, span, hint)
    # The text ended while the grammar wanted more.
    expected = set(getattr(e, "accepts", None) or getattr(e, "expected", ()) or ())
    end = _end_of_text(src, e)
    span = Span(src, end, end)
    opened = _unclosed_brace(tokens) if "RBRACE" in expected else None
    if label is None and opened is not None:
        line, _ = src.line_col(opened)
        return Diagnostic(
            "syntax",
            f"the file ends before the `{{` on line {line} is closed",
            span,
            "add the missing `}`",
        )
    message = label or "the file ends too early"
    if label is None and expected:
        message += f"; expected {_expected(expected)}"
    return Diagnostic("syntax", message, span)


#: Keywords that the contextual lexer reads as a name where a name may stand, and that no one
#: means as one: `every c where must ...` has lost its condition, not named a field `must`.
_NEVER_NAMES = frozenset({"must", "may", "where", "let", "and", "or", "otherwise", "via"})


def _keyword_read_as_name(e: UnexpectedToken) -> Token | None:
    """The keyword just before the error when the parser took it for a name, if it did."""
    stack = e.state.value_stack if e.state is not None else []
    last = stack[-1] if stack else None
    if isinstance(last, Token) and last.type == "NAME" and str(last) in _NEVER_NAMES:
        return last
    return None


@attrs.frozen
class Parsed:
    """One parsed file: its AST, and the tokens and comments that the AST leaves out."""

    ruleset: ast.Ruleset
    lexed: Lexed


@functools.cache
def _comment_pattern() -> re.Pattern[str]:
    return re.compile(_parser().get_terminal("COMMENT").pattern.to_regexp())


def _read(src: Source) -> tuple[Tree[Token], list[Token]]:
    """The parse tree of `src` and every token the parser read, or DiagnosticError.

    The loop is lark's own (`parse` does the same inside), stepped here so that the tokens
    are kept: one parse serves the compiler, the formatter, the editor and the highlighter.
    """
    ip = _parser().parse_interactive(src.text)
    seen: list[Token] = []
    try:
        for tok in ip.iter_parse():
            seen.append(tok)
        end = Token.new_borrow_pos("$END", "", seen[-1]) if seen else Token("$END", "", 0, 1, 1)
        tree: Tree[Token] = ip.feed_token(end)
    except UnexpectedInput as e:
        # As lark's loop does, so that `accepts` is computed from the state that failed.
        e.interactive_parser = ip
        raise DiagnosticError(_diagnose(src, e, seen)) from None
    return tree, seen


def parse_tree(src: Source) -> Tree[Token]:
    """The lark parse tree of `src`, or DiagnosticError."""
    return _read(src)[0]


def parse_file(src: Source) -> Parsed:
    """The AST of a ruleset file with its tokens and comments, or DiagnosticError with one
    located Diagnostic."""
    tree, tokens = _read(src)
    try:
        ruleset = build(tree, src)
    except VisitError as e:
        if isinstance(e.orig_exc, DiagnosticError):
            raise e.orig_exc from None
        raise
    lexed = make_lexed(src.text, tokens, _comment_pattern())
    strings = [(t.start_pos or 0, t.end_pos or 0) for t in lexed.strings()]
    comments = [(c.start, c.end) for c in lexed.comments]
    check_display(src, strings, comments)  # syntax/display: bidi controls, carriage returns
    check_nesting(ruleset)  # syntax/limits: later stages recurse on expressions
    return Parsed(ruleset, lexed)


def parse(src: Source) -> ast.Ruleset:
    """The AST of a ruleset file, or DiagnosticError with one located Diagnostic."""
    return parse_file(src).ruleset
