"""Plan readers: JSON, YAML and CSV folders become plain data, and pointers find their lines."""

from __future__ import annotations

import doctest
import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import alignrules.data.read as read_module
from alignrules.data.from_json import JsonLocator
from alignrules.data.read import MAX_DEPTH, PlanData, read_plan, read_plan_text
from alignrules.diagnostics import Diagnostic, DiagnosticError
from alignrules.runtime.report import Location
from tests.conftest import MINI, run_cli


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def error_of(path: Path | str) -> Diagnostic:
    with pytest.raises(DiagnosticError) as info:
        read_plan(path)
    (diagnostic,) = info.value.diagnostics
    assert diagnostic.code == "data"
    return diagnostic


def text_error_of(text: str, kind: str, name: str = "plan") -> Diagnostic:
    with pytest.raises(DiagnosticError) as info:
        read_plan_text(text, kind, name)
    (diagnostic,) = info.value.diagnostics
    assert diagnostic.code == "data"
    return diagnostic


def where(plan: PlanData, pointer: str) -> tuple[int | None, int | None]:
    _, line, column = plan.locator.find(pointer)
    return line, column


def test_doctests() -> None:
    assert doctest.testmod(read_module).failed == 0


# ------------------------------------------------------------------------------------------- JSON

PLAN_JSON = """\
{
  "marketing": {
    "claims": [
      {"id": "C1", "capability": "carbon", "budget": 1200.50},
      {
        "id": "C2",
        "tags": ["a", {"deep": [null, true]}],
        "a/b": 1,
        "t~x": "tilde"
      }
    ]
  },
  "capabilities": {
    "carbon": {"status": "funded", "cost": 0.10},
    "speed": {"status": "idea", "cost": 3}
  }
}
"""


def test_json_happy_path(tmp_path: Path) -> None:
    path = write(tmp_path, "plan.json", PLAN_JSON)
    plan = read_plan(path)
    assert plan.kind == "json"
    assert plan.name == str(path)
    assert plan.root == json.loads(PLAN_JSON, parse_float=Decimal)
    claims = plan.root["marketing"]["claims"]
    assert claims[0]["budget"] == Decimal("1200.50")
    assert claims[1]["tags"][1]["deep"] == [None, True]


@pytest.mark.parametrize(
    ("pointer", "line", "column"),
    [
        ("", 1, 1),
        ("/marketing", 2, 16),
        ("/marketing/claims", 3, 15),
        ("/marketing/claims/0", 4, 7),
        ("/marketing/claims/0/budget", 4, 54),
        ("/marketing/claims/1", 5, 7),
        ("/marketing/claims/1/id", 6, 15),
        ("/marketing/claims/1/tags/1/deep/1", 7, 39),
        ("/marketing/claims/1/a~1b", 8, 16),
        ("/marketing/claims/1/t~0x", 9, 16),
        # mapping-keyed collection: the key is the record's id
        ("/capabilities/speed", 15, 14),
        ("/capabilities/speed/cost", 15, 41),
        # names nothing: the nearest existing ancestor
        ("/marketing/claims/7", 3, 15),
        ("/marketing/claims/0/missing", 4, 7),
        ("/marketing/claims/0/id/deeper", 4, 14),
        ("/marketing/claims/01", 3, 15),
        ("/nothing/here", 1, 1),
        ("not-a-pointer", 1, 1),
    ],
)
def test_json_pointer_positions(tmp_path: Path, pointer: str, line: int, column: int) -> None:
    path = write(tmp_path, "plan.json", PLAN_JSON)
    plan = read_plan(path)
    assert plan.locator.find(pointer) == (str(path), line, column)


def test_json_positions_are_lazy() -> None:
    plan = read_plan_text('{"a": [1, 2]}', "json", "p.json")
    locator = plan.locator
    assert isinstance(locator, JsonLocator)
    assert locator._scan is None
    assert plan.locator.find("/a/1") == ("p.json", 1, 11)
    assert locator._scan is not None


def test_locate_fills_file_line_column_and_keeps_pointer() -> None:
    plan = read_plan_text('{\n  "claims": [\n    {"id": "C1"}\n  ]\n}\n', "json", "plan.json")
    located = plan.locate(Location(None, "/claims/0/id"))
    assert located == Location("plan.json", "/claims/0/id", 3, 12)
    assert str(located) == "plan.json:3:12 /claims/0/id"
    assert plan.locate(Location(None, "/claims/3")) == Location("plan.json", "/claims/3", 2, 13)


