"""What hover shows for a name: Markdown made from the typed IR and the declaration's text."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from alignrules.compile import Analysis
from alignrules.ir import nodes as ir
from alignrules.lsp.index import Key
from alignrules.source import Span
from alignrules.syntax import ast


def describe(key: Key, analysis: Analysis) -> str | None:
    """Markdown for the name `key`, or None when nothing is known of it."""
    program = analysis.program
    match key:
        case ("entity", name) if program is not None:
            entity = _entity(program, name)
            return None if entity is None else _entity_text(entity)
        case ("field", entity_name, field_name) if program is not None:
            entity = _entity(program, entity_name)
            f = None if entity is None else entity.field(field_name)
            return None if entity is None or f is None else _field_text(entity, f)
        case ("enum", name) if program is not None:
            enum = next((e for e in program.enums if e.name == name), None)
            return None if enum is None else _enum_text(enum, None)
        case ("value", enum_name, value) if program is not None:
            enum = next((e for e in program.enums if e.name == enum_name), None)
            return None if enum is None else _enum_text(enum, value)
        case ("rule", rule_id):
            decl = _decl(analysis, ast.RuleDecl, rule_id)
            return None if decl is None else _rule_text(decl)
        case ("param", name):
            decl = _decl(analysis, ast.ParamDecl, name)
            if decl is None:
                return None
            return (
                f"**parameter** `{name}`\n\n{_code(decl.span)}\n\n"
                f"Override it with `--param {name}=VALUE` or `params=` in the API."
            )
        case ("predicate", name):
            decl = _decl(analysis, ast.PredicateDecl, name)
            return None if decl is None else f"**predicate** `{name}`\n\n{_code(decl.span)}"
        case ("file", path):
            return f"**imported file** `{path}`"
    return None


def _code(span: Span) -> str:
    return "```alignrules\n" + span.source.text[span.start : span.end] + "\n```"


def _where(span: Span) -> str:
    return f"{span.source.name}:{span.line}"


def _entity(program: ir.Program, name: str) -> ir.Entity | None:
    return next((e for e in program.entities if e.name == name), None)


def _decl(
    analysis: Analysis, kind: type[ast.RuleDecl | ast.ParamDecl | ast.PredicateDecl], name: str
) -> Any:
    """The first declaration of `kind` named `name` (an instance of `kind`), or None."""
    for _, tree in analysis.files:
        for d in tree.decls:
            if isinstance(d, kind) and (d.id if isinstance(d, ast.RuleDecl) else d.name) == name:
                return d
    return None


def _collection(entity: ir.Entity) -> str:
    return f"`{'.'.join(entity.path)}` in JSON or YAML, `{entity.csv}` in a CSV folder"


def _entity_text(entity: ir.Entity) -> str:
    fields = "\n".join(f"- `{f.name}: {_type(f)}`" for f in entity.fields)
    return (
        f"**entity** `{entity.name}` ({_where(entity.span)})\n\n"
        f"Records are read from {_collection(entity)}; key `{entity.key}`.\n\n{fields}"
    )


def _type(f: ir.Field) -> str:
    """The field's type as declared: `date?` for an optional field."""
    shown = str(f.type)
    return shown + "?" if f.optional and not shown.endswith("?") else shown


def _field_text(entity: ir.Entity, f: ir.Field) -> str:
    lines = [f"**field** `{entity.name}.{f.name}: {_type(f)}`", ""]
    read = f"Read from `{f.data_name}` of each record at {_collection(entity)}"
    if f.split is not None:
        read += f", a list split on `{f.split}` in a CSV cell"
    lines.append(read + ".")
    if f.ref is not None:
        kind = "keys of" if f.many else "the key of"
        lines.append(f"\nHolds {kind} `{f.ref}` records.")
    if f.optional:
        lines.append("\nOptional: may be missing in the data.")
    return "\n".join(lines)


def _enum_text(enum: ir.Enum, value: str | None) -> str:
    sep = " < " if enum.ordered else ", "
    shown = sep.join(f"**{v}**" if v == value else v for v in enum.values)
    kind = "ordered enum" if enum.ordered else "enum (unordered)"
    head = f"**{kind}** `{enum.name}`"
    if value is not None:
        pos = enum.values.index(value) + 1 if value in enum.values else 0
        head = f"**value** `{value}` of {kind} `{enum.name}` ({pos} of {len(enum.values)})"
    spellings = [f"- `{v}` also reads {', '.join(map(repr, s))}" for v, s in enum.spellings if s]
    return "\n\n".join([head, f"`{shown}`", *(["\n".join(spellings)] if spellings else [])])


def _rule_text(d: ast.RuleDecl) -> str:
    meta = dict(_meta(d))
    lines = [f"**rule** `{d.id}` ({_where(d.id_span)})"]
    if "title" in meta:
        lines.append(meta["title"])
    lines.append(f"severity: `{meta.get('severity', 'error')}`")
    if len(d.bodies) > 1:  # one rule over several kinds of record
        lines.append("bodies: " + ", ".join(f"`{b.kind} {b.binders[0].name}`" for b in d.bodies))
    for key in ("rationale", "owner", "tags", "links"):
        if key in meta:
            lines.append(f"{key}: {meta[key]}")
    return "\n\n".join(lines)


def _meta(d: ast.RuleDecl) -> Iterator[tuple[str, str]]:
    for m in d.meta:
        yield m.key, ", ".join(m.values)
