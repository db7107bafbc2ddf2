"""Typed IR nodes: each expression has `.type` and `.span`; declarations are resolved.

Over 500 lines: the node classes are one closed vocabulary that the type checker, the passes,
both code generators and lint match on exhaustively; kept in one module, the set they must
cover is read in one place.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from decimal import Decimal
from typing import Final, Literal, TypeAlias

import attrs

from alignrules.ir.types import BOOL, Type
from alignrules.runtime.shapes import EACH as EACH  # one spelling for the compiler and binder
from alignrules.runtime.shapes import path_text as path_text
from alignrules.source import Span

_span = attrs.field(eq=False, repr=False, kw_only=True)

# The closed sets of operators, spelled as the language spells them.
AggregateOp: TypeAlias = Literal["count", "sum", "min", "max", "avg"]
QuantKind: TypeAlias = Literal["some", "no", "every"]
BoolOpName: TypeAlias = Literal["and", "or"]
CompareOp: TypeAlias = Literal["=", "!=", "<", "<=", ">", ">="]
#: the operator that compares the same two values written the other way round (`a < b` is `b > a`)
MIRRORED: Final[Mapping[CompareOp, CompareOp]] = {
    "<": ">",
    "<=": ">=",
    ">": "<",
    ">=": "<=",
    "=": "=",
    "!=": "!=",
}
#: the operator that holds exactly where this one does not (`not (a < b)` is `a >= b`)
NEGATED: Final[Mapping[CompareOp, CompareOp]] = {
    "=": "!=",
    "!=": "=",
    "<": ">=",
    ">=": "<",
    ">": "<=",
    "<=": ">",
}
TextOp: TypeAlias = Literal["contains", "starts with", "ends with", "matches"]
ArithOp: TypeAlias = Literal["+", "-", "*", "/"]
RuleSeverity: TypeAlias = Literal["error", "warning", "info"]


# ------------------------------------------------------------------ schema
@attrs.frozen
class Field:
    """A field of an entity: its rule-side name, data-side name, type and binding."""

    name: str
    data_name: str
    type: Type  # declared type; for a reference: EntityT, CollT(EntityT) with OptT as written
    optional: bool
    ref: str | None  # target entity of a reference field
    many: bool  # a list
    split: str | None
    span: Span = _span
    #: the keys the value is under, from the record down (`from "schedule.start"`); a CSV
    #: file holds it in the column named by the keys joined with `.`
    path: tuple[str, ...] = attrs.field(default=(), kw_only=True)
    #: `from parent`: how many steps of the entity's path lead to the record holding this one
    parent: int = attrs.field(default=0, kw_only=True)
    #: false for `dangling unreported`: the loader does not report this field's dangling keys
    report_dangling: bool = attrs.field(default=True, kw_only=True)
    #: `column "name"`: its column in the entity's warehouse table (SQL engines only)
    column: str | None = attrs.field(default=None, kw_only=True)


@attrs.frozen
class Enum:
    name: str
    values: tuple[str, ...]
    spellings: tuple[tuple[str, tuple[str, ...]], ...]
    ordered: bool
    span: Span = _span


@attrs.frozen
class Entity:
    name: str
    path: tuple[str, ...]  # keys, and EACH after a key whose elements hold the records
    csv: str
    key: str
    fields: tuple[Field, ...]
    span: Span = _span
    single: bool = attrs.field(default=False, kw_only=True)  # `at`: one object, one record
    strict: bool = attrs.field(default=False, kw_only=True)  # a strict data contract
    decimals: int | None = attrs.field(default=None, kw_only=True)  # strict: most decimals
    #: `table "schema.name"`: the warehouse table of its records (SQL engines only)
    table: str | None = attrs.field(default=None, kw_only=True)

    def field(self, name: str) -> Field | None:
        for f in self.fields:
            if f.name == name:
                return f
        return None

    @property
    def key_field(self) -> Field:
        f = self.field(self.key)
        assert f is not None
        return f


@attrs.frozen
class Param:
    name: str
    type: Type
    default: object  # a Python value of the type (Decimal, date, frozenset, enum value name ...)
    span: Span = _span


# ------------------------------------------------------------------ expressions
@attrs.frozen
class Var:
    """A variable bound by a quantifier, a `let` or a predicate parameter."""

    name: str
    type: Type
    span: Span = _span


@attrs.frozen
class ParamRef:
    name: str
    type: Type
    span: Span = _span


@attrs.frozen
class Const:
    """A literal: int, Decimal, str, bool, date, duration (days: int), money (Decimal, currency)."""

    value: int | Decimal | str | bool | date
    type: Type
    currency: str | None = None
    span: Span = _span


@attrs.frozen
class EnumConst:
    enum: str
    value: str
    type: Type
    span: Span = _span


@attrs.frozen
class Today:
    type: Type
    span: Span = _span


@attrs.frozen
class SetLit:
    items: tuple[Expr, ...]
    type: Type
    span: Span = _span


@attrs.frozen
class GetField:
    """`obj.field` for a plain (non-reference) field."""

    obj: Expr
    entity: str
    field: str
    type: Type
    span: Span = _span


@attrs.frozen
class Deref:
    """`obj.field` for a reference field: the entity (or entities) it names, found by index."""

    obj: Expr
    entity: str
    field: str
    target: str
    many: bool
    optional: bool
    type: Type
    span: Span = _span


@attrs.frozen
class MapField:
    """`xs.field` over a list: the field of each element, missing values left out."""

    coll: Expr
    var: str
    value: Expr
    flatten: bool
    type: Type
    span: Span = _span


@attrs.frozen
class AllOf:
    """Every entity of a type (`Claim` used as a collection)."""

    entity: str
    type: Type
    span: Span = _span


@attrs.frozen
class BackRef:
    """`Claim referencing capability via capabilities`."""

    entity: str
    field: str
    target: Expr
    type: Type
    span: Span = _span


@attrs.frozen
class PredCall:
    name: str
    args: tuple[Expr, ...]
    type: Type = BOOL
    span: Span = _span


@attrs.frozen
class Builtin:
    name: str
    args: tuple[Expr, ...]
    type: Type
    span: Span = _span


@attrs.frozen
class Aggregate:
    """`op(value for var in coll where cond)`; `value` is `Var(var)` for `sum(xs)`."""

    op: AggregateOp
    var: str
    coll: Expr
    value: Expr
    where: Expr | None
    type: Type
    span: Span = _span


@attrs.frozen
class Quant:
    """`some`, `no` or `every` `var in coll where cond [must body]`."""

    kind: QuantKind
    var: str
    coll: Expr
    where: Expr | None
    must: Expr | None
    type: Type = BOOL
    span: Span = _span


@attrs.frozen
class Refers:
    """`x references a capability where cond`: some entity that one reference field of `x`
    names passes `where`. Made by the type checker; the desugaring pass turns it into a
    `Quant` over the field's targets, so no later stage sees it."""

    refs: Expr  # the reference field of `x` (a `Deref`, perhaps `Narrowed`)
    var: str
    target: str
    where: Expr | None
    type: Type = BOOL
    span: Span = _span


