"""A Pygments lexer for the alignrules language (`pip install 'alignrules[highlight]'`).

Registered under the `pygments.lexers` entry point, so ```` ```alignrules ```` blocks are
highlighted by anything that uses Pygments (MkDocs, Sphinx, `pygmentize -l alignrules`).
The words come from `alignrules.syntax.keywords`, the table the TextMate grammar is generated
from; the patterns follow the same order as that grammar so both read a ruleset alike.
"""

from __future__ import annotations

from typing import ClassVar

from pygments.lexer import RegexLexer, bygroups, default, include, words
from pygments.token import (
    Comment,
    Keyword,
    Name,
    Number,
    Operator,
    Punctuation,
    String,
    Whitespace,
)

from alignrules.syntax import keywords as kw

_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_RULE_ID = r"[A-Za-z][A-Za-z0-9_]*(?:[.\-][A-Za-z0-9_]+)*"
_ESCAPE = r"\\(?:[\"\\ntr0]|u\{[0-9A-Fa-f]{1,6}\})"


def _words(group: tuple[str, ...], suffix: str = r"\b") -> object:
    return words(sorted(group, key=lambda w: (-len(w), w)), prefix=r"\b", suffix=suffix)


class AlignrulesLexer(RegexLexer):
    """Rulesets: declarations, rules, expressions, message templates and examples."""

    name = "alignrules"
    aliases: ClassVar[list[str]] = ["alignrules", "alignrules-fragment"]
    filenames: ClassVar[list[str]] = ["*.rules"]
    mimetypes: ClassVar[list[str]] = ["text/x-alignrules"]
    url = "https://pypi.org/project/alignrules/"

    tokens: ClassVar[dict[str, list[object]]] = {
        "root": [
            (r"\s+", Whitespace),
            (r"#.*?$", Comment.Single),
            # A name after `.` is a field, even when spelled like a keyword (`claim.title`).
            (r"(\.)(\s*)(" + _NAME + ")", bygroups(Punctuation, Whitespace, Name.Attribute)),
            (r'(message)(\s*)(""")', bygroups(Keyword, Whitespace, String), "template-triple"),
            (r'(message)(\s*)(")', bygroups(Keyword, Whitespace, String), "template"),
            (r'"""', String, "string-triple"),
            (r'"', String, "string"),
            (
                r"(rule)(\s+)(" + _RULE_ID + ")",
                bygroups(Keyword.Declaration, Whitespace, Name.Function),
            ),
            (
                r"(enum)(\s+)(" + _NAME + r")(\s*)(\{)",
                bygroups(Keyword.Declaration, Whitespace, Name.Class, Whitespace, Punctuation),
                "enum",
            ),
            (
                r"(entity)(\s+)(" + _NAME + ")",
                bygroups(Keyword.Declaration, Whitespace, Name.Class),
            ),
            (
                r"(predicate)(\s+)(" + _NAME + ")",
                bygroups(Keyword.Declaration, Whitespace, Name.Function),
            ),
            (
                r"(param)(\s+)(" + _NAME + ")",
                bygroups(Keyword.Declaration, Whitespace, Name.Constant),
            ),
            (r"(key)(\s+)(" + _NAME + ")", bygroups(Keyword, Whitespace, Name.Attribute)),
            (
                r"(expect)(\s+)(?:(no)(\s+))?(?!nothing\b)(" + _RULE_ID + ")",
                bygroups(Keyword, Whitespace, Keyword, Whitespace, Name.Function),
            ),
            (r"(" + _NAME + r")(\s*)(?=:)", bygroups(Name.Variable, Whitespace)),
            (
                r"(:)(\s*)(?:(list|set)(\s+)(of)(\s+))?",
                bygroups(Punctuation, Whitespace, Keyword, Whitespace, Keyword, Whitespace),
                "type",
            ),
            include("literals"),
            (_words(kw.AGGREGATES, r"(?=\s*\()"), Name.Builtin),
            (_words(kw.BUILTIN_FUNCTIONS, r"(?=\s*\()"), Name.Builtin),
            (_NAME + r"(?=\s*\()", Name.Function),
            (
                r"\bis\s+(?:not\s+missing|at\s+least|at\s+most|below|above|missing|present|not)\b"
                r"|\bnot\s+in\b|\b(?:starts|ends)\s+with\b|\bignoring\s+case\b",
                Operator.Word,
            ),
            (_words(kw.DECLARATIONS), Keyword.Declaration),
            (_words(kw.META), Keyword),
            (_words(kw.SEVERITIES), Keyword.Constant),
            (_words(kw.CONTROL), Keyword),
            (_words(kw.OPERATOR_WORDS), Operator.Word),
            (_words(kw.SCHEMA), Keyword),
            (_words(kw.EXAMPLES), Keyword),
            (_words(kw.TYPES), Keyword.Type),
            (r"[A-Z][A-Za-z0-9_]*", Name.Class),
            (r"<=|>=|!=|=|<|>|[+\-*/?]", Operator),
            (r"[{}(),:]", Punctuation),
            (_NAME, Name),
        ],
        "literals": [
            (r"\d{4}-\d{2}-\d{2}\b", Number.Other),
            (
                r"(\d+(?:\.\d+)?)(\s*)([A-Z]{3})(?![A-Za-z0-9_])",
                bygroups(Number, Whitespace, Name.Constant),
            ),
            (
                r"(\d+)(\s*)((?:" + "|".join(kw.DURATION_UNITS) + r")s?)(?![A-Za-z0-9_])",
                bygroups(Number, Whitespace, Keyword.Type),
            ),
            (r"\d+\.\d+", Number.Float),
            (r"\d+", Number.Integer),
            (_words(kw.CONSTANTS), Keyword.Constant),
        ],
        "type": [
            (_words(kw.TYPES), Keyword.Type, "#pop"),
            (_NAME, Name.Class, "#pop"),
            default("#pop"),
        ],
        "enum": [
            (r"\s+", Whitespace),
            (r"#.*?$", Comment.Single),
            (r'"', String, "string"),
            (r"<", Operator),
            (r",", Punctuation),
            (r"\}", Punctuation, "#pop"),
            (_NAME, Name.Constant),
        ],
        "escapes": [
            (_ESCAPE, String.Escape),
            (r"\\.", String),
        ],
        "string": [
            include("escapes"),
            (r'"', String, "#pop"),
            (r'[^"\\\n]+', String),
            (r"\n", String, "#pop"),
        ],
        "string-triple": [
            include("escapes"),
            (r'"""', String, "#pop"),
            (r'[^"\\]+|"', String),
        ],
        "holes": [
            (r"\{\{|\}\}", String.Escape),
            (
                r"(\{)(\s*)(" + _NAME + r"(?:\s*\.\s*" + _NAME + r")*)(\s*)(\})",
                bygroups(String.Interpol, Whitespace, Name.Variable, Whitespace, String.Interpol),
            ),
        ],
        "template": [
            include("escapes"),
            include("holes"),
            (r'"', String, "#pop"),
            (r'[^"\\\n{}]+|[{}]', String),
            (r"\n", String, "#pop"),
        ],
        "template-triple": [
            include("escapes"),
            include("holes"),
            (r'"""', String, "#pop"),
            (r'[^"\\{}]+|[{}]|"', String),
        ],
    }
