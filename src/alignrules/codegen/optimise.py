"""IR → IR passes that make the generated code read as a person would write it, without
changing what it means: negations folded, a single reference followed more than once in one
step read once into a local, and which of `plan`, `params` and `today` each function needs.

Every pass keeps the order in which the generated code evaluates things where that order
can be seen (a dangling reference, a failure on a record), so findings do not change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import attrs

from alignrules.ir import nodes as ir
from alignrules.ir import types as t
from alignrules.ir.nodes import free_vars, walk


def map_children(e: ir.Expr, f: Callable[[ir.Expr], ir.Expr]) -> ir.Expr:
    """`e` with `f` applied to each expression directly under it."""
    changes: dict[str, object] = {}
    for field in attrs.fields(type(e)):
        value = getattr(e, field.name)
        if isinstance(value, tuple):
            new = tuple(f(v) if ir.is_expr(v) else v for v in value)
            if any(a is not b for a, b in zip(new, value, strict=True)):
                changes[field.name] = new
        elif ir.is_expr(value):
            out = f(value)
            if out is not value:
                changes[field.name] = out
    changed: ir.Expr = attrs.evolve(e, **changes) if changes else e  # type: ignore[arg-type]
    return changed


# ------------------------------------------------------------------ negations
def negate(e: ir.Expr) -> ir.Expr:
    """`not e`, folded: `not (a < b)` is `a >= b`, `not not x` is `x`, and `not (a and b)`
    is `not a or not b` when every operand folds without a `not` of its own."""
    match e:
        case ir.Not():
            return simplify(e.expr)
        case ir.Compare() if e.op in ir.NEGATED:
            return attrs.evolve(
                e, op=ir.NEGATED[e.op], left=simplify(e.left), right=simplify(e.right)
            )
        case ir.IsMissing():
            return attrs.evolve(e, negated=not e.negated, expr=simplify(e.expr))
        case ir.IsDangling():
            return attrs.evolve(e, negated=not e.negated, obj=simplify(e.obj))
        case ir.Member():
            return simplify(attrs.evolve(e, negated=not e.negated))
        case ir.Quant(kind="no" | "some"):
            return simplify(attrs.evolve(e, kind="some" if e.kind == "no" else "no"))
        case ir.BoolOp():
            parts = [negate(x) for x in _operands(e)]
            if not any(isinstance(p, ir.Not) for p in parts):
                return _chain("or" if e.op == "and" else "and", parts, e)
    return ir.Not(simplify(e), span=e.span)


def simplify(e: ir.Expr) -> ir.Expr:
    """`e` with every negation inside it folded (see `negate`)."""
    if isinstance(e, ir.Not):
        return negate(e.expr)
    return map_children(e, simplify)


def _operands(e: ir.BoolOp) -> list[ir.Expr]:
    # Iterative: a chain of a thousand `or`s is a balanced tree, but its leaves are many.
    out: list[ir.Expr] = []
    stack: list[ir.Expr] = [e]
    while stack:
        x = stack.pop()
        if isinstance(x, ir.BoolOp) and x.op == e.op:
            stack += [x.right, x.left]
        else:
            out.append(x)
    return out


def _chain(op: ir.BoolOpName, parts: list[ir.Expr], like: ir.Expr) -> ir.Expr:
    """`parts` joined by `op`, nested as balanced as the IR nests chains (see x_boolop)."""
    if len(parts) == 1:
        return parts[0]
    mid = len(parts) // 2
    return ir.BoolOp(
        op, _chain(op, parts[:mid], like), _chain(op, parts[mid:], like), span=like.span
    )


# ------------------------------------------------------------------ what a function reads
@attrs.frozen
class Needs:
    """Which of the generated function's context arguments its body reads."""

    plan: bool = False
    params: bool = False
    today: bool = False

    def __or__(self, other: Needs) -> Needs:
        return Needs(
            self.plan or other.plan, self.params or other.params, self.today or other.today
        )

    def args(self) -> tuple[str, ...]:
        """The argument names, in the order generated functions take them."""
        pairs = (("plan", self.plan), ("params", self.params), ("today", self.today))
        return tuple(name for name, used in pairs if used)


