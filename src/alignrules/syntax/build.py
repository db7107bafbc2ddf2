"""Parse tree to AST: one Transformer method per grammar rule, spans taken from lark's meta.

Over 500 lines because the grammar has one rule per method here, and they belong together:
splitting them by grammar section would scatter one conversion across files.
"""

from __future__ import annotations

import re
import textwrap
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar, cast

import attrs
from lark import Token, Transformer_NonRecursive, Tree, v_args
from lark.tree import Meta

from alignrules.diagnostics import Diagnostic, DiagnosticError
from alignrules.runtime.values import (
    DAYS_PER_UNIT,
    ValueProblem,
    bounded_days,
    bounded_decimal,
    parse_int,
)
from alignrules.source import Source, Span
from alignrules.syntax import ast

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "0": "\0"}


def decode_string(raw: str) -> str:
    """The value of a STRING token: quotes removed, escapes applied.

    Unknown escapes such as `\\d` stay as written, so regular expressions read naturally.
    Triple-quoted strings lose their common indentation (they hold embedded YAML or JSON).
    """
    triple = raw.startswith('"""')
    body = raw[3:-3] if triple else raw[1:-1]

    def unescape(m: re.Match[str]) -> str:
        if m[1] is not None:
            code = int(m[1], 16)
            return chr(code) if code <= 0x10FFFF else m[0]
        return _ESCAPES.get(m[2], m[0])

    text = re.sub(r"\\(?:u\{([0-9A-Fa-f]{1,6})\}|(.))", unescape, body, flags=re.S)
    if triple:
        return textwrap.dedent(text).strip("\n") + "\n"
    return text


