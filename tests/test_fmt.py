"""`alignrules fmt`: one canonical layout, idempotent, meaning-preserving, comments kept.

Checked on every `.rules` file in the repository (globbed when the tests are collected, so
new rulesets are covered without editing this file), on hand-written layouts, on random
rulesets built from fragments (hypothesis), and through the CLI as a subprocess.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alignrules import cli
from alignrules.diagnostics import DiagnosticError
from alignrules.source import Source
from alignrules.syntax.fmt import decls
from alignrules.syntax.parser import parse, parse_file
from alignrules.syntax.printer import format_text, quote
from tests.conftest import ROOT, run_cli
from tests.test_generated_rulesets import rulesets as generated_rulesets

SKIP_DIRS = {".git", ".hypothesis", ".mypy_cache", ".pytest_cache", ".ruff_cache", "node_modules"}


def repo_rules() -> list[Path]:
    found = []
    for path in sorted(ROOT.rglob("*.rules")):
        parts = path.relative_to(ROOT).parts
        if not any(p in SKIP_DIRS or p.startswith(".venv") for p in parts):
            found.append(path)
    return found


def comments(text: str) -> list[str]:
    return sorted(c.text for c in parse_file(Source("x", text)).lexed.comments)


@pytest.mark.parametrize("path", repo_rules(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_ruleset_in_the_repository_formats_stably(path: Path) -> None:
    text = path.read_text("utf-8")
    src = Source(path.name, text)
    try:
        tree = parse(src)
    except DiagnosticError as exc:
        # A syntax-error case: fmt refuses it with the parser's own diagnostic.
        with pytest.raises(DiagnosticError) as refused:
            format_text(text, path.name)
        assert [d.message for d in refused.value.diagnostics] == [
            d.message for d in exc.diagnostics
        ]
        return
    out = format_text(text, path.name)
    assert parse(Source(path.name, out)) == tree  # meaning kept (the AST ignores spans)
    assert comments(out) == comments(text)  # every comment kept, word for word
    assert format_text(out, path.name) == out  # idempotent


# ---------------------------------------------------------------------------- layout
MESSY = """\
# A schema.
enum Status {proposed<funded<built}   # ordered
entity Claim in "c" key id
{ id:text
  status : Status   # how far
  ready_on:date? from"readyOn"
}
param floor:money=100 USD
rule r1{message "claim {claim.id}"
severity warning title "T"
  # the condition
  no claim where claim.status is below funded and(claim.ready_on is not missing)
}
"""

CANONICAL = """\
# A schema.
enum Status { proposed < funded < built }  # ordered

entity Claim in "c" key id {
    id: text
    status: Status  # how far
    ready_on: date? from "readyOn"
}

param floor: money = 100 USD

rule r1 {
    severity warning
    title "T"
    # the condition
    no claim where claim.status is below funded and (claim.ready_on is present)
    message "claim {claim.id}"
}
"""


def test_messy_layout_becomes_canonical() -> None:
    assert format_text(MESSY) == CANONICAL
    assert format_text(CANONICAL) == CANONICAL


def test_long_conditions_break_before_keywords() -> None:
    text = (
        "rule r { every claim where claim.campaign is present let c = claim.campaign "
        "must every cap in claim.capabilities must cap.ready_on is present and "
        "cap.ready_on <= c.launch_on and cap.status is at least funded }"
    )
    assert format_text(text) == (
        "rule r {\n"
        "    every claim where claim.campaign is present\n"
        "        let c = claim.campaign\n"
        "        must every cap in claim.capabilities\n"
        "            must cap.ready_on is present\n"
        "                and cap.ready_on <= c.launch_on\n"
        "                and cap.status is at least funded\n"
        "}\n"
    )


def test_spellings_the_ast_does_not_need_are_kept() -> None:
    text = (
        "rule r { no claim may reference a capability where status is at least funded\n"
        '  message "x \\u{263A} {{y}}" }\n'
        "param wait: duration = 2 quarters\n"
    )
    out = format_text(text)
    assert "where status is at least funded" in out  # not `with`, not `>=`
    assert 'message "x \\u{263A} {{y}}"' in out  # message templates stay as written
    assert "2 quarters" in out  # not `182 days`


def test_strings_are_re_escaped_safely() -> None:
    assert quote("\\d+") == '"\\d+"'  # a regex keeps its single backslash
    assert quote('a"b\\') == '"a\\"b\\\\"'
    assert quote("\u202e\n\t") == '"\\u{202E}\\n\\t"'  # bidi control made visible
    assert quote("\\n") == '"\\\\n"'  # a backslash before `n` must be doubled
    text = 'rule r { every claim must claim.id != "\u202e" and claim.id matches "^\\d+\\\\"}'
    out = format_text(text)
    assert "\u202e" not in out and "\\u{202E}" in out
    assert parse(Source("a", out)) == parse(Source("b", text))


def test_example_data_stays_triple_quoted() -> None:
    text = (
        'example "e" {\n'
        "  expect nothing\n"
        '  given """\n'
        "        a: 1\n"
        '          b: ["x", "y"]\n'
        '        """\n'
        "}\n"
    )
    assert format_text(text) == (
        'example "e" {\n'
        '    given """\n'
        "    a: 1\n"
        '      b: ["x", "y"]\n'
        '    """\n'
        "    expect nothing\n"
        "}\n"
    )


