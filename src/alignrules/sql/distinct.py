"""`distinct(xs)` in SQL: each element of a list once, in a form every dialect runs.

The list is computed for every enclosing row at once, in a derived table that reads no
enclosing query: it ranges over its own copies of the enclosing relations the list reads,
and returns, with `SELECT DISTINCT`, the enclosing columns the list reads
(`ar_outer_<i>`) and the element (`ar_value`: a record's key, or the plain value). The
collection is that table's rows whose `ar_outer_<i>` are the enclosing row's columns
(`IS NOT DISTINCT FROM`, so a missing value matches a missing value), joined to the
entity's table for records. Its consumer (a quantifier, an aggregate, `in`, the rule's own
binding) then reads the enclosing row one query level up, as for any other list: Spark
resolves an outer column one level up only, and correlating inside the derived table would
be two.

Why it is exact: a list's rows depend on the enclosing rows only through the columns it
reads, so keeping those columns beside each element gives each enclosing row exactly its
own list; `DISTINCT` keeps each element once, a record by its key (one record per key,
dangling keys never being elements) and a plain value by equality, as Python's
`dict.fromkeys` does (`1.0` and `1.00` are one number). Order is not kept, and the language
never needs it: quantifiers, aggregates and `in` ignore it, and a message sorts a list.
A decimal element keeps no places, since the Python engine keeps the places of the first of
equal numbers: printing one (a message listing them, or a sum of them) is refused.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from sqlglot import exp

from alignrules.ir import nodes as ir
from alignrules.sql.sqltree import Source, Val, col, conj

if TYPE_CHECKING:
    from alignrules.sql.translate import RuleTranslator

#: The derived table's column holding the element.
VALUE: Final = "ar_value"


def source(tr: RuleTranslator, e: ir.Builtin, scope: dict[str, Val]) -> Source:
    """The elements of `distinct(xs)`, each once, as a collection of the enclosing query."""
    src = tr.source(e.args[0], scope)
    entity = src.elem.entity
    parts = [*src.tables, *src.where, src.elem.value]
    outer = _outer_columns(parts)
    # The enclosing relations, copied under aliases of the derived table's own.
    renamed = {alias: tr.fresh(alias.rsplit("_", 1)[0]) for alias, _ in outer}

    def rename(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Column) and node.table in renamed:
            return col(renamed[node.table], node.name)
        return node

    def moved(x: exp.Expr) -> exp.Expr:
        return x.copy().transform(rename)

    names = [f"ar_outer_{i}" for i in range(len(outer))]
    picked = [
        exp.alias_(col(renamed[alias], column), name, quoted=True)
        for (alias, column), name in zip(outer, names, strict=True)
    ]
    select = exp.select(*picked, exp.alias_(moved(src.elem.value), VALUE, quoted=True))
    froms = [_aliased(tr.from_items[a], b) for a, b in renamed.items()]
    froms.extend(moved(x) for x in src.tables)
    query = select.distinct().from_(froms[0], copy=False)
    for item in froms[1:]:
        query = query.join(item, join_type="cross", copy=False)
    where = conj(*(moved(x) for x in src.where))
    if where is not None:
        query = query.where(where, copy=False)
    derived = tr.fresh("distinct")
    tr.from_items[derived] = exp.Subquery(this=query)
    tables: list[exp.Expr] = [_aliased(tr.from_items[derived], derived)]
    conds: list[exp.Expr] = [
        exp.NullSafeEQ(this=col(derived, name), expression=col(alias, column))
        for (alias, column), name in zip(outer, names, strict=True)
    ]
    if entity is None:
        return Source(tuple(tables), tuple(conds), Val(col(derived, VALUE)), src.outer_ok)
    alias = tr.fresh(entity.lower())
    tables.append(tr.table(tr.lay.entity_table(entity).name, alias))
    key = tr.p.entity(entity).key
    conds.append(exp.EQ(this=col(alias, key), expression=col(derived, VALUE)))
    return Source(tuple(tables), tuple(conds), tr.entity_row(entity, alias), src.outer_ok)


def _outer_columns(parts: list[exp.Expr]) -> list[tuple[str, str]]:
    """The (alias, column) pairs `parts` read from relations they do not range over
    themselves, in the order they first appear (so the query is the same on every run)."""
    inside = {
        node.alias
        for part in parts
        for node in part.find_all(exp.Table, exp.Subquery)
        if node.alias
    }
    found: dict[tuple[str, str], None] = {}
    for part in parts:
        for c in part.find_all(exp.Column):
            if c.table and c.table not in inside:
                found[(c.table, c.name)] = None
    return list(found)


def _aliased(item: exp.Expr, alias: str) -> exp.Expr:
    """`item AS alias` for a relation (`exp.Table`) or a derived table (`exp.Subquery`)."""
    return exp.alias_(item.copy(), alias, table=True, quoted=True)
