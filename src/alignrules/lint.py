"""Lint: rulesets that compile but are probably wrong, slow or unexplained.

Works on the typed IR of a compiled ruleset (`alignrules.compile`), and on the AST for what
the IR does not keep (rule metadata as written, declaration names and their spans). Every
finding is a `Finding` record with a stable code; text, JSON and SARIF are made at the edge.

    >>> text = '''entity Claim { id: text }
    ... rule r { every claim must claim.id = claim.id }'''
    >>> [f.code for f in lint_text(text)]
    ['missing-rationale', 'missing-title', 'never-fires']

The checks are sound rather than complete: a finding means the problem is certain (given the
documented semantics), and many real problems are not found.

Over 500 lines: every lint check and its evaluator are here; it is to become a package
working on the IR from a compile entry point that stops before code generation.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import warnings
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import attrs

from alignrules.compile import compile_paths, compile_text
from alignrules.diagnostics import Diagnostic, Severity, render_text, visible
from alignrules.ir import nodes as ir
from alignrules.ir import types as t
from alignrules.ir.nodes import walk
from alignrules.lint_codes import CODES as CODES  # the codes, without the linter: cli
from alignrules.lint_codes import LINT_FORMATS as LINT_FORMATS
from alignrules.render.json import dumps
from alignrules.render.sarif import SCHEMA, artifact_uri
from alignrules.source import Span
from alignrules.syntax import ast
from alignrules.syntax.parser import parse

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import sre_constants as sc
    import sre_parse


@attrs.frozen
class Finding:
    """One lint finding: a stable code, where, what and what to do about it."""

    code: str
    message: str
    span: Span
    hint: str | None = None

    @property
    def severity(self) -> Severity:
        return CODES[self.code][0]

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.span.source.name, self.span.start, self.span.end, self.code, self.message)

    def as_diagnostic(self) -> Diagnostic:
        return Diagnostic(self.code, self.message, self.span, self.hint, severity=self.severity)


# ------------------------------------------------------------------ entry points
def lint_paths(
    paths: Sequence[str | os.PathLike[str]], ignore: Iterable[str] = ()
) -> list[Finding]:
    """Compile the ruleset made of `paths` and lint it (DiagnosticError if it does not compile)."""
    compiled = compile_paths(paths)
    trees = [parse(src) for src in compiled.files]
    skip = set(ignore)
    return [f for f in lint_program(compiled.program, trees) if f.code not in skip]


def lint_text(text: str, name: str = "<ruleset>") -> list[Finding]:
    """Lint a ruleset given as text."""
    compiled = compile_text(text, name)
    return lint_program(compiled.program, [parse(src) for src in compiled.files])


def lint_program(program: ir.Program, trees: Sequence[ast.Ruleset]) -> list[Finding]:
    """Every finding for `program`, whose files parsed to `trees`, in file order."""
    linter = _Linter(program, trees)
    linter.run()
    return sorted(set(linter.findings), key=Finding.sort_key)


# ------------------------------------------------------------------ helpers on IR
def _text(span: Span) -> str:
    return " ".join(span.source.text[span.start : span.end].split())


def _strip(e: ir.Expr) -> ir.Expr:
    while isinstance(e, ir.Narrowed):
        e = e.expr
    return e


def _key(e: ir.Expr) -> object:
    """A value equal for two expressions that compute the same thing (types and spans apart)."""
    e = _strip(e)
    parts: list[object] = [type(e).__name__]
    for f in attrs.fields(type(e)):
        if f.name in ("span", "type", "operand", "regex_id"):
            continue
        value = getattr(e, f.name)
        if isinstance(value, tuple):
            parts.append(tuple(_key(v) if _is_expr(v) else v for v in value))
        elif _is_expr(value):
            parts.append(_key(value))
        else:
            parts.append(value)
    return tuple(parts)


def _is_expr(value: object) -> bool:
    return attrs.has(type(value)) and hasattr(value, "type") and hasattr(value, "span")


def _free_vars(e: ir.Expr) -> set[str]:
    found = {v.name for v in walk(e) if isinstance(v, ir.Var)}
    bound = {n.var for n in walk(e) if isinstance(n, ir.Quant | ir.Aggregate | ir.MapField)}
    return found - bound


def _conjuncts(e: ir.Expr) -> Iterator[tuple[ir.Expr, bool]]:
    """The atoms `e` asserts, each with the truth it asserts them at."""
    e = _strip(e)
    if isinstance(e, ir.BoolOp) and e.op == "and":
        yield from _conjuncts(e.left)
        yield from _conjuncts(e.right)
    elif isinstance(e, ir.Not):
        inner = _strip(e.expr)
        if isinstance(inner, ir.BoolOp) and inner.op == "or":
            yield from _conjuncts(ir.Not(inner.left, span=inner.left.span))
            yield from _conjuncts(ir.Not(inner.right, span=inner.right.span))
        else:
            yield inner, False
    else:
        yield e, True


def _names_in(typ: t.Type, kind: type[t.EntityT] | type[t.EnumT]) -> Iterator[str]:
    """The entity (or enum) names a type mentions, through lists and optionals."""
    if isinstance(typ, kind):
        yield typ.name
    elif isinstance(typ, t.CollT):
        yield from _names_in(typ.elem, kind)
    elif isinstance(typ, t.OptT):
        yield from _names_in(typ.inner, kind)


def _entities_in(typ: t.Type) -> Iterator[str]:
    return _names_in(typ, t.EntityT)


def _enums_in(typ: t.Type) -> Iterator[str]:
    return _names_in(typ, t.EnumT)


# ------------------------------------------------------------------ constants and facts
_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "=": "=", "!=": "!="}
_OPS = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


@attrs.frozen
class _Value:
    """A constant, with a `kind` saying which other constants it can be compared with."""

    kind: str
    value: Any


def _constant(e: ir.Expr) -> _Value | None:
    e = _strip(e)
    if isinstance(e, ir.Const):
        v = e.value
        if e.type == t.BOOL:
            return _Value("bool", v)
        if e.type in t.NUMERIC:
            return _Value("number", v)
        if e.type == t.MONEY:
            return _Value(f"money {e.currency}", v)
        if e.type == t.TEXT:
            return _Value("text", v)
        if e.type == t.DATE and isinstance(v, date):
            return _Value("date", v)
        if e.type == t.DURATION:
            return _Value("duration", v)
        return None
    if isinstance(e, ir.EnumConst) and isinstance(e.type, t.EnumT):
        return _Value(f"enum {e.enum}", e.type.values.index(e.value))
    if isinstance(e, ir.Neg):
        inner = _constant(e.expr)
        if inner is not None and isinstance(inner.value, int | Decimal):
            return _Value(inner.kind, -inner.value)
    return None


@attrs.frozen
class _Fact:
    """`term op value` (a comparison with a constant), or `term` is `truth`."""

    term: object
    op: str
    value: _Value | None
    truth: bool
    text: str
    vars: frozenset[str]


def _fact_of(atom: ir.Expr, truth: bool) -> _Fact:
    atom = _strip(atom)
    text = _text(atom.span)
    names = frozenset(_free_vars(atom))
    if isinstance(atom, ir.Compare):
        op = atom.op if truth else _negate(atom.op)
        right = _constant(atom.right)
        left = _constant(atom.left)
        if right is not None and left is None:
            return _Fact(_key(atom.left), op, right, True, text, names)
        if left is not None and right is None:
            return _Fact(_key(atom.right), _FLIP[op], left, True, text, names)
    if isinstance(atom, ir.IsMissing):
        present = atom.negated == truth
        return _Fact(_key(atom.expr), "present", None, present, text, names)
    return _Fact(_key(atom), "", None, truth, text, names)


def _facts_of(cond: ir.Expr) -> list[_Fact]:
    return [_fact_of(a, truth) for a, truth in _conjuncts(cond)]


def _forget(facts: Sequence[_Fact], var: str) -> list[_Fact]:
    """The facts that stay true when `var` is bound again (to something else)."""
    return [f for f in facts if var not in f.vars]


def _negate(op: str) -> str:
    return {"=": "!=", "!=": "=", "<": ">=", ">=": "<", ">": "<=", "<=": ">"}[op]


class _Eval:
    """Three-valued constant folding: True, False, or None (depends on the data)."""

    def __init__(self, linter: _Linter) -> None:
        self.linter = linter
        self.reason = ""

    def fold(self, e: ir.Expr, facts: Sequence[_Fact]) -> bool | None:
        self.reason = ""
        return self.ev(e, list(facts))

    def ev(self, e: ir.Expr, facts: list[_Fact]) -> bool | None:
        e = _strip(e)
        known = self.from_facts(e, facts)
        if known is not None:
            return known
        if isinstance(e, ir.Const) and e.type == t.BOOL:
            self.reason = f"`{_text(e.span)}` is a constant"
            return bool(e.value)
        if isinstance(e, ir.Not):
            inner = self.ev(e.expr, facts)
            return None if inner is None else not inner
        if isinstance(e, ir.BoolOp):
            left = self.ev(e.left, facts)
            why = self.reason
            if (e.op == "and" and left is False) or (e.op == "or" and left is True):
                self.reason = why
                return left
            more = _facts_of(e.left) if e.op == "and" else []
            right = self.ev(e.right, facts + more)
            if e.op == "and":
                return False if right is False else (True if left and right else None)
            return True if right is True else (False if left is False and right is False else None)
        if isinstance(e, ir.Compare):
            return self.compare(e, facts)
        if isinstance(e, ir.Member):
            return self.member(e, facts)
        if isinstance(e, ir.TextMatch):
            problem = self.linter.pattern_problem(e)
            if problem is not None:
                self.reason = problem[1]
                return problem[0] == "trivial-pattern"
            return None
        if isinstance(e, ir.Quant):
            return self.quant(e, facts)
        if isinstance(e, ir.PredCall):
            pred = self.linter.predicates.get(e.name)
            if pred is not None and not _free_vars(pred.body):
                return self.ev(pred.body, [])
            return None
        return None

    def from_facts(self, e: ir.Expr, facts: Sequence[_Fact]) -> bool | None:
        key = _key(e)
        for f in facts:
            if f.term == key and f.op == "":
                self.reason = f"the filter `{f.text}` already decides it"
                return f.truth
        if isinstance(e, ir.IsMissing):
            inner = _key(e.expr)
            for f in facts:
                if f.term == inner and f.op == "present":
                    self.reason = f"the filter `{f.text}` already decides it"
                    return f.truth == e.negated
        return None

    def quant(self, e: ir.Quant, facts: list[_Fact]) -> bool | None:
        coll = _strip(e.coll)
        empty = isinstance(coll, ir.SetLit) and not coll.items
        facts = _forget(facts, e.var)
        where = None if e.where is None else self.ev(e.where, facts)
        if empty or where is False:
            if empty:
                self.reason = f"`{_text(coll.span)}` is empty"
            return e.kind != "some"
        if e.kind == "every" and e.must is not None:
            inner = facts + ([] if e.where is None else _facts_of(e.where))
            must = self.ev(e.must, inner)
            if must is True:
                return True
        return None

    def member(self, e: ir.Member, facts: list[_Fact]) -> bool | None:
        coll = _strip(e.coll)
        if not isinstance(coll, ir.SetLit):
            return None
        if not coll.items:
            self.reason = f"`{_text(coll.span)}` is empty"
            return e.negated
        items = [_constant(i) for i in coll.items]
        if any(i is None for i in items):
            return None
        element = _constant(e.element)
        if element is None:
            element = self.equal_to(_key(e.element), facts)
        if element is None:
            return None
        inside = any(i is not None and i == element for i in items)
        self.reason = f"`{_text(e.element.span)}` is known here"
        return inside != e.negated

    def equal_to(self, term: object, facts: Sequence[_Fact]) -> _Value | None:
        for f in facts:
            if f.term == term and f.op == "=" and f.value is not None:
                return f.value
        return None

    def compare(self, e: ir.Compare, facts: list[_Fact]) -> bool | None:
        left, right = _constant(e.left), _constant(e.right)
        if left is not None and right is not None:
            if left.kind != right.kind and {left.kind, right.kind} != {"number"}:
                return None
            self.reason = f"`{_text(e.span)}` compares constants"
            return bool(_OPS[e.op](left.value, right.value))
        if _key(e.left) == _key(e.right):
            self.reason = f"`{_text(e.span)}` compares a value with itself"
            return e.op in ("=", "<=", ">=")
        if right is not None:
            term, op, value = e.left, e.op, right
        elif left is not None:
            term, op, value = e.right, _FLIP[e.op], left
        else:
            return None
        return self.bounded(term, op, value, facts, e)

    def bounded(
        self, term: ir.Expr, op: str, value: _Value, facts: Sequence[_Fact], e: ir.Compare
    ) -> bool | None:
        """`term op value` from what is known of `term`: its type's range and the facts."""
        term = _strip(term)
        key = _key(term)
        lows: list[tuple[Any, bool, str]] = []  # (bound, inclusive, why)
        highs: list[tuple[Any, bool, str]] = []
        equal: list[tuple[Any, str]] = []
        unequal: list[tuple[Any, str]] = []
        typ = t.strip_opt(term.type)
        if isinstance(typ, t.EnumT) and typ.ordered and value.kind == f"enum {typ.name}":
            first, last = typ.values[0], typ.values[-1]
            lows.append((0, True, f"`{first}` is the lowest value of `{typ.name}`"))
            highs.append(
                (len(typ.values) - 1, True, f"`{last}` is the highest value of `{typ.name}`")
            )
        if value.kind == "number" and (
            (isinstance(term, ir.Aggregate) and term.op == "count")
            or (isinstance(term, ir.Builtin) and term.name in ("length", "abs"))
        ):
            lows.append((0, True, f"`{_text(term.span)}` is never negative"))
        if (
            isinstance(term, ir.Builtin)
            and term.name in ("lower", "upper", "trim")
            and value.kind == "text"
            and op in ("=", "!=")
            and _impossible_text(term.name, "equals", value.value)
        ):
            self.reason = f"`{_text(term.span)}` never gives {json.dumps(value.value)}"
            return op == "!="
        for f in facts:
            if f.term != key or f.value is None or f.value.kind != value.kind:
                continue
            why = f"the filter `{f.text}` rules it out"
            if f.op == "=":
                equal.append((f.value.value, why))
            elif f.op == "!=":
                unequal.append((f.value.value, why))
            elif f.op in (">", ">="):
                lows.append((f.value.value, f.op == ">=", why))
            elif f.op in ("<", "<="):
                highs.append((f.value.value, f.op == "<=", why))
        v = value.value
        for known, why in equal:
            self.reason = why
            return bool(_OPS[op](known, v))
        # Does every value the term may take satisfy `op v` (True), or none (False)?
        if op in ("=", "!="):
            for known, why in unequal:
                if known == v:
                    self.reason = why
                    return op == "!="
            for lo, incl, why in lows:
                if v < lo or (v == lo and not incl):
                    self.reason = why
                    return op == "!="
            for hi, incl, why in highs:
                if v > hi or (v == hi and not incl):
                    self.reason = why
                    return op == "!="
            return None
        for lo, incl, why in lows:  # term >= lo (or > lo)
            if op in ("<", "<=") and (v < lo or (v == lo and (op == "<" or not incl))):
                self.reason = why
                return False
            if op in (">", ">=") and (v < lo or (v == lo and (op == ">=" or not incl))):
                self.reason = why
                return True
        for hi, incl, why in highs:  # term <= hi (or < hi)
            if op in (">", ">=") and (v > hi or (v == hi and (op == ">" or not incl))):
                self.reason = why
                return False
            if op in ("<", "<=") and (v > hi or (v == hi and (op == "<=" or not incl))):
                self.reason = why
                return True
        return None


