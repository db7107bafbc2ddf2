"""ir.Program → one Python module: enums, attrs entity classes, parameters, a loader,
indexes, one function per rule, and `check()`.

Everything is emitted in declaration order, so the same ruleset gives byte-identical text.

Over 500 lines: it still emits the declarations and the rule bodies in one class (the
binding half is `codegen/loader.py`, rewriting rules before emission `codegen/optimise.py`);
splitting rule-body emission from declarations is the next restructuring step.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import assert_never

import attrs

from alignrules.codegen.dangles import Dangles
from alignrules.codegen.loader import emit_loader, emit_specs
from alignrules.codegen.names import PREDICATE_LOCALS, RULE_LOCALS, FunctionScope, Symbols
from alignrules.codegen.optimise import Needs, Usage, negate, optimise_rule, simplify
from alignrules.codegen.writer import PyWriter, attr_name, py_docstring, py_literal
from alignrules.ir import nodes as ir
from alignrules.ir import types as t
from alignrules.ir.builtins import BUILTINS
from alignrules.ir.nodes import walk
from alignrules.pointer import escape as escape_pointer
from alignrules.runtime.compat import RUNTIME_ABI

_OPS = {"=": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
_ZERO = {
    "int": "0",
    "decimal": "Decimal(0)",
    "money": "bind.ZERO_MONEY",
    "duration": "timedelta(0)",
}
_SEVERITY = {"error": "Severity.ERROR", "warning": "Severity.WARNING", "info": "Severity.INFO"}


def walk_program(program: ir.Program) -> Iterator[ir.Expr]:
    """Every expression in every rule and predicate."""
    for p in program.predicates:
        yield from walk(p.body)
    for r in program.rules:
        for s in r.steps:
            if isinstance(s, ir.Bind):
                yield from walk(s.coll)
            elif isinstance(s, ir.Filter):
                yield from walk(s.cond)
            else:
                yield from walk(s.expr)
        if r.cond is not None:
            yield from walk(r.cond)
        for m in r.message:
            if m.expr is not None:
                yield from walk(m.expr)


class Emitter:
    def __init__(self, program: ir.Program, origin: str, version: str) -> None:
        self.p = program
        self.origin = origin
        self.version = version
        self.names = Symbols()
        self.w = PyWriter()
        self.consts: dict[str, str] = {}  # source of a constant → its module-level name
        self.const_lines: list[str] = []
        # In a rule function: what it reads of `plan` before its loop, source → local.
        self.hoists: dict[str, str] | None = None
        self.cls = {en.name: self.names.keep(en.name, "type") for en in program.enums}
        self.cls.update({e.name: self.names.keep(e.name, "type") for e in program.entities})
        self.members = {en.name: self._members(en) for en in program.enums}
        self.spell = {en.name: self.names.get("SPELL", en.name, upper=True) for en in program.enums}
        self.plan_all = {e.name: self.names.get("all", e.name) for e in program.entities}
        self.plan_ix = {e.name: self.names.get("ix", e.name) for e in program.entities}
        classes = set(self.cls.values())
        self.params = unique_attrs([p.name for p in program.params], classes)
        self.fattrs = {
            e.name: unique_attrs([f.name for f in e.fields], classes) for e in program.entities
        }
        self.preds = {p.name: self.names.get("pred", p.name) for p in program.predicates}
        # A rule of several bodies has one function per body and one description.
        self.rule_fn = {
            (r.id, r.part): self.names.get("rule", f"{r.id}_{r.part + 1}" if r.part else r.id)
            for r in program.rules
        }
        self.rule_info = {
            r.id: self.names.get("INFO", r.id, upper=True) for r in program.rules if not r.part
        }
        self.regex = [self.names.fresh("RE") for _ in program.regexes]
        self.backs: dict[tuple[str, str], str] = {}
        for node in walk_program(program):
            if isinstance(node, ir.BackRef) and (node.entity, node.field) not in self.backs:
                key = (node.entity, node.field)
                self.backs[key] = self.names.get("back", f"{node.entity}_{node.field}")
        self.scope: FunctionScope = self.names.function(RULE_LOCALS)
        self.dangles = Dangles(program)
        self.usage = Usage(program)

    def _members(self, en: ir.Enum) -> dict[str, str]:
        out: dict[str, str] = {}
        for v in en.values:
            base = re.sub(r"[^0-9A-Za-z_]+", "_", v).upper().strip("_") or "V"
            if base[0].isdigit() or base.startswith("_") or base in ("MRO", "NAME", "VALUE"):
                base = "V_" + base
            ident, n = base, 2
            while ident in out.values():
                ident, n = f"{base}_{n}", n + 1
            out[v] = ident
        return out

    # ------------------------------------------------------------ types
    def py_type(self, typ: t.Type) -> str:
        if isinstance(typ, t.Prim):
            return {
                "text": "str",
                "int": "int",
                "decimal": "Decimal",
                "money": "Money",
                "bool": "bool",
                "date": "date",
                "duration": "timedelta",
            }[typ.name]
        if isinstance(typ, t.EnumT | t.EntityT):
            return self.cls[typ.name]
        if isinstance(typ, t.CollT):
            inner = self.py_type(typ.elem)
            return f"frozenset[{inner}]" if typ.kind == "set" else f"tuple[{inner}, ...]"
        if isinstance(typ, t.OptT):
            return f"{self.py_type(typ.inner)} | None"
        return "Any"

    def key_type(self, entity: str) -> str:
        return self.py_type(self.p.entity(entity).key_field.type)

    def field_type(self, f: ir.Field) -> str:
        if f.ref is not None:
            base = self.key_type(f.ref)
            typ = f"tuple[{base}, ...]" if f.many else base
        else:
            typ = self.py_type(f.type)
        return f"{typ} | None" if f.optional else typ

    # ------------------------------------------------------------ module
    def module(self) -> str:
        w = self.w
        w.comment(f"Generated by alignrules {self.version} from {self.origin}. Do not edit:")
        w.comment("change the ruleset and run `alignrules compile` again.")
        w.line("from __future__ import annotations")
        w.line()
        w.line("from collections.abc import Iterator, Mapping")
        w.line("from datetime import date, timedelta")
        w.line("from decimal import Decimal")
        w.line("from enum import Enum, IntEnum")
        w.line("from typing import Any, Final, cast")
        w.line()
        w.line("import attrs")
        w.line()
        # The guard runs before anything else of the runtime is imported: a module of another
        # runtime contract stops here with one sentence, not on a name that moved.
        w.line("from alignrules.runtime import compat")
        w.line()
        w.line(f"RUNTIME_ABI: Final = compat.require({RUNTIME_ABI}, {py_literal(self.version)})")
        w.line()
        w.line("from alignrules.runtime import bind, binder, readers, specs  # noqa: E402")
        w.line("from alignrules.runtime.params import make_params  # noqa: E402")
        w.line(
            "from alignrules.runtime.report import Location, Report, RuleInfo, Severity, Violation"
            "  # noqa: E402"
        )
        w.line("from alignrules.runtime.values import Money  # noqa: E402")
        w.line()
        w.line(f"RULESET: Final = {py_literal(self.p.name)}")
        w.line(f"USES_TODAY: Final = {py_literal(self.p.uses_today)}")
        for en in self.p.enums:
            self.enum(en)
        for e in self.p.entities:
            self.entity(e)
        self.params_class()
        self.plan_class()
        self.specs()
        self.loader()
        for i, (pattern, ignore_case) in enumerate(self.p.regexes):
            w.line(f"{self.regex[i]}: Final = bind.regex({py_literal(pattern)}, {ignore_case})")
        body_start = len(w.lines)
        for pred in self.p.predicates:
            self.predicate(pred)
        for r in self.p.rules:
            self.rule(r)
        self.check()
        # Constants found while emitting rules go before the first function that uses them.
        if self.const_lines:
            w.lines[body_start:body_start] = ["", *self.const_lines]
        return w.text()

    def enum(self, en: ir.Enum) -> None:
        w, name = self.w, self.cls[en.name]
        w.line()
        w.line()
        w.line(f"class {name}({'IntEnum' if en.ordered else 'Enum'}):")
        w.indent()
        doc = (" < " if en.ordered else ", ").join(en.values)
        w.line(py_docstring(f"{'Ordered' if en.ordered else 'Unordered'} enum `{en.name}`: {doc}."))
        w.line()
        for i, v in enumerate(en.values, start=1):
            value = str(i) if en.ordered else py_literal(v)
            w.line(f"{self.members[en.name][v]} = {value}")
        w.line()
        w.line("def __str__(self) -> str:")
        w.indent()
        w.line("return ENUM_TEXT[self]")
        w.dedent()
        w.dedent()

    def entity(self, e: ir.Entity) -> None:
        w = self.w
        w.line()
        w.line()
        # Identity equality: each record is one entity; comparing all fields would be slow
        # and would make two equal records the same thing.
        w.line("@attrs.frozen(eq=False, kw_only=True)")
        w.line(f"class {self.cls[e.name]}:")
        w.indent()
        where = ir.path_text(e.path)
        shape = "the record" if e.single else "records"
        w.line(
            py_docstring(f"Entity `{e.name}`: {shape} at `{where}` (CSV: {e.csv}), key `{e.key}`.")
        )
        w.line()
        for f in e.fields:
            note = f"  # keys of {f.ref}" if f.ref else ""
            default = " = None" if f.optional else ""
            w.line(f"{self.fattrs[e.name][f.name]}: {self.field_type(f)}{default}{note}")
        w.line('ar_pointer: str = attrs.field(default="", repr=False)')
        w.line()
        w.line("@property")
        w.line(f"def ar_key(self) -> {self.key_type(e.name)}:")
        w.indent()
        w.line(f"return self.{self.fattrs[e.name][e.key]}")
        w.dedent()
        w.dedent()

    def params_class(self) -> None:
        w = self.w
        w.line()
        defaults = {p.name: self.param_value(p.type, p.default) for p in self.p.params}
        for p in self.p.params:
            if p.type == t.MONEY:
                # A class attribute's default is built once, before the class (a call in the
                # class body would read as if it ran per instance).
                name = self.names.get("DEFAULT", p.name, upper=True)
                w.line(f"{name}: Final = {defaults[p.name]}")
                defaults[p.name] = name
        w.line()
        w.line("@attrs.frozen")
        w.line("class Params:")
        w.indent()
        w.line(py_docstring("Ruleset parameters, with their declared defaults."))
        if self.p.params:
            w.line()
        for p in self.p.params:
            w.line(f"{self.params[p.name]}: {self.py_type(p.type)} = {defaults[p.name]}")
        w.dedent()

    def param_value(self, typ: t.Type, value: object) -> str:
        if isinstance(typ, t.CollT):
            assert isinstance(value, frozenset)
            items = sorted(self.param_value(typ.elem, v) for v in value)
            return f"frozenset(({', '.join(items)}{',' if len(items) == 1 else ''}))"
        if isinstance(typ, t.EnumT):
            assert isinstance(value, str)
            return f"{self.cls[typ.name]}.{self.members[typ.name][value]}"
        if typ == t.MONEY:
            assert isinstance(value, tuple)
            amount, currency = value
            return f"Money({py_literal(amount)}, {py_literal(currency)})"
        if typ == t.DURATION:
            return f"timedelta(days={int(str(value))})"
        assert isinstance(value, str | int | bool | Decimal) or hasattr(value, "isoformat")
        return py_literal(value)  # type: ignore[arg-type]

    def plan_class(self) -> None:
        w = self.w
        w.line()
        w.line()
        w.line("@attrs.frozen")
        w.line("class Plan:")
        w.indent()
        w.line(
            py_docstring("Bound plan data: every entity, and the indexes rules look things up in.")
        )
        w.line()
        for e in self.p.entities:
            cls = self.cls[e.name]
            w.line(f"{self.plan_all[e.name]}: tuple[{cls}, ...]")
            w.line(f"{self.plan_ix[e.name]}: dict[{self.key_type(e.name)}, {cls}]")
        for (entity, field), name in self.backs.items():
            ref = self.p.entity(entity).field(field)
            assert ref is not None and ref.ref is not None
            w.line(f"{name}: dict[{self.key_type(ref.ref)}, tuple[{self.cls[entity]}, ...]]")
        w.line("problems: tuple[Violation, ...]")
        w.dedent()

    def specs(self) -> None:
        emit_specs(self)

    def loader(self) -> None:
        emit_loader(self)

    # ------------------------------------------------------------ rules
    def local(self, name: str) -> str:
        """The Python local for a ruleset variable, from the current function's scope."""
        return "item" if name == "_it" else self.scope.var(name)

    def predicate(self, pred: ir.Predicate) -> None:
        w = self.w
        w.line()
        w.line()
        w.comment(f"{pred.span.origin()}  predicate {pred.name}")
        self.scope = self.names.function(PREDICATE_LOCALS)
        args = [*_context(self.usage.predicate(pred.name))]
        args += [f"{self.local(n)}: {self.py_type(typ)}" for n, typ in pred.params]
        w.line(f"def {self.preds[pred.name]}({', '.join(args)}) -> bool:")
        w.indent()
        w.line(f"return {_bare(self.expr(simplify(pred.body)))}")
        w.dedent()

    def rule(self, r: ir.Rule) -> None:
        w = self.w
        w.line()
        w.line()
        first = r.steps[0]
        if r.part:  # a later body of a rule: its own line, and which body it is
            w.comment(f"{first.span.origin()}  rule {r.id}, body {r.part + 1}  ({r.severity})")
        else:
            w.comment(f"{r.span.origin()}  rule {r.id}  ({r.severity})")
        self.scope = self.names.function(RULE_LOCALS)
        r = optimise_rule(r)
        first, *rest = r.steps
        assert isinstance(first, ir.Bind) and first.entity is not None
        subjects = f"subjects: Iterator[{self.cls[first.entity]}]"
        args = ", ".join([subjects, *_context(self.usage.rule(r))])
        w.line(f"def {self.rule_fn[r.id, r.part]}({args}) -> Iterator[Violation]:")
        w.indent()
        w.line(py_docstring(r.title))
        w.line(f"info = {self.rule_info[r.id]}")
        self.hoists, at, level = {}, len(w.lines), w.level
        w.line(f"for {self.local(first.var)} in subjects:")
        w.indent()
        self.binding(r, rest)
        w.dedent()
        w.lines[at:at] = ["    " * level + f"{n} = {src}" for src, n in self.hoists.items()]
        self.hoists = None
        w.dedent()

    def binding(self, r: ir.Rule, steps: list[ir.Step]) -> None:
        """The body of one binding loop: its filters and lets, then the next loop, or the
        condition and the violation. A dangling reference met here leaves out this binding
        only (`continue`), never the enclosing one (docs/language.md)."""
        w = self.w
        n = next((i for i, s in enumerate(steps) if isinstance(s, ir.Bind)), len(steps))
        own, inner = steps[:n], steps[n:]
        # A `let` that follows one reference of a variable is looked up in place and leaves
        # the binding out itself (`let_lookup`), so it needs no handler of its own.
        exprs: list[ir.Expr | None] = [
            s.cond if isinstance(s, ir.Filter) else s.expr
            for s in own
            if isinstance(s, ir.Filter) or (isinstance(s, ir.LetStep) and _lookup(s.expr) is None)
        ]
        if inner:
            assert isinstance(inner[0], ir.Bind)
            exprs.append(inner[0].coll)
        else:
            exprs.append(r.cond)
        guard = any(self.dangles.may_dangle(e) for e in exprs)
        if guard:
            w.line("try:")
            w.indent()
        for step in own:
            if isinstance(step, ir.Filter):
                w.line(f"if {_bare(self.expr(negate(step.cond)))}:")
                w.indent()
                w.line("continue")
                w.dedent()
            elif isinstance(step, ir.LetStep):
                if _lookup(step.expr) is not None:
                    self.let_lookup(self.local(step.var), step.expr)
                else:
                    w.line(f"{self.local(step.var)} = {self.expr(step.expr)}")
        if inner:
            step, rest = inner[0], inner[1:]
            assert isinstance(step, ir.Bind)
            coll = _plain_refs(step.coll)
            if coll is not None:
                # The entities a list of keys names, looked up one by one (no tuple per subject).
                var = self.local(step.var)
                keys = f"{self.expr(coll.obj)}.{self.fattrs[coll.entity][coll.field]}"
                get = self.index_get(coll.target)
                if self.hoists is None:  # pragma: no cover - bindings are emitted in rules
                    w.line(f"for {var} in map({get}, {keys}):")
                    w.indent()
                else:
                    key = self.scope.fresh("key")
                    w.line(f"for {key} in {keys}:")
                    w.indent()
                    w.line(f"{var} = {get}({key})")
                w.line(f"if {var} is None:")
                w.indent()
                w.line("continue  # a dangling key: the loader reported it")
                w.dedent()
            else:
                w.line(f"for {self.local(step.var)} in {self.expr(step.coll)}:")
                w.indent()
            self.binding(r, rest)
            w.dedent()
        elif r.cond is None:
            self.yield_violation(r)
        else:
            cond = self.expr(r.cond if r.violate_when else negate(r.cond))
            w.line(f"if {_bare(cond)}:")
            w.indent()
            self.yield_violation(r)
            w.dedent()
        if guard:
            w.dedent()
            w.line("except bind.Dangling:")
            w.indent()
            w.line("continue  # the loader reported the dangling reference")
            w.dedent()

    def index_get(self, entity: str) -> str:
        """`plan.ix_<entity>.get`; in a rule function, a local read once before its loop
        (reading the method per record costs about what the lookup itself costs)."""
        source = f"plan.{self.plan_ix[entity]}.get"
        if self.hoists is None:
            return source
        if source not in self.hoists:
            local = f"get_{self.plan_ix[entity].removeprefix('ix_')}"
            self.hoists[source] = self.scope.fresh(local)
        return self.hoists[source]

    def let_lookup(self, var: str, e: ir.Expr) -> None:
        """`let x = y.ref` in a binding: the record looked up in place, and the binding left
        out when the key names none, as a dangling reference leaves it out elsewhere (the
        handler of a guarded binding is `continue`), without a call and an exception per
        subject."""
        assert isinstance(e, ir.Deref)
        key = f"{self.expr(e.obj)}.{self.fattrs[e.entity][e.field]}"
        w = self.w
        lookup = f"{self.index_get(e.target)}({key})"
        if e.optional:
            w.line(f"{var} = None if {key} is None else {lookup}")
            w.line(f"if {var} is None and {key} is not None:")
        else:
            w.line(f"{var} = {lookup}")
            w.line(f"if {var} is None:")
        w.indent()
        w.line("continue  # a dangling reference: the loader reported it")
        w.dedent()

    def yield_violation(self, r: ir.Rule) -> None:
        w = self.w
        subject = self.local(r.subject)
        entity = self.p.entity(r.subject_entity)
        related = "".join(
            f"({py_literal(ent)}, {self.key_text(self.local(var), ent)}), "
            for var, ent in r.related
        )
        for d in r.dangling_related:
            keys = f"{self.expr(d.obj)}.{self.fattrs[d.entity][d.field]}"
            ix = f"plan.{self.plan_ix[d.target]}"
            related += f"*bind.dangling_related({py_literal(d.target)}, {ix}, {keys}, {d.many}), "
        if r.message:
            parts = []
            for m in r.message:
                if m.text is not None:
                    parts.append(py_literal(m.text))
                else:
                    assert m.expr is not None
                    hole = self.message_text(m.expr)
                    if self.dangles.may_dangle(m.expr):
                        # The violation stands; the hole names the key it could not follow.
                        # The lambda takes the loop variables it reads as arguments.
                        names = sorted(map(self.local, ir.free_vars(m.expr)))
                        args = ", ".join(names)
                        hole = f"bind.hole(lambda {args}: {hole}{''.join(', ' + n for n in names)})"
                    parts.append(hole)
            message = f'"".join(({", ".join(parts)},))'
        else:
            message = py_literal(r.title)
        pointer = f"{subject}.ar_pointer"
        field, field_location = "None", "None"
        if r.field is not None:
            f = entity.field(r.field)
            assert f is not None
            # A value inside nested objects has one pointer token per key; tokens are
            # escaped here, once, not for every violation.
            suffix = "".join(f"/{escape_pointer(k)}" for k in (f.path or (f.data_name,)))
            field = py_literal(r.field)
            field_location = f"Location(None, {pointer} + {py_literal(suffix)})"
        # The record itself, its arguments in field order (rule, severity, message, entity,
        # key, location, related, field, field location): keywords would cost a fifth of
        # building it, and a report of 10^5 violations builds 10^5 of them.
        w.line("yield Violation(")
        w.indent()
        w.line(f"info.id, info.severity, {message},")
        w.line(f"{py_literal(entity.name)}, {self.key_text(subject, entity.name)},")
        w.line(f"Location(None, {pointer}), ({related}), {field}, {field_location},")
        w.dedent()
        w.line(")")

    def key_text(self, var: str, entity: str) -> str:
        """The key of the entity in `var`, as text."""
        key = self.p.entity(entity).key_field
        attr = f"{var}.{self.fattrs[entity][key.name]}"
        return attr if key.type == t.TEXT else f"str({attr})"

    def message_text(self, e: ir.Expr) -> str:
        """A message hole as text: what `bind.text` gives, spelled out where the type is known."""
        if e.type == t.TEXT:
            return self.expr(e)
        if isinstance(e.type, t.EnumT):
            return f"ENUM_TEXT[{self.expr(e)}]"  # what the enum's __str__ gives, without the call
        if e.type in (t.INT, t.DATE, t.MONEY):
            return f"str({self.expr(e)})"
        if isinstance(e.type, t.OptT) and isinstance(e, ir.GetField) and isinstance(e.obj, ir.Var):
            # An optional field of a record (read twice, cheaply): what `bind.text` gives.
            present = self.message_text(attrs.evolve(e, type=e.type.inner))
            if present != f"bind.text({self.expr(e)})":
                return f'"missing" if {self.expr(e)} is None else {present}'
        return f"bind.text({self.expr(e)})"

    def check(self) -> None:
        w = self.w
        w.line()
        w.line()
        for r in self.p.rules:
            if r.part:
                continue  # described with its first body
            tags = py_literal_tuple(r.tags)
            links = py_literal_tuple(r.links)
            w.line(f"{self.rule_info[r.id]}: Final = RuleInfo(")
            w.indent()
            w.line(f"id={py_literal(r.id)},")
            w.line(f"title={py_literal(r.title)},")
            w.line(f"severity={_SEVERITY[r.severity]},")
            w.line(f"origin={py_literal(r.span.origin())},")
            w.line(f"rationale={py_literal(r.rationale)},")
            w.line(f"owner={py_literal(r.owner)},")
            w.line(f"tags={tags},")
            w.line(f"links={links},")
            w.dedent()
            w.line(")")
        # With no rules, mypy cannot type the loops over an empty tuple: say what it holds.
        w.line(
            "RULES: Final = ("
            if self.p.rules
            else "RULES: Final[tuple[tuple[RuleInfo, Any], ...]] = ("
        )
        w.indent()
        for r in self.p.rules:
            w.line(f"({self.rule_info[r.id]}, {self.rule_fn[r.id, r.part]}),")
        w.dedent()
        w.line(")")
        w.line()
        w.line()
        # `today` may be left out only where no rule reads it: then it dates the report alone.
        today = "today: date" if self.p.uses_today else "today: date | None = None"
        w.line(f"def check(plan: Plan, params: Params | None = None, *, {today}) -> Report:")
        w.indent()
        doc = (
            "Run every rule over `plan`; `today` is the evaluation date (never the clock)."
            if self.p.uses_today
            else "Run every rule over `plan`; no rule reads `today`, which only dates the report"
            " (the computer's date when left out)."
        )
        w.line(py_literal(doc))
        if not self.p.uses_today:
            w.line("today = date.today() if today is None else today")
        w.line("params = Params() if params is None else params")
        w.line("found: list[Violation] = list(plan.problems)")
        w.line("with bind.gc_paused(), bind.arithmetic():  # see bind.gc_paused, bind.arithmetic")
        w.indent()
        # A record a rule fails on is a `rule-crashed` finding; the rule goes on with the next.
        for r in self.p.rules:
            first = r.steps[0]
            assert isinstance(first, ir.Bind)
            args = [self.rule_info[r.id], self.rule_fn[r.id, r.part], self.expr(first.coll)]
            args += self.usage.rule(r).args()
            w.line(f"bind.run_rule(found, {', '.join(args)})")
        counts = ", ".join(
            f"({py_literal(e.name)}, len(plan.{self.plan_all[e.name]}))" for e in self.p.entities
        )
        w.line("rules = bind.reported_rules(found, (bind.DANGLING, *(info for info, _ in RULES)))")
        w.line(
            f"return Report.build(found, rules, today, ({counts}{',' if len(self.p.entities) == 1 else ''}))"
        )
        w.dedent()
        w.dedent()

    # ------------------------------------------------------------ expressions
    def const(self, source: str) -> str:
        """A module-level name for a constant built once (Decimal, Money, frozenset...)."""
        if source not in self.consts:
            name = self.names.fresh("K")
            self.consts[source] = name
            self.const_lines.append(f"{name}: Final = {source}")
        return self.consts[source]

    def expr(self, e: ir.Expr) -> str:
        match e:
            case ir.Var():
                return self.x_var(e)
            case ir.ParamRef():
                return self.x_paramref(e)
            case ir.Const():
                return self.x_const(e)
            case ir.EnumConst():
                return self.x_enumconst(e)
            case ir.Today():
                return self.x_today(e)
            case ir.SetLit():
                return self.x_setlit(e)
            case ir.GetField():
                return self.x_getfield(e)
            case ir.Deref():
                return self.x_deref(e)
            case ir.MapField():
                return self.x_mapfield(e)
            case ir.AllOf():
                return self.x_allof(e)
            case ir.BackRef():
                return self.x_backref(e)
            case ir.PredCall():
                return self.x_predcall(e)
            case ir.Builtin():
                return self.x_builtin(e)
            case ir.Aggregate():
                return self.x_aggregate(e)
            case ir.Quant():
                return self.x_quant(e)
            case ir.BoolOp():
                return self.x_boolop(e)
            case ir.Not():
                return self.x_not(e)
            case ir.Compare():
                return self.x_compare(e)
            case ir.IsMissing():
                return self.x_ismissing(e)
            case ir.IsDangling():
                return self.x_isdangling(e)
            case ir.Member():
                return self.x_member(e)
            case ir.TextMatch():
                return self.x_textmatch(e)
            case ir.Arith():
                return self.x_arith(e)
            case ir.Neg():
                return self.x_neg(e)
            case ir.Otherwise():
                return self.x_otherwise(e)
            case ir.Narrowed():
                return self.x_narrowed(e)
            case ir.Refers():  # pragma: no cover - the desugaring pass replaces these
                raise AssertionError("a reference test reached code generation")
            case ir.Invalid():
                return self.x_invalid(e)
            case _:
                assert_never(e)

    def coerce(self, e: ir.Expr, want: t.Type) -> str:
        """`e` as a value of `want`: ints become Decimal or Money where the other side is."""
        src = self.expr(e)
        if want == t.MONEY and t.strip_opt(e.type) in t.NUMERIC:
            if isinstance(e, ir.Const):
                return self.const(f"Money({py_literal(Decimal(str(e.value)))})")
            return f"bind.money({src})"
        if want == t.DECIMAL and t.strip_opt(e.type) == t.INT and isinstance(e, ir.Const):
            return self.const(f"Decimal({py_literal(e.value)})")
        return src

    def x_var(self, e: ir.Var) -> str:
        return self.local(e.name)

    def x_paramref(self, e: ir.ParamRef) -> str:
        return f"params.{self.params[e.name]}"

    def x_const(self, e: ir.Const) -> str:
        if e.type == t.DURATION:
            return self.const(f"timedelta(days={int(str(e.value))})")
        if e.type == t.MONEY:
            assert isinstance(e.value, int | Decimal)
            return self.const(f"Money({py_literal(Decimal(e.value))}, {py_literal(e.currency)})")
        if e.type in (t.DECIMAL, t.DATE):
            return self.const(py_literal(e.value))
        return py_literal(e.value)

    def x_enumconst(self, e: ir.EnumConst) -> str:
        # Reading a member off its class goes through the enum metaclass, several times the
        # cost of a global; rules compare with members once per record, so each member a
        # rule names is read once, into a module constant (`CAPABILITYSTATUS_FUNDED`).
        cls, member = self.cls[e.enum], self.members[e.enum][e.value]
        source = f"{cls}.{member}"
        if source not in self.consts:
            name = self.names.get(cls, member, upper=True)
            self.consts[source] = name
            self.const_lines.append(f"{name}: Final = {source}")
        return self.consts[source]

    def x_today(self, e: ir.Today) -> str:
        return "today"

    def x_setlit(self, e: ir.SetLit) -> str:
        assert isinstance(e.type, t.CollT)
        items = [self.coerce(i, e.type.elem) for i in e.items]
        if not items:
            return "frozenset()"
        src = f"frozenset(({', '.join(items)},))"
        if all(isinstance(i, ir.Const | ir.EnumConst) for i in e.items):
            return self.const(src)
        return src

    def x_getfield(self, e: ir.GetField) -> str:
        return f"{self.expr(e.obj)}.{self.fattrs[e.entity][e.field]}"

    def x_deref(self, e: ir.Deref) -> str:
        keys = f"{self.expr(e.obj)}.{self.fattrs[e.entity][e.field]}"
        ix = f"plan.{self.plan_ix[e.target]}"
        if e.many:
            fn = "deref_many_opt" if e.optional else "deref_many"
        else:
            fn = "deref_opt" if e.optional else "deref"
        return f"bind.{fn}({ix}, {keys})"

    def x_mapfield(self, e: ir.MapField) -> str:
        if self.dangles.may_dangle(e.value):
            # `campaign.items.product`: an item whose product dangles is one step left out
            terms = f"bind.terms({self._element(e.var, e.coll, self.expr(e.value), e.value)})"
            return f"bind.flat({terms})" if e.flatten else f"tuple({terms})"
        gathered = self._gathered(e)
        if gathered is not None:
            # `(Claim referencing c).capabilities`: gather the keys, then look them up at once.
            return f"bind.deref_many(plan.{self.plan_ix[gathered[0]]}, {gathered[1]})"
        coll, value = self.expr(e.coll), self.expr(e.value)
        if e.flatten:
            return f"bind.flat({value} for item in {coll})"
        if isinstance(e.value.type, t.OptT):
            return f"bind.values_of({value} for item in {coll})"
        return f"tuple({value} for item in {coll})"

    def _gathered(self, e: ir.Expr) -> tuple[str, str] | None:
        """For `(Claim referencing c).capabilities`: the entity of the records named and one
        comprehension that gathers their keys (a required list is never missing)."""
        if not isinstance(e, ir.MapField) or not e.flatten or self.dangles.may_dangle(e.value):
            return None
        refs = _plain_refs(e.value)
        if refs is None or not isinstance(refs.obj, ir.Var):
            return None
        owner = self.expr(refs.obj)
        key = "key_" if owner == "key" else "key"
        keys = f"{owner}.{self.fattrs[refs.entity][refs.field]}"
        gathered = f"[{key} for item in {self.expr(e.coll)} for {key} in {keys}]"
        return refs.target, gathered

    def x_allof(self, e: ir.AllOf) -> str:
        return f"plan.{self.plan_all[e.entity]}"

    def x_backref(self, e: ir.BackRef) -> str:
        ref = self.p.entity(e.entity).field(e.field)
        assert ref is not None and ref.ref is not None
        key = self.fattrs[ref.ref][self.p.entity(ref.ref).key]
        return f"plan.{self.backs[(e.entity, e.field)]}.get({self.expr(e.target)}.{key}, ())"

    def x_predcall(self, e: ir.PredCall) -> str:
        args = [*self.usage.predicate(e.name).args(), *map(self.expr, e.args)]
        return f"{self.preds[e.name]}({', '.join(args)})"

    def x_builtin(self, e: ir.Builtin) -> str:
        arg = e.args[0]
        return BUILTINS[e.name].python(self.expr(arg), arg.type)

    def _gen(self, var: str, coll: ir.Expr, where: ir.Expr | None) -> str:
        clause = f" for {self.local(var)} in {self.expr(coll)}"
        gathered = self._gathered(coll)
        if gathered is not None:
            # The records the gathered keys name, looked up one by one; a dangling key is
            # left out, as `bind.deref_many` leaves it out, without a tuple of them all.
            get, keys = self.index_get(gathered[0]), gathered[1]
            clause = (
                f" for {self.local(var)} in map({get}, {keys}) if {self.local(var)} is not None"
            )
        if where is not None:
            clause += f" if {self.expr(where)}"
        return clause

    def _element(self, var: str, coll: ir.Expr, body: str, *reads: ir.Expr | None) -> str:
        """`coll, lambda var, *outer: body, *outer`: the arguments of `bind.known` and
        `bind.terms`, which leave out an element whose `body` follows a dangling reference.
        The variables `reads` take from around it are passed, not closed over (a lambda
        made in a loop must not read the loop's variable later)."""
        names: set[str] = set()
        for e in reads:
            names |= ir.free_vars(e) if e is not None else set()
        outer = sorted(self.local(n) for n in names - {var})
        params = ", ".join([self.local(var), *outer])
        return f"{self.expr(coll)}, lambda {params}: {body}{''.join(', ' + n for n in outer)}"

    def x_aggregate(self, e: ir.Aggregate) -> str:
        if self.dangles.may_dangle(e.value) or self.dangles.may_dangle(e.where):
            return self.aggregate_known(e)
        gen = self._gen(e.var, e.coll, e.where)
        value = self.expr(e.value)
        if e.op == "count":
            if e.where is None:
                return f"len({self.expr(e.coll)})"
            return f"sum([1{gen}])"
        vt = t.strip_opt(e.value.type)
        # The terms in a list, not a generator: `sum` and `min` read a list at C speed, and
        # resuming a generator once per term was most of an aggregate's time.
        if e.op == "sum":
            zero = _ZERO[str(vt)]
            if vt == t.INT:
                return f"sum([{value}{gen}])"
            return f"sum([{value}{gen}], {zero})"
        if e.op == "avg":
            fn = "avg_money" if vt == t.MONEY else "avg"
            return f"bind.{fn}({value}{gen})"
        return f"{e.op}([{value}{gen}], default=None)"

    def aggregate_known(self, e: ir.Aggregate) -> str:
        """An aggregate whose terms may follow a dangling reference: those terms are left out."""
        if e.op == "count":
            assert e.where is not None  # `count(xs)` has no term to evaluate
            where = self.expr(e.where)
            return f"sum(bind.known({self._element(e.var, e.coll, where, e.where)}))"
        value = self.expr(e.value)
        if e.where is not None:
            value = f"{value} if {self.expr(e.where)} else None"
        terms = f"bind.terms({self._element(e.var, e.coll, value, e.value, e.where)})"
        vt = t.strip_opt(e.value.type)
        if e.op == "sum":
            return f"sum({terms})" if vt == t.INT else f"sum({terms}, {_ZERO[str(vt)]})"
        if e.op == "avg":
            return f"bind.{'avg_money' if vt == t.MONEY else 'avg'}({terms})"
        return f"{e.op}({terms}, default=None)"

    def x_quant(self, e: ir.Quant) -> str:
        if self.dangles.may_dangle(e.where) or self.dangles.may_dangle(e.must):
            return self.quant_known(e)
        if e.kind == "every":
            assert e.must is not None
            return f"all({self.expr(e.must)}{self._gen(e.var, e.coll, e.where)})"
        cond = self.expr(e.where) if e.where is not None else "True"
        found = f"any({cond}{self._gen(e.var, e.coll, None)})"
        return found if e.kind == "some" else f"(not {found})"

    def quant_known(self, e: ir.Quant) -> str:
        """A quantifier whose elements may follow a dangling reference: those are left out."""
        if e.kind == "every":
            assert e.must is not None
            test = self.expr(e.must)
            if e.where is not None:
                test = f"{self.expr(negate(e.where))} or {test}"
            return f"all(bind.known({self._element(e.var, e.coll, test, e.must, e.where)}))"
        assert e.where is not None
        where = self.expr(e.where)
        found = f"any(bind.known({self._element(e.var, e.coll, where, e.where)}))"
        return found if e.kind == "some" else f"(not {found})"

    def x_boolop(self, e: ir.BoolOp) -> str:
        # A chain `a or b or c` is one flat Python expression however long it is (the IR
        # nests it, balanced): Python's parser stops at 200 nested parentheses.
        operands: list[str] = []
        stack: list[ir.Expr] = [e]
        while stack:
            x = stack.pop()
            if isinstance(x, ir.BoolOp) and x.op == e.op:
                stack += [x.right, x.left]
            else:
                operands.append(self.expr(x))
        flat = f" {e.op} ".join(operands)
        if len(flat) <= 80:
            return f"({flat})"
        # One operand a line, inside the parentheses, as a person would break it.
        pad = "    " * (self.w.level + 1)
        return "(\n" + pad + f"\n{pad}{e.op} ".join(operands) + "\n" + pad[:-4] + ")"

    def x_not(self, e: ir.Not) -> str:
        return f"(not {self.expr(e.expr)})"

    def x_compare(self, e: ir.Compare) -> str:
        if isinstance(e.operand, t.EntityT):
            op = "is" if e.op == "=" else "is not"
            return f"({self.expr(e.left)} {op} {self.expr(e.right)})"
        return f"({self.coerce(e.left, e.operand)} {_OPS[e.op]} {self.coerce(e.right, e.operand)})"

    def x_ismissing(self, e: ir.IsMissing) -> str:
        return f"({self.expr(e.expr)} is {'not ' if e.negated else ''}None)"

    def x_isdangling(self, e: ir.IsDangling) -> str:
        keys = f"{self.expr(e.obj)}.{self.fattrs[e.entity][e.field]}"
        fn = "dangles_many" if e.many else "dangles"
        test = f"bind.{fn}(plan.{self.plan_ix[e.target]}, {keys})"
        return f"(not {test})" if e.negated else test

    def x_member(self, e: ir.Member) -> str:
        assert isinstance(e.coll.type, t.CollT)
        elem = self.coerce(e.element, e.coll.type.elem)
        return f"({elem} {'not in' if e.negated else 'in'} {self.expr(e.coll)})"

    def x_textmatch(self, e: ir.TextMatch) -> str:
        left, right = self.expr(e.left), self.expr(e.right)
        if e.op == "matches":
            assert e.regex_id is not None
            return f"({self.regex[e.regex_id]}.search({left}) is not None)"
        if e.ignore_case:
            left, right = f"{left}.casefold()", f"{right}.casefold()"
        if e.op == "contains":
            return f"({right} in {left})"
        method = "startswith" if e.op == "starts with" else "endswith"
        return f"{left}.{method}({right})"

    def x_arith(self, e: ir.Arith) -> str:
        a, b = e.left.type, e.right.type
        if e.type == t.MONEY:
            if e.op in "+-":
                return f"({self.coerce(e.left, t.MONEY)} {e.op} {self.coerce(e.right, t.MONEY)})"
            if e.op == "*":
                money, factor = (e.left, e.right) if a == t.MONEY else (e.right, e.left)
                return f"({self.expr(money)} * {self.expr(factor)})"
            return f"{self.expr(e.left)}.scale_div({self.expr(e.right)})"
        if e.op == "/" and a == b == t.DURATION:
            return f"bind.ratio({self.expr(e.left)}, {self.expr(e.right)})"
        if e.op == "/" and a == b == t.INT:
            return f"(Decimal({self.expr(e.left)}) / {self.expr(e.right)})"
        return f"({self.expr(e.left)} {e.op} {self.expr(e.right)})"

    def x_neg(self, e: ir.Neg) -> str:
        return f"(-{self.expr(e.expr)})"

    def x_otherwise(self, e: ir.Otherwise) -> str:
        if isinstance(e.type, t.CollT) and isinstance(e.default, ir.SetLit) and not e.default.items:
            default = "()"
        else:
            default = self.coerce(e.default, e.type)
        if _plain_path(e.expr):  # `c.capacity otherwise 0`: no call, and mypy narrows it
            value = self.expr(e.expr)
            return f"({default} if {value} is None else {value})"
        return f"bind.otherwise({self.expr(e.expr)}, {default})"

    def x_narrowed(self, e: ir.Narrowed) -> str:
        if _plain_path(e.expr):
            return self.expr(e.expr)  # mypy narrows `x.a` after `x.a is not None` by itself
        return f"bind.present({self.expr(e.expr)})"

    def x_invalid(self, e: ir.Invalid) -> str:  # pragma: no cover - lowering refuses these
        raise AssertionError("invalid IR reached code generation")


