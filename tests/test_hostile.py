"""Generated code is safe by construction: hostile names and strings from a ruleset cannot
change the generated module's structure, and the module still type-checks and runs."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import alignrules
from alignrules.compile import compile_text

#: Names that collide with Python keywords, soft keywords, builtins, typing and our own
#: generated names; all are valid alignrules NAME tokens.
HOSTILE_NAMES = [
    "class", "def", "import", "return", "lambda", "None", "True", "False", "self", "cls",
    "match", "case", "type", "id", "list", "dict", "str", "int", "object", "print", "exec",
    "eval", "open", "Plan", "Params", "check", "load", "bind", "Money", "date", "Decimal",
    "attrs", "info", "plan", "params", "today", "item", "RULES", "SPECS", "ENUM_TEXT", "K_0",
    "RE_0", "cast", "Any", "Final", "Violation", "Location", "Report", "__init__", "__class__", "_x",
    "__builtins__", "sys", "os", "MRO", "name", "value", "ar_key_x", "annotations",
]  # fmt: skip

#: Type names exclude the language's own: built-in types, and `list`/`set` (`list of T`).
TYPE_NAMES = [n for n in HOSTILE_NAMES if n not in ("date", "list", "set", "text", "int", "money")]

HOSTILE_TEXT = [
    '"', "'", "\\", '"""', "'''", "\n", "\r\n", "\t", "{}", "}}{{", "\u202e", "\x00",
    "'); import os; os.system('x') #", '"+__import__("os").system("x")+"', "${x}", "%s",
    "\\N{BULLET}", "é", "🙂", "\u2028",
]  # fmt: skip


def rs_string(text: str) -> str:
    """A ruleset string literal holding exactly `text`."""
    out = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return (
        '"' + out.replace("\t", "\\t").replace("\x00", "\\0").replace("\u2028", "\\u{2028}") + '"'
    )


def template(text: str) -> str:
    """A message template whose text part is `text` (braces doubled) plus one hole."""
    return rs_string(text.replace("{", "{{").replace("}", "}}") + " {x.ident}")


def segment(text: str) -> str:
    """`text` as one segment of a dotted data path (dots would split it; empty is invalid)."""
    return text.replace(".", "_") or "x"


def path_key(text: str) -> str:
    """`text` as one key of a data path: a backslash keeps `.`, `[`, `]`, `*` and `\\` literal."""
    return "".join("\\" + c if c in ".[]*\\" else c for c in text)


def build_ruleset(entity: str, field: str, enum: str, value: str, rule_id: str, text: str) -> str:
    return f"""
enum {enum} {{ {value} < other_value {rs_string(text)} }}
entity {entity} in {rs_string("a." + path_key(segment(text)))} csv {rs_string(text + ".csv")} key ident {{
    ident: text
    {field}: {enum} from {rs_string(path_key(text) or "f")}
    note: text? from "note"
}}
param {field}_min: {enum} = {value}
predicate {field}_pred(x: {entity}) = x.{field} >= {field}_min
rule {rule_id} {{
    title {rs_string(text)}
    rationale {rs_string(text)}
    owner {rs_string(text)}
    tags {rs_string(text)}, "b"
    every {entity} as x where {field}_pred(x) must x.note is present and (x.note contains {rs_string(text)} or x.note matches {rs_string("^[a-z]+$")})
    message {template(text)}
}}
"""


def top_level_shape(source: str) -> list[str]:
    """The kinds of top-level statement in a module, so structure changes would show."""
    kinds = []
    for node in ast.parse(source).body:
        if isinstance(node, ast.Expr):
            raise AssertionError(f"stray expression statement at line {node.lineno}")
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            assert all(isinstance(t, ast.Name) for t in targets)
        kinds.append(type(node).__name__)
    return kinds


rule_ids = st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,6}([.\-][A-Za-z0-9_]{1,5}){0,2}", fullmatch=True)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    entity=st.sampled_from(TYPE_NAMES),
    field=st.sampled_from([n for n in HOSTILE_NAMES if not n.startswith("ar_")]),
    enum=st.sampled_from(TYPE_NAMES),
    value=st.sampled_from([n for n in HOSTILE_NAMES if n != "today"]),  # `today` is a keyword
    rule_id=rule_ids,
    text=st.sampled_from(HOSTILE_TEXT) | st.text(max_size=12),
)
def test_hostile_rulesets_compile_to_the_intended_structure(
    entity: str, field: str, enum: str, value: str, rule_id: str, text: str
) -> None:
    if len({entity, enum}) < 2 or field in ("ident", "note") or value == "other_value":
        return
    compiled = compile_text(build_ruleset(entity, field, enum, value, rule_id, text))
    kinds = top_level_shape(compiled.python)
    # one class per enum and entity, plus Params and Plan
    assert kinds.count("ClassDef") == 4
    # one function per predicate and rule, plus load, params_from and check, and the
    # entity's two readers (of JSON records and of CSV rows)
    assert kinds.count("FunctionDef") == 7
    assert compiled.module.RULES[0][0].title == text
    assert compiled.module.RULES[0][0].rationale == text


def test_hostile_ruleset_runs_and_type_checks(tmp_path: Path) -> None:
    modules = []
    for i, (entity, field, enum, value) in enumerate(
        [
            ("class", "type", "dict", "None"),
            ("Plan", "id", "Money", "def"),
            ("check", "match", "Decimal", "True"),
        ]
    ):
        text = HOSTILE_TEXT[i * 3 : i * 3 + 3]
        src = build_ruleset(entity, field, enum, value, f"r-{i}", "".join(text))
        compiled = compile_text(src, name=f"hostile{i}.rules")
        path = tmp_path / f"hostile{i}.py"
        path.write_text(compiled.python, encoding="utf-8")
        modules.append(str(path))
        data_name = "".join(text) or "f"
        collection = {
            "a": {segment("".join(text)): [{"ident": "E1", data_name: value, "note": "zz"}]}
        }
        checker = alignrules.Checker(compiled)
        report = checker.check(json.loads(json.dumps(collection)))
        assert [v.key for v in report.violations] == []
        bad = {"a": {segment("".join(text)): [{"ident": "E1", data_name: value}]}}
        assert [v.key for v in checker.check(bad).violations] == ["E1"]
    mypy = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", *modules],
        capture_output=True, text=True, cwd=tmp_path,
    )  # fmt: skip
    assert mypy.returncode == 0, mypy.stdout


@pytest.mark.parametrize("text", HOSTILE_TEXT)
def test_hostile_strings_survive_into_messages(text: str) -> None:
    src = f"""
entity Thing {{ id: text }}
rule r {{ no thing message {template(text)[:-1].replace(" {x.ident}", " {thing.id}")}" }}
"""
    checker = alignrules.load(src)
    report = checker.check({"things": [{"id": "T1"}]})
    assert report.violations[0].message == text + " T1"
