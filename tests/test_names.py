"""No ruleset name can shadow or meet a generated one (codegen/names.py).

One ruleset uses a name in every role a name can have: entity, field, enum, enum value,
parameter, predicate, predicate argument, rule, binder variables and a `let`. Each role in
turn takes each hostile name (Python keywords and soft keywords, builtins, attrs and cattrs
internals, the generator's own prefixes and fixed names, names that differ only by case or
underscores), and some pairs of roles take names that used to become one Python name. Each
ruleset either compiles, passes `mypy --strict` and reports exactly what the plain-Python
expectation below says, or is refused at compile time with located errors.
"""

from __future__ import annotations

import builtins
import json
import keyword
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import alignrules
from alignrules.diagnostics import DiagnosticError

TEMPLATE = """\
enum {ENUM} {{ {V1} < {V2} }}
enum {ENUM2} {{ x, y }}

entity {ENT} in "things" {{
    id: text
    {FIELD}: decimal
    level: {ENUM}
    tier: {ENUM2}?
}}

param {PARAM}: int = 3

predicate {PRED}({ARG}: {ENT}) = {ARG}.{FIELD} > {PARAM}

rule {RULE} {{
    no {ENT} as {VAR}, {ENT} as {VAR2} where {VAR}.id < {VAR2}.id
        let {LET} = {VAR}.{FIELD} + {VAR2}.{FIELD}
        where {PRED}({VAR}) and {VAR}.{FIELD} > 0.5 and {VAR}.level = {ENUM}.{V2}
        where {VAR}.id matches "^T" and ({VAR}.tier otherwise {ENUM2}.y) in {{{ENUM2}.y}}
        may {LET} > 10
    message "{{{VAR}.id}}-{{{VAR2}.id}}:{{{LET}}}"
}}
"""

DEFAULTS = {
    "ENUM": "Grade",
    "ENUM2": "Tier",
    "V1": "low",
    "V2": "high",
    "ENT": "Thing",
    "FIELD": "size",
    "PARAM": "limit",
    "PRED": "big",
    "ARG": "t",
    "RULE": "r",
    "VAR": "a",
    "VAR2": "b",
    "LET": "n",
}

#: What the generated module, attrs, cattrs and Python use for themselves.
GENERATED = [
    "K_0", "K_1", "RE_0", "INFO_R", "SPELL_GRADE", "SPELL_Grade", "SPELL_TIER", "rule_r",
    "pred_big", "v_a", "v_b", "v_plan", "v_check", "all_thing", "ix_thing", "back_thing",
    "plan", "params", "today", "info", "item", "check", "load", "bind", "Plan", "Params",
    "Report", "Violation", "Location", "RuleInfo", "Money", "Decimal", "date", "cast", "Final",
    "ENUM_TEXT", "BINDER", "SPECS", "RULES", "RULESET", "ar_pointer", "ar_key", "problems",
    "attrs", "attr", "cattrs", "field", "fields", "evolve", "structure", "converter",
    "__attrs_attrs__", "__attrs_init__", "__path__", "__path___", "__class__", "__dict__",
    "_0", "_1", "_", "__", "self", "cls", "mro", "name", "value", "repr_", "await_", "v_",
]  # fmt: skip
CASES = ["Thing", "thing", "THING", "thing_", "Thing_", "_thing", "size_", "Size", "SIZE", "A"]
BUILTINS = [
    "print", "list", "id", "property", "repr", "object", "str", "int", "type", "len", "sum",
    "any", "all", "min", "max", "super", "tuple", "dict", "set", "frozenset", "iter", "next",
    "range", "bool", "float", "classmethod", "staticmethod", "Exception", "None", "True",
]  # fmt: skip
HOSTILE = sorted(
    {*keyword.kwlist, *keyword.softkwlist, *BUILTINS, *GENERATED, *CASES}
    - {n for n in dir(builtins) if n.startswith("__")}
    | {"__path___", "__class__", "__dict__"}
)

#: Roles that must differ from one another for the expectation below to hold.
ROLES = list(DEFAULTS)