def test_json_decimals_are_exact_and_ints_stay_ints() -> None:
    plan = read_plan_text(
        '{"a": 0.1, "b": 0.2, "c": 1.10, "d": 7, "e": 1e2, "f": -0.0}', "json", "p"
    )
    root = plan.root
    assert root["a"] + root["b"] == Decimal("0.3")
    assert str(root["c"]) == "1.10"
    assert type(root["d"]) is int
    assert root["e"] == Decimal(100)
    assert isinstance(root["f"], Decimal)


def test_json_numbers_at_the_edges_of_the_range_are_kept_exactly() -> None:
    text = "[999999999999999999999999999999, -1e-30, 0.100000000000000000000000000000000, 0e-999]"
    plan = read_plan_text(text, "json", "p")
    assert plan.root == [10**30 - 1, Decimal("-1e-30"), Decimal("0.1"), 0]


def test_json_big_containers_use_indexes() -> None:
    # more children than the locator walks, so it builds child and key indexes
    obj = {f"k{i}": [i, {"v": i}] for i in range(100)}
    text = json.dumps(obj, indent=2)
    plan = read_plan_text(text, "json", "p.json")
    lines = text.splitlines()
    for i in (0, 31, 32, 99):
        _, line, column = plan.locator.find(f"/k{i}/1/v")
        assert line is not None and column is not None
        assert lines[line - 1][column - 1 :].startswith(str(i))
    rows = read_plan_text(json.dumps(list(range(1000))), "json", "p.json")
    assert rows.locator.find("/999") == ("p.json", 1, 1 + len(json.dumps(list(range(999)))) + 1)
    assert rows.locator.find("/1000") == ("p.json", 1, 1)


def test_json_large_file_locates(tmp_path: Path) -> None:
    records = [{"id": f"C{i}", "budget": "1.5", "tags": ["x"]} for i in range(200_000)]
    text = json.dumps({"claims": records}, indent=1)
    plan = read_plan(write(tmp_path, "big.json", text))
    assert len(plan.root["claims"]) == 200_000
    # indent=1: `{` line, `"claims": [` line, then 7 lines per record
    assert where(plan, "/claims/0") == (3, 3)
    assert where(plan, "/claims/199999") == (3 + 7 * 199_999, 3)
    assert where(plan, "/claims/199999/tags/0") == (3 + 7 * 199_999 + 4, 5)


def test_json_string_escapes_in_keys_and_values() -> None:
    text = '{"a\\u002fb": {"x": 1}, "\\u0000\\u202e": "nul \\u0000 rlo \\u202e raw \u202e"}'
    plan = read_plan_text(text, "json", "p.json")
    assert plan.root["\x00\u202e"] == "nul \x00 rlo \u202e raw \u202e"
    assert where(plan, "/a~1b/x") == (1, 20)


def test_json_bom_is_accepted(tmp_path: Path) -> None:
    path = write(tmp_path, "plan.json", b'\xef\xbb\xbf{"a":\n  [1]}')
    plan = read_plan(path)
    assert plan.root == {"a": [1]}
    assert where(plan, "/a/0") == (2, 4)


def test_json_scalar_root() -> None:
    plan = read_plan_text('  "just text"', "json", "p.json")
    assert plan.root == "just text"
    assert plan.locator.find("/x") == ("p.json", 1, 3)