@attrs.frozen
class BoolOp:
    op: BoolOpName
    left: Expr
    right: Expr
    type: Type = BOOL
    span: Span = _span


@attrs.frozen
class Not:
    expr: Expr
    type: Type = BOOL
    span: Span = _span


@attrs.frozen
class Compare:
    """`left op right`; `operand` is the common type the two sides are compared at."""

    op: CompareOp
    left: Expr
    right: Expr
    operand: Type
    type: Type = BOOL
    span: Span = _span


@attrs.frozen
class IsMissing:
    expr: Expr
    negated: bool
    type: Type = BOOL
    span: Span = _span


@attrs.frozen
class IsDangling:
    """`obj.field is dangling` for a reference field: does it hold a key that names no record
    (for a list, any key)? Testing the key follows nothing, so this never dangles itself.
    `negated` is `is not dangling`; a missing reference does not dangle."""

    obj: Expr
    entity: str
    field: str
    target: str
    many: bool
    optional: bool
    negated: bool
    type: Type = BOOL
    span: Span = _span


@attrs.frozen
class Member:
    element: Expr
    coll: Expr
    negated: bool
    type: Type = BOOL
    span: Span = _span


@attrs.frozen
class TextMatch:
    op: TextOp
    left: Expr
    right: Expr
    ignore_case: bool
    regex_id: int | None = None  # index into Program.regexes for `matches` with a constant
    type: Type = BOOL
    span: Span = _span


@attrs.frozen
class Arith:
    op: ArithOp
    left: Expr
    right: Expr
    type: Type
    span: Span = _span


@attrs.frozen
class Neg:
    expr: Expr
    type: Type
    span: Span = _span


@attrs.frozen
class Otherwise:
    expr: Expr
    default: Expr
    type: Type
    span: Span = _span


@attrs.frozen
class Narrowed:
    """An optional value known to be present here (after `x is present and ...`)."""

    expr: Expr
    type: Type
    span: Span = _span


@attrs.frozen
class Invalid:
    """A subtree already reported as wrong."""

    type: Type
    span: Span = _span