#: Attribute names a generated class needs for itself, and the names its annotations use:
#: a field called `str` would otherwise shadow `str` when attrs and cattrs read the hints.
_CLASS_OWN = frozenset({"self", "cls", "ar_pointer", "ar_key", "property"})
_ANNOTATION_NAMES = frozenset(
    {"str", "int", "bool", "tuple", "dict", "frozenset", "None", "date", "timedelta", "Decimal"}
    | {"Money", "Any", "Final", "Enum", "IntEnum", "attrs", "bind", "Iterator", "Mapping"}
    | {"Violation", "Report", "RuleInfo", "Severity", "RuleCrashed", "cast", "re"}
)


def unique_attrs(
    names: list[str], classes: set[str] | frozenset[str] = frozenset()
) -> dict[str, str]:
    """Rule-side names → attribute names of one class: PEP 8's trailing underscore for
    keywords, no leading underscore (attrs would strip it), never a clash."""
    out: dict[str, str] = {}
    used = set(_CLASS_OWN)
    for name in names:
        base = attr_name(name.lstrip("_") or "x")
        if base[0].isdigit():  # `_0` → `f_0`: an attribute cannot start with a digit
            base = "f_" + base
        if base in _CLASS_OWN or base in _ANNOTATION_NAMES or base in classes:
            base += "_"
        while base in used:
            base += "_"
        used.add(base)
        out[name] = base
    return out