@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        ('{"a": 1 "b": 2}', "invalid JSON: expecting ',' delimiter", ":1:9"),
        ('{"a": [1, 2,]}', "invalid JSON: expecting value", ":1:13"),
        ('{"a": 1}\n{"b": 2}', "invalid JSON: extra data", ":2:1"),
        (
            '{\n  "id": 1,\n  "x": {"id": 2},\n  "id": 3\n}',
            'invalid JSON: duplicate key "id" in one object',
            ":4:3",
        ),
        ('{"a": {"k": 1, "k": 2}}', 'invalid JSON: duplicate key "k" in one object', ":1:16"),
        ('{"a": {"k": 1, "\\u006b": 2}}', 'invalid JSON: duplicate key "k" in one object', ":1:16"),
        ('{"a": [1,\n NaN]}', "invalid JSON: NaN is not a JSON number", ":2:2"),
        ('{"a": Infinity}', "invalid JSON: Infinity is not a JSON number", ":1:7"),
        ('{"a": -Infinity}', "invalid JSON: -Infinity is not a JSON number", ":1:7"),
        (
            '{"a": true, "b": 1e400}',
            "the number 1E+400 is out of range: numbers must be less than 10^30 in size with at most 30 decimal places",
            ":1:18",
        ),
        (
            '{"a": -1.5E+999}',
            "the number -1.5E+999 is out of range: numbers must be less than 10^30 in size with at most 30 decimal places",
            ":1:7",
        ),
        (
            '{"a": [1e-99999999]}',
            "the number 1E-99999999 is out of range: numbers must be less than 10^30 in size with at most 30 decimal places",
            ":1:8",
        ),
        (
            '{"a": 1000000000000000000000000000000}',
            "a number with 31 digits is out of range: numbers must be less than 10^30 in size with at most 30 decimal places",
            ":1:7",
        ),
        ("", "the file is empty", ""),
        (" \n\t\n", "the file is empty", ""),
    ],
)
def test_json_errors(tmp_path: Path, text: str, message: str, position: str) -> None:
    path = write(tmp_path, "plan.json", text)
    d = error_of(path)
    assert d.message == message
    assert d.where == f"{path}{position}"


def test_json_int_too_long_for_python(tmp_path: Path) -> None:
    digits = "9" * (sys.get_int_max_str_digits() + 1)
    path = write(tmp_path, "plan.json", f'{{"a":\n [{digits}]}}')
    d = error_of(path)
    assert (
        d.message
        == f"a number with {len(digits)} digits is out of range: numbers must be less than 10^30 in size with at most 30 decimal places"
    )
    assert d.where == f"{path}:2:3"


def test_json_deep_nesting_is_a_clean_error(tmp_path: Path) -> None:
    depth = 100_000
    path = write(tmp_path, "deep.json", "[" * depth + "]" * depth)
    d = error_of(path)
    assert d.message == f"nested more than {MAX_DEPTH} levels deep"
    assert d.where == f"{path}:1:{MAX_DEPTH + 1}"
    objects = '{"a":' * depth + "1" + "}" * depth
    d = text_error_of(objects, "json", "deep.json")
    assert d.message == f"nested more than {MAX_DEPTH} levels deep"


def test_json_moderate_nesting_is_fine() -> None:
    depth = 200
    plan = read_plan_text('{"a":' * depth + "1" + "}" * depth, "json", "p.json")
    assert plan.locator.find("/a" * depth) == ("p.json", 1, 5 * depth + 1)


def test_not_utf8(tmp_path: Path) -> None:
    path = write(tmp_path, "plan.json", b'{"a":\n "caf\xc3\xa9 \xff"}')
    d = error_of(path)
    assert d.message == "not valid UTF-8 (byte 0xff at offset 14)"
    assert d.where == f"{path}:2:8"


def test_utf16_file_is_not_utf8(tmp_path: Path) -> None:
    path = write(tmp_path, "plan.json", '{"a": 1}'.encode("utf-16"))
    d = error_of(path)
    assert d.message == "not valid UTF-8 (byte 0xff at offset 0)"
    assert d.where == f"{path}:1:1"


# ---------------------------------------------------------------------------------- dispatching


def test_no_such_file(tmp_path: Path) -> None:
    d = error_of(tmp_path / "missing.json")
    assert d.message == "no such file"
    assert d.where == str(tmp_path / "missing.json")


def test_unknown_suffix(tmp_path: Path) -> None:
    path = write(tmp_path, "plan.xml", "<plan/>")
    d = error_of(path)
    assert d.message == "expected a .json, .yaml, .yml or .csv file or a folder of .csv files"
    assert d.where == str(path)


def test_directory_named_like_a_file(tmp_path: Path) -> None:
    (tmp_path / "plan.json").mkdir()
    d = error_of(tmp_path / "plan.json")
    assert d.message == "is a directory, expected a file"


def test_folder_without_csv(tmp_path: Path) -> None:
    write(tmp_path / "plan", "notes.txt", "hello")
    d = error_of(tmp_path / "plan")
    assert d.message == "a folder with no .csv files"
    assert d.where == str(tmp_path / "plan")


def test_unknown_kind() -> None:
    d = text_error_of("{}", "toml", "p")
    assert d.message == 'unknown data kind "toml", expected json, yaml or csv'


