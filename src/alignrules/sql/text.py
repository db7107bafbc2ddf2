"""A translation as SQL text: one readable, commented query per rule, in its dialect.

The queries are sqlglot trees, printed by sqlglot; only the comment lines before each one are
written here, and they escape anything that could end a comment (a rule id or title is text
from the ruleset).
"""

from __future__ import annotations

import re
from typing import Final

from sqlglot import exp

from alignrules.sql.translate import RuleQuery, Translation

#: Functions a query may call that no SQL dialect has with the language's meaning.
HOST_FUNCTIONS: Final = {
    "ar_casefold": "Python's str.casefold (Unicode full case folding: `ß` is `ss`)",
    "ar_lower": "Python's str.lower",
    "ar_upper": "Python's str.upper",
}
_UNSAFE: Final = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")


def comment(text: str) -> str:
    """`text` as one `--` comment line: control characters and line breaks escaped."""
    return "-- " + _UNSAFE.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def query_text(q: RuleQuery, dialect: str) -> str:
    """The query of one rule, pretty-printed for `dialect`."""
    return q.query.sql(dialect=dialect, pretty=True, identify=True)


def to_sql(tr: Translation, header: str) -> str:
    """The whole file: a header comment, then each rule's comment lines and query."""
    out = [comment(line) for line in header.splitlines()]
    used = sorted(
        {
            f.name.lower()
            for q in tr.queries
            for f in q.query.find_all(exp.Anonymous)
            if f.name.lower() in HOST_FUNCTIONS
        }
    )
    if used:
        out.append(comment("The queries call functions the database must provide:"))
        out.extend(comment(f"  {name}(text): {HOST_FUNCTIONS[name]}") for name in used)
    for q in tr.queries:
        r = q.rule
        out.append("")
        # The bodies of one rule are one query each, over their own subject entity.
        body = f", body {r.part + 1} of {r.bodies} (on {r.subject_entity})" if r.bodies > 1 else ""
        out.append(comment(f"{r.span.origin()}  rule {r.id}{body}  ({r.severity})"))
        if r.title != r.id:
            out.append(comment(r.title))
        columns = ["ar_subject: the subject's ar_row"]
        columns += [
            f"ar_bound_{i}: ar_row of {var} ({ent})" for i, (var, ent) in enumerate(q.bound)
        ]
        columns += [f"ar_let_{i}: let {name}" for i, name in enumerate(q.lets)]
        columns += [f"ar_value_{i}: {name}" for i, name in enumerate(q.values)]
        out.append(comment("one row per violation; " + "; ".join(columns)))
        out.append(query_text(q, tr.dialect) + ";")
    return "\n".join(out) + "\n"
