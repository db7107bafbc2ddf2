"""The surface syntax tree: frozen nodes that mirror the grammar, each with its Span.

Spans are excluded from equality, so two trees compare by shape (the formatter relies on it).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Literal as Lit

import attrs

from alignrules.source import Source, Span

_span = attrs.field(eq=False, repr=False, kw_only=True)


# ------------------------------------------------------------------ expressions
@attrs.frozen
class Name:
    """A bare name: a variable, a field of the innermost subject, a parameter or an enum value."""

    id: str
    span: Span = _span


@attrs.frozen
class Attr:
    """`obj.name`: a field, or navigation through a reference."""

    obj: Expr
    name: str
    name_span: Span = attrs.field(eq=False, repr=False)
    span: Span = _span


@attrs.frozen
class Literal:
    """A constant written in the ruleset; `kind` says which type it has."""

    kind: Lit["int", "decimal", "text", "date", "duration", "money", "bool"]
    value: int | Decimal | str | date | bool
    currency: str | None = None
    span: Span = _span


@attrs.frozen
class Today:
    """The evaluation date given to the check (never the clock)."""

    span: Span = _span


@attrs.frozen
class SetLit:
    items: tuple[Expr, ...]
    span: Span = _span


@attrs.frozen
class Call:
    """A named predicate or a built-in function applied to arguments."""

    name: str
    args: tuple[Expr, ...]
    name_span: Span = attrs.field(eq=False, repr=False)
    span: Span = _span


@attrs.frozen
class Binder:
    """What a quantifier ranges over: `Claim`, `Claim as c`, or `c in claim.capabilities`."""

    name: str
    var: str | None
    collection: Expr | None
    span: Span = _span


@attrs.frozen
class Aggregate:
    """`sum(xs)`, `count(xs where p)`, `max(c.x for c in xs where p)`."""

    op: Lit["count", "sum", "min", "max", "avg"]
    expr: Expr
    binder: Binder | None
    where: Expr | None
    span: Span = _span


@attrs.frozen
class BackReference:
    """`Claim referencing capability [via capabilities]`: the entities that point at a value."""

    entity: str
    target: Name
    via: str | None
    entity_span: Span = attrs.field(eq=False, repr=False)
    span: Span = _span


@attrs.frozen
class Quantifier:
    """`some x in xs where p`, `no x ...`, `every x ... must q`."""

    kind: Lit["some", "no", "every"]
    binder: Binder
    where: Expr | None
    must: Expr | None
    span: Span = _span


@attrs.frozen
class Reference:
    """`[subject] reference a Capability [as c] [via f] [with|where|without cond]`."""

    subject: Expr | None
    entity: str
    var: str | None
    via: str | None
    negate: bool
    cond: Expr | None
    entity_span: Span = attrs.field(eq=False, repr=False)
    #: How the filter was written (`with`, `where`, `without`), kept for `alignrules fmt`.
    filter_word: str = attrs.field(default="", eq=False, kw_only=True)
    span: Span = _span


@attrs.frozen
class BoolOp:
    op: Lit["and", "or"]
    left: Expr
    right: Expr
    span: Span = _span
    #: Made by `bool_chain` to balance a chain, not written by the author (who can only make
    #: an operand a chain of the same operator with parentheses). The formatter reads it.
    inner: bool = attrs.field(default=False, eq=False, repr=False, kw_only=True)


def bool_chain(op: Lit["and", "or"], operands: Sequence[Expr], span: Span | None = None) -> Expr:
    """`a or b or c ...` as a balanced tree of `BoolOp`s, so that its depth grows with the
    logarithm of its length: a chain of 10,000 conditions nests 14 deep, not 10,000.

    `and` and `or` are associative, and the operands keep their order, so this means what
    the left-nested tree would, evaluation order and missing-value narrowing included.
    """
    if len(operands) == 1:
        return operands[0]
    mid = len(operands) // 2
    left, right = _inner(op, operands[:mid]), _inner(op, operands[mid:])
    return BoolOp(op, left, right, span=span or left.span.to(right.span))


def _inner(op: Lit["and", "or"], operands: Sequence[Expr]) -> Expr:
    part = bool_chain(op, operands)
    if len(operands) > 1 and isinstance(part, BoolOp):  # one operand is the author's own
        return BoolOp(op, part.left, part.right, span=part.span, inner=True)
    return part


@attrs.frozen
class Not:
    expr: Expr
    span: Span = _span


CompareOp = Lit["=", "!=", "<", "<=", ">", ">="]


@attrs.frozen
class Compare:
    """`left op right`, e.g. `capability.status < funded`."""

    op: CompareOp
    left: Expr
    right: Expr
    spelling: str = attrs.field(default="", eq=False)
    span: Span = _span


@attrs.frozen
class IsMissing:
    expr: Expr
    negated: bool
    span: Span = _span


@attrs.frozen
class IsDangling:
    """`ref is dangling` (`negated`: `is not dangling`): does a reference field hold a key
    that names no record?"""

    expr: Expr
    negated: bool
    span: Span = _span


@attrs.frozen
class Member:
    element: Expr
    collection: Expr
    negated: bool
    span: Span = _span


@attrs.frozen
class TextMatch:
    op: Lit["contains", "starts with", "ends with", "matches"]
    left: Expr
    right: Expr
    ignore_case: bool
    span: Span = _span


@attrs.frozen
class Arith:
    op: Lit["+", "-", "*", "/"]
    left: Expr
    right: Expr
    span: Span = _span


@attrs.frozen
class Neg:
    expr: Expr
    span: Span = _span


@attrs.frozen
class Otherwise:
    """`expr otherwise default`: the value, or `default` when it is missing."""

    expr: Expr
    default: Expr
    span: Span = _span


Expr = (
    Name
    | Attr
    | Literal
    | Today
    | SetLit
    | Call
    | Aggregate
    | BackReference
    | Quantifier
    | Reference
    | BoolOp
    | Not
    | Compare
    | IsMissing
    | IsDangling
    | Member
    | TextMatch
    | Arith
    | Neg
    | Otherwise
)


# ------------------------------------------------------------------ schema
@attrs.frozen
class EnumValue:
    name: str
    spellings: tuple[str, ...]
    span: Span = _span


@attrs.frozen
class EnumDecl:
    """`enum Status { proposed < funded }` (ordered) or `enum Channel { tv, social }`."""

    name: str
    values: tuple[EnumValue, ...]
    ordered: bool
    name_span: Span = attrs.field(eq=False, repr=False)
    span: Span = _span


@attrs.frozen
class TypeRef:
    """`text`, `Capability?`, `list of Capability`, `set of Channel`."""

    name: str
    collection: Lit["list", "set"] | None
    optional: bool
    span: Span = _span


@attrs.frozen
class FieldDecl:
    name: str
    type: TypeRef
    data_name: str | None
    split: str | None
    name_span: Span = attrs.field(eq=False, repr=False)
    span: Span = _span
    #: `from parent`: the field holds the key of the record this nested record sits in.
    from_parent: bool = attrs.field(default=False, kw_only=True)
    #: where the `from "..."` text is, for errors in the data path it spells
    data_span: Span | None = attrs.field(default=None, eq=False, repr=False, kw_only=True)
    #: `dangling unreported`: the ruleset reports this reference's dangling keys itself
    dangling_unreported: bool = attrs.field(default=False, kw_only=True)
    #: `column "name"`: the field's column in the entity's warehouse table
    column: str | None = attrs.field(default=None, kw_only=True)
    column_span: Span | None = attrs.field(default=None, eq=False, repr=False, kw_only=True)


@attrs.frozen
class EntityDecl:
    """An entity type bound to a collection of the host's data."""

    name: str
    path: str | None
    csv: str | None
    key: str | None
    fields: tuple[FieldDecl, ...]
    name_span: Span = attrs.field(eq=False, repr=False)
    key_span: Span | None = attrs.field(default=None, eq=False, repr=False)
    span: Span = _span
    #: `at "path"` instead of `in "path"`: the path holds one object, the entity's one record.
    single: bool = attrs.field(default=False, kw_only=True)
    #: `strict`: this entity's data contract is strict (see `StrictDecl`)
    strict: StrictDecl | None = attrs.field(default=None, kw_only=True)
    #: where the path text is, for errors in it
    path_span: Span | None = attrs.field(default=None, eq=False, repr=False, kw_only=True)
    #: `table "schema.name"`: the warehouse table holding the records, for the SQL engines
    table: str | None = attrs.field(default=None, kw_only=True)
    table_span: Span | None = attrs.field(default=None, eq=False, repr=False, kw_only=True)


