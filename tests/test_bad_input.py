"""The bad-input contract, through the command line (issue 4, item 1).

Every input that cannot be checked, ruleset, data or command line, ends the same way: exit
code 2, one message on stderr that names the file and a place in it (`file:line[:col]`, or a
data path such as `/claims/0/status`, or the option), no traceback anywhere, nothing on
stdout, and no file left half-written. Input that is odd but valid is accepted (exit 0 or 1),
and what it prints cannot disguise the terminal.

Each case runs `python -m alignrules` as a subprocess in a fresh folder holding a small valid
ruleset (`rules.rules`) and plan (`plan.json`); a case adds its own files there.
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Mapping
from pathlib import Path

import attrs
import pytest

from tests.conftest import run_cli, run_process

RULES = """\
enum Status { proposed < funded < built }
entity Capability in "capabilities" csv "capabilities.csv" {
    id: text
    status: Status
    capacity: int?
    budget: decimal?
    ready_on: date?
}
entity Claim in "claims" csv "claims.csv" {
    id: text
    text: text
    owner: text? from "propriétaire"
    capabilities: list of Capability from "capability_ids" split ";"
}
param min_capacity: int = 1
rule no-unfunded {
    no claim may reference a capability without status is at least funded
    message "claim {claim.id} ({claim.text}) promises {capability.id}"
}
rule enough-capacity {
    severity warning
    no capability where capability.capacity is present and capability.capacity < min_capacity
}
"""

PLAN = {
    "capabilities": [
        {"id": "K1", "status": "funded", "capacity": 3, "budget": 10.5, "ready_on": "2026-01-01"}
    ],
    "claims": [{"id": "C1", "text": "fast", "capability_ids": ["K1"]}],
}

CSV_CLAIMS = "id,text,capability_ids\nC1,fast,K1\n"

#: A file's content; DIR makes a folder instead.
DIR = object()
Content = str | bytes | object


def plan(**changes: object) -> str:
    """`PLAN` as JSON, with top-level collections replaced."""
    return json.dumps({**PLAN, **changes})


def capability(**fields: object) -> str:
    """A plan whose one capability has `fields` (on top of a valid id and status)."""
    return plan(capabilities=[{"id": "K1", "status": "funded", **fields}], claims=[])


@attrs.frozen
class Bad:
    """One bad input: the files it adds, the command, and what stderr must show.

    `where` is a regular expression that must match at the start of a line of stderr: the
    file and the place. `message` must appear in stderr as written.
    """

    id: str
    args: tuple[str, ...]
    where: str
    message: str
    files: dict[str, Content] = attrs.field(factory=dict)
    xfail: str | None = None


#: A folder name longer than any file system allows (255 bytes), which even root cannot create.
TOO_LONG = "x" * 300
UNWRITABLE = TOO_LONG if os.geteuid() == 0 else "readonly"


def check(data: str, *more: str) -> tuple[str, ...]:
    return ("check", "rules.rules", "--data", data, *more)


def ruleset(name: str) -> tuple[str, ...]:
    return ("check", name, "--data", "plan.json")


BAD: list[Bad] = [
    # ------------------------------------------------------------------ rulesets
    Bad(
        "ruleset-syntax-at-start",
        ruleset("bad.rules"),
        r"bad\.rules:1:1: error: ",
        "unexpected `}`",
        {"bad.rules": "} enum A { a }\n"},
    ),
    Bad(
        "ruleset-syntax-in-middle",
        ruleset("bad.rules"),
        r"bad\.rules:4:19: error: ",
        "expected a value after the operator",
        {
            "bad.rules": "entity Claim { id: text }\nrule r {\n  every claim\n  must claim.id = }\nenum B { b }\n"
        },
    ),
    Bad(
        "ruleset-syntax-at-end",
        ruleset("bad.rules"),
        r"bad\.rules:2:34: error: ",
        "the file ends before the `{` on line 1 is closed",
        {"bad.rules": 'rule r1 {\n  every claim must claim.id != ""\n\n'},
    ),
    Bad(
        "ruleset-unterminated-string",
        ruleset("bad.rules"),
        r"bad\.rules:2:9: error: ",
        "unterminated string",
        {"bad.rules": 'rule r1 {\n  title "never closed\n  every claim must true\n}\n'},
    ),
    Bad(
        "ruleset-unknown-keyword",
        ruleset("bad.rules"),
        r"bad\.rules:2:1: error: ",
        "did you mean `rule`?",
        {"bad.rules": "enum A { a }\nrul r1 { every a must true }\n"},
    ),
    Bad(
        "ruleset-bidi-control",
        ruleset("bad.rules"),
        r"bad\.rules:1:14: error: ",
        "bidirectional control character U+202E outside a string",
        {"bad.rules": "enum A { a } \u202e\n"},
    ),
    Bad(
        "ruleset-type-error",
        ("check", "rules.rules", "bad.rules", "--data", "plan.json"),
        r"bad\.rules:1:34: error: ",
        "`Claim` has no field `txt`",
        {"bad.rules": 'rule r9 { every claim must claim.txt != "" }\n'},
    ),
    Bad(
        "ruleset-not-utf8",
        ruleset("bad.rules"),
        r"bad\.rules:2(:\d+)?: error: ",
        "not valid UTF-8",
        {"bad.rules": b"enum A { a }\n# caf\xe9\n"},
    ),
    Bad(
        "ruleset-missing-file",
        ruleset("nope.rules"),
        r"nope\.rules: error: ",
        "no such ruleset file or folder",
    ),
    Bad(
        "ruleset-folder-without-rules",
        ruleset("empty-folder"),
        r"empty-folder: error: ",
        "no `.rules` files in this folder",
        {"empty-folder": DIR},
    ),
    Bad(
        "ruleset-import-of-a-folder",
        ruleset("bad.rules"),
        r"bad\.rules:1:8: error: ",
        "`sub`",
        {"bad.rules": 'import "sub"\nenum A { a }\n', "sub": DIR},
    ),
    Bad(
        "ruleset-empty-file",
        ruleset("empty.rules"),
        r"empty\.rules(:1(:1)?)?: error: ",
        "no rule is declared",
        {"empty.rules": ""},
    ),
    # ------------------------------------------------------------------ data: JSON
    Bad(
        "json-malformed",
        check("bad.json"),
        r"bad\.json:2:20: error: ",
        "invalid JSON",
        {"bad.json": '{\n  "capabilities": [}\n'},
    ),
    Bad(
        "json-truncated",
        check("bad.json"),
        r"bad\.json:1:\d+: error: ",
        "invalid JSON",
        {"bad.json": '{"capabilities": ['},
    ),
    Bad(
        "json-duplicate-key",
        check("bad.json"),
        r"bad\.json:3:29: error: ",
        'duplicate key "id" in one object',
        {
            "bad.json": '{"capabilities": [],\n "claims": [\n  {"id": "C1", "text": "x", "id": "C2", "capability_ids": []}]}\n'
        },
    ),
    Bad(
        "json-nan",
        check("bad.json"),
        r"bad\.json:1:\d+: error: ",
        "NaN is not a JSON number",
        {"bad.json": capability(budget=0).replace("0}", "NaN}")},
    ),
    Bad(
        "json-infinity",
        check("bad.json"),
        r"bad\.json:1:\d+: error: ",
        "Infinity is not a JSON number",
        {"bad.json": capability(budget=0).replace("0}", "-Infinity}")},
    ),
    Bad(
        "json-number-too-large",
        check("bad.json"),
        r"bad\.json:1:\d+: error: ",
        "the number 1E+400 is out of range",
        {"bad.json": capability(budget=0).replace("0}", "1e400}")},
    ),
    Bad(
        "json-integer-too-long",
        check("bad.json"),
        r"bad\.json:1:\d+: error: ",
        "digits",
        {"bad.json": capability(capacity=0).replace("0}", "9" * 5000 + "}")},
    ),
    Bad(
        "json-nested-100000-deep",
        check("deep.json"),
        r"deep\.json:1:\d+: error: ",
        "nested more than",
        {"deep.json": "[" * 100_000 + "]" * 100_000},
    ),
    Bad(
        "json-empty-file",
        check("empty.json"),
        r"empty\.json: error: ",
        "the file is empty",
        {"empty.json": ""},
    ),
    Bad(
        "json-not-utf8",
        check("bad.json"),
        r"bad\.json:1:\d+: error: ",
        "not valid UTF-8",
        {"bad.json": b'{"capabilities": [], "claims": [{"id": "C\xff"}]}'},
    ),
    Bad(
        "json-top-level-list",
        check("bad.json"),
        r"bad\.json:1:1: error: ",
        "expected an object at the top, got a list",
        {"bad.json": "[]"},
    ),
    # ------------------------------------------------------------------ data: YAML
    Bad(
        "yaml-tab-indent",
        check("bad.yaml"),
        r"bad\.yaml:2:1: error: ",
        "tab",
        {"bad.yaml": "capabilities:\n\t- id: K1\n"},
    ),
    Bad(
        "yaml-duplicate-key",
        check("bad.yaml"),
        r"bad\.yaml:3:1: error: ",
        'duplicate key "capabilities"',
        {"bad.yaml": "capabilities: []\nclaims: []\ncapabilities: []\n"},
    ),
    Bad(
        "yaml-malformed",
        check("bad.yaml"),
        r"bad\.yaml:\d+:\d+: error: ",
        "invalid YAML",
        {"bad.yaml": "capabilities: [\nclaims: []\n"},
    ),
    Bad(
        "yaml-nan",
        check("bad.yaml"),
        r"bad\.yaml:2:\d+: error: ",
        "not a finite number",
        {"bad.yaml": "capabilities:\n  - {id: K1, status: funded, budget: .nan}\nclaims: []\n"},
    ),
    Bad(
        "yaml-empty-file",
        check("empty.yaml"),
        r"empty\.yaml: error: ",
        "the file is empty",
        {"empty.yaml": ""},
    ),
    Bad(
        "yaml-two-documents",
        check("bad.yaml"),
        r"bad\.yaml:2:1: error: ",
        "more than one YAML document",
        {"bad.yaml": "claims: []\n---\ncapabilities: []\n"},
    ),
    Bad(
        "yaml-alias-bomb",
        check("bomb.yaml"),
        r"bomb\.yaml:\d+:\d+: error: ",
        "aliases expand to more than",
        {
            "bomb.yaml": "a: &a [x, x, x, x, x, x, x, x, x]\n"
            + "".join(
                f"{n}: &{n} [{', '.join([f'*{p}'] * 9)}]\n"
                for p, n in zip("abcdef", "bcdefg", strict=True)
            )
        },
    ),
    # ------------------------------------------------------------------ data: CSV
    Bad(
        "csv-ragged-row",
        check("csv"),
        r"csv/capabilities\.csv:3: error: ",
        "row has 2 cells, header has 3",
        {
            "csv/capabilities.csv": "id,status,capacity\nK1,funded,2\nK2,funded\n",
            "csv/claims.csv": CSV_CLAIMS,
        },
    ),
    Bad(
        "csv-unclosed-quote",
        check("csv"),
        r"csv/capabilities\.csv:\d+: error: ",
        "invalid CSV",
        {
            "csv/capabilities.csv": 'id,status\nK1,"funded\n',
            "csv/claims.csv": CSV_CLAIMS,
        },
    ),
    Bad(
        "csv-empty-file",
        check("csv"),
        r"csv/capabilities\.csv: error: ",
        "the file is empty",
        {"csv/capabilities.csv": "", "csv/claims.csv": CSV_CLAIMS},
    ),
    Bad(
        "csv-missing-collection",
        check("csv"),
        r"csv: error: ",
        "claims.csv",
        {"csv/capabilities.csv": "id,status\nK1,funded\n"},
    ),
    Bad(
        "csv-wrong-type",
        check("csv"),
        r"csv/capabilities\.csv:2:11: error: /capabilities\.csv/0/capacity: ",
        "whole number",
        {
            "csv/capabilities.csv": "id,status,capacity\nK1,funded,lots\n",
            "csv/claims.csv": CSV_CLAIMS,
        },
    ),
    # ------------------------------------------------------------------ data: binding
    Bad(
        "wrong-type-int",
        check("bad.json"),
        r"bad\.json:1:\d+: error: /capabilities/0/capacity: ",
        "expected a whole number, got text",
        {"bad.json": capability(capacity="three")},
    ),
    Bad(
        "wrong-type-list",
        check("bad.json"),
        r"bad\.json:1:\d+: error: /claims/0/capability_ids: ",
        "expected a list",
        {"bad.json": plan(claims=[{"id": "C1", "text": "x", "capability_ids": 5}])},
    ),
    Bad(
        "wrong-enum-value",
        check("bad.json"),
        r"bad\.json:1:\d+: error: /capabilities/0/status: ",
        "is not one of",
        {"bad.json": capability(status="sold")},
    ),
    Bad(
        "missing-required-field",
        check("bad.json"),
        r"bad\.json:1:\d+: error: /claims/0: ",
        "missing required field `text`",
        {"bad.json": plan(claims=[{"id": "C1", "capability_ids": []}])},
    ),
    Bad(
        "required-field-null",
        check("bad.json"),
        r"bad\.json:1:\d+: error: /capabilities/0/status: ",
        "is null, and the field is required",
        {"bad.json": capability(status=None)},
    ),
    Bad(
        "duplicate-ids",
        check("bad.json"),
        r"bad\.json:1:\d+: error: /capabilities/1: ",
        "duplicate Capability key",
        {
            "bad.json": plan(
                capabilities=[{"id": "K1", "status": "funded"}, {"id": "K1", "status": "built"}]
            )
        },
    ),
    Bad(
        "date-2026-13-45",
        check("bad.json"),
        r"bad\.json:1:\d+: error: /capabilities/0/ready_on: ",
        "is not a calendar date",
        {"bad.json": capability(ready_on="2026-13-45")},
    ),
    Bad(
        "collection-not-a-list",
        check("bad.json"),
        r"bad\.json:1:\d+: error: /capabilities: ",
        "expected a list of Capability records",
        {"bad.json": plan(capabilities=5)},
    ),
    # ------------------------------------------------------------------ data: files
    Bad(
        "data-directory-for-a-file",
        check("dir.json"),
        r"dir\.json: error: ",
        "is a directory, expected a file",
        {"dir.json": DIR},
    ),
    Bad("data-missing-file", check("nope.json"), r"nope\.json: error: ", "no such file"),
    Bad(
        "data-unknown-extension",
        check("plan.txt"),
        r"plan\.txt: error: ",
        "expected a .json, .yaml, .yml or .csv file",
        {"plan.txt": "x"},
    ),
    Bad(
        "report-not-written-for-bad-data",
        check("bad.json", "--output", "sarif=report.sarif", "--output", "json=out/report.json"),
        r"bad\.json:1:\d+: error: ",
        "invalid JSON",
        {"bad.json": '{"capabilities": ['},
    ),
    # ------------------------------------------------------------------ command line
    Bad(
        "param-unknown",
        check("plan.json", "--param", "nope=1"),
        r"--param: error: ",
        "unknown parameter `nope`",
    ),
    Bad(
        "param-bad-value",
        check("plan.json", "--param", "min_capacity=abc"),
        r"--param: error: ",
        "parameter `min_capacity`: expected a whole number",
    ),
    Bad(
        "param-not-name-value",
        check("plan.json", "--param", "min_capacity"),
        r"error: argument --param: ",
        "is not name=value",
    ),
    Bad(
        "format-unknown",
        check("plan.json", "--format", "xml"),
        r"error: argument --format: ",
        "invalid choice: 'xml'",
    ),
    Bad(
        "as-of-not-a-date",
        check("plan.json", "--as-of", "2026-13-45"),
        r"error: argument --as-of: ",
        "`2026-13-45` is not a date",
    ),
    Bad(
        "as-of-a-word",
        check("plan.json", "--as-of", "tomorrow"),
        r"error: argument --as-of: ",
        "`tomorrow` is not a date",
    ),
    Bad(
        "output-unknown-format",
        check("plan.json", "--output", "xml=report.xml"),
        r"error: argument --output: ",
        "is not FORMAT=PATH",
    ),
    Bad("no-data-option", ("check", "rules.rules"), r"error: ", "required: --data"),
    Bad("unknown-command", ("frobnicate",), r"error: ", "invalid choice: 'frobnicate'"),
    # ------------------------------------------------------------------ writing files
    # Root may write into a read-only folder, and CI runs as root: there the folder that
    # cannot be written is one whose name the file system refuses, so the contract is tested
    # by every user.
    Bad(
        "compile-into-readonly-folder",
        ("compile", "rules.rules", "-o", f"{UNWRITABLE}/checks.py"),
        rf"{UNWRITABLE}/checks\.py: error: ",
        "cannot write",
        {} if UNWRITABLE == TOO_LONG else {"readonly": DIR},
    ),
    Bad(
        "compile-into-a-folder-name-too-long",
        ("compile", "rules.rules", "-o", f"{TOO_LONG}/checks.py"),
        rf"{TOO_LONG}/checks\.py: error: ",
        "cannot write",
    ),
    Bad(
        "compile-onto-a-folder",
        ("compile", "rules.rules", "-o", "out"),
        r"out: error: ",
        "cannot write",
        {"out": DIR},
    ),
    Bad(
        "compile-under-a-file",
        ("compile", "rules.rules", "-o", "plan.json/checks.py"),
        r"plan\.json/checks\.py: error: ",
        "cannot write",
    ),
    Bad(
        "report-onto-a-folder",
        check("plan.json", "--output", "sarif=out"),
        r"out: error: ",
        "cannot write",
        {"out": DIR},
    ),
    Bad(
        "compile-bad-ruleset-writes-nothing",
        ("compile", "bad.rules", "-o", "checks.py"),
        r"bad\.rules:1:1: error: ",
        "unexpected",
        {"bad.rules": "} enum A { a }\n"},
    ),
]


def write(root: Path, files: Mapping[str, Content]) -> None:
    for name, content in files.items():
        path = root / name
        if content is DIR:
            path.mkdir(parents=True, exist_ok=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            assert isinstance(content, str)
            path.write_text(content, "utf-8")


def snapshot(root: Path) -> dict[str, bytes | None]:
    """Every file and folder under `root`, with file contents, to see what a run wrote."""
    return {
        p.relative_to(root).as_posix(): None if p.is_dir() else p.read_bytes()
        for p in sorted(root.rglob("*"))
    }


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """A folder holding a small valid ruleset and plan; the CLI runs inside it."""
    write(tmp_path, {"rules.rules": RULES, "plan.json": json.dumps(PLAN, indent=2)})
    return tmp_path


def _params(cases: list[Bad]) -> list[object]:
    out: list[object] = []
    for c in cases:
        marks: list[pytest.MarkDecorator] = []
        if c.xfail:
            marks.append(pytest.mark.xfail(strict=True, reason=c.xfail))
        out.append(pytest.param(c, id=c.id, marks=marks))
    return out


def test_the_base_ruleset_and_plan_are_valid(workdir: Path) -> None:
    result = run_cli("check", "rules.rules", "--data", "plan.json", cwd=workdir)
    assert (result.returncode, result.stderr) == (0, "")


@pytest.mark.parametrize("case", _params(BAD))
def test_bad_input_exits_2_with_a_located_message(case: Bad, workdir: Path) -> None:
    write(workdir, case.files)
    if case.id == "compile-into-readonly-folder" and UNWRITABLE == "readonly":
        (workdir / "readonly").chmod(stat.S_IRUSR | stat.S_IXUSR)
    before = snapshot(workdir)
    result = run_cli(*case.args, cwd=workdir)
    both = result.stdout + result.stderr
    assert "Traceback" not in both
    assert "internal error" not in both
    assert result.returncode == 2, both
    assert result.stdout == "", "nothing is printed on stdout when the input is refused"
    assert re.search("^" + case.where, result.stderr, re.M), result.stderr
    assert case.message in result.stderr
    assert re.search(r"error: .+  \[[a-z-]+\]$", result.stderr, re.M), "message and [code]"
    assert snapshot(workdir) == before, "a refused run left files behind"


#: a few cases also run as a real `python -m alignrules` process: the exit status and the
#: absence of a traceback are contracts of the process, not only of `cli.main`
PROCESS_SAMPLE = BAD[:: max(1, len(BAD) // 4)]


@pytest.mark.parametrize("case", _params(PROCESS_SAMPLE))
def test_bad_input_in_a_real_process(case: Bad, workdir: Path) -> None:
    write(workdir, case.files)
    if case.id == "compile-into-readonly-folder" and UNWRITABLE == "readonly":
        (workdir / "readonly").chmod(stat.S_IRUSR | stat.S_IXUSR)
    before = snapshot(workdir)
    result = run_process(*case.args, cwd=workdir)
    assert "Traceback" not in result.stdout + result.stderr
    assert (result.returncode, result.stdout) == (2, "")
    assert case.message in result.stderr
    assert snapshot(workdir) == before


def test_there_are_enough_bad_inputs() -> None:
    assert len(BAD) >= 30


# ---------------------------------------------------------------------- odd but valid


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("bom.json", "\ufeff" + json.dumps(PLAN)),
        ("bom.yaml", "\ufeffcapabilities:\n  - {id: K1, status: funded}\nclaims: []\n"),
        ("csv/capabilities.csv", "\ufeffid,status\nK1,funded\n"),
    ],
    ids=["json-bom", "yaml-bom", "csv-bom"],
)
def test_a_byte_order_mark_is_accepted(workdir: Path, name: str, content: str) -> None:
    files = {name: content}
    if name.startswith("csv/"):
        files["csv/claims.csv"] = CSV_CLAIMS
    write(workdir, files)
    data = name.split("/")[0]
    result = run_cli("check", "rules.rules", "--data", data, cwd=workdir)
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert "no violations" in result.stdout


def test_a_ruleset_with_a_byte_order_mark_is_accepted(workdir: Path) -> None:
    write(workdir, {"bom.rules": "\ufeff" + RULES})
    result = run_cli("check", "bom.rules", "--data", "plan.json", cwd=workdir)
    assert (result.returncode, result.stderr) == (0, "")


ODD_PLAN = {
    # A mapping keyed by id: the keys fill the key field; unicode keys and ids stay as written.
    "capabilities": {"Kä1": {"status": "proposed"}, "能力2": {"status": "built"}},
    "claims": [
        {
            "id": "Cü中",
            "text": "nul\u0000 and \u202eevil",
            "propriétaire": "Zoë",
            "capability_ids": ["Kä1", "能力2"],
        }
    ],
}


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_unicode_keys_and_ids_are_kept(workdir: Path, fmt: str) -> None:
    if fmt == "json":
        text = json.dumps(ODD_PLAN, ensure_ascii=False)
    else:
        text = (
            "capabilities:\n  Kä1: {status: proposed}\n  能力2: {status: built}\n"
            'claims:\n  - {id: Cü中, text: "nul\\0 and \\u202eevil", propriétaire: Zoë,'
            " capability_ids: [Kä1, 能力2]}\n"
        )
    write(workdir, {f"odd.{fmt}": text})
    result = run_cli("check", "rules.rules", "--data", f"odd.{fmt}", cwd=workdir)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert "Cü中" in result.stdout and "Kä1" in result.stdout
    assert "能力2" not in result.stdout  # built: only the proposed one is reported


@pytest.mark.parametrize("fmt", ["text", "markdown", "github"])
def test_control_characters_in_data_are_printed_escaped(workdir: Path, fmt: str) -> None:
    write(workdir, {"odd.json": json.dumps(ODD_PLAN, ensure_ascii=False)})
    result = run_cli("check", "rules.rules", "--data", "odd.json", "--format", fmt, cwd=workdir)
    assert result.returncode == 1, result.stderr
    assert "\u202e" not in result.stdout
    assert "\x00" not in result.stdout
    assert "\\u202e" in result.stdout.lower()
    assert "\\x00" in result.stdout


def test_control_characters_in_data_are_kept_in_json(workdir: Path) -> None:
    """Kept, not stripped: a JSON report carries the exact text (JSON escapes it)."""
    write(workdir, {"odd.json": json.dumps(ODD_PLAN, ensure_ascii=False)})
    result = run_cli("check", "rules.rules", "--data", "odd.json", "--format", "json", cwd=workdir)
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    messages = [v["message"] for v in report["violations"]]
    assert any("nul\u0000 and \u202eevil" in m for m in messages), messages
