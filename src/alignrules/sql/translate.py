"""IR `Program` -> one sqlglot query per rule, against the table layout (`sql.layout`).

A rule's query returns one row per violating binding: the subject's `ar_row` (`ar_subject`),
the `ar_row` of every other bound entity variable (`ar_bound_<i>`, in the order of
`RuleQuery.bound`), the value of every `let` a message needs (`ar_let_<i>`) and of every
plain value the rule ranges over that a message prints (`ar_value_<i>`, `RuleQuery.values`).
Messages are then written in Python from those rows (`sql/messages.py`), so that they are the
Python backend's, character for character.

How the semantics of docs/language.md map onto SQL:

- Every translated expression is a pair: its value, and an `ok` condition that is false
  exactly when evaluating it would follow a dangling single reference. A unit (the rule's
  binding, an element of a quantifier, a term of an aggregate, a step of a navigation) keeps
  only the rows whose `ok` holds; `and`/`or` combine `ok` left to right and stop where the
  answer is known, as the language reads them. A dangling key is a non-NULL key with no
  record, so `ok` is `key IS NULL OR EXISTS (record)`.
- Missing values are NULL. The type checker proves every use of a value that may be missing
  guarded (`is present`, `otherwise`), so a NULL reaches a condition only where `ok` is
  false, and the final `WHERE ok AND cond` never turns an unknown into a finding or drops one.
- A list of references is its element relation joined to the target: dangling keys are not
  rows. Back-references are `EXISTS` on the element relation (a record that names the same
  key twice references it once, as the Python index does).
- Ordered enums compare by their position in the declaration (`CASE`), never alphabetically.
- Decimals are `DECIMAL(38, s)`, one scale `s` for every column and literal (9 unless the
  engine picks more for a plan): `+`, `-`, `*` are exact; `/` and `avg` (whose quotients the
  language rounds to 60 digits) are refused, and so is a literal that would be rounded. A
  product has the scale of its factors' sum (`Val.scale`); where two values of different
  scales meet in one result (`otherwise`, the `0` of an empty `sum`), both are cast to the
  larger scale, since DuckDB would otherwise round to the smaller one.

A construct with no faithful SQL form is refused with a located `sql-unsupported` error.

Why this module is longer than 500 lines: it is one translator, one method per IR
expression and collection kind, which read best side by side (as codegen/emit.py does for
Python). Exact numbers are in `sql/exact.py`, the query pieces in `sql/sqltree.py`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from typing import Final

import attrs
from sqlglot import exp

from alignrules.diagnostics import Diagnostic, DiagnosticError
from alignrules.ir import nodes as ir
from alignrules.ir import types as t
from alignrules.runtime.values import Money
from alignrules.source import Span
from alignrules.sql import distinct, exact
from alignrules.sql.layout import (
    DECIMAL_PRECISION,
    DECIMAL_SCALE,
    OWNER,
    ROW,
    VALUE,
    Layout,
    LayoutError,
    currency_column,
    decimal_sql_type,
    element_type,
    layout,
    present_column,
    scale_column,
)
from alignrules.sql.messages import is_path, message_values
from alignrules.sql.sqltree import (
    COMPARE,
    Source,
    Unsupported,
    Val,
    average,
    col,
    conj,
    disj,
    either,
    is_,
    opt,
    quotient,
    seq_and,
    table,
)
from alignrules.sql.values import NotExact, date_literal, decimal_literal, literal

#: The message of the error a DuckDB query raises for a date outside the years 1-9999.
DATE_STOP: Final = "alignrules: a date out of range"
#: Dialects whose regular expressions are RE2, the engine `matches` is defined by.
RE2_DIALECTS: Final = frozenset({"duckdb", "bigquery"})
DIALECTS: Final = ("duckdb", "spark", "trino", "snowflake", "bigquery", "postgres")
#: What Python's `str.strip()` removes: every character `str.isspace()` holds for.
PY_WHITESPACE: Final = "".join(chr(c) for c in range(0x3000 + 1) if chr(c).isspace())


@attrs.frozen
class RuleQuery:
    """One rule's query and what its rows mean."""

    rule: ir.Rule
    query: exp.Select
    bound: tuple[tuple[str, str], ...]  # (variable, entity), column ar_bound_<i>
    lets: tuple[str, ...]  # let variables returned, column ar_let_<i>
    values: tuple[str, ...]  # plain values returned (`message_values`), column ar_value_<i>
    money: tuple[tuple[str, str], ...]  # (entity, field) of money values the rule reads
    money_params: tuple[str, ...]
    currencies: tuple[str, ...]  # of the money literals it reads, predicates' included
    crash: bool  # the last column, ar_crash, is true where the rule divides by zero


@attrs.frozen
class Translation:
    program: ir.Program
    layout: Layout
    dialect: str
    queries: tuple[RuleQuery, ...]