def _impossible_text(builtin: str, op: str, pattern: str) -> bool:
    """Whether text from `lower`/`upper`/`trim` can never `op` (contain, start with ...) `pattern`.

    Sound because `str.lower` and `str.upper` are idempotent on every code point (checked by
    the tests), and `trim` is `str.strip`.
    """
    if builtin == "lower":
        return pattern != pattern.lower()
    if builtin == "upper":
        return pattern != pattern.upper()
    if not pattern:
        return False
    if op == "starts with":
        return pattern[0].isspace()
    if op == "ends with":
        return pattern[-1].isspace()
    if op == "equals":
        return pattern[0].isspace() or pattern[-1].isspace()
    return False


# ------------------------------------------------------------------ regular expressions
_IMPOSSIBLE = "impossible"
_END_ORDER = {None: 0, "dollar": 1, "strict": 2}


def regex_never_matches(pattern: str) -> bool:
    """Whether `pattern` can match nowhere: something must be read before `^` or after `\\Z`.

    >>> regex_never_matches("a^b"), regex_never_matches("a$b"), regex_never_matches("a$")
    (True, True, False)
    """
    try:
        parsed = sre_parse.parse(pattern)
    except re.error:
        return False
    if parsed.state.flags & (re.MULTILINE | re.VERBOSE):
        return False
    items: list[Any] = parsed.data
    dotall = bool(parsed.state.flags & re.DOTALL)
    return bool(_walk_regex(items, False, None, dotall) == _IMPOSSIBLE)