def test_comments_stay_with_what_follows_or_at_the_end_of_their_line() -> None:
    text = (
        "# file\n\n"
        "entity A {  # header\n"
        "  # before x\n"
        "  x: int  # after x\n"
        "  # at the end\n"
        "}  # after A\n"
        "rule r {\n"
        "  every a  # head\n"
        "    where a.x > 1 # inside\n"
        "      and a.x < 3\n"
        "    must a.x != 2\n"
        "}\n"
        "# end of file\n"
    )
    out = format_text(text)
    assert comments(out) == comments(text)
    assert "entity A {  # header\n    # before x\n    x: int  # after x\n" in out
    assert "    # at the end\n}  # after A\n" in out
    assert "    every a  # head\n" in out
    assert "        # inside\n        where a.x > 1 and a.x < 3\n" in out
    assert out.endswith("}\n\n# end of file\n")
    assert format_text(out) == out


def test_a_formatting_bug_is_caught_before_anything_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "a.rules"
    path.write_text("rule r { every a must a.x = 1 }\n", "utf-8")
    before = path.read_text("utf-8")
    monkeypatch.setattr(decls.Printer, "run", lambda self: "rule r {\n}\n")
    with pytest.raises(DiagnosticError) as info:
        format_text(before)
    assert info.value.diagnostics[0].code == "format"
    assert cli.main(["fmt", str(path)]) == 2
    assert path.read_text("utf-8") == before


