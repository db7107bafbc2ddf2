"""The plan reader's parts: one pointer module, one line index, places as records."""

from __future__ import annotations

import doctest
import importlib

import pytest

from alignrules import pointer
from alignrules.data.lines import LineIndex
from alignrules.data.read import read_plan_text
from alignrules.diagnostics import Diagnostic, DiagnosticError, Place
from alignrules.runtime.report import Location

MODULES = [
    "alignrules.pointer",
    "alignrules.data.plan",
    "alignrules.data.lines",
    "alignrules.data.from_json",
    "alignrules.data.json_offsets",
    "alignrules.data.json_text",
    "alignrules.data.from_yaml",
    "alignrules.data.from_csv",
    "alignrules.data.csv_cells",
    "alignrules.diagnostics",
]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize("key", ["a/b", "a~b", "~1", "/~0/", "plain", ""])
def test_pointer_tokens_round_trip(key: str) -> None:
    escaped = pointer.escape(key)
    assert "/" not in escaped
    assert pointer.unescape(escaped) == key
    assert pointer.split(f"/x/{escaped}") == ["x", key]


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("json", '{\n  "ok": 1,\n  "a/b~c": {"id": "C1"}\n}\n'),
        ("yaml", "ok: 1\na/b~c:\n  id: C1\n"),
    ],
)
def test_a_key_with_slash_and_tilde_is_found_by_its_escaped_pointer(kind: str, text: str) -> None:
    # The binder names the record with alignrules.pointer.escape; every reader must read the
    # same pointer back to the same key.
    plan = read_plan_text(text, kind, f"p.{kind}")
    record = "/" + pointer.escape("a/b~c")
    assert plan.root["a/b~c"] == {"id": "C1"}
    found = plan.locate(Location(None, record + "/id"))
    assert (found.file, found.line) == (f"p.{kind}", 3)


def test_csv_cells_with_old_mac_line_ends_are_located() -> None:
    # A lone carriage return ends a row for `csv.reader`, so it must end a line for the index.
    plan = read_plan_text("id,note\rC1,x\rC2,y\r", "csv", "claims.csv")
    assert plan.root["claims.csv"][1] == {"id": "C2", "note": "y"}
    assert plan.locator.find("/claims.csv/1/note") == ("claims.csv", 3, 4)


@pytest.mark.parametrize("carriage_returns", [False, True])
def test_line_index_agrees_with_counting_lines(carriage_returns: bool) -> None:
    # Longer than a block, with a lone `\r`, a `\r\n` and a blank line across block edges.
    text = ("abc\n" * 1500) + "x\ry\r\nz\n\n" + ("é" * 5000) + "\nend"
    lines = LineIndex(text, carriage_returns=carriage_returns)
    ends = ("\r\n", "\r", "\n") if carriage_returns else ("\n",)
    line, column, offset = 1, 1, 0
    while offset < len(text):
        assert lines.position(offset) == (line, column)
        end = next((e for e in ends if text.startswith(e, offset)), None)
        if end is None:
            offset, column = offset + 1, column + 1
            continue
        offset, line, column = offset + len(end), line + 1, 1
        assert lines.start(line) == offset
    assert lines.start(line + 1) is None


def test_places_sort_by_line_and_column_as_numbers() -> None:
    error = DiagnosticError(
        [
            Diagnostic("data", "later", where=Place("plan.json", 122, 5)),
            Diagnostic("data", "second", where=Place("plan.json", 29, 10)),
            Diagnostic("data", "no place"),
            Diagnostic("data", "first", where=Place("plan.json", 29)),
        ]
    )
    assert [(d.message, d.where) for d in error.diagnostics] == [
        ("no place", None),
        ("first", "plan.json:29"),
        ("second", "plan.json:29:10"),
        ("later", "plan.json:122:5"),
    ]


def test_a_place_given_as_text_is_read_into_its_fields() -> None:
    diagnostic = Diagnostic("data", "bad", where="plan.json:3:14")
    assert diagnostic.place == Place("plan.json", 3, 14)
    assert diagnostic.where == "plan.json:3:14"
    assert Diagnostic("usage", "bad", where="--param").place == Place("--param")


def test_a_reader_error_carries_its_place_as_a_record() -> None:
    with pytest.raises(DiagnosticError) as info:
        read_plan_text('{"a": 1,\n "a": 2}', "json", "p.json")
    (diagnostic,) = info.value.diagnostics
    assert diagnostic.place == Place("p.json", 2, 2)
    assert str(info.value).startswith('p.json:2:2: error: invalid JSON: duplicate key "a"')