@attrs.frozen
class ParamDecl:
    name: str
    type: TypeRef
    default: Expr
    name_span: Span = attrs.field(eq=False, repr=False)
    span: Span = _span


@attrs.frozen
class PredicateParam:
    name: str
    type: str
    span: Span = _span


@attrs.frozen
class PredicateDecl:
    name: str
    params: tuple[PredicateParam, ...]
    body: Expr
    name_span: Span = attrs.field(eq=False, repr=False)
    span: Span = _span


@attrs.frozen
class ImportDecl:
    path: str
    span: Span = _span


@attrs.frozen
class StrictDecl:
    """`strict [decimals N]`: the data contract is strict, for every entity or (as an entity
    option) for one: exact enum spellings, numbers written as numbers, at most N decimals,
    keys neither empty nor shared between entities."""

    decimals: int | None
    span: Span = _span


# ------------------------------------------------------------------ rules
@attrs.frozen
class Meta:
    """`title "..."`, `severity error`, `tags "a", "b"` ..."""

    key: str
    values: tuple[str, ...]
    span: Span = _span


@attrs.frozen
class Where:
    expr: Expr
    span: Span = _span


@attrs.frozen
class Let:
    name: str
    expr: Expr
    span: Span = _span
    #: `let related x = ...`: the violation names the record `x` as a related entity
    related: bool = attrs.field(default=False, kw_only=True)