# ---------------------------------------------------------------------------- CLI
def test_check_lists_files_that_would_change_and_changes_nothing(tmp_path: Path) -> None:
    messy, tidy = tmp_path / "messy.rules", tmp_path / "tidy.rules"
    messy.write_text(MESSY, "utf-8")
    tidy.write_text(CANONICAL, "utf-8")
    result = run_cli("fmt", "--check", tmp_path, cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert result.stdout == (
        "would reformat messy.rules\n1 file would be reformatted, 1 file already formatted\n"
    )
    assert messy.read_text("utf-8") == MESSY
    assert run_cli("fmt", "--check", tidy, cwd=tmp_path).returncode == 0


def test_fmt_rewrites_in_place_and_keeps_the_file_mode(tmp_path: Path) -> None:
    messy = tmp_path / "messy.rules"
    messy.write_text(MESSY, "utf-8")
    os.chmod(messy, 0o644)
    result = run_cli("fmt", messy, cwd=tmp_path)
    assert (result.returncode, result.stdout) == (
        0,
        "reformatted messy.rules\n1 file reformatted\n",
    ), result.stderr
    assert messy.read_text("utf-8") == CANONICAL
    assert stat.S_IMODE(messy.stat().st_mode) == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["messy.rules"]  # no temporary left
    again = run_cli("fmt", messy, cwd=tmp_path)
    assert (again.returncode, again.stdout) == (0, "1 file already formatted\n")


def test_a_file_that_does_not_parse_exits_2_with_a_located_message(tmp_path: Path) -> None:
    (tmp_path / "bad.rules").write_text("rule r {\n  every claim must\n}\n", "utf-8")
    (tmp_path / "good.rules").write_text(MESSY, "utf-8")
    result = run_cli("fmt", tmp_path, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("bad.rules:3:1: error: ")
    assert "[syntax]" in result.stderr and "Traceback" not in result.stderr
    assert (tmp_path / "bad.rules").read_text("utf-8") == "rule r {\n  every claim must\n}\n"
    assert (tmp_path / "good.rules").read_text("utf-8") == CANONICAL  # the others still done
    # The summary never counts a file it could not read as already formatted.
    assert (
        result.stdout
        == "reformatted good.rules\n1 file reformatted, 1 file not formatted (errors above)\n"
    )
    (tmp_path / "good.rules").unlink()
    alone = run_cli("fmt", tmp_path, "--check", cwd=tmp_path)
    assert (alone.returncode, alone.stdout) == (2, "1 file not formatted (errors above)\n")


# ---------------------------------------------------------------------------- random rulesets
SEPARATORS = [" ", " ", " ", " ", "  ", "\n", "\n    ", "\n\n", " # note\n", "\n# own line\n  "]
NAMES = ["x", "status", "claim", "c", "it_2"]
ATOMS = [
    "claim.id", "status", "x", "3", "2.50", '"a\\"b"', '"\\d+"', '"tab\\tx\\u{1F600}"',
    "2026-01-01", "30 days", "2 years", "100 USD", "1.5 EUR", "true", "false", "today",
    "{tv, web}", "{}", "count(claim.tags)", "lower(claim.id)", "f(x, y)", "g()",
    "Claim referencing campaign via c", "sum(c.n for c in claim.caps where c.ok)",
    'max(claim.tags where it != "")', "Status.funded", '"\u202e"',
]  # fmt: skip
QUANT, OR, AND, NOT, CMP, SUM, PROD, NEG, OTHERWISE, POSTFIX, ATOM = range(11)

Expr = tuple[list[str], int]


@st.composite
def expressions(draw: st.DrawFn, depth: int = 0) -> Expr:
    """Token lists of valid expressions, with their precedence level."""
    if depth >= 3 or draw(st.integers(0, 3)) == 0:
        return [draw(st.sampled_from(ATOMS))], ATOM

    def sub(level: int) -> list[str]:
        tokens, prec = draw(expressions(depth + 1))
        if prec < level or draw(st.integers(0, 5)) == 0:  # needed, or the author's extra pair
            return ["(", *tokens, ")"]
        return tokens

    kind = draw(st.integers(0, 12))
    if kind == 0:
        op = draw(st.sampled_from(["=", "!=", "<", "<=", ">", ">=", "is", "is not",
                                   "is at least", "is at most", "is below", "is above"]))  # fmt: skip
        return [*sub(SUM), *op.split(), *sub(SUM)], CMP
    if kind == 1:
        return [*sub(AND), "and", *sub(NOT)], AND
    if kind == 2:
        return [*sub(OR), "or", *sub(AND)], OR
    if kind == 3:
        return ["not", *sub(NOT)], NOT
    if kind == 4:
        op = draw(st.sampled_from("+-*/"))
        level = SUM if op in "+-" else PROD
        return [*sub(level), op, *sub(level + 1)], level
    if kind == 5:
        return ["-", *sub(NEG)], NEG
    if kind == 6:
        return [*sub(OTHERWISE), "otherwise", *sub(POSTFIX)], OTHERWISE
    if kind == 7:
        return [*sub(POSTFIX), ".", draw(st.sampled_from(NAMES))], POSTFIX
    if kind == 8:
        negated = draw(st.booleans())
        return [*sub(SUM), *(["not", "in"] if negated else ["in"]), *sub(SUM)], CMP
    if kind == 9:
        op = draw(st.sampled_from(["contains", "starts with", "ends with", "matches"]))
        tail = ["ignoring", "case"] if draw(st.booleans()) else []
        return [*sub(SUM), *op.split(), *sub(SUM), *tail], CMP
    if kind == 10:
        test = draw(st.sampled_from([["missing"], ["present"], ["not", "missing"]]))
        return [*sub(SUM), "is", *test], CMP
    if kind == 11:
        word = draw(st.sampled_from(["some", "no", "every"]))
        out = [word, *draw(binders(depth))]
        if word == "every":
            if draw(st.booleans()):
                out += ["where", *sub(OR)]
            return [*out, "must", *sub(QUANT)], QUANT
        if draw(st.booleans()):
            out += ["where", *sub(QUANT)]
        return out, QUANT
    out = [*sub(SUM)] if draw(st.booleans()) else []
    out.append(draw(st.sampled_from(["reference", "references"])))
    out += draw(st.sampled_from([[], ["a"], ["an"], ["any"]]))
    out.append(draw(st.sampled_from(["Capability", "capability"])))
    out += draw(st.sampled_from([[], ["as", "k"]]))
    out += draw(st.sampled_from([[], ["via", "caps"]]))
    if draw(st.booleans()):
        out += [draw(st.sampled_from(["with", "where", "without"])), *sub(QUANT)]
    return out, QUANT


@st.composite
def binders(draw: st.DrawFn, depth: int = 2) -> list[str]:
    kind = draw(st.integers(0, 2))
    if kind == 0:
        return [draw(st.sampled_from(["claim", "Claim"]))]
    if kind == 1:
        return ["Claim", "as", draw(st.sampled_from(NAMES))]
    tokens, prec = draw(expressions(depth + 1))
    coll = ["(", *tokens, ")"] if prec < OR else tokens
    return [draw(st.sampled_from(NAMES)), "in", *coll]


def expr_tokens(draw: st.DrawFn, level: int = QUANT) -> list[str]:
    tokens, prec = draw(expressions())
    return ["(", *tokens, ")"] if prec < level else tokens


STRINGS = ['"plain"', '"with \\"quotes\\""', '"\\d+"', '"tab\\there"', '"a\\\\b"', '"{x}"']
TRIPLE = ['"""\n    a: 1\n    b: [x, "y"]\n    """', '"""{a: 1}"""', '"""\n\n  deep:\n    - 1\n"""']
TYPES = [["text"], ["int", "?"], ["list", "of", "Claim"], ["set", "of", "Status", "?"], ["Claim"]]


def _rule_body(draw: st.DrawFn) -> list[str]:
    body = [draw(st.sampled_from(["every", "no"])), *draw(binders())]
    if draw(st.booleans()):
        body += [",", *draw(binders())]
    for _ in range(draw(st.integers(0, 2))):
        clause = draw(st.sampled_from([["where"], ["let", "v"]]))
        body += clause + (["="] if clause[0] == "let" else []) + expr_tokens(draw, OR)
    if body[0] == "every" or draw(st.booleans()):
        body += ["must" if body[0] == "every" else "may", *expr_tokens(draw)]
    return body


def _message(draw: st.DrawFn) -> str:
    return draw(
        st.sampled_from(['"claim {claim.id} {{x}}"', '"plain"', '"""\n  two\n  lines {c.d}\n  """'])
    )


@st.composite
def declarations(draw: st.DrawFn) -> list[str]:
    kind = draw(st.integers(0, 6))
    name = draw(st.sampled_from(["A", "Claim", "Status", "p", "q1"]))
    if kind == 0:
        return ["import", draw(st.sampled_from(STRINGS))]
    if kind == 1:
        sep = draw(st.sampled_from(["<", ","]))
        values = draw(st.lists(st.sampled_from(["a", "b", "c_1", "title"]), min_size=1, max_size=5))
        out = ["enum", name, "{"]
        for i, v in enumerate(values):
            out += ([sep] if i else []) + [v] + draw(st.lists(st.sampled_from(STRINGS), max_size=2))
        return [*out, *([sep] if draw(st.booleans()) else []), "}"]
    if kind == 2:
        out = ["entity", name]
        for opt in draw(
            st.permutations(
                [["in", '"a.b"'], ["csv", '"f.csv"'], ["table", '"s.t"'], ["key", "id"]]
            )
        ):
            out += opt if draw(st.booleans()) else []
        out.append("{")
        for field in draw(st.lists(st.sampled_from(["id", "n", "key", "message"]), max_size=4)):
            out += [field, ":", *draw(st.sampled_from(TYPES))]
            for opt in draw(
                st.permutations([["from", '"N n"'], ["split", '";"'], ["column", '"c c"']])
            ):
                out += opt if draw(st.booleans()) else []
        return [*out, "}"]
    if kind == 3:
        return ["param", name, ":", *draw(st.sampled_from(TYPES)), "=", *expr_tokens(draw)]
    if kind == 4:
        params = draw(
            st.sampled_from([[], ["c", ":", "Claim"], ["c", ":", "Claim", ",", "d", ":", "int"]])
        )
        return ["predicate", name, "(", *params, ")", "=", *expr_tokens(draw)]
    if kind == 5:
        items: list[list[str]] = [
            [
                draw(st.sampled_from(["title", "rationale", "owner"])),
                draw(st.sampled_from(STRINGS + TRIPLE)),
            ]
        ]
        if draw(st.booleans()):
            items.append(["severity", draw(st.sampled_from(["error", "warning", "info"]))])
        if draw(st.booleans()):
            items.append(["tags", *draw(st.sampled_from([['"a"'], ['"a"', ",", '"b"']]))])
        # One body or two (a rule over several kinds of record), with one message for all,
        # or with two bodies sometimes one message right after each.
        bodies = [_rule_body(draw) for _ in range(draw(st.integers(1, 2)))]
        if len(bodies) > 1 and draw(st.booleans()):
            items += [[*b, "message", _message(draw)] for b in bodies]
        else:
            items += bodies
            if draw(st.booleans()):
                items.append(["message", _message(draw)])
        order = draw(st.permutations(items))
        rule_id = draw(st.sampled_from(["r1", "a.b-c", "x_2"]))
        return ["rule", rule_id, "{", *[t for item in order for t in item], "}"]
    items = [["given", draw(st.sampled_from(TRIPLE + STRINGS))]]
    if draw(st.booleans()):
        items = [["given", "file", '"plan.yaml"']]
    if draw(st.booleans()):
        items.append(["today", "=", "2026-03-01"])
    if draw(st.booleans()):
        items.append(["param", "p", "=", *expr_tokens(draw)])
    items += draw(
        st.lists(
            st.sampled_from(
                [
                    ["expect", "r1", "on", '"K1"', ",", '"K2"'],
                    ["expect", "no", "a.b-c"],
                    ["expect", "nothing"],
                ]
            ),
            max_size=3,
        )
    )
    order = draw(st.permutations(items))
    return ["example", draw(st.sampled_from(STRINGS)), "{", *[t for item in order for t in item], "}"]  # fmt: skip


@st.composite
def rulesets(draw: st.DrawFn) -> str:
    tokens = [t for d in draw(st.lists(declarations(), max_size=4)) for t in d]
    out = [draw(st.sampled_from(["", "# top\n", "\n\n"]))]
    for t in tokens:
        out += [t, draw(st.sampled_from(SEPARATORS))]
    return "".join(out) + draw(st.sampled_from(["", "\n", "# end"]))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rulesets())
def test_random_rulesets_round_trip(text: str) -> None:
    tree = parse(Source("random.rules", text))  # the fragments always make a valid ruleset
    out = format_text(text, "random.rules")
    assert parse(Source("out.rules", out)) == tree
    assert comments(out) == comments(text)
    assert format_text(out, "random.rules") == out


@st.composite
def commented_generated_rulesets(draw: st.DrawFn) -> str:
    """A ruleset of the type-checked generator, with comments put at the end of random lines
    and on lines of their own (a comment inside a string is text, and counted as such)."""
    lines = draw(generated_rulesets()).split("\n")
    out = []
    for i, line in enumerate(lines):
        where = draw(st.sampled_from(["", "", "end", "own"]))
        if where == "own":
            out.append(f"# about line {i}")
        out.append(f"{line}  # line {i}" if where == "end" else line)
    return "\n".join(out)


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(commented_generated_rulesets())
def test_generated_rulesets_round_trip_with_their_comments(text: str) -> None:
    try:
        tree = parse(Source("gen.rules", text))
    except DiagnosticError:
        return  # a comment closed a line the generator continues: not this test's business
    out = format_text(text, "gen.rules")
    assert parse(Source("out.rules", out)) == tree
    assert comments(out) == comments(text)
    assert format_text(out, "gen.rules") == out
