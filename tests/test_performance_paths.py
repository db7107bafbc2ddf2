"""The fast paths of issue 6 give what the plain paths give (never timed: see
docs/performance.md for the measurements)."""

from __future__ import annotations

import os
import subprocess
import sys

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

from alignrules.runtime.report import (
    Location,
    Report,
    Severity,
    Violation,
    _natural,
    _sorted,
    _sorted_violations,
)

# Keys that exercise natural order: ASCII and other decimal digits, leading zeros, empty text.
KEY = st.text(alphabet="Ca0179٣_-/~ ", max_size=6)
VIOLATION = st.builds(
    Violation,
    rule=st.sampled_from(["r1", "r2", "dangling-reference"]),
    severity=st.sampled_from(list(Severity)),
    message=st.sampled_from(["m", "n"]),
    entity=st.sampled_from(["Claim", "Campaign"]),
    key=KEY,
    location=st.builds(
        Location,
        st.sampled_from([None, "a.json", "b.json"]),
        st.sampled_from(["/a/0", "/a/1", "/a/10"]),
    ),
    related=st.lists(st.tuples(st.sampled_from(["Capability", "Segment"]), KEY), max_size=2).map(
        tuple
    ),
    field=st.sampled_from([None, "campaign"]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(VIOLATION, max_size=30))
def test_report_sort_is_the_sort_key_order(violations: list[Violation]) -> None:
    """Report.build's sort equals sorting by `Violation.sort_key()`, duplicates included
    (of violations with equal keys, the last one given is kept)."""
    assert _sorted_violations(violations) == _sorted(violations)
    assert _sorted_violations(iter(violations)) == _sorted(violations)


#: Keys of the common shape only (`C12`, `C012`, `K-3`), where the sort ranks them faster.
SHAPED_KEY = st.builds(
    "{}{}".format,
    st.sampled_from(["C", "CL", "K-", "c"]),
    st.from_regex(r"0?[0-9]{1,3}", fullmatch=True),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(VIOLATION, max_size=30), st.lists(SHAPED_KEY, min_size=30, max_size=30))
def test_report_sort_of_common_keys_is_the_sort_key_order(
    violations: list[Violation], keys: list[str]
) -> None:
    """The same, when every key has the common shape: some text, then ASCII digits."""
    shaped = [attrs.evolve(v, key=k) for v, k in zip(violations, keys, strict=False)]
    assert _sorted_violations(shaped) == _sorted(shaped)


@given(KEY)
def test_natural_key_fast_path(text: str) -> None:
    import re

    plain = tuple(
        (0, int(p)) if p.isdecimal() and p.isascii() else (1, p)
        for p in re.split(r"(\d+)", text)
        if p
    )
    assert _natural(text) == plain


def test_natural_order() -> None:
    keys = ["C10", "C2", "C02", "c1", "C", "", "C2a", "C٣"]
    assert sorted(keys, key=_natural) == ["", "C", "C2", "C02", "C2a", "C10", "C٣", "c1"]


def test_build_keeps_order_and_dedup() -> None:
    loc = Location(None, "/claims/0")
    a = Violation("r", Severity.ERROR, "m", "Claim", "C10", loc)
    b = Violation("r", Severity.ERROR, "m", "Claim", "C9", loc)
    a2 = Violation("r", Severity.ERROR, "m", "Claim", "C10", loc, field="x")
    report = Report.build([a, b, a2], (), __import__("datetime").date(2026, 1, 1))
    assert report.violations == (b, a2)


def _python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )


def test_import_does_not_load_the_compiler() -> None:
    """`import alignrules` and the names it exports leave lark and the compiler unimported."""
    proc = _python(
        "import sys, alignrules\n"
        "from alignrules import load, load_many, Checker, Report, Violation, Location, "
        "RuleInfo, Severity, Waived, BaselineDiff, Diagnostic, DiagnosticError, AlignError, "
        "__version__\n"
        "heavy = [m for m in sys.modules if m == 'lark' or m.startswith(('lark.', "
        "'alignrules.syntax', 'alignrules.typecheck', 'alignrules.codegen', 'alignrules.ir'))]\n"
        "assert not heavy, heavy\n"
        "assert isinstance(__version__, str)\n"
    )
    assert proc.returncode == 0, proc.stderr