class Usage:
    """`needs(e)`: what evaluating `e` reads of the plan, the parameters and the date,
    following predicate calls into their bodies."""

    def __init__(self, program: ir.Program) -> None:
        self._bodies = {p.name: p.body for p in program.predicates}
        self._preds: dict[str, Needs] = {}

    def needs(self, e: ir.Expr | None) -> Needs:
        out = Needs()
        if e is None:
            return out
        for node in walk(e):
            match node:
                case ir.AllOf() | ir.Deref() | ir.BackRef() | ir.IsDangling():
                    out |= Needs(plan=True)
                case ir.ParamRef():
                    out |= Needs(params=True)
                case ir.Today():
                    out |= Needs(today=True)
                case ir.PredCall():
                    out |= self.predicate(node.name)
        return out

    def predicate(self, name: str) -> Needs:
        """What predicate `name`'s body reads (a predicate that calls itself adds nothing)."""
        if name not in self._preds:
            self._preds[name] = Needs()
            self._preds[name] = self.needs(self._bodies.get(name))
        return self._preds[name]

    def rule(self, r: ir.Rule) -> Needs:
        """What a rule's body reads; its first collection is read by `check`, not the rule."""
        out = Needs()
        for i, s in enumerate(r.steps):
            if isinstance(s, ir.Bind):
                out |= self.needs(s.coll) if i else Needs()
            else:
                out |= self.needs(s.cond if isinstance(s, ir.Filter) else s.expr)
        out |= self.needs(r.cond)
        for m in r.message:
            out |= self.needs(m.expr)
        return out


# ------------------------------------------------------------------ one read per reference
def read_once(r: ir.Rule, taken: set[str]) -> ir.Rule:
    """`r` where a single reference that one step follows more than once, first of all
    (`campaign.product is missing or campaign.product.price is missing`), is read once by a
    `let` just before that step. Reading it first is what the step did anyway, so a dangling
    reference is met at the same point; later steps of the same binding use the local too.
    A filter `a and b` whose `b` starts so is split in two first (the same test), and a `let`
    that names the reference itself (`let product = campaign.product`) gives the local its
    name. `taken` holds names already used in the rule's function."""
    steps = _split_filters(list(r.steps), r.cond)
    cond, message = r.cond, r.message
    i = 0
    while i <= len(steps):
        expr = cond if i == len(steps) else _step_expr(steps[i])
        found = _first_deref(expr) if expr is not None else None
        if found is None or _count(found[0], _level_exprs(steps, i, cond)) < 2:
            i += 1
            continue
        target, narrowed = found
        value: ir.Expr = target
        if narrowed:  # known present here: the local holds the entity itself
            assert isinstance(target.type, t.OptT)
            value = ir.Narrowed(target, target.type.inner, span=target.span)
        named = _naming_let(steps, i, target)
        let = steps.pop(named) if named is not None else None
        name = let.var if isinstance(let, ir.LetStep) else _fresh(target, taken)
        var = ir.Var(name, value.type, span=target.span)
        steps.insert(i, ir.LetStep(name, value, span=target.span))
        j = i + 1
        while j < len(steps) and not isinstance(steps[j], ir.Bind):
            steps[j] = _replace_step(steps[j], target, var)
            j += 1
        if j == len(steps):  # the innermost binding: the condition and message use it too
            cond = None if cond is None else _replace(cond, target, var)
            message = tuple(
                attrs.evolve(m, expr=_replace(m.expr, target, var)) if m.expr is not None else m
                for m in message
            )
        i += 2
    return attrs.evolve(r, steps=tuple(steps), cond=cond, message=message)


def _naming_let(steps: list[ir.Step], i: int, target: ir.Expr) -> int | None:
    """The index of a `let` in step `i`'s binding, after it, that holds just `target`."""
    j = i + 1
    while j < len(steps) and not isinstance(steps[j], ir.Bind):
        s = steps[j]
        if isinstance(s, ir.LetStep) and (
            s.expr == target or (isinstance(s.expr, ir.Narrowed) and s.expr.expr == target)
        ):
            return j
        j += 1
    return None


def _split_filters(steps: list[ir.Step], cond: ir.Expr | None) -> list[ir.Step]:
    """`where a and b` as `where a` then `where b` (the same test, in the same order) when
    `b` starts by following a reference its binding follows again."""
    out: list[ir.Step] = []
    for i, s in enumerate(steps):
        if not (isinstance(s, ir.Filter) and isinstance(s.cond, ir.BoolOp) and s.cond.op == "and"):
            out.append(s)
            continue
        parts = _operands(s.cond)
        rest = [e for e in _level_exprs(steps, i + 1, cond)] if i + 1 <= len(steps) else []
        cut = next(
            (
                k
                for k in range(1, len(parts))
                if (found := _first_deref(parts[k])) is not None
                and _count(found[0], iter([*parts[k:], *rest])) >= 2
            ),
            None,
        )
        if cut is None:
            out.append(s)
        else:
            out.append(ir.Filter(_chain("and", parts[:cut], s.cond), span=s.span))
            out.append(ir.Filter(_chain("and", parts[cut:], s.cond), span=s.span))
    return out


