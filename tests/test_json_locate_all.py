"""Locating a report's pointers all at once (`locate_all`) gives every pointer the place that
locating it alone (`find`, `locate`) gives: for the Python reader's `JsonLocator` and for the
DuckDB engine's `JsonText`, on any JSON text and any pointer, named or not.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import alignrules
from alignrules.data.from_json import JsonLocator, bulk_locator
from alignrules.data.json_text import JsonText
from alignrules.data.lines import LineIndex, positions
from alignrules.data.read import read_plan, read_plan_text
from alignrules.pointer import escape
from alignrules.runtime.report import Location, Report
from tests.conftest import MINI
from tests.test_json_text import _pointers

# Characters that JSON escapes, that pointers escape, that delimit JSON, and that take more
# than one UTF-16 unit (columns count characters, not units) or none (a lone surrogate).
_AWKWARD = '"\\/~,:{}[] \t\n\r\x00\u00e9\u2028\U0001f600\ud800'
_CHARS = st.one_of(st.sampled_from(_AWKWARD), st.characters(codec="utf-8"))
_TEXTS = st.text(_CHARS, max_size=8)
# Mostly a few keys, so that keys repeat in nested and sibling objects (a search for a key
# must not stop in a nested object), some awkward, some arbitrary.
_FEW_KEYS = ["id", "a", "~", "/", "~1", "01", "0", "", "a,", ": 1, ", '"', "\\", "\U0001f600"]
_KEYS = st.one_of(st.sampled_from(["a", "id"]), st.sampled_from(_FEW_KEYS), _TEXTS)
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(-1e9, 1e9, allow_nan=False).map(lambda f: round(f, 3)),
    _TEXTS,
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=6),
        st.dictionaries(_KEYS, inner, max_size=6),
    ),
    max_leaves=40,
)


def _dump(value: Any, style: int, ensure_ascii: bool) -> str:
    """`value` as JSON: minified, pretty, pretty with CRLF line ends, or spaced."""
    if style == 0:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=ensure_ascii)
    if style == 1:
        return json.dumps(value, indent=2, ensure_ascii=ensure_ascii)
    if style == 2:  # strings hold no raw line end (JSON escapes them): only layout changes
        return json.dumps(value, indent=1, ensure_ascii=ensure_ascii).replace("\n", "\r\n")
    return "\n \t" + json.dumps(value, separators=(" , ", " : "), ensure_ascii=ensure_ascii)


@st.composite
def _cases(draw: st.DrawFn) -> tuple[str, list[str]]:
    value = draw(_VALUES)
    text = _dump(value, draw(st.integers(0, 3)), draw(st.booleans()))
    named = _pointers(value)
    # Pointers that name nothing, or only part of the way: a missing key or index, a token
    # past a scalar, array tokens that are no index (`01`, `-1`), tokens left unescaped
    # (`~` names the key `~` too), and things that are not pointers at all.
    extra = st.one_of(
        st.sampled_from(["", "x", "/", "//", "/~", "/~0", "/~1", "/01", "/-1", "/0"]),
        st.tuples(st.sampled_from(named), st.sampled_from(["/0", "/9", "/01", "/id", "/"])).map(
            "".join
        ),
        st.tuples(st.sampled_from(named), _KEYS).map(lambda t: f"{t[0]}/{escape(t[1])}"),
        st.tuples(st.sampled_from(named), _KEYS).map(lambda t: f"{t[0]}/{t[1]}"),
    )
    chosen = draw(st.one_of(st.just(named), st.lists(st.sampled_from(named), max_size=12)))
    chosen += draw(st.lists(extra, max_size=12))
    return text, chosen


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_cases())
def test_bulk_and_one_at_a_time_locating_agree(case: tuple[str, list[str]]) -> None:
    text, pointers = case
    plan = read_plan_text(text, "json", "plan.json")
    locator = plan.locator
    assert isinstance(locator, JsonLocator)
    bulk = locator.locate_all(pointers)
    assert set(bulk) == set(pointers)
    for pointer in pointers:
        assert bulk[pointer] == plan.locate(Location(None, pointer)), pointer
    # The DuckDB engine's locator, from the text alone: the same places.
    json_text = JsonText(text, "plan.json")
    assert json_text.locate_all(pointers) == bulk
    one_at_a_time = JsonText(text, "plan.json")
    for pointer in pointers:
        assert one_at_a_time.locate(Location(None, pointer)) == bulk[pointer], pointer


@settings(max_examples=200, deadline=None)
@given(st.text(st.sampled_from("ab\n\r\U0001f600"), max_size=30), st.data())
def test_one_sweep_places_offsets_as_the_line_index_does(text: str, data: st.DataObject) -> None:
    offsets = data.draw(st.lists(st.integers(0, max(0, len(text) - 1)), max_size=10))
    lines = LineIndex(text)
    assert positions(text, offsets) == {o: lines.position(o) for o in offsets}


def test_a_repeated_key_is_its_first_member_in_both_ways() -> None:
    # DuckDB's reader may take what the Python reader refuses; both locators name the first.
    text = '{"a": 1, "b": {"a": 2}, "a": 3, "\\u0061": 4}'
    pointers = ["/a", "/b/a", "/b/x", "/a/0"]
    one = JsonText(text, "p.json")
    assert JsonText(text, "p.json").locate_all(pointers) == {
        p: one.locate(Location(None, p)) for p in pointers
    }
    assert JsonText(text, "p.json").locate_all(["/a"])["/a"].column == 7


@pytest.mark.parametrize(
    ("text", "pointer"),
    [
        ('{"b": {"a": 2}, "a": 3}', "/a"),  # the key in a nested object first
        ('{"o": {"id": 1}, "a": 2}', "/o/a"),  # a missing key, then the parent's key
        ('[{"id": 1}, {"a": 2}]', "/0/a"),  # a missing key, then the next record's
        (json.dumps({"x": ',"a":', "a": 1}), "/a"),  # the key inside a string, escaped quotes
        ('{"\\u0061": 1, "a": 2}', "/a"),  # a key spelled with an escape (repeated)
        ('{"x": "{", "a": 1}', "/a"),  # a brace inside a string
        ('{"x": [1, {"a": 0}], "a": 1}', "/a"),  # an object inside an array first
    ],
)
def test_a_searched_key_is_the_objects_own_member(text: str, pointer: str) -> None:
    one = JsonText(text, "p.json")
    expected = one.locate(Location(None, pointer))
    assert JsonText(text, "p.json").locate_all([pointer]) == {pointer: expected}
    if "u0061" in text:  # a repeated key, which the Python reader refuses: the first
        assert expected.column == text.index(": 1") + 3
    else:
        plan = read_plan_text(text, "json", "p.json")
        assert plan.locate(Location(None, pointer)) == expected


def test_a_key_spelled_inside_strings_is_not_taken_for_a_member() -> None:
    # `,` inside a string, the string's closing quote, then text that reads like a key: a
    # search for the key `: 1, ` must not stop there, in either locator.
    text = '{"a,": 1, ": x": 2, ": 1, ": 3, "k": ["b,", ": c"], ", ": 4}'
    plan = read_plan_text(text, "json", "p.json")
    pointers = ["/: 1, ", "/, ", "/k/1"]
    expected = {p: plan.locate(Location(None, p)) for p in pointers}
    assert [expected[p].column for p in pointers] == [30, 59, 45]
    assert JsonText(text, "p.json").locate_all(pointers) == expected
    one = JsonText(text, "p.json")
    assert {p: one.locate(Location(None, p)) for p in pointers} == expected


def test_a_checked_report_is_located_the_same_in_bulk(tmp_path: Path) -> None:
    plan = json.loads((MINI / "plan.json").read_text("utf-8"))
    # Many findings (records and fields, a dangling id, duplicates of one record), in a
    # pretty CRLF text whose strings hold quotes, braces and characters beyond the BMP.
    plan["marketing"]["claims"] = [
        {
            "id": f"C{i}",
            "text": f'é\U0001f600 "{{{i}}}", ',
            "channel": ["tv", "search", "social"][i % 3],
            "capability_ids": ["K1", "K3", "K9"][: 1 + i % 3],
            **({"campaign_id": "M1"} if i % 2 else {}),
        }
        for i in range(300)
    ]
    plan_file = tmp_path / "plan.json"
    plan_file.write_bytes(json.dumps(plan, indent=2).replace("\n", "\r\n").encode("utf-8"))
    checker = alignrules.load(MINI)
    data = read_plan(plan_file)
    report = checker.module.check(checker.module.load(data.root, "json"), today=date(2026, 1, 1))
    assert len(report.violations) > 300
    assert any(v.field_location is not None for v in report.violations)
    one_at_a_time = report.with_locations(data.locate)
    fresh = read_plan(plan_file)
    bulk_locate = bulk_locator(fresh)
    assert bulk_locate is not None
    assert report.with_locations(fresh.locate, bulk_locate) == one_at_a_time
    assert checker.check_file(plan_file, as_of=date(2026, 1, 1)) == one_at_a_time
    text = JsonText(plan_file.read_text("utf-8"), str(plan_file))
    assert report.with_locations(text.locate, text.locate_all) == one_at_a_time


def test_a_location_the_bulk_locator_gives_no_file_keeps_its_own() -> None:
    v_loc = Location("given.json", "/a")
    report = Report.build([], (), date(2026, 1, 1))
    assert report.with_locations(lambda loc: loc, lambda ps: {}) == report
    from alignrules.runtime.report import Severity, Violation

    v = Violation("r", Severity.ERROR, "m", "E", "k", v_loc)
    report = Report.build([v], (), date(2026, 1, 1))
    located = report.with_locations(
        lambda loc: loc, lambda ps: {p: Location(None, p, 1, 2) for p in ps}
    )
    assert located.violations[0].location == Location("given.json", "/a", 1, 2)


def _large_text() -> str:
    """More members than a walk forgets (a large root, long values before a key), more
    pointers than the memo of recent ones holds, records flat and not."""
    root: dict[str, Any] = {f"k{i}": "x" * 200 for i in range(40)}
    root["records"] = [
        {"id": f"R{i}", "n": i, "tags": ["a", "}"] if i % 7 == 0 else [], "o": {"p": i}}
        if i % 5 == 0
        else {"id": f"R{i}", "n": i, "s": "{" if i % 11 == 0 else "t"}
        for i in range(6000)
    ]
    root["nested"] = [[{"id": i}] for i in range(50)]
    root["z"] = {"deep": [1, 2, {"a": "b"}]}
    return json.dumps(root, indent=1)


@pytest.mark.parametrize("reverse", [False, True])
def test_large_texts_agree_in_any_order(reverse: bool) -> None:
    from tests.test_json_text import TEXTS

    for text in [*TEXTS, _large_text()]:
        plan = read_plan_text(text, "json", "plan.json")
        named = _pointers(plan.root)
        pointers = [*named, *(p + "/nothing" for p in named), *(p + "/3" for p in named)]
        if reverse:
            pointers.reverse()
        bulk = JsonText(text, "plan.json").locate_all(pointers)
        assert bulk == {p: plan.locate(Location(None, p)) for p in pointers}