@v_args(meta=True, inline=True)
class Build(Transformer_NonRecursive[Token, Any]):
    """Builds `ast` nodes.

    Non-recursive, so that no depth of parentheses or `not` reaches Python's recursion limit
    here; `syntax.limits` then refuses what later stages could not handle, with its place.
    """

    def __init__(self, source: Source) -> None:
        super().__init__()
        self.source = source

    # -- helpers
    def _span(self, meta: Meta) -> Span:
        if getattr(meta, "empty", True):
            return Span(self.source, 0, 0)
        return Span(self.source, meta.start_pos, meta.end_pos)

    def _tok(self, tok: Token) -> Span:
        start = tok.start_pos or 0
        return Span(self.source, start, tok.end_pos if tok.end_pos is not None else start)

    def _str(self, tok: Token) -> str:
        return decode_string(str(tok))

    def _error(
        self, span: Span, message: str, hint: str | None = None, code: str = "syntax"
    ) -> DiagnosticError:
        return DiagnosticError(Diagnostic(code, message, span, hint))

    # -- top level
    def start(self, meta: Meta, *decls: ast.Decl) -> ast.Ruleset:
        return ast.Ruleset(self.source, decls)

    def import_decl(self, meta: Meta, path: Token) -> ast.ImportDecl:
        return ast.ImportDecl(self._str(path), span=self._tok(path))

    def strict_decl(self, meta: Meta, decimals: int | None) -> ast.StrictDecl:
        return ast.StrictDecl(decimals, span=self._span(meta))

    def strict_decimals(self, meta: Meta, n: Token) -> int:
        return int(n)

    def entity_strict(self, meta: Meta, decimals: int | None) -> tuple[str, ast.StrictDecl, Span]:
        span = self._span(meta)
        return ("strict", ast.StrictDecl(decimals, span=span), span)

    def enum_decl(self, meta: Meta, name: Token, *rest: Any) -> ast.EnumDecl:
        values = tuple(v for v in rest if isinstance(v, ast.EnumValue))
        seps = {str(s) for s in rest if isinstance(s, str)}
        if seps == {"<", ","}:
            raise self._error(
                self._span(meta),
                f"enum `{name}` mixes `<` and `,`",
                "separate the values with `<` for an ordered enum, with `,` for an unordered one",
            )
        return ast.EnumDecl(str(name), values, "<" in seps, self._tok(name), span=self._span(meta))

    def enum_sep(self, meta: Meta, tok: Token) -> str:
        return str(tok)

    def enum_value(self, meta: Meta, name: Token, *spellings: Token) -> ast.EnumValue:
        return ast.EnumValue(
            str(name), tuple(self._str(s) for s in spellings), span=self._span(meta)
        )

    def entity_decl(self, meta: Meta, name: Token, *rest: Any) -> ast.EntityDecl:
        opts: dict[str, tuple[Any, Span]] = {}
        fields: list[ast.FieldDecl] = []
        for item in rest:
            if isinstance(item, ast.FieldDecl):
                fields.append(item)
            else:
                kind, value, span = item
                if kind in opts:
                    raise self._error(span, f"`{kind}` is given twice for entity `{name}`")
                opts[kind] = (value, span)
        if "in" in opts and "at" in opts:
            raise self._error(
                opts["at"][1],
                f"entity `{name}` has both `in` and `at`",
                "`in` names a collection of records, `at` a single object: keep one",
            )
        where = opts.get("in") or opts.get("at")
        return ast.EntityDecl(
            str(name),
            where[0] if where else None,
            opts["csv"][0] if "csv" in opts else None,
            opts["key"][0] if "key" in opts else None,
            tuple(fields),
            self._tok(name),
            key_span=opts["key"][1] if "key" in opts else None,
            span=self._span(meta),
            single="at" in opts,
            strict=opts["strict"][0] if "strict" in opts else None,
            path_span=where[1] if where else None,
            table=opts["table"][0] if "table" in opts else None,
            table_span=opts["table"][1] if "table" in opts else None,
        )

    def entity_in(self, meta: Meta, path: Token) -> tuple[str, str, Span]:
        return ("in", self._str(path), self._tok(path))

    def entity_at(self, meta: Meta, path: Token) -> tuple[str, str, Span]:
        return ("at", self._str(path), self._tok(path))

    def entity_csv(self, meta: Meta, path: Token) -> tuple[str, str, Span]:
        return ("csv", self._str(path), self._tok(path))

    def entity_table(self, meta: Meta, name: Token) -> tuple[str, str, Span]:
        return ("table", self._str(name), self._tok(name))

    def entity_key(self, meta: Meta, name: Token) -> tuple[str, str, Span]:
        return ("key", str(name), self._tok(name))

    def field_decl(
        self, meta: Meta, name: Token, type_: ast.TypeRef, *opts: tuple[str, str | None, Span]
    ) -> ast.FieldDecl:
        seen: dict[str, tuple[str | None, Span]] = {}
        for kind, value, span in opts:
            if kind in seen:
                raise self._error(span, f"`{kind}` is given twice for field `{name}`")
            seen[kind] = (value, span)
        data = seen.get("from")
        split = seen.get("split")
        column = seen.get("column")
        return ast.FieldDecl(
            str(name),
            type_,
            data[0] if data else None,
            split[0] if split else None,
            self._tok(name),
            span=self._span(meta),
            from_parent=data is not None and data[0] is None,
            data_span=data[1] if data else None,
            dangling_unreported="dangling" in seen,
            column=column[0] if column else None,
            column_span=column[1] if column else None,
        )

    def field_from(self, meta: Meta, tok: Token) -> tuple[str, str, Span]:
        return ("from", self._str(tok), self._tok(tok))

    def field_from_parent(self, meta: Meta) -> tuple[str, None, Span]:
        return ("from", None, self._span(meta))

    def field_split(self, meta: Meta, tok: Token) -> tuple[str, str, Span]:
        return ("split", self._str(tok), self._tok(tok))

    def field_dangling(self, meta: Meta) -> tuple[str, None, Span]:
        return ("dangling", None, self._span(meta))

    def field_column(self, meta: Meta, tok: Token) -> tuple[str, str, Span]:
        return ("column", self._str(tok), self._tok(tok))

    def type_ref(
        self, meta: Meta, kind: str | None, name: Token, optional: Token | None
    ) -> ast.TypeRef:
        coll = cast(Any, kind)
        return ast.TypeRef(str(name), coll, optional is not None, span=self._span(meta))

    def collection_kind(self, meta: Meta, kind: Token, _of: Token) -> str:
        return str(kind)

    def param_decl(
        self, meta: Meta, name: Token, type_: ast.TypeRef, default: ast.Expr
    ) -> ast.ParamDecl:
        return ast.ParamDecl(str(name), type_, default, self._tok(name), span=self._span(meta))

    def predicate_decl(self, meta: Meta, name: Token, *rest: Any) -> ast.PredicateDecl:
        *params, body = rest
        return ast.PredicateDecl(
            str(name),
            tuple(p for p in params if p is not None),
            body,
            self._tok(name),
            span=self._span(meta),
        )

    def predicate_param(self, meta: Meta, name: Token, type_: Token) -> ast.PredicateParam:
        return ast.PredicateParam(str(name), str(type_), span=self._span(meta))

    # -- rules
    def rule_decl(self, meta: Meta, rule_id: Token, *items: Any) -> ast.RuleDecl:
        metas = tuple(i for i in items if isinstance(i, ast.Meta))
        bodies = [i for i in items if isinstance(i, ast.Body)]
        messages = [i for i in items if isinstance(i, ast.Template)]
        if len(messages) > 1:
            bodies = self._own_messages(
                str(rule_id), [i for i in items if not isinstance(i, ast.Meta)]
            )
            messages = []
        return ast.RuleDecl(
            str(rule_id),
            metas,
            tuple(bodies),
            messages[0] if messages else None,
            self._tok(rule_id),
            span=self._span(meta),
        )

    def _own_messages(self, rule_id: str, items: list[Any]) -> list[ast.Body]:
        """The bodies of a rule with several messages, each given the message after it.

        A rule has one message, for all its bodies, or (with several bodies) one right after
        each body: anything else would leave unclear which text a finding gets."""
        pairs = list(zip(items[::2], items[1::2], strict=False))
        if len(items) % 2 == 0 and all(
            isinstance(b, ast.Body) and isinstance(m, ast.Template) for b, m in pairs
        ):
            return [attrs.evolve(b, message=m) for b, m in pairs]
        second = [i for i in items if isinstance(i, ast.Template)][1]
        raise self._error(
            second.span,
            f"rule `{rule_id}` has more than one message",
            "a rule has one message for all its bodies, or one right after each body",
        )

    def meta(self, meta: Meta, key: str, *values: Token) -> ast.Meta:
        # A triple-quoted value is trimmed like a triple-quoted message: dedented, with no
        # line break at either end (`_str` keeps the last one, which example data wants).
        texts = tuple(
            self._str(v).removesuffix("\n") if str(v).startswith('"""') else self._str(v)
            for v in values
        )
        return ast.Meta(key, texts, span=self._span(meta))

    def meta_key(self, meta: Meta, tok: Token) -> str:
        return str(tok)

    def meta_severity(self, meta: Meta, severity: str) -> ast.Meta:
        return ast.Meta("severity", (severity,), span=self._span(meta))

    def severity(self, meta: Meta, tok: Token) -> str:
        return str(tok)

    def message(self, meta: Meta, tok: Token) -> ast.Template:
        return self._template(tok)

    def _template(self, tok: Token) -> ast.Template:
        raw = str(tok)
        base = (tok.start_pos or 0) + (3 if raw.startswith('"""') else 1)
        body = raw[3:-3] if raw.startswith('"""') else raw[1:-1]
        parts: list[ast.TemplateText | ast.TemplateHole] = []
        text: list[str] = []
        i = 0
        while i < len(body):
            ch = body[i]
            if ch == "\\" and i + 1 < len(body):
                # An escape is text, even `\u{2028}` with its braces.
                end = (
                    body.index("}", i) + 1
                    if body.startswith("u{", i + 1) and "}" in body[i:]
                    else i + 2
                )
                text.append(body[i:end])
                i = end
            elif body.startswith("{{", i) or body.startswith("}}", i):
                text.append(ch)
                i += 2
            elif ch == "{":
                end = body.find("}", i)
                if end < 0:
                    raise self._error(
                        Span(self.source, base + i, base + len(body)),
                        "`{` opens a hole that is never closed",
                        "write `{{` for a literal brace",
                        code="template",
                    )
                inner = body[i + 1 : end]
                span = Span(self.source, base + i, base + end + 1)
                if not re.fullmatch(r"\s*[A-Za-z_]\w*(\s*\.\s*[A-Za-z_]\w*)*\s*", inner):
                    raise DiagnosticError(
                        Diagnostic(
                            "template",
                            f"`{{{inner}}}` is not a field path",
                            span,
                            "a hole names a value such as `{claim.id}`; write `{{` for a brace",
                        )
                    )
                if text:
                    parts.append(ast.TemplateText(decode_string('"' + "".join(text) + '"')))
                    text = []
                path = tuple(p.strip() for p in inner.split("."))
                parts.append(ast.TemplateHole(path, span=span))
                i = end + 1
            elif ch == "}":
                raise self._error(
                    Span(self.source, base + i, base + i + 1),
                    "`}` closes no hole",
                    "write `}}` for a literal brace",
                    code="template",
                )
            else:
                text.append(ch)
                i += 1
        if text:
            parts.append(ast.TemplateText(decode_string('"' + "".join(text) + '"')))
        if raw.startswith('"""'):
            parts = _trim_triple(parts, body)
        return ast.Template(tuple(parts), raw, span=self._tok(tok))

    def body_every(self, meta: Meta, _kw: Token, binders: Any, *rest: Any) -> ast.Body:
        *clauses, cond = rest
        return ast.Body("every", binders, tuple(clauses), cond, span=self._span(meta))

    def body_no(self, meta: Meta, _kw: Token, binders: Any, *rest: Any) -> ast.Body:
        *clauses, cond = rest
        return ast.Body("no", binders, tuple(clauses), cond, span=self._span(meta))

    def binders(self, meta: Meta, *binders: ast.Binder) -> tuple[ast.Binder, ...]:
        return binders

    def binder_all(self, meta: Meta, name: Token, var: Token | None) -> ast.Binder:
        return ast.Binder(str(name), None if var is None else str(var), None, span=self._span(meta))

    def binder_in(self, meta: Meta, var: Token, coll: ast.Expr) -> ast.Binder:
        return ast.Binder(str(var), str(var), coll, span=self._span(meta))

    def where_clause(self, meta: Meta, expr: ast.Expr) -> ast.Where:
        return ast.Where(expr, span=self._span(meta))

    def let_clause(self, meta: Meta, related: Token | None, name: Token, expr: ast.Expr) -> ast.Let:
        return ast.Let(str(name), expr, span=self._span(meta), related=related is not None)

    # -- expressions
    def some_none(
        self, meta: Meta, kw: Token, binder: ast.Binder, where: ast.Expr | None
    ) -> ast.Quantifier:
        kind = cast(Any, str(kw))
        return ast.Quantifier(kind, binder, where, None, span=self._span(meta))

    def every(
        self, meta: Meta, _kw: Token, binder: ast.Binder, where: ast.Expr | None, must: ast.Expr
    ) -> ast.Quantifier:
        return ast.Quantifier("every", binder, where, must, span=self._span(meta))

    def reference(
        self,
        meta: Meta,
        subject: ast.Expr | None,
        entity: Token,
        var: Token | None,
        via: Token | None,
        flt: str | None,
        cond: ast.Expr | None,
    ) -> ast.Reference:
        return ast.Reference(
            subject,
            str(entity),
            None if var is None else str(var),
            None if via is None else str(via),
            flt == "without",
            cond,
            self._tok(entity),
            filter_word=flt or "",
            span=self._span(meta),
        )

    def ref_filter(self, meta: Meta, tok: Token) -> str:
        return str(tok)

    def or_(self, meta: Meta, *operands: ast.Expr) -> ast.Expr:
        return ast.bool_chain("or", operands, self._span(meta))

    def and_(self, meta: Meta, *operands: ast.Expr) -> ast.Expr:
        return ast.bool_chain("and", operands, self._span(meta))

    def not_(self, meta: Meta, expr: ast.Expr) -> ast.Not:
        return ast.Not(expr, span=self._span(meta))

    _WORD_OPS: ClassVar[dict[str, str]] = {
        "is": "=",
        "is not": "!=",
        "is at least": ">=",
        "is at most": "<=",
        "is below": "<",
        "is above": ">",
    }

    def compare(self, meta: Meta, left: ast.Expr, op: str, right: ast.Expr) -> ast.Compare:
        symbol = cast("ast.CompareOp", self._WORD_OPS.get(op, op))
        return ast.Compare(symbol, left, right, op, span=self._span(meta))

    def compare_op(self, meta: Meta, *toks: Token) -> str:
        return " ".join(str(t) for t in toks)

    def is_missing(self, meta: Meta, expr: ast.Expr) -> ast.IsMissing:
        return ast.IsMissing(expr, False, span=self._span(meta))

    def is_present(self, meta: Meta, expr: ast.Expr) -> ast.IsMissing:
        return ast.IsMissing(expr, True, span=self._span(meta))

    def is_dangling(self, meta: Meta, expr: ast.Expr) -> ast.IsDangling:
        return ast.IsDangling(expr, False, span=self._span(meta))

    def is_not_dangling(self, meta: Meta, expr: ast.Expr) -> ast.IsDangling:
        return ast.IsDangling(expr, True, span=self._span(meta))

    def member(self, meta: Meta, elem: ast.Expr, coll: ast.Expr) -> ast.Member:
        return ast.Member(elem, coll, False, span=self._span(meta))

    def not_member(self, meta: Meta, elem: ast.Expr, coll: ast.Expr) -> ast.Member:
        return ast.Member(elem, coll, True, span=self._span(meta))

    def text_match(
        self, meta: Meta, left: ast.Expr, op: str, right: ast.Expr, ic: Any
    ) -> ast.TextMatch:
        kind = cast(Any, op)
        return ast.TextMatch(kind, left, right, ic is not None, span=self._span(meta))

    def text_op(self, meta: Meta, *toks: Token) -> str:
        return " ".join(str(t) for t in toks)

    def ignoring_case(self, meta: Meta) -> bool:
        return True

    def arith(self, meta: Meta, left: ast.Expr, op: Token, right: ast.Expr) -> ast.Arith:
        kind = cast(Any, str(op))
        return ast.Arith(kind, left, right, span=self._span(meta))

    def neg(self, meta: Meta, expr: ast.Expr) -> ast.Neg:
        return ast.Neg(expr, span=self._span(meta))

    def otherwise(self, meta: Meta, expr: ast.Expr, default: ast.Expr) -> ast.Otherwise:
        return ast.Otherwise(expr, default, span=self._span(meta))

    def attr(self, meta: Meta, obj: ast.Expr, name: Token) -> ast.Attr:
        return ast.Attr(obj, str(name), self._tok(name), span=self._span(meta))

    def name(self, meta: Meta, tok: Token) -> ast.Name:
        return ast.Name(str(tok), span=self._tok(tok))

    def call(self, meta: Meta, name: Token, *args: ast.Expr | None) -> ast.Call:
        return ast.Call(
            str(name),
            tuple(a for a in args if a is not None),
            self._tok(name),
            span=self._span(meta),
        )

    def aggregate(
        self, meta: Meta, op: str, expr: ast.Expr, where: ast.Expr | None
    ) -> ast.Aggregate:
        kind = cast(Any, op)
        return ast.Aggregate(kind, expr, None, where, span=self._span(meta))

    def aggregate_for(
        self, meta: Meta, op: str, expr: ast.Expr, binder: ast.Binder, where: ast.Expr | None
    ) -> ast.Aggregate:
        kind = cast(Any, op)
        return ast.Aggregate(kind, expr, binder, where, span=self._span(meta))

    def aggregate_op(self, meta: Meta, tok: Token) -> str:
        return str(tok)

    def back_reference(
        self, meta: Meta, entity: Token, target: Token, via: Token | None
    ) -> ast.BackReference:
        return ast.BackReference(
            str(entity),
            ast.Name(str(target), span=self._tok(target)),
            None if via is None else str(via),
            self._tok(entity),
            span=self._span(meta),
        )

    def set_literal(self, meta: Meta, *items: ast.Expr | None) -> ast.SetLit:
        return ast.SetLit(tuple(i for i in items if i is not None), span=self._span(meta))

    def today(self, meta: Meta, tok: Token) -> ast.Today:
        return ast.Today(span=self._tok(tok))

    def int_lit(self, meta: Meta, tok: Token) -> ast.Literal:
        return ast.Literal("int", self._int(tok, self._tok(tok)), span=self._tok(tok))

    def decimal_lit(self, meta: Meta, tok: Token) -> ast.Literal:
        return ast.Literal("decimal", self._decimal(tok, self._tok(tok)), span=self._tok(tok))

    # Numbers in a ruleset have the range numbers in data have (runtime.values), so a literal
    # can neither slow the compiler (`int()` of 5,000 digits) nor overflow a rule.
    def _int(self, tok: Token, span: Span) -> int:
        try:
            return parse_int(str(tok))
        except ValueProblem as exc:
            raise _out_of_range(exc, span) from None

    def _decimal(self, tok: Token, span: Span) -> Decimal:
        try:
            return bounded_decimal(Decimal(str(tok)))
        except ValueProblem as exc:
            raise _out_of_range(exc, span) from None

    def text_lit(self, meta: Meta, tok: Token) -> ast.Literal:
        return ast.Literal("text", self._str(tok), span=self._tok(tok))

    def date_lit(self, meta: Meta, tok: Token) -> ast.Literal:
        return ast.Literal("date", self._date(tok), span=self._tok(tok))

    def _date(self, tok: Token) -> date:
        try:
            return date.fromisoformat(str(tok))
        except ValueError:
            raise DiagnosticError(
                Diagnostic(
                    "bad-literal",
                    f"`{tok}` is not a calendar date",
                    self._tok(tok),
                    "write dates as YYYY-MM-DD",
                )
            ) from None

    def duration_lit(self, meta: Meta, n: Token, unit: Token) -> ast.Literal:
        span = self._span(meta)
        days = self._int(n, span) * DAYS_PER_UNIT[str(unit).rstrip("s")]
        try:
            bounded_days(days)
        except ValueProblem as exc:
            raise _out_of_range(exc, span) from None
        return ast.Literal("duration", days, span=span)

    def money_lit(self, meta: Meta, n: Token, currency: Token) -> ast.Literal:
        span = self._span(meta)
        return ast.Literal("money", self._decimal(n, span), str(currency), span=span)

    def true_lit(self, meta: Meta, tok: Token) -> ast.Literal:
        return ast.Literal("bool", True, span=self._tok(tok))

    def false_lit(self, meta: Meta, tok: Token) -> ast.Literal:
        return ast.Literal("bool", False, span=self._tok(tok))

    # -- examples
    def example_decl(self, meta: Meta, name: Token, *items: Any) -> ast.ExampleDecl:
        given = given_file = None
        given_span = today_span = None
        params: list[tuple[str, ast.Expr]] = []
        param_spans: list[Span] = []
        today: date | None = None
        expects: list[ast.Expect] = []
        for kind, value, span in items:
            if kind in ("given", "file"):
                if given is not None or given_file is not None:
                    raise self._error(span, "an example has one `given`")
                given_span = span
                if kind == "given":
                    given = value
                else:
                    given_file = value
            elif kind == "param":
                (name_span, param) = value
                params.append(param)
                param_spans.append(name_span)
            elif kind == "today":
                today = value
                today_span = span
            else:
                expects.append(value)
        return ast.ExampleDecl(
            self._str(name),
            given,
            given_file,
            tuple(params),
            today,
            tuple(expects),
            given_span=given_span,
            today_span=today_span,
            param_spans=tuple(param_spans),
            span=self._span(meta),
        )

    def example_given(self, meta: Meta, tok: Token) -> tuple[str, str, Span]:
        return ("given", self._str(tok), self._tok(tok))

    def example_given_file(self, meta: Meta, tok: Token) -> tuple[str, str, Span]:
        return ("file", self._str(tok), self._tok(tok))

    def example_param(
        self, meta: Meta, name: Token, value: ast.Expr
    ) -> tuple[str, tuple[Span, tuple[str, ast.Expr]], Span]:
        return ("param", (self._tok(name), (str(name), value)), self._span(meta))

    def example_as_of(self, meta: Meta, tok: Token) -> tuple[str, date, Span]:
        return ("today", self._date(tok), self._span(meta))

    def example_expect(self, meta: Meta, rule: Token, *keys: Token) -> tuple[str, ast.Expect, Span]:
        span = self._span(meta)
        keys_ = tuple(self._str(k) for k in keys)
        return ("expect", ast.Expect(str(rule), keys_, False, span=span), span)

    def example_expect_none(self, meta: Meta, rule: Token) -> tuple[str, ast.Expect, Span]:
        span = self._span(meta)
        return ("expect", ast.Expect(str(rule), (), True, span=span), span)

    def example_expect_nothing(self, meta: Meta) -> tuple[str, ast.Expect, Span]:
        span = self._span(meta)
        return ("expect", ast.Expect(None, (), True, span=span), span)