def _step_expr(s: ir.Step) -> ir.Expr | None:
    if isinstance(s, ir.Filter):
        return s.cond
    return s.expr if isinstance(s, ir.LetStep) else None


def _level_exprs(steps: list[ir.Step], i: int, cond: ir.Expr | None) -> Iterator[ir.Expr]:
    """Step `i`'s expression and those after it in the same binding (then the condition)."""
    j = i
    while j < len(steps) and not isinstance(steps[j], ir.Bind):
        e = _step_expr(steps[j])
        if e is not None:
            yield e
        j += 1
    if j == len(steps) and cond is not None:
        yield cond


def _first_deref(e: ir.Expr) -> tuple[ir.Deref, bool] | None:
    """The single reference `e` follows before it evaluates anything else (down the
    leftmost operands only, where nothing can fail or be skipped before it), and whether it
    is known to be present there."""
    narrowed = False
    while True:
        match e:
            case ir.Deref(many=False) if _plain(e.obj):
                return e, narrowed
            case ir.BoolOp() | ir.Compare():
                e = e.left
            case ir.Narrowed():
                narrowed, e = True, e.expr
            case ir.IsMissing() | ir.Not():
                e = e.expr
            case ir.GetField():
                e = e.obj
            case _:
                return None


def _plain(e: ir.Expr) -> bool:
    while isinstance(e, ir.GetField):
        e = e.obj
    return isinstance(e, ir.Var)


def _count(target: ir.Expr, exprs: Iterator[ir.Expr]) -> int:
    return sum(1 for e in exprs for node in _visible(e) if node == target)


def _visible(e: ir.Expr) -> Iterator[ir.Expr]:
    """The nodes of `e` outside every quantifier, aggregate and navigation body (where the
    variables a reference reads may be bound anew)."""
    yield e
    if isinstance(e, ir.Quant | ir.Aggregate | ir.MapField):
        yield from _visible(e.coll)
        return
    for field in attrs.fields(type(e)):
        value = getattr(e, field.name)
        for v in value if isinstance(value, tuple) else (value,):
            if ir.is_expr(v):
                yield from _visible(v)


def _replace(e: ir.Expr, target: ir.Expr, var: ir.Var) -> ir.Expr:
    if e == target:
        return var
    if isinstance(e, ir.Quant | ir.Aggregate | ir.MapField):
        return attrs.evolve(e, coll=_replace(e.coll, target, var))
    if isinstance(e, ir.Narrowed) and e.expr == target:
        # A local is narrowed by the test before it, as `x.a` is (the emitter writes it bare).
        return attrs.evolve(e, expr=var)
    return map_children(e, lambda c: _replace(c, target, var))


def _replace_step(s: ir.Step, target: ir.Expr, var: ir.Var) -> ir.Step:
    if isinstance(s, ir.Filter):
        return attrs.evolve(s, cond=_replace(s.cond, target, var))
    if isinstance(s, ir.LetStep):
        return attrs.evolve(s, expr=_replace(s.expr, target, var))
    return s


def _fresh(target: ir.Deref, taken: set[str]) -> str:
    """`campaign_product` for `campaign.product`, numbered until no name in the rule has it."""
    obj = target.obj
    while isinstance(obj, ir.GetField):
        obj = obj.obj
    return _fresh_name(f"{obj.name if isinstance(obj, ir.Var) else 'ref'}_{target.field}", taken)


def rule_names(r: ir.Rule) -> set[str]:
    """Every variable name the rule binds or reads."""
    names = {s.var for s in r.steps if isinstance(s, ir.Bind | ir.LetStep)}
    exprs = [_step_expr(s) or (s.coll if isinstance(s, ir.Bind) else None) for s in r.steps]
    exprs += [r.cond, *(m.expr for m in r.message)]
    for e in exprs:
        for node in walk(e) if e is not None else ():
            if isinstance(node, ir.Var):
                names.add(node.name)
            elif isinstance(node, ir.Quant | ir.Aggregate | ir.MapField):
                names.add(node.var)
    return names