def test_suffix_is_case_insensitive(tmp_path: Path) -> None:
    assert read_plan(write(tmp_path, "PLAN.JSON", "[1]")).root == [1]
    assert read_plan(write(tmp_path, "plan.yml", "- 1\n")).root == [1]


# ------------------------------------------------------------------------------------------- YAML

PLAN_YAML = """\
# exported plan
marketing:
  claims:
    - id: C1
      capability: carbon
      budget: 1_200.50
      launch: 2026-03-01
      public: yes
      note: ~
    - {id: C2, tags: [a, b], ratio: 0.10}
capabilities:
  carbon:
    status: funded
    cost: 3
  "2026":
    status: idea
on: true
"""


def test_yaml_happy_path(tmp_path: Path) -> None:
    path = write(tmp_path, "plan.yaml", PLAN_YAML)
    plan = read_plan(path)
    assert plan.kind == "yaml"
    assert plan.root == {
        "marketing": {
            "claims": [
                {
                    "id": "C1",
                    "capability": "carbon",
                    "budget": Decimal("1200.50"),
                    "launch": "2026-03-01",
                    "public": True,
                    "note": None,
                },
                {"id": "C2", "tags": ["a", "b"], "ratio": Decimal("0.10")},
            ]
        },
        "capabilities": {"carbon": {"status": "funded", "cost": 3}, "2026": {"status": "idea"}},
        "on": True,
    }
    assert type(plan.root["capabilities"]["carbon"]["cost"]) is int
    assert str(plan.root["marketing"]["claims"][1]["ratio"]) == "0.10"


@pytest.mark.parametrize(
    ("pointer", "line", "column"),
    [
        ("", 2, 1),
        ("/marketing", 3, 3),
        ("/marketing/claims", 4, 5),
        ("/marketing/claims/0", 4, 7),
        ("/marketing/claims/0/budget", 6, 15),
        ("/marketing/claims/0/launch", 7, 15),
        ("/marketing/claims/1", 10, 7),
        ("/marketing/claims/1/tags/1", 10, 26),
        ("/capabilities/carbon/cost", 14, 11),
        ("/capabilities/2026/status", 16, 13),
        ("/marketing/claims/1/missing", 10, 7),
        ("/marketing/claims/9", 4, 5),
        ("nonsense", 2, 1),
    ],
)
def test_yaml_pointer_positions(tmp_path: Path, pointer: str, line: int, column: int) -> None:
    path = write(tmp_path, "plan.yaml", PLAN_YAML)
    plan = read_plan(path)
    assert plan.locator.find(pointer) == (str(path), line, column)
    assert plan.locate(Location(None, pointer)) == Location(str(path), pointer, line, column)


def test_yaml_scalars() -> None:
    text = """\
int: 42
hex: 0x1F
neg: -7
float: 1.5e+3
lead: .5
sexa: 190:20:30.15
yes_: Yes
off_: off
null_: null
tilde: ~
empty:
date: 2026-03-01
stamp: 2026-03-01T10:00:00Z
str: "0.1"
forced: !!str 12
forced_float: !!float 2
id: C-1
"""
    root = read_plan_text(text, "yaml", "p.yaml").root
    assert root == {
        "int": 42,
        "hex": 31,
        "neg": -7,
        "float": Decimal("1500"),
        "lead": Decimal("0.5"),
        "sexa": Decimal("685230.15"),
        "yes_": True,
        "off_": False,
        "null_": None,
        "tilde": None,
        "empty": None,
        "date": "2026-03-01",
        "stamp": "2026-03-01T10:00:00Z",
        "str": "0.1",
        "forced": "12",
        "forced_float": Decimal(2),
        "id": "C-1",
    }
    assert isinstance(root["float"], Decimal)


def test_yaml_keys_keep_their_text() -> None:
    root = read_plan_text("2026: a\nyes: b\n1.0: c\nnull: d\n", "yaml", "p").root
    assert root == {"2026": "a", "yes": "b", "1.0": "c", "null": "d"}


def test_yaml_nul_and_rlo_are_kept(tmp_path: Path) -> None:
    path = write(tmp_path, "plan.yaml", 'a: "nul \\0 rlo \\u202E"\nb: raw \u202e text\n')
    assert read_plan(path).root == {"a": "nul \x00 rlo \u202e", "b": "raw \u202e text"}