PAIRS = [
    {"VAR": "check", "VAR2": "v_check"},
    {"VAR": "plan", "VAR2": "v_plan"},
    {"VAR": "K_0", "VAR2": "k_0"},
    {"VAR": "a", "LET": "K_0"},
    {"VAR": "INFO_R", "VAR2": "info"},
    {"ENUM": "Status", "ENUM2": "SPELL_STATUS"},
    {"ENUM": "Grade", "ENT": "SPELL_Grade"},
    {"ENUM": "Grade", "ENT": "SPELL_GRADE"},
    {"ENT": "repr_", "FIELD": "repr"},
    {"ENT": "await_", "FIELD": "await"},
    {"ARG": "plan", "PARAM": "params"},
    {"ARG": "_1", "FIELD": "_0"},
    {"VAR": "item", "VAR2": "today"},
    {"LET": "v_n", "VAR": "n"},
    {"RULE": "qty-gap", "VAR": "INFO_QTY_GAP"},
    {"PRED": "rule_r", "RULE": "r"},
    {"V1": "NAME", "V2": "VALUE"},
    {"V1": "mro", "V2": "_value_"},
]

PLAN_RECORDS = [("T1", 5, "V2"), ("T2", 1, "V2"), ("T3", 9, "V1"), ("T4", 7, "V2")]


#: The names whose modules also go through `mypy --strict` (every role, and every pair): the
#: ones that meet the module's own names, annotations and class bodies. All of them would take
#: mypy minutes.
MYPY_NAMES = {
    *("K_0", "RE_0", "INFO_R", "SPELL_GRADE", "v_a", "v_plan", "all_thing", "ix_thing"),
    *("plan", "params", "item", "check", "Plan", "Money", "Decimal", "date", "ENUM_TEXT"),
    *("ar_pointer", "ar_key", "problems", "attrs", "_0", "__path___", "repr_", "self"),
    *("property", "type", "str", "int", "list", "id", "None", "match", "class", "THING"),
}


def variants() -> list[dict[str, str]]:
    out = []
    for role in ROLES:
        for name in HOSTILE:
            names = DEFAULTS | {role: name}
            if len(set(names.values())) == len(names):
                out.append(names)
    for pair in PAIRS:
        out.append(DEFAULTS | pair)
    return out


VARIANTS = variants()


def plan_for(names: dict[str, str]) -> dict[str, Any]:
    return {
        "things": [
            {"id": key, names["FIELD"]: size, "level": names[level]}
            for key, size, level in PLAN_RECORDS
        ]
    }


def expected(names: dict[str, str]) -> set[tuple[str, tuple[tuple[str, str], ...], str]]:
    """Pairs (a, b), a.id < b.id, a's size over 3 and 0.5, a's level high, sizes over 10."""
    out = set()
    for a, size_a, level_a in PLAN_RECORDS:
        for b, size_b, _ in PLAN_RECORDS:
            if a < b and size_a > 3 and level_a == "V2" and size_a + size_b > 10:
                out.add((a, ((names["ENT"], b),), f"{a}-{b}:{size_a + size_b}"))
    return out


COMPILED: dict[int, str] = {}  # variant index → generated module, for the mypy test


@pytest.mark.parametrize(
    "index",
    range(len(VARIANTS)),
    ids=lambda i: "-".join(f"{k}={v}" for k, v in VARIANTS[i].items() if DEFAULTS.get(k) != v),
)
def test_a_hostile_name_compiles_and_checks_or_is_refused_with_a_place(index: int) -> None:
    names = VARIANTS[index]
    text = TEMPLATE.format(**names)
    try:
        checker = alignrules.load(text)
    except DiagnosticError as exc:
        assert exc.diagnostics
        for d in exc.diagnostics:
            assert d.span is not None and d.code not in ("internal",), d
        return
    COMPILED[index] = checker.compiled.python
    report = checker.check(plan_for(names))
    found = {(v.key, tuple(v.related), v.message) for v in report.violations}
    assert found == expected(names)


