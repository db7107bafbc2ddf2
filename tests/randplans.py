"""Random plans for any compiled ruleset, drawn from its schema (the typed IR), and the
permutations that must not change a report.

`plans_for(program)` draws a plan in the JSON shape the schema binds: every entity's records
at its path, each field absent, `null` or a value of its type; references name an existing
record or, now and then, a key that names none (a dangling reference); lists of references
mix both and may repeat. Values come from small pools so that comparisons, sums and
equalities both hold and fail.

`permuted(raw, rnd)` shuffles the records of every collection, every list inside a record
(ids and values alike) and the keys of every record, and returns the map from each new JSON
pointer to the old one, so that rendered output can be compared byte for byte.
"""

from __future__ import annotations

import copy
import random
import re
from typing import Any

from hypothesis import strategies as st

from alignrules.ir import nodes as ir
from alignrules.ir import types as t

TEXTS = ("", "a", "eco", "Eco friendly", "x y", "K1")
DATES = ("2025-12-31", "2026-01-01", "2026-11-22", "2027-06-30")
MONEY = ("USD 0", "1 USD", "2.50 USD", "USD 3", "USD 100")  # one currency: mixing is a data error
NUMBERS = (0, 1, 2, "2.5", 100)
DURATIONS = (0, "30 days", "1 year", 91)


def _value(draw: st.DrawFn, typ: t.Type, enums: dict[str, ir.Enum]) -> Any:
    match typ:
        case t.EnumT(name=name):
            return draw(st.sampled_from(enums[name].values))
        case t.Prim(name="text"):
            return draw(st.sampled_from(TEXTS))
        case t.Prim(name="int"):
            return draw(st.sampled_from((0, 1, 2, 5, 100)))
        case t.Prim(name="decimal"):
            return draw(st.sampled_from(NUMBERS))
        case t.Prim(name="money"):
            return draw(st.sampled_from(MONEY))
        case t.Prim(name="bool"):
            return draw(st.booleans())
        case t.Prim(name="date"):
            return draw(st.sampled_from(DATES))
        case t.Prim(name="duration"):
            return draw(st.sampled_from(DURATIONS))
    raise AssertionError(f"no values for {typ}")  # pragma: no cover - a new type


def _key(entity: ir.Entity, i: int) -> Any:
    key = entity.key_field.type
    return i + 1 if key == t.INT else f"{entity.name[:2].upper()}{i + 1}"


def _dangling_key(entity: ir.Entity, i: int) -> Any:
    key = entity.key_field.type
    return 900 + i if key == t.INT else f"{entity.name[:2].upper()}9{i}"


@st.composite
def plans_for(draw: st.DrawFn, program: ir.Program, max_records: int = 5) -> dict[str, Any]:
    """A plan for `program`'s schema, with missing values and dangling references."""
    enums = {en.name: en for en in program.enums}
    counts = {e.name: draw(st.integers(0, max_records)) for e in program.entities}
    allow_dangling = draw(st.booleans())

    def ref(target: ir.Entity) -> Any:
        n = counts[target.name]
        if allow_dangling and (n == 0 or draw(st.integers(0, 4)) == 0):
            return _dangling_key(target, draw(st.integers(0, 2)))
        if n == 0:
            return None
        return _key(target, draw(st.integers(0, n - 1)))

    raw: dict[str, Any] = {}
    for e in program.entities:
        records = []
        for i in range(counts[e.name]):
            rec: dict[str, Any] = {}
            for f in e.fields:
                if f.name == e.key:
                    rec[f.data_name] = _key(e, i)
                    continue
                if f.optional:
                    state = draw(st.integers(0, 5))
                    if state == 0:
                        continue  # absent
                    if state == 1:
                        rec[f.data_name] = None
                        continue
                if f.ref is not None:
                    target = program.entity(f.ref)
                    if f.many:
                        keys = [ref(target) for _ in range(draw(st.integers(0, 3)))]
                        rec[f.data_name] = [k for k in keys if k is not None]
                    else:
                        key = ref(target)
                        if key is None:
                            if not f.optional:
                                key = _dangling_key(target, 0)  # a required reference to nothing
                            else:
                                continue
                        rec[f.data_name] = key
                elif f.many:
                    elem = f.type.elem if isinstance(f.type, t.CollT) else f.type
                    n = draw(st.integers(0, 3))
                    rec[f.data_name] = [_value(draw, t.strip_opt(elem), enums) for _ in range(n)]
                else:
                    rec[f.data_name] = _value(draw, t.strip_opt(f.type), enums)
            records.append(rec)
        parent = raw
        for step in e.path[:-1]:
            parent = parent.setdefault(step, {})
        parent[e.path[-1]] = records
    return raw


def permuted(raw: dict[str, Any], rnd: random.Random) -> tuple[dict[str, Any], dict[str, str]]:
    """`raw` with every list and every mapping shuffled, and new pointer → old pointer for
    every element of every list."""
    moved: dict[str, str] = {}

    def walk(value: Any, new: str, old: str) -> Any:
        if isinstance(value, list):
            order = list(range(len(value)))
            rnd.shuffle(order)
            out = []
            for j, i in enumerate(order):
                moved[f"{new}/{j}"] = f"{old}/{i}"
                out.append(walk(value[i], f"{new}/{j}", f"{old}/{i}"))
            return out
        if isinstance(value, dict):
            keys = list(value)
            rnd.shuffle(keys)
            return {k: walk(value[k], f"{new}/{_escape(k)}", f"{old}/{_escape(k)}") for k in keys}
        return value

    return walk(copy.deepcopy(raw), "", ""), moved


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def unpermute(text: str, moved: dict[str, str]) -> str:
    """`text` with the pointer of every moved element written as the original one."""
    if not moved:
        return text
    # longest first, and whole tokens only: `/a/1` must not rewrite `/a/10`
    alternatives = "|".join(map(re.escape, sorted(moved, key=len, reverse=True)))
    pattern = re.compile(f"({alternatives})(?![0-9A-Za-z_])")
    return pattern.sub(lambda m: moved[m.group(1)], text)
