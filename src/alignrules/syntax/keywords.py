"""The language's words, grouped by what a highlighter shows them as.

One table read by the Pygments lexer (`alignrules.editor.pygments_lexer`), by the generator of
the TextMate grammar (scripts/gen_tmgrammar.py) and by the language server's completion. The
grammar (grammar/alignrules.lark) stays the single source of the syntax: tests check that the
keyword groups below hold exactly the words the grammar quotes, so a keyword added to the
grammar fails CI until a highlighter knows it.
"""

from __future__ import annotations

from typing import Final

#: Words that start a top-level declaration.
DECLARATIONS: Final = (
    "import",
    "enum",
    "entity",
    "param",
    "predicate",
    "rule",
    "example",
    "strict",
)

#: How an entity or a field is bound to the data, and collection types.
SCHEMA: Final = (
    "in",
    "csv",
    "table",
    "column",
    "key",
    "from",
    "split",
    "list",
    "set",
    "of",
    "parent",
    "decimals",
    "unreported",
)

#: Rule metadata and the message.
META: Final = ("title", "rationale", "owner", "tags", "links", "severity", "message")

#: The severities a rule may have.
SEVERITIES: Final = ("error", "warning", "info")

#: Quantifiers, clauses and reference traversal.
CONTROL: Final = (
    "every",
    "no",
    "some",
    "must",
    "may",
    "where",
    "let",
    "related",
    "as",
    "via",
    "for",
    "reference",
    "references",
    "referencing",
    "a",
    "an",
    "any",
    "with",
    "without",
)

#: Logical and comparison words (`is at least`, `starts with`, `ignoring case` ...).
OPERATOR_WORDS: Final = (
    "and",
    "or",
    "not",
    "is",
    "at",
    "least",
    "most",
    "below",
    "above",
    "missing",
    "present",
    "dangling",
    "contains",
    "starts",
    "ends",
    "matches",
    "ignoring",
    "case",
    "otherwise",
)

#: Aggregates, written like function calls.
AGGREGATES: Final = ("count", "sum", "min", "max", "avg")

#: Constants of the language.
CONSTANTS: Final = ("true", "false", "today")

#: Words of `example` blocks.
EXAMPLES: Final = ("given", "file", "expect", "on", "nothing")

#: Built-in field types. They are names, not keywords, in the grammar.
TYPES: Final = ("text", "int", "decimal", "money", "bool", "date", "duration")

#: Built-in functions. Names too, resolved by the type checker.
BUILTIN_FUNCTIONS: Final = (
    "lower",
    "upper",
    "trim",
    "length",
    "abs",
    "days",
    "year",
    "month",
    "distinct",
)

#: Units of duration literals (`30 days`, `1 quarter`).
DURATION_UNITS: Final = ("day", "week", "month", "quarter", "year")

#: Every word the grammar quotes, once.
KEYWORDS: Final = frozenset(
    DECLARATIONS
    + SCHEMA
    + META
    + SEVERITIES
    + CONTROL
    + OPERATOR_WORDS
    + AGGREGATES
    + CONSTANTS
    + EXAMPLES
)