def test_yaml_bom_is_accepted(tmp_path: Path) -> None:
    path = write(tmp_path, "plan.yaml", b"\xef\xbb\xbfa:\n  - 1\n")
    plan = read_plan(path)
    assert plan.root == {"a": [1]}
    assert where(plan, "/a/0") == (2, 5)


def test_yaml_anchors_aliases_and_merge_keys() -> None:
    text = """\
defaults: &d {currency: USD, region: EU}
tags: &t [x, y]
records:
  - <<: *d
    id: R1
    region: US
    tags: *t
  - <<: [*d, {extra: 1}]
    id: R2
"""
    plan = read_plan_text(text, "yaml", "p.yaml")
    records = plan.root["records"]
    assert records[0] == {"id": "R1", "region": "US", "currency": "USD", "tags": ["x", "y"]}
    assert records[1] == {"id": "R2", "currency": "USD", "region": "EU", "extra": 1}
    assert where(plan, "/records/0/region") == (6, 13)
    assert where(plan, "/records/0/currency") == (4, 9)  # the merge that brought it
    assert where(plan, "/records/0/tags") == (7, 11)
    assert where(plan, "/records/0/tags/1") == (7, 11)


def test_yaml_billion_laughs_is_refused() -> None:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 10):
        refs = ", ".join([f"*a{i - 1}"] * 10)
        lines.append(f"a{i}: &a{i} [{refs}]")
    d = text_error_of("\n".join(lines) + "\n", "yaml", "laughs.yaml")
    assert d.message.startswith("aliases expand to more than ")
    assert d.where is not None and d.where.startswith("laughs.yaml:")


@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        ("a: 1\nb: 2\na: 3\n", 'duplicate key "a" in one mapping', ":3:1"),
        ("x:\n  - {id: 1, id: 2}\n", 'duplicate key "id" in one mapping', ":2:13"),
        ("a:\n\t- 1\n", "invalid YAML: a tab indents this line", ":2:1"),
        ("a: 1\n\tb: 2\n", "invalid YAML: a tab indents this line", ":2:1"),
        ("a: [1, 2\nb: 3\n", "invalid YAML: did not find expected ',' or ']'", ":2:2"),
        ("a: 1\nb: *nowhere\n", 'unknown alias "*nowhere"', ":2:4"),
        ("a: &x [1, *x]\n", 'alias "*x" is inside the collection it names', ":1:11"),
        ("a: 1\n---\nb: 2\n", "more than one YAML document in the file", ":2:1"),
        ("a: .inf\n", '".inf" is not a finite number', ":1:4"),
        ("a: -.Inf\n", '"-.Inf" is not a finite number', ":1:4"),
        ("a: .nan\n", '".nan" is not a finite number', ":1:4"),
        (
            "a: 1.0e+400\n",
            "the number 1.0E+400 is out of range: numbers must be less than 10^30 in size with at most 30 decimal places",
            ":1:4",
        ),
        (
            "a: 1.0e-31\n",
            "the number 1.0E-31 is out of range: numbers must be less than 10^30 in size with at most 30 decimal places",
            ":1:4",
        ),
        ("a: !Ref thing\n", 'unsupported YAML tag "!Ref"', ":1:4"),
        ("a: !!binary aGVsbG8=\n", 'unsupported YAML tag "!!binary"', ":1:4"),
        (
            "a: !!python/object:os.system {}\n",
            'unsupported YAML tag "!!python/object:os.system"',
            ":1:4",
        ),
        (
            "? [a, b]\n: 1\n",
            "a mapping key must be a plain value, not a collection or alias",
            ":1:3",
        ),
        (
            "x: &k a\n*k : 1\n",
            "a mapping key must be a plain value, not a collection or alias",
            ":2:1",
        ),
        ("a: <<\nb:\n  <<: 3\n", "a `<<` merge needs a mapping or a list of mappings", ":3:7"),
        ("a: 'ctrl \x01'\n", "invalid YAML: character U+0001 is not allowed", ":1:10"),
        ("", "the file is empty", ""),
        ("# only a comment\n", "the file is empty", ""),
    ],
)
def test_yaml_errors(tmp_path: Path, text: str, message: str, position: str) -> None:
    path = write(tmp_path, "plan.yaml", text)
    d = error_of(path)
    if message.startswith("invalid YAML: did not"):
        assert d.message.startswith(message)
    else:
        assert d.message == message
    assert d.where == f"{path}{position}"