# ------------------------------------------------------------------ loop invariants
#: Nodes whose evaluation cannot fail and follows no single reference: an expression made
#: only of these gives the same value, and no finding, wherever it is evaluated.
_TOTAL = (
    ir.Var,
    ir.GetField,
    ir.MapField,
    ir.BackRef,
    ir.AllOf,
    ir.Const,
    ir.EnumConst,
    ir.ParamRef,
)


def _total(e: ir.Expr) -> bool:
    return all(
        isinstance(n, _TOTAL) or (isinstance(n, ir.Deref) and n.many and not n.optional)
        for n in walk(e)
    )


def _worth_hoisting(e: ir.Expr) -> bool:
    """A collection built per evaluation: `tuple(item.id for item in ...)`, a lookup."""
    return isinstance(e, ir.MapField | ir.BackRef) or (isinstance(e, ir.Deref) and e.many)


def hoist(r: ir.Rule, taken: set[str]) -> ir.Rule:
    """`r` with each collection an inner loop rebuilds from outer variables alone
    (`capability.id not in claim.capabilities.id` inside `for capability`) built once, by a
    `let` just before that loop. Only collections whose building cannot fail or meet a
    dangling reference move, so building them earlier (or when the loop turns out empty)
    changes nothing but the time."""
    steps = list(r.steps)
    cond = r.cond
    b = 1
    while b < len(steps):
        if not isinstance(steps[b], ir.Bind):
            b += 1
            continue
        outer = {s.var for s in steps[:b] if isinstance(s, ir.Bind | ir.LetStep)}
        inner = {s.var for s in steps[b:] if isinstance(s, ir.Bind | ir.LetStep)}
        found: list[ir.Expr] = []
        exprs = [_step_expr(s) for s in steps[b + 1 :]] + [cond]
        for e in exprs:
            if e is not None:
                _invariants(e, outer, inner, found)
        for target in dict.fromkeys(found):  # each once, in the order met
            name = _fresh_name(_describe(target), taken)
            var = ir.Var(name, target.type, span=target.span)
            steps.insert(b, ir.LetStep(name, target, span=target.span))
            b += 1
            steps[b + 1 :] = [_replace_step(s, target, var) for s in steps[b + 1 :]]
            cond = None if cond is None else _replace(cond, target, var)
        b += 1
    return attrs.evolve(r, steps=tuple(steps), cond=cond)


def _invariants(e: ir.Expr, outer: set[str], inner: set[str], found: list[ir.Expr]) -> None:
    if _worth_hoisting(e) and _total(e):
        names = free_vars(e)
        if names and names <= outer and not names & inner:
            found.append(e)
            return
    if isinstance(e, ir.Quant | ir.Aggregate | ir.MapField):
        _invariants(e.coll, outer, inner, found)
        return
    for field in attrs.fields(type(e)):
        value = getattr(e, field.name)
        for v in value if isinstance(value, tuple) else (value,):
            if ir.is_expr(v):
                _invariants(v, outer, inner, found)


def _describe(e: ir.Expr) -> str:
    """A local's name from what it holds: `claim_capabilities_id`."""
    match e:
        case ir.Var():
            return e.name
        case ir.GetField() | ir.Deref():
            return f"{_describe(e.obj)}_{e.field}"
        case ir.MapField():
            value = e.value
            return (
                f"{_describe(e.coll)}_{value.field}"
                if isinstance(value, ir.GetField)
                else (_describe(e.coll))
            )
        case ir.BackRef():
            return f"{e.entity.lower()}_by_{e.field}"
    return "value"


def _fresh_name(base: str, taken: set[str]) -> str:
    base = base.lstrip("_") or "value"
    name, n = base, 2
    while name in taken:
        name, n = f"{base}_{n}", n + 1
    taken.add(name)
    return name


def optimise_rule(r: ir.Rule) -> ir.Rule:
    """Every pass on one rule: negations folded, references read once, loop invariants
    built once."""
    steps = tuple(
        attrs.evolve(s, cond=simplify(s.cond))
        if isinstance(s, ir.Filter)
        else attrs.evolve(s, expr=simplify(s.expr))
        if isinstance(s, ir.LetStep)
        else s
        for s in r.steps
    )
    cond = None if r.cond is None else simplify(r.cond)
    r = attrs.evolve(r, steps=steps, cond=cond)
    taken = rule_names(r)
    return hoist(read_once(r, taken), taken)