def _may_read_newline(op: Any, av: Any, dotall: bool) -> bool:
    """Whether one-character item `op av` can match a line break (the only text after `$`)."""
    nl = ord("\n")
    if op is sc.LITERAL:
        return bool(av == nl)
    if op is sc.NOT_LITERAL:
        return bool(av != nl)
    if op is sc.ANY:
        return dotall
    for kind, value in av:  # IN: a character set
        if kind is sc.LITERAL and value == nl:
            return True
        if kind is sc.RANGE and value[0] <= nl <= value[1]:
            return True
        if kind not in (sc.LITERAL, sc.RANGE):  # NEGATE, CATEGORY ...: assume it may
            return True
    return False


def _walk_regex(items: list[Any], consumed: bool, end: str | None, dotall: bool) -> Any:
    """The weakest state after `items` ((consumed, end)), `_IMPOSSIBLE`, or None (unknown).

    States only grow stronger as more is read (consumed text stays consumed; `$` can only
    become the very end), so skipping an optional part always gives the weakest state.
    """
    for op, av in items:
        if op is sc.AT:
            if av in (sc.AT_BEGINNING, sc.AT_BEGINNING_STRING):
                if consumed:
                    return _IMPOSSIBLE
            elif av is sc.AT_END_STRING:
                end = "strict"
            elif av is sc.AT_END and end is None:
                end = "dollar"
        elif op in (sc.LITERAL, sc.NOT_LITERAL, sc.IN, sc.ANY):
            if end == "strict":
                return _IMPOSSIBLE
            if end == "dollar":
                if not _may_read_newline(op, av, dotall):
                    return _IMPOSSIBLE
                end = "strict"
            consumed = True
        elif op in (sc.MAX_REPEAT, sc.MIN_REPEAT):
            lo, _hi, sub = av
            if lo == 0:
                continue
            if lo > 4:
                return None
            for _ in range(lo):
                state = _walk_regex(list(sub), consumed, end, dotall)
                if state is None or state == _IMPOSSIBLE:
                    return state
                consumed, end = state
        elif op is sc.SUBPATTERN:
            _group, add_flags, _del_flags, sub = av
            if add_flags & (re.MULTILINE | re.VERBOSE):
                return None
            state = _walk_regex(list(sub), consumed, end, dotall or bool(add_flags & re.DOTALL))
            if state is None or state == _IMPOSSIBLE:
                return state
            consumed, end = state
        elif op is sc.BRANCH:
            states = [_walk_regex(list(b), consumed, end, dotall) for b in av[1]]
            if all(s == _IMPOSSIBLE for s in states):
                return _IMPOSSIBLE
            if any(s is None for s in states):
                return None
            live = [s for s in states if s != _IMPOSSIBLE]
            consumed = all(c for c, _ in live)
            end = min((e for _, e in live), key=_END_ORDER.__getitem__)
        elif op in (sc.ASSERT, sc.ASSERT_NOT):
            continue  # reads nothing; ignoring it can only miss an impossibility
        else:
            return None
    return consumed, end