def test_cached_load_does_not_parse_again(tmp_path: object) -> None:
    """Loading an unchanged ruleset again takes the parse from the cache; a changed file is
    parsed again and compiled anew."""
    from pathlib import Path

    import alignrules
    from alignrules import compile as compile_module

    folder = Path(str(tmp_path))
    (folder / "schema.rules").write_text(
        "entity Claim {\n    id: text\n    score: int\n}\n", encoding="utf-8"
    )
    rules = folder / "rules.rules"
    rules.write_text(
        'import "schema.rules"\nrule r {\n    every claim must claim.score > 0\n'
        '    message "{claim.id}"\n}\n',
        encoding="utf-8",
    )
    first = alignrules.load(rules)
    before = compile_module._parse_file.cache_info().misses
    second = alignrules.load(rules)
    assert compile_module._parse_file.cache_info().misses == before
    assert second.module is first.module
    rules.write_text(rules.read_text(encoding="utf-8").replace("> 0", "> 1"), encoding="utf-8")
    third = alignrules.load(rules)
    assert third.module is not first.module
    report = third.check({"claims": [{"id": "C1", "score": 1}]})
    assert [v.key for v in report.violations] == ["C1"]


def test_with_locations_keeps_every_other_field() -> None:
    import attrs

    loc = Location(None, "/claims/0")
    v = Violation(
        "r", Severity.WARNING, "m", "Claim", "C1", loc, (("Capability", "K1"),), "f",
        Location(None, "/claims/0/f"),
    )  # fmt: skip
    report = Report.build([v], (), __import__("datetime").date(2026, 1, 1))
    moved = report.with_locations(lambda loc: attrs.evolve(loc, file="p.json", line=3)).violations
    assert moved[0] == attrs.evolve(
        v,
        location=Location("p.json", "/claims/0", 3),
        field_location=Location("p.json", "/claims/0/f", 3),
    )
    names = {f.name for f in attrs.fields(Violation)}
    assert names == {
        "rule", "severity", "message", "entity", "key", "location", "related", "field",
        "field_location",
    }, "a new Violation field must be copied by Report.with_locations"  # fmt: skip


def test_location_to_json_is_asdict() -> None:
    import attrs

    loc = Location("p.json", "/claims/0", 3, 7)
    assert loc.to_json() == attrs.asdict(loc)
    assert Location(None, "").to_json() == attrs.asdict(Location(None, ""))


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**30) + 1, 10**30 - 1) | st.text(),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.lists(inner, max_size=3).map(tuple)
        | st.dictionaries(st.text(max_size=5), inner, max_size=4)
    ),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(JSON_VALUES)
def test_json_renderer_matches_json_dumps(document: object) -> None:
    import json

    from alignrules.render.json import _NON_ASCII, _escape, _indented, dumps

    expected = json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False)
    assert _indented(document) == expected
    assert dumps(document) == _NON_ASCII.sub(_escape, expected) + "\n"


def test_json_renderer_falls_back_for_other_values() -> None:
    import json

    from alignrules.render.json import dumps

    for document in ({"a": 1.5, "b": [float("nan")]}, {1: "x", 2: "y"}):
        text = json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False)
        assert dumps(document) == text + "\n"


def _serialise(
    value: object, draw_space: object, out: list[str], at: dict[str, int], ptr: str
) -> None:
    """JSON text of `value` with random spacing, recording where each pointer's value starts."""
    import json

    space = draw_space  # a callable giving a whitespace string
    at[ptr] = sum(map(len, out))
    if isinstance(value, dict):
        out.append("{")
        for i, (k, v) in enumerate(value.items()):
            out.append(("," if i else "") + space() + json.dumps(k) + space() + ":" + space())  # type: ignore[operator]
            _serialise(v, draw_space, out, at, f"{ptr}/{k.replace('~', '~0').replace('/', '~1')}")
        out.append(space() + "}")  # type: ignore[operator]
    elif isinstance(value, list):
        out.append("[")
        for i, v in enumerate(value):
            out.append(("," if i else "") + space())  # type: ignore[operator]
            _serialise(v, draw_space, out, at, f"{ptr}/{i}")
        out.append(space() + "]")  # type: ignore[operator]
    else:
        out.append(json.dumps(value))