def build(tree: Tree[Token], source: Source) -> ast.Ruleset:
    """The AST of `tree`."""
    result = Build(source).transform(tree)
    assert isinstance(result, ast.Ruleset)
    return result


def _out_of_range(exc: ValueProblem, span: Span) -> DiagnosticError:
    return DiagnosticError(
        Diagnostic(
            "bad-literal",
            str(exc),
            span,
            "the range is the same as for numbers in plan data (see the language guide)",
        )
    )


def _trim_triple(
    parts: list[ast.TemplateText | ast.TemplateHole], body: str
) -> list[ast.TemplateText | ast.TemplateHole]:
    """A triple-quoted message as a triple-quoted title is: the common indentation of its
    lines removed, and no line break (or indentation) at either end."""
    lines = [line for line in body.split("\n")[1:] if line.strip()]
    leads = [line[: len(line) - len(line.lstrip())] for line in lines]
    indent = min(leads, key=len, default="")
    while indent and not all(lead.startswith(indent) for lead in leads):
        indent = indent[:-1]
    out: list[ast.TemplateText | ast.TemplateHole] = []
    for i, part in enumerate(parts):
        if isinstance(part, ast.TemplateText):
            text = part.text.replace("\n" + indent, "\n") if indent else part.text
            if i == 0:
                text = text.lstrip(" \t").removeprefix("\n")
            if i == len(parts) - 1:
                text = text.rstrip(" \t").removesuffix("\n")
            if text:
                out.append(ast.TemplateText(text))
        else:
            out.append(part)
    return out
