"""Rule text → HTML with its tokens coloured, by the same lark lexer the compiler uses.

Each token gets a class by what it is: a keyword (a literal of the grammar, such as `rule`,
`every`, `must`), a string, a number or a comment; names and punctuation stay plain. Text
that does not lex (it compiled, so this would be a lexer difference) is shown plain, never
dropped.
"""

from __future__ import annotations

import html

from lark.exceptions import LarkError

from alignrules.syntax.parser import _parser


def highlight(text: str) -> str:
    """`text` as escaped HTML with `<span class="k|s|n|c">` around tokens.

    >>> highlight('rule r { title "x" }')
    '<span class="k">rule</span> r { <span class="k">title</span> <span class="s">&quot;x&quot;</span> }'
    """
    try:
        tokens = list(_parser().lex(text, dont_ignore=True))
    except LarkError:
        return html.escape(text)
    out = []
    at = 0
    for tok in tokens:
        start = tok.start_pos if tok.start_pos is not None else at
        end = tok.end_pos if tok.end_pos is not None else start + len(tok.value)
        out.append(html.escape(text[at:start]))
        piece = html.escape(text[start:end])
        kind = _kind(tok.type, tok.value)
        out.append(f'<span class="{kind}">{piece}</span>' if kind else piece)
        at = end
    out.append(html.escape(text[at:]))
    return "".join(out)


def _kind(token_type: str, value: str) -> str | None:
    if token_type == "COMMENT":
        return "c"
    if "STRING" in token_type:
        return "s"
    if token_type in ("NUMBER", "INT", "DECIMAL", "SIGNED_NUMBER", "DATE", "DURATION", "MONEY"):
        return "n"
    # A grammar literal lexes as a terminal named after it (`"every"` → EVERY).
    if value.isidentifier() and token_type == value.upper():
        return "k"
    return None
