"""Rule text → HTML with its tokens coloured, from the tokens and comments of the compiler's
own parse (`syntax.tokens`).

Each token gets a class by what it is: a keyword (a literal of the grammar, such as `rule`,
`every`, `must`), a string, a number or a comment; names and punctuation stay plain. A word
is a keyword only where the parser read it as one, so a field called `title` stays a name.
Text that does not parse on its own is shown plain, never dropped.
"""

from __future__ import annotations

import html

from alignrules.diagnostics import DiagnosticError
from alignrules.source import Source
from alignrules.syntax.parser import parse_file


def highlight(text: str) -> str:
    """`text` as escaped HTML with `<span class="k|s|n|c">` around tokens.

    >>> highlight('rule r { title "x" }')
    '<span class="k">rule</span> r { <span class="k">title</span> <span class="s">&quot;x&quot;</span> }'
    """
    try:
        lexed = parse_file(Source("<rule>", text)).lexed
    except DiagnosticError:
        return html.escape(text)
    marks = [(t.start_pos or 0, t.end_pos or 0, _kind(t.type, str(t))) for t in lexed.tokens]
    marks += [(c.start, c.start + len(c.text), "c") for c in lexed.comments]
    out = []
    at = 0
    for start, end, kind in sorted(marks):
        out.append(html.escape(text[at:start]))
        piece = html.escape(text[start:end])
        out.append(f'<span class="{kind}">{piece}</span>' if kind else piece)
        at = end
    out.append(html.escape(text[at:]))
    return "".join(out)


def _kind(token_type: str, value: str) -> str | None:
    if token_type == "STRING":
        return "s"
    if token_type in ("INT", "DECIMAL", "DATE"):
        return "n"
    # A grammar literal lexes as a terminal named after it (`"every"` → EVERY); a name that
    # happens to spell a terminal's name (a field `name`) is not one.
    if token_type in ("NAME", "RULE_ID"):
        return None
    if value.isidentifier() and token_type == value.upper():
        return "k"
    return None