PLAIN_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**30) + 1, 10**30 - 1)
    | st.text(alphabet='ab"\\/~{}[],: \n', max_size=4),
    lambda inner: (
        st.lists(inner, max_size=40)
        | st.dictionaries(st.text(alphabet='ab"/~{}[] ', max_size=3), inner, max_size=40)
    ),
    max_leaves=120,
)


@settings(max_examples=150, deadline=None)
@given(PLAIN_JSON, st.randoms(use_true_random=False))
def test_json_locator_finds_every_value(document: object, rnd: object) -> None:
    """Every value's pointer is located where the text puts it, in containers walked and in
    containers indexed (more than 32 members); pointers that name nothing give an ancestor."""
    from alignrules.data.lines import LineIndex
    from alignrules.data.read import read_plan_text

    spaces = ["", " ", "\n", "  \n\t", "\r\n"]
    out: list[str] = []
    at: dict[str, int] = {}
    _serialise(document, lambda: rnd.choice(spaces), out, at, "")  # type: ignore[attr-defined]
    text = "".join(out)
    plan = read_plan_text(text, "json", "p.json")
    lines = LineIndex(text)
    pointers = list(at)
    rnd.shuffle(pointers)  # type: ignore[attr-defined]
    for pointer in pointers:
        assert plan.locator.find(pointer) == ("p.json", *lines.position(at[pointer])), pointer
    for pointer, ancestor in ((p + "/nope", p) for p in pointers[:5]):
        assert plan.locator.find(pointer) == plan.locator.find(ancestor)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 9000), min_size=1, max_size=12), st.randoms(use_true_random=False))
def test_line_positions_across_blocks(line_lengths: list[int], rnd: object) -> None:
    from alignrules.data.lines import LineIndex

    text = "\n".join("x" * n for n in line_lengths)
    lines = LineIndex(text)
    for offset in [0, len(text) - 1, *(rnd.randrange(len(text) or 1) for _ in range(50))]:  # type: ignore[attr-defined]
        offset = max(offset, 0)
        expected = (text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1)
        assert lines.position(offset) == expected


LOCATED = st.builds(
    Location,
    st.none() | st.sampled_from(["plan.json", "a\u202eb.json"]),
    st.text(max_size=8),
    st.none() | st.integers(1, 10**6),
    st.none() | st.integers(1, 500),
)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.builds(
            Violation,
            rule=st.text(max_size=5),
            severity=st.sampled_from(list(Severity)),
            message=st.text(max_size=10),
            entity=st.text(max_size=5),
            key=st.text(max_size=5),
            location=LOCATED,
            related=st.lists(st.tuples(st.text(max_size=3), st.text(max_size=3)), max_size=3).map(
                tuple
            ),
            field=st.none() | st.text(max_size=4),
            field_location=st.none() | LOCATED,
        ),
        max_size=5,
    )
)
def test_json_report_writes_violations_as_to_json_says(violations: list[Violation]) -> None:
    """render_json writes violations without making their dicts: the same text as the
    document made with `Violation.to_json`."""
    import json
    from datetime import date

    from alignrules.render.json import _NON_ASCII, _document, _escape, render_json

    report = Report.build(violations, (), date(2026, 1, 1), (("Claim", 3),))
    plain = json.dumps(_document(report, "1", ["r"]), sort_keys=True, indent=2, ensure_ascii=False)
    assert render_json(report, tool_version="1", ruleset_names=["r"]) == (
        _NON_ASCII.sub(_escape, plain) + "\n"
    )


def test_json_locator_with_long_members() -> None:
    """Small containers with long members are remembered (not re-walked); positions agree."""
    from alignrules.data.lines import LineIndex
    from alignrules.data.read import read_plan_text

    document = {
        "a": "x" * 5000,
        "b": [1, ["y" * 5000], 3, {"e": "z" * 9000, "f": 2}],
        "c": {"d": 1},
    }
    out: list[str] = []
    at: dict[str, int] = {}
    _serialise(document, lambda: "\n ", out, at, "")
    text = "".join(out)
    plan = read_plan_text(text, "json", "p.json")
    lines = LineIndex(text)
    for _ in range(2):
        for pointer, offset in at.items():
            assert plan.locator.find(pointer) == ("p.json", *lines.position(offset)), pointer