def translate(
    program: ir.Program,
    *,
    dialect: str = "duckdb",
    params: Mapping[str, object] | None = None,
    today: date | None = None,
    names: Mapping[str, str] | None = None,
    casefold: bool = False,
    stops: bool = False,
    enum_names: dict[object, str] | None = None,
    scale: int = DECIMAL_SCALE,
) -> Translation:
    """One query per rule of `program`, for `dialect`.

    `params` are parameter values by name (default: the ruleset's defaults); `today` is the
    evaluation date (default: the dialect's `CURRENT_DATE`); `names` maps entities to
    relations (see `sql.layout.layout`). `casefold` allows `ignoring case`, `lower` and
    `upper` through functions `ar_casefold`, `ar_lower` and `ar_upper` (Python's
    `str.casefold`, `str.lower`, `str.upper`), which the DuckDB engine registers and a host
    database must provide; without it they are refused. `stops` (DuckDB only) makes the
    query raise `DATE_STOP` where date arithmetic leaves the years 1-9999, where the Python
    engine stops the check. `scale` is the scale of every decimal column and literal
    (`sql.layout`).
    Raises `DiagnosticError` naming every construct the dialect cannot run identically.
    """
    if dialect not in DIALECTS:
        raise ValueError(f"unknown SQL dialect {dialect!r}")
    try:
        lay = layout(program, names, scale=scale)
    except LayoutError as exc:
        span = exc.field.span if exc.field is not None else None
        raise DiagnosticError(Diagnostic("sql-unsupported", str(exc), span)) from None
    values = {p.name: _default(p) for p in program.params}
    values.update(params or {})
    queries: list[RuleQuery] = []
    problems: list[Diagnostic] = []
    for rule in program.rules:
        tr = RuleTranslator(
            program, lay, dialect, values, today, casefold, enum_names, stops, scale
        )
        try:
            queries.append(tr.rule(rule))
        except Unsupported as exc:
            problems.append(
                Diagnostic(
                    "sql-unsupported",
                    f"{rule.name}: {exc} in SQL ({dialect})",
                    exc.span or rule.span,
                    hint="check this ruleset with the Python engine (the default)",
                )
            )
    if problems:
        raise DiagnosticError(problems)
    return Translation(program, lay, dialect, tuple(queries))