Expr = (
    Var
    | ParamRef
    | Const
    | EnumConst
    | Today
    | SetLit
    | GetField
    | Deref
    | MapField
    | AllOf
    | BackRef
    | PredCall
    | Builtin
    | Aggregate
    | Quant
    | Refers
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
    | Narrowed
    | Invalid
)


# ------------------------------------------------------------------ rules
@attrs.frozen
class Bind:
    """A loop: `for var in coll`."""

    var: str
    coll: Expr
    entity: str | None  # element entity type, when the elements are entities
    span: Span = _span


@attrs.frozen
class Filter:
    cond: Expr
    span: Span = _span


@attrs.frozen
class LetStep:
    var: str
    expr: Expr
    span: Span = _span


Step = Bind | Filter | LetStep


@attrs.frozen
class MessagePart:
    """Either constant text or an expression to format."""

    text: str | None
    expr: Expr | None


@attrs.frozen
class Rule:
    """A rule lowered to loops: a violation is yielded for each combination of bindings that
    passes every step and for which `cond` is false (`every`) or true (`no`)."""

    id: str
    title: str
    severity: RuleSeverity
    rationale: str
    owner: str | None
    tags: tuple[str, ...]
    links: tuple[str, ...]
    steps: tuple[Step, ...]
    cond: Expr | None
    violate_when: bool  # False for `every ... must cond`, True for `no ... may cond`
    subject: str  # the first bound variable: the entity the violation is about
    subject_entity: str
    related: tuple[tuple[str, str], ...]  # other bound entity variables: (var, entity)
    message: tuple[MessagePart, ...]
    field: str | None  # the subject's field the condition is about, for its location
    span: Span = _span
    #: the `var.ref is dangling` tests every finding of the rule has passed: their dangling
    #: keys are related entities of the finding, records that do not exist (`passes.related`)
    dangling_related: tuple[IsDangling, ...] = attrs.field(default=(), kw_only=True)
    #: which body of its rule this is, from 0: a rule of several bodies (one per kind of
    #: record) is one `Rule` per body, all with the same id and metadata, adjacent in
    #: `Program.rules`
    part: int = attrs.field(default=0, kw_only=True)
    #: how many bodies its rule has
    bodies: int = attrs.field(default=1, kw_only=True)

    @property
    def name(self) -> str:
        """How findings about this body name it: `rule `x``, or `body 2 of rule `x``."""
        return (
            f"body {self.part + 1} of rule `{self.id}`" if self.bodies > 1 else f"rule `{self.id}`"
        )


@attrs.frozen
class Predicate:
    name: str
    params: tuple[tuple[str, Type], ...]
    body: Expr
    span: Span = _span


@attrs.frozen
class Example:
    name: str
    given: str | None
    given_file: str | None
    params: tuple[tuple[str, object], ...]
    today: date | None
    expects: tuple[tuple[str | None, tuple[str, ...], bool], ...]
    span: Span = _span


@attrs.frozen
class Program:
    """A whole ruleset, every file merged, ready for code generation."""

    name: str
    enums: tuple[Enum, ...]
    entities: tuple[Entity, ...]
    params: tuple[Param, ...]
    predicates: tuple[Predicate, ...]
    rules: tuple[Rule, ...]
    regexes: tuple[tuple[str, bool], ...]  # (pattern, ignore_case)
    examples: tuple[Example, ...]
    uses_today: bool

    def rule_bodies(self) -> dict[str, tuple[Rule, ...]]:
        """Each rule id with its bodies, one `Rule` each, in declaration order: what lists
        rules (not bodies) reads."""
        out: dict[str, tuple[Rule, ...]] = {}
        for r in self.rules:
            out[r.id] = (*out.get(r.id, ()), r)
        return out

    def entity(self, name: str) -> Entity:
        for e in self.entities:
            if e.name == name:
                return e
        raise KeyError(name)


def walk(e: Expr) -> Iterator[Expr]:
    """Every expression node under `e`, `e` first."""
    yield e
    for field in attrs.fields(type(e)):
        value = getattr(e, field.name)
        if isinstance(value, tuple):
            for v in value:
                if is_expr(v):
                    yield from walk(v)
        elif is_expr(value):
            yield from walk(value)


def is_expr(value: object) -> bool:
    """Whether a field's value is an expression node (every one has `type` and `span`)."""
    return attrs.has(type(value)) and hasattr(value, "type") and hasattr(value, "span")


def free_vars(e: Expr) -> set[str]:
    """The variables `e` reads from its surroundings (not those its own quantifiers,
    aggregates and navigations bind)."""
    nodes = list(walk(e))
    inner = {n.var for n in nodes if isinstance(n, Quant | Aggregate | MapField)}
    return {n.name for n in nodes if isinstance(n, Var)} - inner
