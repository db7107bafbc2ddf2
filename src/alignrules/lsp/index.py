"""Where each name of a ruleset is declared and where it is used, from the AST and the IR.

Declarations come from the AST (each has the span of its name). Uses come from the typed
IR where the type checker resolved them (which entity a `claim.status` reads, which enum
`funded` belongs to) and from the AST where the syntax alone says it (a field's type, an
`import`, an example's `expect`). Where a name stands inside a span is read from the parse's
tokens (`syntax.tokens`); only a message template's holes, which sit inside one string token,
are read from their text. Nothing here depends on the editor protocol.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Final

import attrs
from lark import Token

from alignrules.compile import Analysis
from alignrules.ir import nodes as ir
from alignrules.source import Source, Span
from alignrules.syntax import ast
from alignrules.syntax.tokens import Lexed
from alignrules.typecheck.schema import snake

#: What a name denotes: ("entity", E), ("field", E, f), ("enum", N), ("value", N, v),
#: ("param", p), ("predicate", p), ("rule", id) or ("file", absolute path).
Key = tuple[str, ...]

_NAME: Final = r"[A-Za-z_][A-Za-z0-9_]*"
# A message template's hole keeps its braces in the span: `{claim.id}`.
_TRAILING: Final = re.compile(r"(" + _NAME + r")\s*\}?\s*$")


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
    toks = Tokens(analysis.lexed)
    for path, tree in analysis.files:
        for occ in (*_declared(tree, path, types, toks), *_entity_names(tree, types)):
            found.setdefault((occ.key, occ.span.source.name, occ.span.start, occ.span.end), occ)
    if analysis.program is not None:
        for occ in _used(analysis.program, toks):
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


class Tokens:
    """The parse's tokens of every file, asked by span."""

    def __init__(self, lexed: Mapping[str, Lexed]) -> None:
        self.lexed = lexed

    def within(self, span: Span) -> list[Token]:
        """The tokens that lie wholly inside `span` (none when it is inside a string)."""
        lexed = self.lexed.get(span.source.name)
        if lexed is None:
            return []
        out = []
        tok = lexed.at(span.start)
        while tok is not None and (tok.end_pos or 0) <= span.end:
            out.append(tok)
            tok = lexed.at(tok.end_pos or 0)
        return out

    def trailing_name(self, span: Span, name: str) -> Span | None:
        """Where `name` is written at the end of `span` (`claim.status` → `status`)."""
        found = self.within(span)
        if found and found[-1].type == "RBRACE":
            found.pop()
        if not found:  # a message template's hole, inside its string
            return _sub(span, _TRAILING.search(_text(span)), name)
        return _at(span, found[-1]) if found[-1] == name else None

    def leading_name(self, span: Span, name: str) -> Span | None:
        found = self.within(span)
        return _at(span, found[0]) if found and found[0] == name else None

    def word(self, span: Span, word: str, last: bool = True) -> Span | None:
        hits = [t for t in self.within(span) if t == word]
        if not hits:
            return None
        return _at(span, hits[-1] if last else hits[0])

    def via(self, span: Span, field: str) -> Span | None:
        """`via field` inside a reference phrase: the field that the traversal follows."""
        found = self.within(span)
        for before, tok in itertools.pairwise(found):
            if before == "via" and tok.type == "NAME":
                return _at(span, tok) if tok == field else None
        return None


def _at(span: Span, tok: Token) -> Span:
    return Span(span.source, tok.start_pos or 0, tok.end_pos or 0)


def _sub(span: Span, match: re.Match[str] | None, name: str) -> Span | None:
    """The span of group 1 of `match` (made on the text of `span`) when it is `name`."""
    if match is None or match[1] != name:
        return None
    return Span(span.source, span.start + match.start(1), span.start + match.end(1))


def _text(span: Span) -> str:
    return span.source.text[span.start : span.end]


def _type_use(ref: ast.TypeRef, types: dict[str, Key], toks: Tokens) -> Iterator[Occurrence]:
    key = types.get(ref.name)
    at = toks.word(ref.span, ref.name)
    if key is not None and at is not None:
        yield Occurrence(key, at)


def _declared(
    tree: ast.Ruleset, path: Path, types: dict[str, Key], toks: Tokens
) -> Iterator[Occurrence]:
    at: Span | None
    for d in tree.decls:
        match d:
            case ast.ImportDecl():  # its span is the string token
                yield Occurrence(("file", str((path.parent / d.path).resolve())), d.span)
            case ast.EnumDecl():
                yield Occurrence(("enum", d.name), d.name_span, decl=True)
                for v in d.values:
                    at = toks.leading_name(v.span, v.name)
                    if at is not None:
                        yield Occurrence(("value", d.name, v.name), at, decl=True)
            case ast.EntityDecl():
                yield Occurrence(("entity", d.name), d.name_span, decl=True)
                if d.key is not None and d.key_span is not None:
                    at = toks.trailing_name(d.key_span, d.key) or d.key_span
                    yield Occurrence(("field", d.name, d.key), at)
                for f in d.fields:
                    yield Occurrence(("field", d.name, f.name), f.name_span, decl=True)
                    yield from _type_use(f.type, types, toks)
            case ast.ParamDecl():
                yield Occurrence(("param", d.name), d.name_span, decl=True)
                yield from _type_use(d.type, types, toks)
            case ast.PredicateDecl():
                yield Occurrence(("predicate", d.name), d.name_span, decl=True)
                for p in d.params:
                    key = types.get(p.type)
                    at = toks.trailing_name(p.span, p.type)
                    if key is not None and at is not None:
                        yield Occurrence(key, at)
            case ast.RuleDecl():
                yield Occurrence(("rule", d.id), d.id_span, decl=True)
            case ast.ExampleDecl():
                for exp in d.expects:
                    at = None if exp.rule is None else toks.word(exp.span, exp.rule, last=False)
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


def _used(program: ir.Program, toks: Tokens) -> Iterator[Occurrence]:
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
            yield from _use(e, entities, toks)


def _use(e: ir.Expr, entities: set[str], toks: Tokens) -> Iterator[Occurrence]:
    at: Span | None = None
    key: Key
    match e:
        case ir.GetField() | ir.Deref():
            key = ("field", e.entity, e.field)
            at = toks.trailing_name(e.span, e.field) or toks.via(e.span, e.field)
        case ir.EnumConst():
            key, at = ("value", e.enum, e.value), toks.trailing_name(e.span, e.value)
        case ir.ParamRef():
            key, at = ("param", e.name), toks.trailing_name(e.span, e.name)
        case ir.PredCall():
            key, at = ("predicate", e.name), toks.leading_name(e.span, e.name)
        case ir.AllOf() | ir.BackRef() if e.entity in entities:
            key = ("entity", e.entity)
            at = toks.leading_name(e.span, e.entity) or toks.leading_name(e.span, snake(e.entity))
            if isinstance(e, ir.BackRef) and (via := toks.via(e.span, e.field)) is not None:
                yield Occurrence(("field", e.entity, e.field), via)
        case _:
            return
    if at is not None:
        yield Occurrence(key, at)
