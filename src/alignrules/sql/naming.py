"""Queries that read warehouse tables: the layout's names replaced by `table`/`column` ones.

The translator writes every query against the layout's own names (`Claim`, `promise`); this
step renames, in each sqlglot tree, every relation to the warehouse table the ruleset binds it
to (`"marketing"."claims"`) and every column read through it to its warehouse column
(`"claim_text"`). Working on the finished trees keeps the translator unaware of warehouses:
a query's meaning does not depend on where its tables live.
"""

from __future__ import annotations

import attrs
from sqlglot import exp

from alignrules.diagnostics import Diagnostic, DiagnosticError
from alignrules.sql.layout import LayoutError, Mapped, warehouse
from alignrules.sql.translate import RuleQuery, Translation


def table_expr(name: str, alias: str | None = None) -> exp.Table:
    """`marketing.claims` as a quoted, qualified table (`"marketing"."claims"`)."""
    parts = [exp.to_identifier(p, quoted=True) for p in name.split(".")]
    table = exp.Table(this=parts[-1])
    if len(parts) > 1:
        table.set("db", parts[-2])
    if len(parts) > 2:
        table.set("catalog", parts[-3])
    if alias is not None:
        table.set("alias", exp.TableAlias(this=exp.to_identifier(alias, quoted=True)))
    return table


def to_warehouse(tr: Translation) -> Translation:
    """`tr` with every query reading the warehouse tables its ruleset names."""
    try:
        mapped = warehouse(tr.program, tr.layout)
    except LayoutError as exc:
        span = exc.field.span if exc.field is not None else None
        raise DiagnosticError(Diagnostic("bad-binding", str(exc), span)) from None
    return attrs.evolve(tr, queries=tuple(_rename(q, mapped) for q in tr.queries))


def _rename(q: RuleQuery, mapped: dict[str, Mapped]) -> RuleQuery:
    query = q.query.copy()
    by_alias: dict[str, Mapped] = {}
    for t in list(query.find_all(exp.Table)):
        m = mapped.get(t.name)
        if m is None or t.args.get("db") is not None:
            continue
        if t.alias:
            by_alias[t.alias] = m
        t.replace(table_expr(m.table, t.alias or None))
    for c in list(query.find_all(exp.Column)):
        m = by_alias.get(c.table)
        if m is not None and m.column(c.name) != c.name:
            c.set("this", exp.to_identifier(m.column(c.name), quoted=True))
    return attrs.evolve(q, query=query)