def _lookup(e: ir.Expr) -> ir.Deref | None:
    """`e` when it follows one reference of a local variable (`campaign.product`)."""
    return e if isinstance(e, ir.Deref) and not e.many and isinstance(e.obj, ir.Var) else None


def _plain_refs(e: ir.Expr) -> ir.Deref | None:
    """`e` when it is a required list of references, `claim.capabilities`."""
    if isinstance(e, ir.Builtin) and e.name == "as_list":
        e = e.args[0]
    return e if isinstance(e, ir.Deref) and e.many and not e.optional else None


def _plain_path(e: ir.Expr) -> bool:
    if isinstance(e, ir.Var):
        return True
    if isinstance(e, ir.GetField):
        return _plain_path(e.obj)
    return False


_CONTEXT = {"plan": "plan: Plan", "params": "params: Params", "today": "today: date"}


def _context(needs: Needs) -> list[str]:
    """The annotated context arguments a generated function takes."""
    return [_CONTEXT[name] for name in needs.args()]


def _bare(src: str) -> str:
    """`src` without the parentheses around the whole of it, where an `if` or a `return`
    makes them redundant."""
    if not (src.startswith("(") and src.endswith(")")) or "\n" in src:
        return src
    inner = src[1:-1]
    try:  # `(a) or (b)` is not one parenthesised whole: its inside does not parse
        ast.parse(inner, mode="eval")
    except SyntaxError:
        return src
    return inner


def py_literal_tuple(items: tuple[str, ...] | list[str]) -> str:
    inner = ", ".join(py_literal(i) for i in items)
    return f"({inner},)" if len(items) == 1 else f"({inner})"


def emit(program: ir.Program, origin: str, version: str) -> str:
    """The Python module for `program`; `origin` names the ruleset in its header. The text
    runs as it is; `codegen.layout.layout` lays it out for people (`alignrules compile`)."""
    return Emitter(program, origin, version).module()


__all__ = ["attrs", "emit"]