#: Over-deep YAML in the shapes that reach libyaml's own nesting limit (1,000 levels, since
#: PyYAML 6.0.4) before alignrules' limit, and in one that stays under it: the user must get the
#: same message at the same place in every case and with every PyYAML version.
DEEP_YAML = {
    "flow": ("[" * 100_000 + "]" * 100_000, f"1:{MAX_DEPTH + 1}"),
    "block": ("".join("  " * i + "-\n" for i in range(1_200)), f"{MAX_DEPTH + 1}:{2 * MAX_DEPTH + 1}"),
    "just over": ("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), f"1:{MAX_DEPTH + 1}"),
}  # fmt: skip


@pytest.mark.parametrize("loader", ["C", "pure Python"])
@pytest.mark.parametrize("shape", sorted(DEEP_YAML))
def test_yaml_deep_nesting_is_a_clean_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shape: str, loader: str
) -> None:
    yaml: Any = pytest.importorskip("yaml")
    if loader == "pure Python":
        monkeypatch.delattr(yaml, "CSafeLoader", raising=False)
    elif not hasattr(yaml, "CSafeLoader"):
        pytest.skip("this PyYAML was built without libyaml")
    text, position = DEEP_YAML[shape]
    path = write(tmp_path, "deep.yaml", text)
    d = error_of(path)
    assert d.message == f"nested more than {MAX_DEPTH} levels deep"
    assert d.where == f"{path}:{position}"


def test_yaml_deep_nesting_from_the_cli(tmp_path: Path) -> None:
    """The contract as CI sees it: exit 2, the located message on stderr, no traceback."""
    plan = write(tmp_path, "deep.yaml", DEEP_YAML["flow"][0])
    result = run_cli("check", MINI, "--data", plan)
    assert result.returncode == 2, result.stderr
    assert f"deep.yaml:1:{MAX_DEPTH + 1}: error: nested more than {MAX_DEPTH} levels deep" in (
        result.stderr
    )
    assert "[data]" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stdout == ""


def test_yaml_without_pyyaml(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "yaml", None)  # makes `import yaml` raise ImportError
    d = text_error_of("a: 1\n", "yaml", "p.yaml")
    assert d.message == "YAML support needs `pip install 'alignrules[yaml]'`"
    assert d.where == "p.yaml"


def test_yaml_pure_python_loader(monkeypatch: pytest.MonkeyPatch) -> None:
    yaml: Any = pytest.importorskip("yaml")
    monkeypatch.delattr(yaml, "CSafeLoader", raising=False)
    plan = read_plan_text(PLAN_YAML, "yaml", "p.yaml")
    assert plan.root["marketing"]["claims"][0]["budget"] == Decimal("1200.50")
    assert where(plan, "/capabilities/carbon/cost") == (14, 11)
    d = text_error_of("a:\n\t- 1\n", "yaml", "p.yaml")
    assert (d.message, d.where) == ("invalid YAML: a tab indents this line", "p.yaml:2:1")
    d = text_error_of("a: 'ctrl \x01'\n", "yaml", "p.yaml")
    assert (d.message, d.where) == ("invalid YAML: character U+0001 is not allowed", "p.yaml:1:10")


# -------------------------------------------------------------------------------------------- CSV

CLAIMS_CSV = """\
id,capability,Budget (USD),a/b,note
C1,carbon,1200.50,x,plain
C2,speed,300,y,"two
lines"
C3,carbon,,z,"say ""hi"", ok"
"""

CAPABILITIES_CSV = "id,status\r\ncarbon,funded\r\nspeed,idea\r\n\r\n"


def test_csv_folder(tmp_path: Path) -> None:
    folder = tmp_path / "plan"
    write(folder, "claims.csv", CLAIMS_CSV)
    write(folder, "capabilities.csv", CAPABILITIES_CSV)
    write(folder, "README.txt", "not data")
    write(folder, "._claims.csv", b"\x00\x05\x16\x07")  # a macOS resource fork
    plan = read_plan(folder)
    assert plan.kind == "csv"
    assert list(plan.root) == ["capabilities.csv", "claims.csv"]
    assert plan.root["capabilities.csv"] == [
        {"id": "carbon", "status": "funded"},
        {"id": "speed", "status": "idea"},
    ]
    assert plan.root["claims.csv"] == [
        {
            "id": "C1",
            "capability": "carbon",
            "Budget (USD)": "1200.50",
            "a/b": "x",
            "note": "plain",
        },
        {
            "id": "C2",
            "capability": "speed",
            "Budget (USD)": "300",
            "a/b": "y",
            "note": "two\nlines",
        },
        {
            "id": "C3",
            "capability": "carbon",
            "Budget (USD)": "",
            "a/b": "z",
            "note": 'say "hi", ok',
        },
    ]