def regex_always_matches(pattern: str, ignore_case: bool) -> bool:
    """Whether `pattern` matches the empty text without looking around, so any text matches.

    >>> regex_always_matches(".*", False), regex_always_matches("^$", False)
    (True, False)
    """
    try:
        compiled = re.compile(pattern, re.IGNORECASE if ignore_case else 0)
        parsed = sre_parse.parse(pattern)
    except re.error:
        return False
    if compiled.match("") is None:
        return False
    contextual = (sc.AT, sc.ASSERT, sc.ASSERT_NOT, sc.GROUPREF, sc.GROUPREF_EXISTS)

    def has_context(items: Any) -> bool:
        for op, av in items:
            if op in contextual:
                return True
            subs: list[Any] = []
            if op in (sc.MAX_REPEAT, sc.MIN_REPEAT):
                subs = [av[2]]
            elif op is sc.SUBPATTERN:
                subs = [av[3]]
            elif op is sc.BRANCH:
                subs = list(av[1])
            if any(has_context(s) for s in subs):
                return True
        return False

    return not has_context(parsed)


# ------------------------------------------------------------------ the checks
class _Linter:
    def __init__(self, program: ir.Program, trees: Sequence[ast.Ruleset]) -> None:
        self.program = program
        self.trees = trees
        self.findings: list[Finding] = []
        self.predicates = {p.name: p for p in program.predicates}
        self.decls = [d for tree in trees for d in tree.decls]
        self.eval = _Eval(self)
        self.reported: list[Span] = []

    def add(self, code: str, span: Span, message: str, hint: str | None = None) -> None:
        self.findings.append(Finding(code, message, span, hint))

    def run(self) -> None:
        self.metadata()
        if self.program.rules:  # a schema on its own is meant to be compiled with rules
            self.unused()
        for rule in self.program.rules:
            self.rule_conditions(rule)
            self.unused_lets(rule)
            self.joins_in_steps(rule)
        for e in self.all_exprs():
            self.constant_parts(e)
            for node in walk(e):
                if isinstance(node, ir.TextMatch):
                    self.pattern(node)
                if isinstance(node, ir.Quant | ir.Aggregate):
                    self.join_in_loop(node)

    # -------------------------------------------------------------- expressions of the program
    def rule_exprs(self, rule: ir.Rule) -> Iterator[ir.Expr]:
        for step in rule.steps:
            if isinstance(step, ir.Bind):
                yield step.coll
            elif isinstance(step, ir.Filter):
                yield step.cond
            else:
                yield step.expr
        if rule.cond is not None:
            yield rule.cond
        for part in rule.message:
            if part.expr is not None:
                yield part.expr

    def all_exprs(self) -> Iterator[ir.Expr]:
        for rule in self.program.rules:
            yield from self.rule_exprs(rule)
        for p in self.program.predicates:
            yield p.body

    def used_predicates(self) -> set[str]:
        todo = [
            n.name
            for r in self.program.rules
            for e in self.rule_exprs(r)
            for n in walk(e)
            if isinstance(n, ir.PredCall)
        ]
        seen: set[str] = set()
        while todo:
            name = todo.pop()
            if name in seen or name not in self.predicates:
                continue
            seen.add(name)
            todo += [n.name for n in walk(self.predicates[name].body) if isinstance(n, ir.PredCall)]
        return seen

    # -------------------------------------------------------------- declarations
    def metadata(self) -> None:
        tested = {
            x.rule
            for d in self.decls
            if isinstance(d, ast.ExampleDecl)
            for x in d.expects
            if x.rule is not None and not x.none
        }
        has_examples = any(isinstance(d, ast.ExampleDecl) for d in self.decls)
        for d in self.decls:
            if not isinstance(d, ast.RuleDecl):
                continue
            keys = {m.key for m in d.meta}
            if "title" not in keys:
                self.add(
                    "missing-title",
                    d.id_span,
                    f"rule `{d.id}` has no title",
                    'add `title "..."`: reports and dashboards show it instead of the id',
                )
            if "rationale" not in keys:
                self.add(
                    "missing-rationale",
                    d.id_span,
                    f"rule `{d.id}` has no rationale",
                    'add `rationale "..."` saying why the rule exists and what to do when it fires',
                )
            if has_examples and d.id not in tested:
                self.add(
                    "untested-rule",
                    d.id_span,
                    f"no example expects rule `{d.id}` to fire",
                    f'add an example with `expect {d.id} on "KEY"`',
                )

    def unused(self) -> None:
        exprs = [e for r in self.program.rules for e in self.rule_exprs(r)]
        used_preds = self.used_predicates()
        exprs += [self.predicates[p].body for p in used_preds]
        nodes = [n for e in exprs for n in walk(e)]
        params = {n.name for n in nodes if isinstance(n, ir.ParamRef)}
        entities: set[str] = set()
        for n in nodes:
            entities.update(_entities_in(n.type))
            if isinstance(n, ir.AllOf | ir.BackRef):
                entities.add(n.entity)
            elif isinstance(n, ir.Deref):
                entities.update((n.entity, n.target))
            elif isinstance(n, ir.GetField):
                entities.add(n.entity)
        for r in self.program.rules:
            entities.add(r.subject_entity)
            entities.update(e for _, e in r.related)
            entities.update(s.entity for s in r.steps if isinstance(s, ir.Bind) and s.entity)
        # An entity that another entity references is what gives those references their
        # `dangling-reference` check: removing it would drop that check, so it is in use.
        entities.update(f.ref for e in self.program.entities for f in e.fields if f.ref)
        enums: set[str] = set()
        for ent in self.program.entities:
            for f in ent.fields:
                enums.update(_enums_in(f.type))
        for p in self.program.params:
            enums.update(_enums_in(p.type))
        for pred in self.program.predicates:
            for _, typ in pred.params:
                enums.update(_enums_in(typ))
        for n in (n for p in self.program.predicates for n in walk(p.body)):
            enums.update(_enums_in(n.type))
        for n in nodes:
            enums.update(_enums_in(n.type))
        for d in self.decls:
            if isinstance(d, ast.ParamDecl) and d.name not in params:
                self.add(
                    "unused-param",
                    d.name_span,
                    f"parameter `{d.name}` is never read by a rule",
                    "use it in a rule or a predicate a rule calls, or remove it",
                )
            elif isinstance(d, ast.PredicateDecl) and d.name not in used_preds:
                self.add(
                    "unused-predicate",
                    d.name_span,
                    f"predicate `{d.name}` is never called by a rule",
                    "call it from a rule, or remove it",
                )
            elif isinstance(d, ast.EntityDecl) and d.name not in entities:
                self.add(
                    "unused-entity",
                    d.name_span,
                    f"entity `{d.name}` is declared but no rule mentions it",
                    "its data is still read and its references checked; remove it if no rule "
                    "needs it",
                )
            elif isinstance(d, ast.EnumDecl) and d.name not in enums:
                self.add(
                    "unused-enum",
                    d.name_span,
                    f"enum `{d.name}` is declared but nothing has this type",
                    "use it as a field or parameter type, or remove it",
                )

    def unused_lets(self, rule: ir.Rule) -> None:
        steps = list(rule.steps)
        for i, step in enumerate(steps):
            if not isinstance(step, ir.LetStep):
                continue
            later: list[ir.Expr] = []
            for s in steps[i + 1 :]:
                later.append(
                    s.coll
                    if isinstance(s, ir.Bind)
                    else s.cond
                    if isinstance(s, ir.Filter)
                    else s.expr
                )
            if rule.cond is not None:
                later.append(rule.cond)
            later += [p.expr for p in rule.message if p.expr is not None]
            if not any(step.var in _free_vars(e) for e in later):
                self.add(
                    "unused-let",
                    step.span,
                    f"`{step.var}` is computed but never used",
                    "use it in the condition or the message, or remove the `let`",
                )

    # -------------------------------------------------------------- conditions
    def rule_conditions(self, rule: ir.Rule) -> None:
        facts: list[_Fact] = []
        filters_constant = True
        always_true: list[tuple[ir.Filter, str]] = []
        for step in rule.steps:
            if isinstance(step, ir.Bind | ir.LetStep):
                facts = _forget(facts, step.var)
            if isinstance(step, ir.Bind):
                coll = _strip(step.coll)
                if isinstance(coll, ir.SetLit) and not coll.items:
                    self.condition(
                        "never-fires",
                        coll.span,
                        f"rule `{rule.id}` never fires: `{step.var}` ranges over an empty set",
                    )
                    return
                continue
            if not isinstance(step, ir.Filter):
                continue
            alone = self.eval.fold(step.cond, [])
            value = self.eval.fold(step.cond, facts)
            if value is False:
                self.condition(
                    "never-fires",
                    step.cond.span,
                    f"rule `{rule.id}` never fires: this `where` is never true "
                    f"({self.eval.reason})",
                    "check the condition against the filters before it",
                )
                return
            if value is True:
                always_true.append((step, self.eval.reason))
            if alone is not True:
                filters_constant = False
            facts += _facts_of(step.cond)
        cond = rule.cond
        filters = [s for s in rule.steps if isinstance(s, ir.Filter)]
        if cond is None and rule.violate_when and filters and len(always_true) == len(filters):
            # `no X where C` with C always true: the filters are the condition.
            step, reason = always_true[-1]
            self.condition(
                "always-fires",
                step.cond.span,
                f"rule `{rule.id}` reports every binding: its `where` is always true ({reason})",
                "the condition probably tests the wrong field or value",
            )
            return
        for step, reason in always_true:
            self.condition(
                "redundant-condition",
                step.cond.span,
                f"this `where` is always true ({reason})",
                "remove it, or fix it if it was meant to select something",
            )
        if cond is None:
            return
        value = self.eval.fold(cond, facts)
        if value is None:
            return
        word = "may" if rule.violate_when else "must"
        said = f"the `{word}` condition is always {str(value).lower()} ({self.eval.reason})"
        if value == rule.violate_when:
            scope = "every binding" if filters_constant else "everything its `where` filters select"
            self.condition(
                "always-fires",
                cond.span,
                f"rule `{rule.id}` reports {scope}: {said}",
                "the condition probably tests the wrong field or value",
            )
        else:
            self.condition(
                "never-fires",
                cond.span,
                f"rule `{rule.id}` never fires: {said}",
                "the condition probably tests the wrong field or value",
            )

    def condition(self, code: str, span: Span, message: str, hint: str | None = None) -> None:
        """A finding about a whole condition; its parts are then not reported again."""
        self.reported.append(span)
        self.add(code, span, message, hint)

    def constant_parts(self, e: ir.Expr) -> None:
        """Comparisons that are constant on their own, inside conditions not reported whole."""
        for node in walk(e):
            if not isinstance(node, ir.Compare | ir.Member | ir.Quant):
                continue
            span = node.span
            if any(
                r.source.name == span.source.name and r.start <= span.start and span.end <= r.end
                for r in self.reported
            ):
                continue
            value = self.eval.fold(node, [])
            if value is None:
                continue
            self.reported.append(span)
            self.add(
                "constant-condition",
                span,
                f"`{_text(span)}` is always {str(value).lower()} ({self.eval.reason})",
                "remove it, or compare with what was meant",
            )

    # -------------------------------------------------------------- text patterns
    def pattern_problem(self, e: ir.TextMatch) -> tuple[str, str] | None:
        """(code, reason) when `e` can never match, or always matches."""
        right = _strip(e.right)
        if not (isinstance(right, ir.Const) and isinstance(right.value, str)):
            return None
        pattern = right.value
        shown = json.dumps(pattern, ensure_ascii=False)
        if e.op == "matches":
            if regex_never_matches(pattern):
                return "unmatchable-pattern", f"the pattern {shown} cannot match any text"
            if regex_always_matches(pattern, e.ignore_case):
                return "trivial-pattern", f"the pattern {shown} matches the empty text, so any text"
            return None
        if pattern == "":
            return "trivial-pattern", f"every text {e.op} the empty text"
        left = _strip(e.left)
        if (
            not e.ignore_case
            and isinstance(left, ir.Builtin)
            and left.name in ("lower", "upper", "trim")
            and _impossible_text(left.name, e.op, pattern)
        ):
            return "unmatchable-pattern", f"`{_text(left.span)}` never {_verb(e.op)} {shown}"
        return None

    def pattern(self, e: ir.TextMatch) -> None:
        problem = self.pattern_problem(e)
        if problem is None:
            return
        code, reason = problem
        hint = (
            "a regular expression anchored with `^` or `\\Z` cannot read text before or after it"
            if code == "unmatchable-pattern" and e.op == "matches"
            else "add `ignoring case`, or change the pattern"
            if code == "unmatchable-pattern"
            else "remove the test, or give it the text it was meant to look for"
        )
        verdict = "can never match" if code == "unmatchable-pattern" else "matches any text"
        self.add(code, e.right.span, f"this `{e.op}` {verdict}: {reason}", hint)

    # -------------------------------------------------------------- joins
    def joins_in_steps(self, rule: ir.Rule) -> None:
        outer: list[str] = []
        for i, step in enumerate(rule.steps):
            if isinstance(step, ir.LetStep):
                outer.append(step.var)
            if not isinstance(step, ir.Bind):
                continue
            coll = _strip(step.coll)
            if outer and isinstance(coll, ir.AllOf):
                later = [s.cond for s in rule.steps[i + 1 :] if isinstance(s, ir.Filter)]
                if rule.cond is not None and rule.violate_when:
                    later.append(rule.cond)
                self.join(step.var, coll, later, set(outer))
            outer.append(step.var)

    def join_in_loop(self, e: ir.Quant | ir.Aggregate) -> None:
        coll = _strip(e.coll)
        if isinstance(coll, ir.AllOf) and e.where is not None:
            self.join(e.var, coll, [e.where], None)

    def join(
        self, inner: str, coll: ir.AllOf, conds: Sequence[ir.Expr], outer: set[str] | None
    ) -> None:
        for cond in conds:
            for atom, truth in _conjuncts(cond):
                if not truth:
                    continue
                found = self.join_atom(inner, atom, outer)
                if found is None:
                    continue
                hint = found
                self.add(
                    "quadratic-join",
                    coll.span,
                    f"every `{coll.entity}` is visited for each outer binding and kept when "
                    f"`{_text(atom.span)}`: the work grows with the product of the two counts",
                    hint,
                )
                return

    def join_atom(self, inner: str, atom: ir.Expr, outer: set[str] | None) -> str | None:
        """A hint when `atom` equates something of `inner` with something from outside."""
        atom = _strip(atom)
        if isinstance(atom, ir.Compare) and atom.op == "=":
            pairs = [(atom.left, atom.right), (atom.right, atom.left)]
        elif isinstance(atom, ir.Member) and not atom.negated:
            pairs = [(atom.coll, atom.element)]
        else:
            return None
        for mine, theirs in pairs:
            mine_vars, their_vars = _free_vars(mine), _free_vars(theirs)
            if mine_vars != {inner} or not their_vars or inner in their_vars:
                continue
            if outer is not None and not their_vars <= outer:
                continue
            return self.backref_hint(inner, mine, theirs)
        return None

    def backref_hint(self, inner: str, mine: ir.Expr, theirs: ir.Expr) -> str:
        mine = _strip(mine)
        target = _strip(theirs)
        ref: ir.Deref | None = None
        if isinstance(mine, ir.Deref) and isinstance(_strip(mine.obj), ir.Var):
            ref = mine
        elif (
            isinstance(mine, ir.GetField)
            and isinstance(_strip(mine.obj), ir.Deref)
            and isinstance(target, ir.GetField)
        ):
            deref = _strip(mine.obj)
            assert isinstance(deref, ir.Deref)
            ref, target = deref, _strip(target.obj)
        if ref is not None and t.strip_opt(target.type) == t.EntityT(ref.target):
            return (
                f"write `{ref.entity} referencing {_text(target.span)} via {ref.field}`: "
                "it looks the matches up in an index built once"
            )
        return (
            "if the entity has a reference field to the outer one, iterate "
            "`Entity referencing x` instead: it uses an index built once"
        )