class RuleTranslator:
    def __init__(
        self,
        program: ir.Program,
        lay: Layout,
        dialect: str,
        params: Mapping[str, object],
        today: date | None,
        casefold: bool,
        enum_names: dict[object, str] | None,
        stops: bool = False,
        scale: int = DECIMAL_SCALE,
    ) -> None:
        self.p = program
        self.scale = scale
        self.lay = lay
        self.dialect = dialect
        self.params = params
        self.today = today
        self.casefold = casefold
        self.stops = stops
        self.enum_names = enum_names
        self.n = 0
        self.money: set[tuple[str, str]] = set()
        self.money_params: set[str] = set()
        self.currencies: set[str] = set()  # of the money literals the rule reads
        self.preds = {pr.name: pr for pr in program.predicates}
        self.let_colls: dict[str, tuple[ir.Expr, dict[str, Val]]] = {}
        self.let_env: dict[str, tuple[ir.Expr, dict[str, Val]]] = {}
        #: what each table alias of the rule's query ranges over (a relation, or a derived
        #: table), so that `distinct` can range over an enclosing query's rows itself
        self.from_items: dict[str, exp.Expr] = {}

    def fresh(self, stem: str) -> str:
        self.n += 1
        return f"{stem[:20]}_{self.n}"

    def table(self, relation: str, alias: str) -> exp.Expr:
        """`relation AS alias`, noted in `from_items`."""
        self.from_items[alias] = exp.Table(this=exp.to_identifier(relation, quoted=True))
        return table(relation, alias)

    # ------------------------------------------------------------------ rules
    def rule(self, r: ir.Rule) -> RuleQuery:
        scope: dict[str, Val] = {}
        tables: list[exp.Expr] = []
        where: list[exp.Expr] = []
        seq: list[Val] = []
        bound: list[tuple[str, str]] = []
        plain: dict[str, tuple[Val, ir.Bind]] = {}  # the plain values the rule ranges over
        let_vals: dict[str, Val] = {}
        crashes: list[tuple[int, exp.Expr | None]] = []
        for step in r.steps:
            if isinstance(step, ir.Bind):
                src = self.source(step.coll, scope)
                if src.outer_ok is not None:
                    seq.append(Val(exp.true(), src.outer_ok))
                tables.extend(src.tables)
                where.extend(src.where)
                scope[step.var] = src.elem
                if src.elem.entity is not None:
                    bound.append((step.var, src.elem.entity))
                else:
                    plain[step.var] = (src.elem, step)
            elif isinstance(step, ir.Filter):
                crashes.append((len(seq), exact.crash(self, step.cond, scope)))
                seq.append(self.expr(step.cond, scope))
            elif isinstance(t.strip_opt(step.expr.type), t.CollT):
                # a list: ranged over where it is used; following it belongs to this binding
                self.let_colls[step.var] = (step.expr, dict(scope))
                seq.append(Val(exp.true(), self.source(step.expr, scope).outer_ok))
            else:
                crashes.append((len(seq), exact.crash(self, step.expr, scope)))
                self.let_env[step.var] = (step.expr, dict(scope))
                v = self.expr(step.expr, scope)
                seq.append(Val(exp.true(), v.ok))  # a `let` belongs to its binding
                scope[step.var] = attrs.evolve(v, ok=None)
                let_vals[step.var] = v
        if r.cond is not None:
            crashes.append((len(seq), exact.crash(self, r.cond, scope)))
            cond = self.expr(r.cond, scope)
            seq.append(cond if r.violate_when else attrs.evolve(cond, value=exp.not_(cond.value)))
        total = seq_and(seq)
        subject = scope[r.subject]
        assert subject.alias is not None
        cols: list[exp.Expr] = [exp.alias_(col(subject.alias, ROW), "ar_subject")]
        for i, (var, _) in enumerate(bound):
            alias = scope[var].alias
            assert alias is not None
            cols.append(exp.alias_(col(alias, ROW), f"ar_bound_{i}"))
        lets = tuple(sorted(self._message_lets(r)))
        for i, name in enumerate(lets):
            if name in self.let_colls:  # a list: its elements, in any order (text sorts them)
                src = self.source(*self.let_colls[name])
                agg = self._scalar(src, exp.ArrayAgg(this=src.elem.value), conj(*src.where))
                cols.append(exp.alias_(agg.value, f"ar_let_{i}"))
                continue
            cols.append(exp.alias_(let_vals[name].value, f"ar_let_{i}"))
            let_expr, let_scope = self.let_env[name]
            base = t.strip_opt(let_expr.type)
            if base in (t.DECIMAL, t.MONEY):
                cols.append(
                    exp.alias_(exact.aux(self, let_expr, let_scope, "scale"), f"ar_let_{i}_scale")
                )
            if base == t.MONEY:
                cols.append(
                    exp.alias_(
                        exact.aux(self, let_expr, let_scope, "currency"), f"ar_let_{i}_currency"
                    )
                )
        values = message_values(r)
        for i, name in enumerate(values):
            cols.extend(self._value_columns(r, name, *plain[name], f"ar_value_{i}"))
        crash: exp.Expr | None = None
        for i, c in crashes:
            if c is not None:
                reached = conj(*(x for v in seq[:i] for x in (v.ok, exp.paren(v.value.copy()))))
                crash = either(crash, conj(reached, c))
        if crash is not None:
            cols.append(exp.alias_(exp.Coalesce(this=crash, expressions=[exp.false()]), "ar_crash"))
        query = exp.select(*cols).from_(tables[0], copy=False)
        for tb in tables[1:]:
            query = query.join(tb, join_type="cross", copy=False)
        judged = conj(total.ok, total.value if seq else None)
        if crash is not None:
            judged = either(judged or exp.true(), crash)
        cond_all = conj(*where, judged)
        if cond_all is not None:
            query = query.where(cond_all, copy=False)
        return RuleQuery(
            r,
            query,
            tuple(bound),
            lets,
            values,
            tuple(sorted(self.money)),
            tuple(sorted(self.money_params)),
            tuple(sorted(self.currencies)),
            crash is not None,
        )

    def _value_columns(
        self, r: ir.Rule, name: str, elem: Val, step: ir.Bind, column: str
    ) -> list[exp.Expr]:
        """The columns of plain value `name` a message prints: the value, and for a number
        the places it was written with (`column_scale`) and for money its currency."""
        cols = [exp.alias_(elem.value.copy(), column)]
        if element_type(step.coll.type) not in (t.DECIMAL, t.MONEY):
            return cols
        if elem.aux is None:
            # `distinct` keeps one of equal numbers (`2.5`, `2.50`), and the Python engine
            # prints the first one's places, which a table of elements does not know
            span = next(
                (
                    node.span
                    for part in r.message
                    if part.expr is not None
                    for node in ir.walk(part.expr)
                    if isinstance(node, ir.Var) and node.name == name
                ),
                step.span,
            )
            raise Unsupported(f"a message printing a number of `distinct(...)` (`{name}`)", span)
        cols.append(exp.alias_(elem.aux["scale"].copy(), f"{column}_scale"))
        if element_type(step.coll.type) == t.MONEY:
            cols.append(exp.alias_(elem.aux["currency"].copy(), f"{column}_currency"))
        return cols

    def _message_lets(self, r: ir.Rule) -> set[str]:
        """The computed `let` variables a message hole reads: the query returns them."""
        exprs = {s.var: s.expr for s in r.steps if isinstance(s, ir.LetStep)}
        out: set[str] = set()
        for part in r.message:
            if part.expr is None:
                continue
            if not is_path(part.expr):  # pragma: no cover - the type checker allows paths only
                raise Unsupported("a computed message hole", part.expr.span)
            for node in ir.walk(part.expr):
                if not (isinstance(node, ir.Var) and node.name in exprs):
                    continue
                if is_path(exprs[node.name]):
                    continue  # read from the records, as the Python backend reads it
                if node.name in self.let_colls and element_type(exprs[node.name].type) in (
                    t.DECIMAL,
                    t.MONEY,
                ):
                    # the database returns each number at the column's scale, not with the
                    # places it was written with (`2.500000000`, not `2.50`)
                    raise Unsupported("a message printing a computed list of decimals", node.span)
                out.add(node.name)
        # A computed `let related` record: the query returns its key (a path is read from
        # the records, as for a message).
        out.update(v for v, _ in r.related if v in exprs and not is_path(exprs[v]))
        return out

    # ------------------------------------------------------------------ collections
    def source(self, e: ir.Expr, scope: dict[str, Val]) -> Source:
        """The elements of list-valued `e`."""
        if isinstance(e, ir.AllOf):
            alias = self.fresh(e.entity.lower())
            return Source(
                (self.table(self.lay.entity_table(e.entity).name, alias),),
                (),
                self.entity_row(e.entity, alias),
                None,
            )
        if isinstance(e, ir.Narrowed):
            return self.source(e.expr, scope)
        if isinstance(e, ir.Builtin) and e.name == "distinct":
            return distinct.source(self, e, scope)
        if isinstance(e, ir.Builtin) and e.name == "as_list":
            arg = e.args[0]
            if isinstance(t.strip_opt(arg.type), t.CollT):
                return self.source(arg, scope)
            v = self.expr(arg, scope)  # a single value (perhaps missing): one element or none
            if v.entity is not None:
                alias = self.fresh(v.entity.lower())
                key = self.p.entity(v.entity).key
                return Source(
                    (self.table(self.lay.entity_table(v.entity).name, alias),),
                    (exp.EQ(this=col(alias, key), expression=v.value),),
                    self.entity_row(v.entity, alias),
                    v.ok,
                )
            raise Unsupported("a single plain value used as a list", e.span)
        if isinstance(e, ir.GetField | ir.Deref) and self._is_list_field(e):
            obj = self.expr(e.obj, scope)
            ent = self.p.entity(e.entity)
            rel = self.lay.list_table(e.entity, e.field)
            la = self.fresh(e.field.lower())
            owner = exp.EQ(this=col(la, OWNER), expression=obj.value)
            if isinstance(e, ir.Deref):
                ta = self.fresh(e.target.lower())
                key = self.p.entity(e.target).key
                join = exp.EQ(this=col(ta, key), expression=col(la, VALUE))
                return Source(
                    (
                        self.table(rel.name, la),
                        self.table(self.lay.entity_table(e.target).name, ta),
                    ),
                    (owner, join),
                    self.entity_row(e.target, ta),
                    obj.ok,
                )
            del ent
            f = self.p.entity(e.entity).field(e.field)
            assert f is not None
            self._note_money(e.entity, f)
            aux = {
                "scale": col(la, scale_column(VALUE)),
                "currency": col(la, currency_column(VALUE)),
            }
            elem = Val(
                col(la, VALUE), aux=aux if element_type(f.type) in (t.DECIMAL, t.MONEY) else None
            )
            return Source((self.table(rel.name, la),), (owner,), elem, obj.ok)
        if isinstance(e, ir.BackRef):
            target = self.expr(e.target, scope)
            alias = self.fresh(e.entity.lower())
            f = self.p.entity(e.entity).field(e.field)
            assert f is not None
            if f.many:
                la = self.fresh(e.field.lower())
                key = self.p.entity(e.entity).key
                inner = (
                    exp.select("1")
                    .from_(self.table(self.lay.list_table(e.entity, e.field).name, la))
                    .where(
                        conj(
                            exp.EQ(this=col(la, OWNER), expression=col(alias, key)),
                            exp.EQ(this=col(la, VALUE), expression=target.value),
                        ),
                        copy=False,
                    )
                )
                cond: exp.Expr = exp.Exists(this=inner)
            else:
                cond = exp.EQ(this=col(alias, e.field), expression=target.value)
            return Source(
                (self.table(self.lay.entity_table(e.entity).name, alias),),
                (cond,),
                self.entity_row(e.entity, alias),
                target.ok,
            )
        if isinstance(e, ir.MapField):
            inner_src = self.source(e.coll, scope)
            inner_scope = {**scope, e.var: inner_src.elem}
            if e.flatten:
                sub = self.source(e.value, inner_scope)
                return Source(
                    inner_src.tables + sub.tables,
                    inner_src.where + sub.where + opt(sub.outer_ok),
                    sub.elem,
                    inner_src.outer_ok,
                )
            v = self.expr(e.value, inner_scope)
            conds = (
                *inner_src.where,
                *opt(v.ok),
                exp.Not(this=exp.Is(this=v.value, expression=exp.null())),
            )
            if v.entity is not None and v.alias is None:
                ta = self.fresh(v.entity.lower())
                key = self.p.entity(v.entity).key
                return Source(
                    (*inner_src.tables, self.table(self.lay.entity_table(v.entity).name, ta)),
                    (*conds, exp.EQ(this=col(ta, key), expression=v.value)),
                    self.entity_row(v.entity, ta),
                    inner_src.outer_ok,
                )
            if t.strip_opt(e.value.type) in (t.DECIMAL, t.MONEY):
                aux_map: dict[str, exp.Expr] = {
                    k: exact.aux(self, e.value, inner_scope, k) for k in ("scale", "currency")
                }
                v = attrs.evolve(v, aux=aux_map)
            return Source(inner_src.tables, conds, v, inner_src.outer_ok)
        if isinstance(e, ir.Var) and e.name in self.let_colls:
            let_expr, let_scope = self.let_colls[e.name]
            return attrs.evolve(self.source(let_expr, let_scope), outer_ok=None)
        if isinstance(e, ir.Otherwise) and isinstance(e.default, ir.SetLit) and not e.default.items:
            return self.source(e.expr, scope)  # a missing list has no elements
        raise Unsupported(f"this collection ({type(e).__name__})", e.span)

    def _is_list_field(self, e: ir.GetField | ir.Deref) -> bool:
        f = self.p.entity(e.entity).field(e.field)
        return f is not None and f.many

    def _note_money(self, entity: str, f: ir.Field) -> None:
        if element_type(f.type) == t.MONEY:
            self.money.add((entity, f.name))

    def entity_row(self, entity: str, alias: str) -> Val:
        return Val(col(alias, self.p.entity(entity).key), None, entity, alias)

    # ------------------------------------------------------------------ expressions
    def expr(self, e: ir.Expr, scope: dict[str, Val]) -> Val:
        method: Callable[[ir.Expr, dict[str, Val]], Val] | None = getattr(
            self, f"x_{type(e).__name__.lower()}", None
        )
        if method is None:
            raise Unsupported(f"`{type(e).__name__}` expressions", e.span)
        return method(e, scope)

    def x_var(self, e: ir.Var, scope: dict[str, Val]) -> Val:
        if e.name not in scope:  # pragma: no cover - the type checker resolves every name
            raise Unsupported(f"the variable `{e.name}`", e.span)
        return scope[e.name]

    def x_paramref(self, e: ir.ParamRef, scope: dict[str, Val]) -> Val:
        if element_type(e.type) == t.MONEY:
            self.money_params.add(e.name)
        value = self.params[e.name]
        if isinstance(value, frozenset | set | tuple | list):
            raise Unsupported("a set parameter outside `in`", e.span)
        return Val(self._literal(value, e.span))

    def _literal(self, value: object, span: Span | None) -> exp.Expr:
        try:
            return literal(value, self.enum_names, self.scale)
        except NotExact as exc:
            raise Unsupported(f"the value {exc}", span) from None

    def x_const(self, e: ir.Const, scope: dict[str, Val]) -> Val:
        if e.currency:
            self.currencies.add(e.currency)
        if e.type in (t.DECIMAL, t.MONEY):
            assert isinstance(e.value, int | Decimal)
            try:
                return Val(decimal_literal(e.value, self.scale))
            except NotExact as exc:
                raise Unsupported(f"the number {exc}", e.span) from None
        if e.type == t.DURATION:
            assert isinstance(e.value, int)
            return Val(exp.Literal.number(e.value))
        return Val(self._literal(e.value, e.span))

    def x_enumconst(self, e: ir.EnumConst, scope: dict[str, Val]) -> Val:
        return Val(exp.Literal.string(e.value))

    def x_today(self, e: ir.Today, scope: dict[str, Val]) -> Val:
        return Val(exp.CurrentDate() if self.today is None else date_literal(self.today))

    def x_narrowed(self, e: ir.Narrowed, scope: dict[str, Val]) -> Val:
        return self.expr(e.expr, scope)

    def x_getfield(self, e: ir.GetField, scope: dict[str, Val]) -> Val:
        f = self.p.entity(e.entity).field(e.field)
        assert f is not None
        if f.many:
            raise Unsupported("a list field used as a value", e.span)
        self._note_money(e.entity, f)
        obj = self.expr(e.obj, scope)
        return Val(self.field_of(obj, e.entity, e.field), obj.ok)

    def field_of(self, obj: Val, entity: str, column: str) -> exp.Expr:
        if obj.alias is not None:
            return col(obj.alias, column)
        alias = self.fresh(entity.lower())
        key = self.p.entity(entity).key
        return exp.Subquery(
            this=exp.select(col(alias, column))
            .from_(self.table(self.lay.entity_table(entity).name, alias))
            .where(exp.EQ(this=col(alias, key), expression=obj.value), copy=False)
        )

    def x_deref(self, e: ir.Deref, scope: dict[str, Val]) -> Val:
        if e.many:
            raise Unsupported("a list of references used as a value", e.span)
        obj = self.expr(e.obj, scope)
        key = self.field_of(obj, e.entity, e.field)
        alias = self.fresh(e.target.lower())
        target_key = self.p.entity(e.target).key
        exists = exp.Exists(
            this=exp.select("1")
            .from_(self.table(self.lay.entity_table(e.target).name, alias))
            .where(exp.EQ(this=col(alias, target_key), expression=key.copy()), copy=False)
        )
        ok = disj(exp.Is(this=key.copy(), expression=exp.null()), exists)
        return Val(key, conj(obj.ok, exp.paren(ok, copy=False)), e.target, None)

    def x_boolop(self, e: ir.BoolOp, scope: dict[str, Val]) -> Val:
        a, b = self.expr(e.left, scope), self.expr(e.right, scope)
        if e.op == "and":
            return seq_and([a, b])
        value = disj(exp.paren(a.value), exp.paren(b.value))
        if a.ok is None and b.ok is None:
            return Val(value)
        ok = conj(a.ok, exp.paren(disj(is_(a.value.copy(), True), b.ok or exp.true())))
        return Val(value, ok)

    def x_not(self, e: ir.Not, scope: dict[str, Val]) -> Val:
        v = self.expr(e.expr, scope)
        return Val(exp.Not(this=exp.paren(v.value, copy=False)), v.ok)

    def x_ismissing(self, e: ir.IsMissing, scope: dict[str, Val]) -> Val:
        inner = e.expr.expr if isinstance(e.expr, ir.Narrowed) else e.expr
        if isinstance(inner, ir.GetField | ir.Deref) and self._is_list_field(inner):
            obj = self.expr(inner.obj, scope)
            present = self.field_of(obj, inner.entity, present_column(inner.field))
            value: exp.Expr = present if e.negated else exp.Not(this=present)
            return Val(value, obj.ok)
        v = self.expr(e.expr, scope)
        test: exp.Expr = exp.Is(this=v.value, expression=exp.null())
        return Val(exp.Not(this=test) if e.negated else test, v.ok)

    def x_isdangling(self, e: ir.IsDangling, scope: dict[str, Val]) -> Val:
        # A dangling key is a non-NULL key with no record; for a list, an element row whose
        # value has no record. The test follows nothing, so its `ok` is its object's.
        obj = self.expr(e.obj, scope)
        alias = self.fresh(e.target.lower())
        target_key = self.p.entity(e.target).key
        if e.many:
            la = self.fresh(e.field.lower())
            key: exp.Expr = col(la, VALUE)
        else:
            key = self.field_of(obj, e.entity, e.field)
        unnamed = exp.Not(
            this=exp.Exists(
                this=exp.select("1")
                .from_(self.table(self.lay.entity_table(e.target).name, alias))
                .where(exp.EQ(this=col(alias, target_key), expression=key.copy()), copy=False)
            )
        )
        if e.many:
            rel = self.lay.list_table(e.entity, e.field)
            owner = exp.EQ(this=col(la, OWNER), expression=obj.value)
            test: exp.Expr = exp.Exists(
                this=exp.select("1")
                .from_(self.table(rel.name, la))
                .where(exp.and_(owner, unnamed), copy=False)
            )
        else:
            present = exp.Not(this=exp.Is(this=key.copy(), expression=exp.null()))
            test = exp.and_(present, unnamed)
        return Val(exp.Not(this=exp.paren(test)) if e.negated else test, obj.ok)

    def x_otherwise(self, e: ir.Otherwise, scope: dict[str, Val]) -> Val:
        if isinstance(t.strip_opt(e.type), t.CollT):
            raise Unsupported("`otherwise` on a list", e.span)
        v, d = self.expr(e.expr, scope), self.expr(e.default, scope)
        ok = conj(v.ok, d.ok)
        if t.strip_opt(e.type) in (t.DECIMAL, t.MONEY):
            (v, d), scale = self.same_scale((v, e.expr.type), (d, e.default.type))
            merged = exp.Coalesce(this=v.value, expressions=[d.value])
            return Val(merged, ok, v.entity, scale=scale)
        return Val(exp.Coalesce(this=v.value, expressions=[d.value]), ok, v.entity)

    def decimal_scale(self, v: Val, typ: t.Type) -> int:
        """The SQL scale of translated value `v` of IR type `typ` (0 for a whole number)."""
        if t.strip_opt(typ) not in (t.DECIMAL, t.MONEY):
            return 0
        return self.scale if v.scale is None else v.scale

    def same_scale(self, *vals: tuple[Val, t.Type]) -> tuple[tuple[Val, ...], int | None]:
        """Values of one decimal result cast to the largest scale among them where their
        scales differ beyond the layout's own (DuckDB gives a `COALESCE` of DECIMAL(38, 18)
        and DECIMAL(38, 9) the smaller scale, rounding; a whole number has scale 0); and the
        result's scale, None for the layout's."""
        scales = [self.decimal_scale(v, typ) for v, typ in vals]
        top = max(scales)
        kept = None if top == self.scale else top
        if len(set(scales)) == 1 or top <= DECIMAL_SCALE:
            return tuple(v for v, _ in vals), kept
        kind = exp.DataType.build(decimal_sql_type(top))
        return tuple(attrs.evolve(v, value=exp.cast(v.value, kind)) for v, _ in vals), kept

    def ordinal(self, v: exp.Expr, typ: t.Type) -> exp.Expr:
        et = t.strip_opt(typ)
        if isinstance(et, t.EnumT) and et.ordered:
            case = exp.Case()
            for i, name in enumerate(et.values):
                case = case.when(
                    exp.EQ(this=v.copy(), expression=exp.Literal.string(name)),
                    exp.Literal.number(i),
                )
            return case
        return v

    def x_compare(self, e: ir.Compare, scope: dict[str, Val]) -> Val:
        left_q, right_q = quotient(e.left), quotient(e.right)
        if left_q is not None and right_q is not None:
            raise Unsupported("a comparison of two quotients", e.span)
        if left_q is not None or right_q is not None:
            return exact.compare_quotient(self, e, scope)
        if average(e.left) is not None or average(e.right) is not None:
            return exact.compare_average(self, e, scope)
        a, b = self.expr(e.left, scope), self.expr(e.right, scope)
        left, right = a.value, b.value
        if e.op not in ("=", "!="):
            left, right = self.ordinal(left, e.operand), self.ordinal(right, e.operand)
        return Val(COMPARE[e.op](this=left, expression=right), conj(a.ok, b.ok))

    def x_member(self, e: ir.Member, scope: dict[str, Val]) -> Val:
        x = self.expr(e.element, scope)
        coll = e.coll.expr if isinstance(e.coll, ir.Narrowed) else e.coll
        if isinstance(coll, ir.SetLit | ir.ParamRef):
            items: list[exp.Expr] = []
            if isinstance(coll, ir.SetLit):
                for item in coll.items:
                    iv = self.expr(item, scope)
                    if iv.ok is not None:
                        raise Unsupported("a set literal that follows references", item.span)
                    items.append(iv.value)
            else:
                values = self.params[coll.name]
                assert isinstance(values, frozenset | set | tuple | list)
                items = [self._literal(v, coll.span) for v in sorted(values, key=repr)]
            if not items:
                return Val(exp.true() if e.negated else exp.false(), x.ok)
            test: exp.Expr = exp.In(this=x.value, expressions=items)
        else:
            src = self.source(coll, scope)
            hit = exp.EQ(this=src.elem.value, expression=x.value)
            test = exp.Exists(
                this=exp.select("1").from_(src.tables[0]).where(conj(*src.where, hit), copy=False)
            )
            for tb in src.tables[1:]:
                test.this.join(tb, join_type="cross", copy=False)
            x = Val(x.value, conj(x.ok, src.outer_ok))
        return Val(exp.Not(this=exp.paren(test)) if e.negated else test, x.ok)

    def x_textmatch(self, e: ir.TextMatch, scope: dict[str, Val]) -> Val:
        a, b = self.expr(e.left, scope), self.expr(e.right, scope)
        ok = conj(a.ok, b.ok)
        if e.op == "matches":
            if self.dialect not in RE2_DIALECTS:
                raise Unsupported(
                    f"`matches` runs on RE2, which {self.dialect} does not use for regular"
                    " expressions, so a pattern could match differently",
                    e.span,
                )
            assert e.regex_id is not None
            pattern, ignore = self.p.regexes[e.regex_id]
            pat = exp.Literal.string(("(?i)" if ignore else "") + pattern)
            return Val(exp.RegexpLike(this=a.value, expression=pat), ok)
        left, right = a.value, b.value
        if e.ignore_case:
            if not self.casefold:
                raise Unsupported(
                    "`ignoring case` folds case as Python's `str.casefold` does (`ß` is `ss`),"
                    " which SQL's LOWER does not",
                    e.span,
                )
            left = exp.Anonymous(this="ar_casefold", expressions=[left])
            right = exp.Anonymous(this="ar_casefold", expressions=[right])
        if e.op == "contains":
            value: exp.Expr = exp.GT(
                this=exp.StrPosition(this=left, substr=right), expression=exp.Literal.number(0)
            )
        elif e.op == "starts with":
            value = exp.StartsWith(this=left, expression=right)
        else:
            value = exp.EQ(
                this=exp.Right(this=left, expression=exp.Length(this=right.copy())),
                expression=right,
            )
        return Val(value, ok)

    def x_builtin(self, e: ir.Builtin, scope: dict[str, Val]) -> Val:
        arg = e.args[0]
        if e.name == "length" and isinstance(t.strip_opt(arg.type), t.CollT):
            return self._count(self.source(arg, scope), None)
        v = self.expr(arg, scope)
        fns: dict[str, Callable[[exp.Expr], exp.Expr]] = {
            "lower": lambda x: exp.Lower(this=x),
            "upper": lambda x: exp.Upper(this=x),
            "trim": lambda x: exp.Trim(this=x, expression=exp.Literal.string(PY_WHITESPACE)),
            "length": lambda x: exp.Length(this=x),
            "days": lambda x: x,
            "year": lambda x: exp.Year(this=x),
            "month": lambda x: exp.Month(this=x),
            "abs": lambda x: exp.Abs(this=x),
        }
        if e.name in ("lower", "upper") and self.casefold:
            return Val(exp.Anonymous(this=f"ar_{e.name}", expressions=[v.value]), v.ok)
        if e.name in ("lower", "upper"):
            raise Unsupported(
                f"`{e.name}` maps case as Python does, which SQL's {e.name.upper()} may not",
                e.span,
            )
        if e.name not in fns:
            raise Unsupported(f"`{e.name}(...)`", e.span)
        return Val(fns[e.name](v.value), v.ok, scale=v.scale if e.name == "abs" else None)

    def x_arith(self, e: ir.Arith, scope: dict[str, Val]) -> Val:
        if e.op == "/":
            raise Unsupported(
                "`/` outside a comparison (the language rounds quotients to 60 significant"
                " digits; SQL decimals cannot)",
                e.span,
            )
        a, b = self.expr(e.left, scope), self.expr(e.right, scope)
        ok = conj(a.ok, b.ok)
        lt, rt = t.strip_opt(e.left.type), t.strip_opt(e.right.type)
        day = exp.var("DAY")
        if lt == rt == t.DATE:
            return Val(exp.DateDiff(this=a.value, expression=b.value, unit=day), ok)
        if t.DATE in (lt, rt):
            d, n = (a.value, b.value) if lt == t.DATE else (b.value, a.value)
            if e.op == "-":
                n = exp.Neg(this=exp.paren(n, copy=False))
            added: exp.Expr = exp.cast(exp.DateAdd(this=d, expression=n, unit=day), "DATE")
            if self.stops:  # the Python engine stops outside the years 1-9999; so does this
                inside: exp.Expr = exp.Between(
                    this=added.copy(),
                    low=date_literal(date.min),
                    high=date_literal(date.max),
                )
                stop = exp.Anonymous(this="error", expressions=[exp.Literal.string(DATE_STOP)])
                # NULL (a missing value, a unit left out) is not out of range
                inside = disj(exp.Is(this=added.copy(), expression=exp.null()), inside)
                added = exp.Case().when(inside, added).else_(exp.cast(stop, "DATE"))
            return Val(added, ok)
        ops: dict[str, type[exp.Binary]] = {"+": exp.Add, "-": exp.Sub, "*": exp.Mul}
        sa, sb = self.decimal_scale(a, lt), self.decimal_scale(b, rt)
        # beyond 38 places the database refuses the product itself, on every row
        scale = min(sa + sb, DECIMAL_PRECISION) if e.op == "*" else max(sa, sb)
        value = exp.paren(ops[e.op](this=a.value, expression=b.value), copy=False)
        decimal = t.strip_opt(e.type) in (t.DECIMAL, t.MONEY)
        return Val(value, ok, scale=scale if decimal and scale != self.scale else None)

    def x_neg(self, e: ir.Neg, scope: dict[str, Val]) -> Val:
        v = self.expr(e.expr, scope)
        return Val(exp.Neg(this=exp.paren(v.value, copy=False)), v.ok, scale=v.scale)

    def x_predcall(self, e: ir.PredCall, scope: dict[str, Val]) -> Val:
        pred = self.preds[e.name]
        inner = dict(scope)
        oks: list[exp.Expr | None] = []
        for (name, _), arg in zip(pred.params, e.args, strict=True):
            v = self.expr(arg, scope)
            oks.append(v.ok)
            inner[name] = attrs.evolve(v, ok=None)
        body = self.expr(pred.body, inner)
        return Val(body.value, conj(*oks, body.ok))

    def x_quant(self, e: ir.Quant, scope: dict[str, Val]) -> Val:
        src = self.source(e.coll, scope)
        inner = {**scope, e.var: src.elem}
        parts = [self.expr(x, inner) for x in (e.where,) if x is not None]
        if e.must is not None:
            must = self.expr(e.must, inner)
            if e.kind == "every":
                must = attrs.evolve(must, value=exp.Not(this=exp.paren(must.value)))
            parts.append(must)
        elif e.kind == "every":  # `every x in xs` with no condition holds
            return Val(exp.true(), src.outer_ok)
        cond = seq_and(parts) if parts else None
        where = conj(*src.where, cond.ok if cond else None, cond.value if cond else None)
        query = exp.select("1").from_(src.tables[0], copy=False)
        for tb in src.tables[1:]:
            query = query.join(tb, join_type="cross", copy=False)
        if where is not None:
            query = query.where(where, copy=False)
        found: exp.Expr = exp.Exists(this=query)
        if e.kind in ("no", "every"):
            found = exp.Not(this=found)
        return Val(found, src.outer_ok)

    def _count(self, src: Source, cond: Val | None) -> Val:
        where = conj(*src.where, cond.ok if cond else None, cond.value if cond else None)
        return self._scalar(src, exp.Count(this=exp.Star()), where)

    def _scalar(self, src: Source, agg: exp.Expr, where: exp.Expr | None) -> Val:
        query = exp.select(agg).from_(src.tables[0], copy=False)
        for tb in src.tables[1:]:
            query = query.join(tb, join_type="cross", copy=False)
        if where is not None:
            query = query.where(where, copy=False)
        return Val(exp.Subquery(this=query), src.outer_ok)

    def _terms(
        self, e: ir.Aggregate, scope: dict[str, Val]
    ) -> tuple[Source, exp.Expr | None, dict[str, Val]]:
        """The elements of an aggregate, and which of them are terms: those whose `where`
        holds and whose value is present, leaving out any that meet a dangling reference."""
        src = self.source(e.coll, scope)
        inner = {**scope, e.var: src.elem}
        cond = self.expr(e.where, inner) if e.where is not None else None
        value = self.expr(e.value, inner)
        term = Val(exp.true(), value.ok)
        parts = [p for p in (cond, term) if p is not None]
        guard = seq_and(parts)
        present = exp.Not(this=exp.Is(this=value.value.copy(), expression=exp.null()))
        return src, conj(*src.where, guard.ok, guard.value, present), inner

    def x_aggregate(self, e: ir.Aggregate, scope: dict[str, Val]) -> Val:
        if e.op == "count":
            src = self.source(e.coll, scope)
            inner = {**scope, e.var: src.elem}
            cond = self.expr(e.where, inner) if e.where is not None else None
            return self._count(src, cond)
        vt = t.strip_opt(e.value.type)
        if e.op == "avg":
            raise Unsupported(
                "`avg` outside `(avg(...) otherwise d) op c` (its quotient is rounded to 60"
                " digits; SQL decimals cannot)",
                e.span,
            )
        if isinstance(vt, t.EnumT):
            raise Unsupported(f"`{e.op}` of enum values", e.span)
        src, where, inner = self._terms(e, scope)
        value = self.expr(e.value, inner)
        if e.op == "sum":
            decimal = vt in (t.DECIMAL, t.MONEY)
            scale = self.decimal_scale(value, vt)
            zero = decimal_literal(0, scale) if decimal else exp.Literal.number(0)
            total = exp.Sum(this=value.value)
            res = self._scalar(src, total, where)
            kept = scale if decimal and scale != self.scale else None
            return Val(exp.Coalesce(this=res.value, expressions=[zero]), res.ok, scale=kept)
        fn = exp.Min if e.op == "min" else exp.Max
        return attrs.evolve(self._scalar(src, fn(this=value.value), where), scale=value.scale)

    def x_allof(self, e: ir.AllOf, scope: dict[str, Val]) -> Val:
        raise Unsupported("an entity's records used as a value", e.span)


def _default(p: ir.Param) -> object:
    """A parameter's declared default as the engine holds parameter values."""
    if p.type == t.MONEY and isinstance(p.default, tuple):
        amount, currency = p.default
        return Money(Decimal(amount), currency)
    return p.default
