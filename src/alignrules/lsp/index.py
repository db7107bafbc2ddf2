"""Where each name of a ruleset is declared and where it is used, from the AST and the IR.

Declarations come from the AST (each has the span of its name). Uses come from the typed
IR where the type checker resolved them (which entity a `claim.status` reads, which enum
`funded` belongs to) and from the AST where the syntax alone says it (a field's type, an
`import`, an example's `expect`). Nothing here depends on the editor protocol.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Final

import attrs

from alignrules.compile import Analysis
from alignrules.ir import nodes as ir
from alignrules.source import Source, Span
from alignrules.syntax import ast
from alignrules.typecheck.schema import snake

#: What a name denotes: ("entity", E), ("field", E, f), ("enum", N), ("value", N, v),
#: ("param", p), ("predicate", p), ("rule", id) or ("file", absolute path).
Key = tuple[str, ...]

_NAME: Final = r"[A-Za-z_][A-Za-z0-9_]*"
# A message template's hole keeps its braces in the span: `{claim.id}`.
_TRAILING: Final = re.compile(r"(" + _NAME + r")\s*\}?\s*$")
_LEADING: Final = re.compile(r"\s*(" + _NAME + ")")


@attrs.frozen
class Occurrence:
    """A name as written: its declaration (`decl`) or a use."""

    key: Key
    span: Span
    decl: bool = False


@attrs.frozen
class Index:
    """Every declaration and use of a ruleset's names."""

    occurrences: tuple[Occurrence, ...]
    paths: dict[str, Path] = attrs.field(eq=False)  # source name → file

    def at(self, path: Path, offset: int) -> Occurrence | None:
        """The occurrence under `offset` of `path` (the innermost when spans nest)."""
        hits = [
            o
            for o in self.occurrences
            if self.paths.get(o.span.source.name) == path and o.span.start <= offset <= o.span.end
        ]
        return min(hits, key=lambda o: o.span.end - o.span.start, default=None)

    def declaration(self, key: Key) -> Occurrence | None:
        return next((o for o in self.occurrences if o.key == key and o.decl), None)

    def uses(self, key: Key) -> list[Occurrence]:
        return [o for o in self.occurrences if o.key == key]


def build_index(analysis: Analysis) -> Index:
    """The index of what `analysis` parsed and typed."""
    found: dict[tuple[Key, str, int, int], Occurrence] = {}
    types = _type_names(analysis)
    for path, tree in analysis.files:
        for occ in (*_declared(tree, path, types), *_entity_names(tree, types)):
            found.setdefault((occ.key, occ.span.source.name, occ.span.start, occ.span.end), occ)
    if analysis.program is not None:
        for occ in _used(analysis.program):
            found.setdefault((occ.key, occ.span.source.name, occ.span.start, occ.span.end), occ)
    paths = {tree.source.name: path for path, tree in analysis.files}
    ordered = sorted(found.values(), key=lambda o: (o.span.source.name, o.span.start, o.key))
    return Index(tuple(ordered), paths)


def _type_names(analysis: Analysis) -> dict[str, Key]:
    """Declared type names (and the snake-case names that stand for entities) → their key."""
    out: dict[str, Key] = {}
    for _, tree in analysis.files:
        for d in tree.decls:
            match d:
                case ast.EnumDecl():
                    out.setdefault(d.name, ("enum", d.name))
                case ast.EntityDecl():
                    out.setdefault(d.name, ("entity", d.name))
                    out.setdefault(snake(d.name), ("entity", d.name))
    return out


def _sub(span: Span, match: re.Match[str] | None, name: str) -> Span | None:
    """The span of group 1 of `match` (made on the text of `span`) when it is `name`."""
    if match is None or match[1] != name:
        return None
    return Span(span.source, span.start + match.start(1), span.start + match.end(1))


def _text(span: Span) -> str:
    return span.source.text[span.start : span.end]


def trailing_name(span: Span, name: str) -> Span | None:
    """Where `name` is written at the end of `span` (`claim.status` → `status`)."""
    return _sub(span, _TRAILING.search(_text(span)), name)


def leading_name(span: Span, name: str) -> Span | None:
    return _sub(span, _LEADING.match(_text(span)), name)


def _word_in(span: Span, word: str, last: bool = True) -> Span | None:
    hits = list(re.finditer(r"(?<![\w.\-])(" + re.escape(word) + r")(?![\w\-])", _text(span)))
    if not hits:
        return None
    m = hits[-1] if last else hits[0]
    return Span(span.source, span.start + m.start(1), span.start + m.end(1))


def _type_use(ref: ast.TypeRef, types: dict[str, Key]) -> Iterator[Occurrence]:
    key = types.get(ref.name)
    at = _word_in(ref.span, ref.name)
    if key is not None and at is not None:
        yield Occurrence(key, at)