def _verb(op: str) -> str:
    return {"contains": "contains", "starts with": "starts with", "ends with": "ends with"}.get(
        op, op
    )


# ------------------------------------------------------------------ rendering
def render_lint_text(findings: Sequence[Finding]) -> str:
    """Each finding as `file:line:col: warning: message  [code]`, the line, a caret, the hint."""
    if not findings:
        return ""
    counts: dict[str, int] = {}
    for f in findings:
        counts[f.code] = counts.get(f.code, 0) + 1
    blocks = [render_text(f.as_diagnostic()) for f in findings]
    summary = ", ".join(f"{n} {code}" for code, n in sorted(counts.items()))
    noun = "finding" if len(findings) == 1 else "findings"
    return "\n".join(blocks) + f"\n\n{len(findings)} {noun}: {summary}\n"


def _position(span: Span) -> dict[str, Any]:
    line, col = span.source.line_col(span.start)
    end_line, end_col = span.source.line_col(max(span.end, span.start))
    return {"line": line, "column": col, "end_line": end_line, "end_column": end_col}


def render_lint_json(findings: Sequence[Finding]) -> str:
    """`{"version": 1, "findings": [{code, severity, message, hint, file, line, column ...}]}`."""
    return dumps(
        {
            "version": 1,
            "findings": [
                {
                    "code": f.code,
                    "severity": str(f.severity),
                    "message": f.message,
                    "hint": f.hint,
                    "file": f.span.source.name,
                    **_position(f.span),
                }
                for f in findings
            ],
        }
    )


