"""`JsonText` finds every pointer where the Python reader's locator finds it, and reads the
value there as the Python reader does, from the text alone (the DuckDB engine's locations).
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from alignrules.data.json_text import JsonText
from alignrules.data.read import read_plan_text
from alignrules.pointer import escape

TRICKY: list[Any] = [
    'a"b',
    "x\\",
    '\\"]',
    "{[,]}",
    "],[",
    {"q": ['"', "\\"]},
    [],
    {},
    1.5,
    None,
    "",
]

TEXTS = [
    '{"claims": [{"id": "C1", "cost": 100.50}, {"id": "C2", "tags": []}]}',
    '{ "a\\u00e9/~k" : [ 1 , {"\\"x": "é\\"\\\\", "y":[[],{}], "z": 1.50e1}, [ ] ],\n'
    ' "é": {"b": [0, 1,\n 2]}, "e": {}}',
    '[\n  {\n    "id": "K1",\n    "n": -0.0\n  },\n  {"id": "K2", "ok": true}\n]',
    # long members: the containers on the way keep where their members start
    '{"big": [' + ",".join(f'{{"i": {i}, "s": "{"x" * 300}"}}' for i in range(60)) + '], "z": 1}',
    # many members, found in one vectorised pass: strings holding quotes, backslashes,
    # brackets and commas must not end a member
    json.dumps({"a": [TRICKY[i % len(TRICKY)] for i in range(200)], "z": "]"}),
    json.dumps({"a": [TRICKY[i % len(TRICKY)] for i in range(200)]}, indent=2),
    json.dumps([[i, {"k": TRICKY[i % len(TRICKY)]}] for i in range(100)], separators=(",", ":")),
]


def _pointers(value: Any, pointer: str = "") -> list[str]:
    out = [pointer]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _pointers(v, f"{pointer}/{escape(k)}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _pointers(v, f"{pointer}/{i}")
    return out


@pytest.mark.parametrize("text", TEXTS)
def test_every_pointer_is_where_the_python_reader_finds_it(text: str) -> None:
    plan = read_plan_text(text, "json", "plan.json")
    found = _pointers(plan.root)
    missing = [p + "/nothing" for p in found] + [p + "/7" for p in found] + ["/", "x", "/01"]
    # in document order, members are stepped over one by one; from the end, a large
    # array's members are all found at once
    for order in ([*found, *missing], [*reversed(found), *missing]):
        located = JsonText(text, "plan.json")
        for pointer in order:
            assert located.find(pointer) == plan.locator.find(pointer), pointer
    for pointer in found:
        value = plan.root
        for token in pointer.split("/")[1:]:
            key = token.replace("~1", "/").replace("~0", "~")
            value = value[int(key)] if isinstance(value, list) else value[key]
        got = located.value(pointer)
        assert got == value and type(got) is type(value), pointer


def test_numbers_keep_the_places_they_were_written_with() -> None:
    text = JsonText('{"a": [100.50, 7, 1.0e2]}', "p.json")
    assert [text.value(f"/a/{i}") for i in range(3)] == [Decimal("100.50"), 7, Decimal("1.0e2")]
    assert str(text.value("/a/0")) == "100.50"
    with pytest.raises(KeyError):
        text.value("/a/3")
