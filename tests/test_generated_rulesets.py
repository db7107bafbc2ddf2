"""Random well-typed rulesets over random schemas, run on random plans: no rule may crash.

The schema has three entities with required and optional fields of every scalar type, an
ordered enum, single references (required and optional) and lists of references (required
and optional). Each rule (now and then of two bodies, each with its message) is built from
the expression forms of docs/language.md, typed by
construction: comparisons, `is missing`/`is present` narrowing, `is dangling`, `otherwise`,
`and`/`or`/`not`, `some`/`every`/`no`, `count`/`sum`/`min`/`max`/`avg`, `distinct`, navigation
through single and list references, `reference`, `let` and message templates (back-references are left to
the oracle tests). A ruleset the type checker refuses must be refused with located errors
(the generator keeps that rare); one that compiles is checked on random plans with dangling
ids and missing values, and any `rule-crashed` or internal error fails the test.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import alignrules
from alignrules.diagnostics import DiagnosticError

from .randplans import plans_for

ENTITIES = ("Alpha", "Beta", "Gamma")
SCALARS = {
    "int": ("1", "int"),
    "decimal": ("2.5", "num"),
    "money": ("10 USD", "num"),
    "date": ("2026-01-01", "ord"),
    "duration": ("30 days", "num"),
    "text": ('"a"', "text"),
    "bool": ("true", "bool"),
    "Level": ("mid", "ord"),
}
NUMERIC_OPS = ("<", "<=", ">", ">=", "=", "!=")


class Schema:
    def __init__(self, draw: st.DrawFn) -> None:
        # entity → list of (field, type, optional, kind): kind is "scalar", "ref" or "refs"
        self.fields: dict[str, list[tuple[str, str, bool, str]]] = {}
        for e in ENTITIES:
            fs = []
            for i, typ in enumerate(draw(st.lists(st.sampled_from(sorted(SCALARS)), max_size=4))):
                fs.append((f"{typ.lower()}_{i}", typ, draw(st.booleans()), "scalar"))
            for j, target in enumerate(draw(st.lists(st.sampled_from(ENTITIES), max_size=2))):
                kind = draw(st.sampled_from(("ref", "refs")))
                fs.append((f"{kind}_{target.lower()}_{j}", target, draw(st.booleans()), kind))
            self.fields[e] = fs

    def text(self) -> str:
        out = ["enum Level { low < mid < high }\n"]
        for e, fs in self.fields.items():
            lines = [f'entity {e} in "{e.lower()}s" {{', "    id: text"]
            for name, typ, optional, kind in fs:
                t = f"list of {typ}" if kind == "refs" else typ
                lines.append(f"    {name}: {t}{'?' if optional else ''}")
            out.append("\n".join(lines) + "\n}\n")
        return "\n".join(out)


class Rules:
    """Typed expressions over a schema; `cond(var, entity, depth)` is a boolean condition."""

    def __init__(self, draw: st.DrawFn, schema: Schema) -> None:
        self.draw, self.s = draw, schema
        self.n = 0

    def fresh(self) -> str:
        self.n += 1
        return f"v{self.n}"

    def pick(self, seq: Any) -> Any:
        return self.draw(st.sampled_from(list(seq)))

    def scalar_test(self, path: str, typ: str, optional: bool) -> str:
        literal, kind = SCALARS[typ]
        if kind == "bool":
            test = f"{path} = {literal}"
        elif kind == "text":
            test = self.pick(
                (
                    f'{path} contains "a"',
                    f'{path} starts with "E" ignoring case',
                    f"{path} = {literal}",
                )
            )
        else:
            test = f"{path} {self.pick(NUMERIC_OPS)} {literal}"
        if not optional:
            return test
        return self.pick(
            (
                f"{path} is missing",
                f"({path} is present and {test})",
                f"({path} is missing or {test})",
                test.replace(path, f"({path} otherwise {literal})", 1),
            )
        )

    def cond(self, var: str, entity: str, depth: int) -> str:
        fs = self.s.fields[entity]
        forms = ["id"]
        if any(k == "scalar" for *_, k in fs):
            forms.append("scalar")
        if any(k != "scalar" for *_, k in fs):
            forms.append("dangles")
        if depth > 0:
            forms += ["bool", "not", "agg", "all"]
            if any(k == "ref" for *_, k in fs):
                forms += ["nav", "nav"]
            if any(k == "refs" for *_, k in fs):
                forms += ["quant", "quant", "listnav", "count"]
            if len({t for _, t, _, k in fs if k != "scalar"}) and any(
                k != "scalar" for *_, k in fs
            ):
                forms.append("reference")
        form = self.pick(forms)
        match form:
            case "id":
                return f'{var}.id != "{self.pick(("A1", "B2", "Z9"))}"'
            case "scalar":
                name, typ, opt, _ = self.pick([f for f in fs if f[3] == "scalar"])
                return self.scalar_test(f"{var}.{name}", typ, opt)
            case "dangles":
                name = self.pick([f for f in fs if f[3] != "scalar"])[0]
                return f"{var}.{name} is {self.pick(('', 'not '))}dangling"
            case "bool":
                op = self.pick(("and", "or"))
                return f"({self.cond(var, entity, depth - 1)} {op} {self.cond(var, entity, depth - 1)})"
            case "not":
                return f"not ({self.cond(var, entity, depth - 1)})"
            case "nav":
                name, target, opt, _ = self.pick([f for f in fs if f[3] == "ref"])
                inner = self.cond(f"{var}.{name}", target, 0)
                return f"({var}.{name} is present and {inner})" if opt else inner
            case "quant" | "listnav" | "count":
                name, target, opt, _ = self.pick([f for f in fs if f[3] == "refs"])
                coll = f"{var}.{name}"
                if form == "listnav":
                    hops = [f for f in self.s.fields[target] if f[3] == "ref" and not f[2]]
                    if hops:
                        hop = self.pick(hops)
                        coll, target = f"{coll}.{hop[0]}", hop[1]
                if self.draw(st.booleans()):
                    coll = f"distinct({coll})"
                body = (
                    self.quantified(coll, target, depth)
                    if form != "count"
                    else (
                        f"count({coll} where {self.cond(target.lower(), target, 0)}) "
                        f"{self.pick(NUMERIC_OPS)} 1"
                    )
                )
                return f"({var}.{name} is present and {body})" if opt else body
            case "agg":
                return self.aggregate(var, entity, depth)
            case "all":
                other = self.pick(ENTITIES)
                return self.quantified(other, other, depth)
            case "reference":
                refs = [f for f in fs if f[3] != "scalar"]
                name, target, _, _ = self.pick(refs)
                how = self.pick(("with", "without"))
                inner = self.cond(target.lower(), target, 0)
                return f"({var} references a {target} via {name} {how} {inner})"
        raise AssertionError(form)

    def quantified(self, coll: str, entity: str, depth: int) -> str:
        v = self.fresh()
        kind = self.pick(("some", "no", "every"))
        c = self.cond(v, entity, depth - 1)
        if kind == "every":
            return f"(every {v} in {coll} must {c})"
        return f"({kind} {v} in {coll} where {c})"

    def aggregate(self, var: str, entity: str, depth: int) -> str:
        other = self.pick(ENTITIES)
        v = self.fresh()
        nums = [
            f
            for f in self.s.fields[other]
            if f[3] == "scalar" and SCALARS[f[1]][1] in ("int", "num") and not f[2]
        ]
        if not nums or self.draw(st.booleans()):
            # in `count(xs where C)` the element is named after its entity
            where = self.cond(other.lower(), other, depth - 1)
            return f"count({other} where {where}) {self.pick(NUMERIC_OPS)} 1"
        where = self.cond(v, other, depth - 1)
        name, typ, _, _ = self.pick(nums)
        op = self.pick(("sum", "min", "max", "avg") if typ != "duration" else ("sum", "min", "max"))
        agg = f"{op}({v}.{name} for {v} in {other} where {where})"
        literal = SCALARS[typ][0]
        if op != "sum":
            agg = f"({agg} otherwise {literal})"
        return f"{agg} {self.pick(NUMERIC_OPS)} {literal}"

    def rule(self, i: int) -> str:
        # Now and then a rule over two kinds of record: two bodies, each with its message.
        if self.draw(st.integers(0, 3)):
            return f"rule r{i} {{\n{self.body()}}}\n"
        return f"rule r{i} {{\n{self.body()}{self.body()}}}\n"

    def body(self) -> str:
        entity = self.pick(ENTITIES)
        var = entity.lower()
        fs = self.s.fields[entity]
        holes = [f"{{{var}.id}}"]
        for name, _, opt, kind in fs:
            if kind == "ref" and not opt:
                holes.append(f"{{{var}.{name}.id}}")  # may dangle: prints the key
            elif kind == "scalar" or kind == "refs":
                holes.append(f"{{{var}.{name}}}")
        lets = ""
        if self.draw(st.booleans()):
            lets = f"\n    let flag = {self.cond(var, entity, 1)}\n    where flag or {self.cond(var, entity, 1)}"
        body = self.pick(("no", "every"))
        cond = self.cond(var, entity, 2)
        head = (
            f"no {entity}{lets}\n    where {cond}"
            if body == "no"
            else (f"every {entity}{lets}\n    must {cond}")
        )
        return f'    {head}\n    message "{" ".join(holes)}"\n'


@st.composite
def rulesets(draw: st.DrawFn) -> str:
    schema = Schema(draw)
    rules = Rules(draw, schema)
    return schema.text() + "\n" + "\n".join(rules.rule(i) for i in range(3))


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(rulesets(), st.data())
def test_random_rulesets_never_crash(text: str, data: st.DataObject) -> None:
    try:
        checker = alignrules.load(text)
    except DiagnosticError as exc:
        assert all(d.span is not None for d in exc.diagnostics), text
        return
    program = checker.compiled.program
    for _ in range(4):
        raw = data.draw(plans_for(program))
        try:
            report = checker.check(raw)
        except DiagnosticError as exc:
            # data errors are the plan's, never the rules'
            assert all(d.code == "data" for d in exc.diagnostics), f"{text}\n{exc}"
            continue
        crashed = [v.message for v in report.violations if v.rule == "rule-crashed"]
        assert not crashed, f"{text}\n{crashed}"