_SARIF_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "note"}
_LINK_LIKE = re.compile(r"\]\s*\(")


def _sarif_text(text: str) -> str:
    out = visible(text)
    if _LINK_LIKE.search(out):  # SARIF reads `[text](n)` as a link (§3.11.6)
        out = re.sub(r"([\\\[\]])", r"\\\1", out)
    return out


def render_lint_sarif(findings: Sequence[Finding], *, tool_version: str) -> str:
    """The findings as a SARIF 2.1.0 log; every lint code is a `reportingDescriptor`."""
    codes = list(CODES)
    rules = [
        {
            "id": code,
            "name": code,
            "shortDescription": {"text": summary},
            "defaultConfiguration": {"level": _SARIF_LEVELS[severity]},
        }
        for code, (severity, summary) in CODES.items()
    ]
    results = []
    for f in findings:
        pos = _position(f.span)
        uri, relative = artifact_uri(f.span.source.name)
        artifact: dict[str, Any] = {"uri": uri}
        if relative:
            artifact["uriBaseId"] = "%SRCROOT%"
        identity = json.dumps([f.code, f.span.source.name, f.message])
        results.append(
            {
                "ruleId": f.code,
                "ruleIndex": codes.index(f.code),
                "level": _SARIF_LEVELS[f.severity],
                "message": {"text": _sarif_text(f.message)},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": artifact,
                            "region": {
                                "startLine": pos["line"],
                                "startColumn": pos["column"],
                                "endLine": pos["end_line"],
                                "endColumn": pos["end_column"],
                            },
                        }
                    }
                ],
                "partialFingerprints": {
                    "alignrules-lint/v1": hashlib.sha256(identity.encode()).hexdigest()[:32]
                },
            }
        )
        if f.hint:
            results[-1]["properties"] = {"hint": f.hint}
    driver: dict[str, Any] = {"name": "alignrules-lint", "rules": rules}
    if tool_version:
        driver["version"] = tool_version
    run = {
        "tool": {"driver": driver},
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    return dumps({"$schema": SCHEMA, "version": "2.1.0", "runs": [run]})


def render_lint(findings: Sequence[Finding], fmt: str, *, tool_version: str) -> str:
    if fmt == "json":
        return render_lint_json(findings)
    if fmt == "sarif":
        return render_lint_sarif(findings, tool_version=tool_version)
    return render_lint_text(findings)