Clause = Where | Let


@attrs.frozen
class Body:
    """`every B... [clauses] must C` or `no B... [clauses] [may C]`."""

    kind: Lit["every", "no"]
    binders: tuple[Binder, ...]
    clauses: tuple[Clause, ...]
    cond: Expr | None
    span: Span = _span
    #: the body's own message, in a rule of several bodies with one message after each
    message: Template | None = attrs.field(default=None, kw_only=True)


@attrs.frozen
class TemplateText:
    text: str


@attrs.frozen
class TemplateHole:
    """`{claim.id}` inside a message: a path of names."""

    path: tuple[str, ...]
    span: Span = _span


@attrs.frozen
class Template:
    parts: tuple[TemplateText | TemplateHole, ...]
    raw: str
    span: Span = _span


@attrs.frozen
class RuleDecl:
    """`rule ID { metadata... body... [message] }`: usually one body; several bodies make one
    rule over several kinds of record, each body with its own subject (language §6.7)."""

    id: str
    meta: tuple[Meta, ...]
    bodies: tuple[Body, ...]
    message: Template | None
    id_span: Span = attrs.field(eq=False, repr=False)
    span: Span = _span


# ------------------------------------------------------------------ examples
@attrs.frozen
class Expect:
    """`expect r on "K1", "K2"` / `expect no r` / `expect nothing` (rule None)."""

    rule: str | None
    keys: tuple[str, ...]
    none: bool
    span: Span = _span


@attrs.frozen
class ExampleDecl:
    name: str
    given: str | None
    given_file: str | None
    params: tuple[tuple[str, Expr], ...]
    today: date | None
    expects: tuple[Expect, ...]
    given_span: Span | None = attrs.field(default=None, eq=False, repr=False)
    today_span: Span | None = attrs.field(default=None, eq=False, repr=False, kw_only=True)
    #: Where each `param` names its parameter, in the order of `params`.
    param_spans: tuple[Span, ...] = attrs.field(default=(), eq=False, repr=False, kw_only=True)
    span: Span = _span


Decl = (
    ImportDecl
    | StrictDecl
    | EnumDecl
    | EntityDecl
    | ParamDecl
    | PredicateDecl
    | RuleDecl
    | ExampleDecl
)


@attrs.frozen
class Ruleset:
    """One parsed file."""

    source: Source = attrs.field(eq=False, repr=False)
    decls: tuple[Decl, ...]