@pytest.mark.parametrize(
    ("pointer", "file", "line", "column"),
    [
        ("", None, None, None),
        ("/claims.csv", "claims.csv", 1, None),
        # A record is its row's first character; a cell is the character where it starts.
        ("/claims.csv/0", "claims.csv", 2, 1),
        ("/claims.csv/0/Budget (USD)", "claims.csv", 2, 11),
        ("/claims.csv/1/note", "claims.csv", 3, 16),
        ("/claims.csv/2", "claims.csv", 5, 1),  # after a two-line quoted cell
        ("/claims.csv/2/a~1b", "claims.csv", 5, 12),
        ("/claims.csv/2/missing", "claims.csv", 5, 1),
        ("/claims.csv/3", "claims.csv", 1, None),
        ("/capabilities.csv/1/status", "capabilities.csv", 3, 7),
        ("/other.csv/0", None, None, None),
    ],
)
def test_csv_positions(
    tmp_path: Path, pointer: str, file: str | None, line: int | None, column: int | None
) -> None:
    folder = tmp_path / "plan"
    write(folder, "claims.csv", CLAIMS_CSV)
    write(folder, "capabilities.csv", CAPABILITIES_CSV)
    plan = read_plan(folder)
    expected_file = str(folder / file) if file else str(folder)
    assert plan.locator.find(pointer) == (expected_file, line, column)


def test_csv_single_file_and_bom(tmp_path: Path) -> None:
    path = write(tmp_path, "claims.csv", b"\xef\xbb\xbfid,Budget (USD)\nC1,5\n")
    plan = read_plan(path)
    assert plan.root == {"claims.csv": [{"id": "C1", "Budget (USD)": "5"}]}
    assert plan.locate(Location(None, "/claims.csv/0/Budget (USD)")) == Location(
        str(path), "/claims.csv/0/Budget (USD)", 2, 4
    )


def test_csv_text() -> None:
    plan = read_plan_text("id\nA\n\nB\n", "csv", "data/claims.csv")
    assert plan.root == {"claims.csv": [{"id": "A"}, {"id": "B"}]}
    assert plan.locator.find("/claims.csv/1") == ("data/claims.csv", 4, 1)


def test_csv_nul_and_rlo_are_kept(tmp_path: Path) -> None:
    path = write(tmp_path, "claims.csv", "id,text\nC1,nul \x00 rlo \u202e\n")
    assert read_plan(path).root["claims.csv"] == [{"id": "C1", "text": "nul \x00 rlo \u202e"}]


@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        ("a,b,c,d\n1,2,3,4\n1,2,3,4,5\n", "row has 5 cells, header has 4", ":3"),
        ("a,b\n1,2\n1\n", "row has 1 cell, header has 2", ":3"),
        ('a,b\n"x\ny",2\n3\n', "row has 1 cell, header has 2", ":4"),
        ("id,name,id\n1,2,3\n", 'duplicate column "id" in the header', ":1:3"),
        ("", "the file is empty", ""),
        ("\n\n", "the file is empty", ""),
        ("\nid\n1\n", "the first line is blank, expected the header", ":1"),
        ('a,b\n1,"open\n', "invalid CSV: unexpected end of data", ":2"),
        ('a,b\n1,"x"y\n', "invalid CSV: ',' expected after '\"'", ":2"),
    ],
)
def test_csv_errors(tmp_path: Path, text: str, message: str, position: str) -> None:
    folder = tmp_path / "plan"
    write(folder, "a.csv", "x\n1\n")
    path = write(folder, "claims.csv", text)
    d = error_of(folder)
    assert d.message == message
    assert d.where == f"{path}{position}"


def test_csv_not_utf8_names_the_file(tmp_path: Path) -> None:
    folder = tmp_path / "plan"
    path = write(folder, "claims.csv", b"id,name\n1,caf\xe9\n")
    d = error_of(folder)
    assert d.message == "not valid UTF-8 (byte 0xe9 at offset 13)"
    assert d.where == f"{path}:2:6"
