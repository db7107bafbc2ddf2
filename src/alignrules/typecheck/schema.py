"""Schema declarations (enums, entities, parameters) resolved into IR declarations."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal

import attrs

from alignrules.diagnostics import Diagnostic, did_you_mean
from alignrules.ir import nodes as ir
from alignrules.ir import types as t
from alignrules.source import Span
from alignrules.syntax import ast
from alignrules.typecheck import paths, tables

Report = Callable[[Diagnostic], None]

RESERVED_FIELD_PREFIX = "ar_"


def snake(name: str) -> str:
    """`MarketingClaim` → `marketing_claim`: how an entity is named as a variable."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def plural(word: str) -> str:
    if re.search(r"[^aeiou]y$", word):
        return word[:-1] + "ies"
    if word.endswith(("s", "x", "ch", "sh")):
        return word + "es"
    return word + "s"


class SchemaBuilder:
    """Collects enums and entities from every file and resolves field types."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.enums: dict[str, ir.Enum] = {}
        self.entities: dict[str, ir.Entity] = {}
        self.spans: dict[str, Span] = {}
        self.strict: ast.StrictDecl | None = None  # `strict` for every entity

    def set_strict(self, decls: Sequence[ast.StrictDecl]) -> None:
        """The ruleset-wide `strict` declaration: at most one in all the files."""
        for d in decls[1:]:
            first = decls[0].span
            self.report(
                Diagnostic(
                    "duplicate-name",
                    f"`strict` is declared twice (first at {first.source.name}:{first.line})",
                    d.span,
                    "keep one `strict` for the ruleset, or make single entities strict",
                )
            )
        self.strict = decls[0] if decls else None

    def type_names(self) -> list[str]:
        return [*t.PRIMS, *self.enums, *self.entities]

    def add_enum(self, d: ast.EnumDecl) -> None:
        if self._taken(d.name, d.name_span):
            return
        seen: set[str] = set()
        values: list[str] = []
        spellings: list[tuple[str, tuple[str, ...]]] = []
        for v in d.values:
            if v.name in seen:
                self.report(
                    Diagnostic("duplicate-name", f"enum `{d.name}` lists `{v.name}` twice", v.span)
                )
                continue
            seen.add(v.name)
            values.append(v.name)
            spellings.append((v.name, v.spellings))
        self.enums[d.name] = ir.Enum(
            d.name, tuple(values), tuple(spellings), d.ordered, span=d.span
        )

    def _taken(self, name: str, span: Span) -> bool:
        if name in ("list", "set"):
            self.report(
                Diagnostic(
                    "duplicate-name",
                    f"`{name}` cannot name a type: `{name} of T` already means a collection",
                    span,
                )
            )
            return True
        if name in self.spans or name in t.PRIMS:
            where = self.spans.get(name)
            prev = f" (first declared at {where.source.name}:{where.line})" if where else ""
            self.report(
                Diagnostic(
                    "duplicate-name",
                    f"`{name}` is declared twice{prev}",
                    span,
                    "type names are shared by enums, entities and the built-in types",
                )
            )
            return True
        self.spans[name] = span
        return False

    def declare_entity(self, d: ast.EntityDecl) -> bool:
        return not self._taken(d.name, d.name_span)

    def resolve_type(self, ref: ast.TypeRef) -> tuple[t.Type, str | None]:
        """The declared type, and the target entity when it is a reference."""
        base: t.Type
        target = None
        if ref.name in t.PRIMS:
            base = t.PRIMS[ref.name]
        elif ref.name in self.enums:
            e = self.enums[ref.name]
            base = t.EnumT(e.name, e.values, e.ordered)
        elif ref.name in self.spans:  # an entity (declared, perhaps resolved later)
            base, target = t.EntityT(ref.name), ref.name
        else:
            self.report(
                Diagnostic(
                    "unknown-type",
                    f"unknown type `{ref.name}`",
                    ref.span,
                    did_you_mean(ref.name, self.type_names())
                    or "types are text, int, decimal, money, bool, date, duration, "
                    "or a declared enum or entity",
                )
            )
            return t.INVALID, None
        if ref.collection:
            base = t.CollT(base, ref.collection)
        return base, target

    def add_entity(self, d: ast.EntityDecl) -> None:
        fields: list[ir.Field] = []
        data_names: dict[str, str] = {}
        names: set[str] = set()
        for f in d.fields:
            if f.name in names:
                self.report(
                    Diagnostic(
                        "duplicate-name",
                        f"entity `{d.name}` has two fields `{f.name}`",
                        f.name_span,
                    )
                )
                continue
            names.add(f.name)
            if f.name.startswith(RESERVED_FIELD_PREFIX):
                self.report(
                    Diagnostic(
                        "bad-binding",
                        f"field names starting with `{RESERVED_FIELD_PREFIX}` are reserved",
                        f.name_span,
                        f'rename it and bind the data with `from "{f.name}"`',
                    )
                )
                continue
            typ, target = self.resolve_type(f.type)
            steps = self._field_path(f)
            data_name = ".".join(steps)
            if data_name in data_names:
                self.report(
                    Diagnostic(
                        "bad-binding",
                        f"fields `{data_names[data_name]}` and `{f.name}` both read `{data_name}`",
                        f.span,
                    )
                )
            data_names[data_name] = f.name
            many = isinstance(typ, t.CollT)
            if f.split is not None and not many:
                self.report(
                    Diagnostic(
                        "bad-binding",
                        f"`split` needs a list field, and `{f.name}` is `{typ}`",
                        f.span,
                        f"declare it as `list of {f.type.name}`",
                    )
                )
            if f.dangling_unreported and target is None:
                self.report(
                    Diagnostic(
                        "not-a-reference",
                        f"`dangling unreported` needs a reference field, and `{f.name}` is `{typ}`",
                        f.span,
                        "only a field declared with an entity type holds keys that can dangle",
                    )
                )
            if f.split == "":
                self.report(Diagnostic("bad-binding", "`split` needs a separator", f.span))
            if isinstance(typ, t.CollT) and typ.kind == "set":
                typ = t.CollT(typ.elem, "list")
            fields.append(
                ir.Field(
                    f.name,
                    data_name,
                    typ,
                    f.type.optional,
                    target,
                    many,
                    f.split or None,
                    span=f.span,
                    path=steps if len(steps) > 1 else (),
                    # resolved in `check_references`, once every entity's path is known
                    parent=-1 if f.from_parent else 0,
                    report_dangling=not f.dangling_unreported,
                    column=tables.column_name(d, f, many, self.report),
                )
            )
        key = d.key if d.key is not None else "id"
        key_span = d.key_span or d.name_span
        key_field = next((f for f in fields if f.name == key), None)
        if key_field is None:
            self.report(
                Diagnostic(
                    "bad-key",
                    f"entity `{d.name}` has no field `{key}` to use as its key",
                    key_span,
                    did_you_mean(key, [f.name for f in fields])
                    or "declare the key with `key <field>` after the entity name",
                )
            )
        elif key_field.type != t.INVALID and (
            key_field.type not in (t.TEXT, t.INT) or key_field.optional
        ):
            self.report(
                Diagnostic(
                    "bad-key",
                    f"the key `{key}` of `{d.name}` must be a required text or int field",
                    key_span,
                )
            )
        path = d.path if d.path is not None else plural(snake(d.name))
        segments = paths.entity_steps(path)
        if isinstance(segments, paths.PathProblem):
            self.report(segments.diagnostic(d.path_span, d.span))
            segments = ()
        csv = d.csv if d.csv is not None else (segments[-1] if segments else d.name) + ".csv"
        strict = d.strict or self.strict
        self.entities[d.name] = ir.Entity(
            d.name,
            segments,
            csv,
            key,
            tuple(fields),
            span=d.span,
            single=d.single,
            strict=strict is not None,
            decimals=strict.decimals if strict is not None else None,
            table=tables.table_name(d, self.report),
        )

    def _field_path(self, f: ast.FieldDecl) -> tuple[str, ...]:
        """The keys a field is read from: its `from` path, or its own name."""
        if f.data_name is None:
            return (f.name,)
        steps = paths.field_steps(f.data_name)
        if isinstance(steps, paths.PathProblem):
            self.report(steps.diagnostic(f.data_span, f.span))
            return (f.name,)
        return steps

    def check_references(self) -> None:
        """Every reference field must point at an entity whose key type the data can hold;
        every `from parent` field at an entity whose records hold this entity's records."""
        for e in list(self.entities.values()):
            for f in e.fields:
                if f.ref and f.ref not in self.entities:  # pragma: no cover - resolved earlier
                    self.report(Diagnostic("unknown-entity", f"unknown entity `{f.ref}`", f.span))
            if any(f.parent < 0 for f in e.fields):
                fields = tuple(
                    attrs.evolve(f, parent=self._parent_steps(e, f)) if f.parent < 0 else f
                    for f in e.fields
                )
                self.entities[e.name] = attrs.evolve(e, fields=fields)

    def _parent_steps(self, e: ir.Entity, f: ir.Field) -> int:
        """How many steps of `e`'s path lead to the record of `f.ref` that holds each record
        of `e`; reports the field and returns 0 when no such record can hold it."""
        holder = self.entities.get(f.ref) if f.ref is not None else None
        # An optional type is allowed (a shared schema may declare the field optional for
        # other exports); the holder is always there.
        if holder is None or f.many:
            if f.type != t.INVALID:
                self.report(
                    Diagnostic(
                        "bad-binding",
                        f"`from parent` needs the type of the entity that holds `{e.name}`, "
                        f"and `{f.name}` is `{f.type}`",
                        f.span,
                        f"declare it as the entity whose records hold the `{e.name}` records",
                    )
                )
            return 0
        steps = len(holder.path) + (0 if holder.single else 1)
        inside = (
            len(e.path) > steps
            and e.path[: len(holder.path)] == holder.path
            and (holder.single or e.path[len(holder.path)] == ir.EACH)
        )
        if not inside or not holder.path:
            want = ir.path_text(holder.path) + ("" if holder.single else ir.EACH)
            self.report(
                Diagnostic(
                    "bad-binding",
                    f"`{e.name}` records are at `{ir.path_text(e.path)}`, which is not inside "
                    f"the `{holder.name}` records at `{ir.path_text(holder.path)}`",
                    f.span,
                    f'read `{e.name}` from inside them: `in "{want}.<key>"`',
                )
            )
            return 0
        return steps


def enum_type(e: ir.Enum) -> t.EnumT:
    return t.EnumT(e.name, e.values, e.ordered)


def literal_value(
    lit: ast.Literal,
) -> tuple[int | Decimal | str | bool | date, t.Type, str | None]:
    kinds: dict[str, t.Type] = {
        "int": t.INT,
        "decimal": t.DECIMAL,
        "text": t.TEXT,
        "date": t.DATE,
        "duration": t.DURATION,
        "money": t.MONEY,
        "bool": t.BOOL,
    }
    return lit.value, kinds[lit.kind], lit.currency


def names_of(items: Sequence[str]) -> list[str]:
    return list(items)