def test_the_hostile_modules_pass_mypy_strict(tmp_path: Path) -> None:
    for i, names in enumerate(VARIANTS):
        changed = {v for k, v in names.items() if DEFAULTS[k] != v}
        if i not in COMPILED and (changed <= MYPY_NAMES or i >= len(VARIANTS) - len(PAIRS)):
            try:
                COMPILED[i] = alignrules.load(TEMPLATE.format(**names)).compiled.python
            except DiagnosticError:
                continue
    files = []
    for i, python in sorted(COMPILED.items()):
        changed = {v for k, v in VARIANTS[i].items() if DEFAULTS[k] != v}
        if not (changed <= MYPY_NAMES or i >= len(VARIANTS) - len(PAIRS)):
            continue
        path = tmp_path / f"m{i}.py"
        path.write_text(python, "utf-8")
        files.append(str(path))
    assert len(files) > 300
    mypy = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", *files],
        capture_output=True,
        text=True,
        check=False,
    )
    assert mypy.returncode == 0, mypy.stdout[-5000:]


BASE = 'entity Claim in "claims" { id: text }\n'


@pytest.mark.parametrize(
    "text",
    [
        BASE + 'rule r { no claim where claim.id = "\ud800" message "{claim.id} \udfff" }\n',
        BASE + '# a comment \ud800\nrule r { no claim where claim.id = "a" }\n',
        BASE + 'rule r { title "\ud800" no claim where claim.id matches "\ud800" }\n',
        BASE + 'rule r { no claim where claim.id = "\\ud800\\u0000" }\n',
        BASE + 'rule r\ud800 { no claim where claim.id = "a" }\n',
        'entity Cl\ud800aim in "claims" { id: text }\n',
        BASE + 'rule r { no claim where claim.id = "a" }\x00\n',
        BASE + 'rule r { no claim where claim.id = "\x00" }\n',
    ],
    ids=["string", "comment", "regex", "escapes", "rule-id", "entity", "nul", "nul-in-string"],
)
def test_any_ruleset_text_compiles_to_python_or_is_refused_with_a_place(text: str) -> None:
    """Lone surrogates and NUL anywhere: Python that parses and runs, or a located error;
    never an internal error."""
    try:
        checker = alignrules.load(text)
    except DiagnosticError as exc:
        # Refused at a place, for what the text holds (`syntax`, or `bad-regex` for a pattern
        # RE2 cannot run), never as an internal error.
        assert all(d.span is not None and d.code != "internal" for d in exc.diagnostics)
        return
    compile(checker.compiled.python, "<test>", "exec")
    report = checker.check({"claims": [{"id": "\ud800\x00"}, {"id": "a"}]})
    assert all(v.rule in ("r", "dangling-reference") for v in report.violations)


CAPTURE = """\
entity Claim in "claims" {
    id: text
    tags: list of text
    limit: money
    amount: money
}

rule let-k0 {
    no claim let K_0 = claim.limit where claim.amount > 100 USD
    message "{claim.id} {K_0}"
}

rule plan-pair {
    no claim as plan, v_plan in Claim where plan.id = "C1" and v_plan.id = "C2"
    message "{plan.id} {v_plan.id}"
}

rule check-var {
    no claim as check where (some v_check in check.tags where v_check = check.id)
    message "{check.id}"
}

rule qty-gap {
    no claim as INFO_QTY_GAP where INFO_QTY_GAP.amount > 1 USD
    message "{INFO_QTY_GAP.id}"
}
"""


def test_the_reported_name_captures_check_correctly_through_the_cli(
    tmp_path: Path, capsys: Any
) -> None:
    from alignrules.cli import main

    (tmp_path / "r.rules").write_text(CAPTURE, "utf-8")
    plan = {
        "claims": [
            {"id": "C1", "tags": ["C1"], "limit": "1 USD", "amount": "50 USD"},
            {"id": "C2", "tags": [], "limit": "2 USD", "amount": "500 USD"},
        ]
    }
    (tmp_path / "plan.json").write_text(json.dumps(plan), "utf-8")
    code = main(
        [str(a) for a in ("check", tmp_path / "r.rules", "--data", tmp_path / "plan.json")]
        + ["--format", "json"]
    )
    out = capsys.readouterr()
    assert code == 1, out.err
    found = sorted((v["rule"], v["message"]) for v in json.loads(out.out)["violations"])
    assert found == [
        ("check-var", "C1"),
        ("let-k0", "C2 2 USD"),
        ("plan-pair", "C1 C2"),
        ("qty-gap", "C1"),
        ("qty-gap", "C2"),
    ]