def _declared(tree: ast.Ruleset, path: Path, types: dict[str, Key]) -> Iterator[Occurrence]:
    at: Span | None
    for d in tree.decls:
        match d:
            case ast.ImportDecl():
                quoted = re.search(r'"(?:[^"\\]|\\.)*"', _text(d.span))
                if quoted is not None:
                    start = d.span.start + quoted.start()
                    at = Span(d.span.source, start, d.span.start + quoted.end())
                    yield Occurrence(("file", str((path.parent / d.path).resolve())), at)
            case ast.EnumDecl():
                yield Occurrence(("enum", d.name), d.name_span, decl=True)
                for v in d.values:
                    at = leading_name(v.span, v.name)
                    if at is not None:
                        yield Occurrence(("value", d.name, v.name), at, decl=True)
            case ast.EntityDecl():
                yield Occurrence(("entity", d.name), d.name_span, decl=True)
                if d.key is not None and d.key_span is not None:
                    at = trailing_name(d.key_span, d.key) or d.key_span
                    yield Occurrence(("field", d.name, d.key), at)
                for f in d.fields:
                    yield Occurrence(("field", d.name, f.name), f.name_span, decl=True)
                    yield from _type_use(f.type, types)
            case ast.ParamDecl():
                yield Occurrence(("param", d.name), d.name_span, decl=True)
                yield from _type_use(d.type, types)
            case ast.PredicateDecl():
                yield Occurrence(("predicate", d.name), d.name_span, decl=True)
                for p in d.params:
                    key = types.get(p.type)
                    at = trailing_name(p.span, p.type)
                    if key is not None and at is not None:
                        yield Occurrence(key, at)
            case ast.RuleDecl():
                yield Occurrence(("rule", d.id), d.id_span, decl=True)
            case ast.ExampleDecl():
                for exp in d.expects:
                    at = None if exp.rule is None else _word_in(exp.span, exp.rule, last=False)
                    if exp.rule is not None and at is not None:
                        yield Occurrence(("rule", exp.rule), at)
                for (name, _), span in zip(d.params, d.param_spans, strict=False):
                    yield Occurrence(("param", name), span)


def _entity_names(tree: ast.Ruleset, types: dict[str, Key]) -> Iterator[Occurrence]:
    """Entity names written in expressions (`reference a capability`, `Claim referencing x`),
    which the IR folds into the traversal it stands for."""
    for node in _nodes(tree.decls):
        if isinstance(node, ast.Reference | ast.BackReference):
            key = types.get(_text(node.entity_span))
            if key is not None and key[0] == "entity":
                yield Occurrence(key, node.entity_span)


def _nodes(value: object) -> Iterator[object]:
    """Every AST node in `value` (a node or a tuple of them), depth first."""
    if isinstance(value, tuple):
        for item in value:
            yield from _nodes(item)
        return
    cls = type(value)
    if attrs.has(cls) and not isinstance(value, Span | Source):
        yield value
        for field in attrs.fields(cls):
            if field.eq:  # spans and sources are left out of equality, and out of the walk
                yield from _nodes(getattr(value, field.name))


def _used(program: ir.Program) -> Iterator[Occurrence]:
    exprs: list[ir.Expr] = [p.body for p in program.predicates]
    for rule in program.rules:
        for step in rule.steps:
            match step:
                case ir.Bind():
                    exprs.append(step.coll)
                case ir.Filter():
                    exprs.append(step.cond)
                case ir.LetStep():
                    exprs.append(step.expr)
        if rule.cond is not None:
            exprs.append(rule.cond)
        exprs.extend(part.expr for part in rule.message if part.expr is not None)
    entities = {e.name for e in program.entities}
    for top in exprs:
        for e in ir.walk(top):
            yield from _use(e, entities)


def _use(e: ir.Expr, entities: set[str]) -> Iterator[Occurrence]:
    at: Span | None = None
    key: Key
    match e:
        case ir.GetField() | ir.Deref():
            key = ("field", e.entity, e.field)
            at = trailing_name(e.span, e.field) or _via(e.span, e.field)
        case ir.EnumConst():
            key, at = ("value", e.enum, e.value), trailing_name(e.span, e.value)
        case ir.ParamRef():
            key, at = ("param", e.name), trailing_name(e.span, e.name)
        case ir.PredCall():
            key, at = ("predicate", e.name), leading_name(e.span, e.name)
        case ir.AllOf() | ir.BackRef() if e.entity in entities:
            key = ("entity", e.entity)
            at = leading_name(e.span, e.entity) or leading_name(e.span, snake(e.entity))
            if isinstance(e, ir.BackRef) and (via := _via(e.span, e.field)) is not None:
                yield Occurrence(("field", e.entity, e.field), via)
        case _:
            return
    if at is not None:
        yield Occurrence(key, at)


def _via(span: Span, field: str) -> Span | None:
    """`via field` inside a reference phrase: the field that the traversal follows."""
    return _sub(span, re.search(r"\bvia\s+(" + _NAME + r")\b", _text(span)), field)
