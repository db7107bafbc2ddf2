"""The documentation is tested: every example in README.md and docs/*.md is run.

Conventions for fenced code blocks
==================================

A block's info string is a language followed by attributes, `key="value"` or a bare flag:

    ```alignrules title="tour.rules"

Documents are read top to bottom like a notebook. Each document has one workspace (a fresh
temporary folder); blocks act on it in the order they appear:

- **A block with `title="path"`** (any language: `alignrules`, `json`, `yaml`, `csv`, `text`
  ...) is written to that relative path in the workspace, replacing an earlier block with the
  same title. `csv title="plan/claims.csv"` makes a CSV folder `plan/`.
- **```alignrules** is a complete ruleset and must compile: on its own when it has no title;
  when titled, the workspace file is compiled (imports resolve in the workspace). Attributes:
  `with="a.rules b.rules"` compiles it together with those workspace files (rule files that
  use a schema declared elsewhere); `error="code1 code2"` expects compilation to fail with
  exactly those diagnostic codes (the `[code]` at the end of each message).
- **```alignrules-fragment** is part of a ruleset (a rule, a declaration, an expression). It
  is compiled only when it says what completes it, with `with="schema.rules"` (and may then
  also carry `error="..."`); otherwise it is not run.
- **```console** holds commands, each on a line starting with `$ ` (a trailing `\\` continues
  it), followed by the expected output: standard output, then standard error, compared line by
  line (trailing spaces ignored). Only `alignrules ...` commands are allowed; they run as
  `python -m alignrules ...` in the workspace, and files they write stay there for later
  blocks. `alignrules check` gets `--as-of 2026-11-22` when the command does not give a date,
  so outputs never depend on the clock. `exit="N"` is the exit code every command of the
  block must have (default 0).
- **```pycon** is a doctest (`>>> ` lines and their output, ELLIPSIS enabled), run in the
  workspace (the current directory, and first on `sys.path`, so a module written by
  `alignrules compile` imports). The blocks of one document share their globals.
- **```python** must at least compile as Python.

Any block may carry `skip` (not run) or `xfail="reason"`: it documents intended behaviour
that the compiler does not have yet, and the test is `xfail(strict=True)`, so it fails
loudly the day the behaviour arrives and the marker should go.

Each runnable block is one test, named `document:line:language`; a document's blocks run
once, in order, the first time one of its tests asks for its results.

Besides the blocks, a table in docs/language.md after `<!-- arithmetic-table -->` is checked
against the compiler, row by row, and the relative links of language.md, api.md and
architecture.md must name files that exist.
"""

from __future__ import annotations

import doctest
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pytest

from alignrules.compile import compile_paths
from alignrules.diagnostics import DiagnosticError
from tests.inprocess import run_in_process

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
DEFAULT_AS_OF = "2026-11-22"
EXECUTED = {"alignrules", "alignrules-fragment", "console", "pycon", "python"}

_FENCE = re.compile(r"^(?P<indent>[ ]{0,3})(?P<fence>`{3,}|~{3,})(?P<info>.*)$")


@dataclass
class Block:
    doc: Path
    line: int  # 1-based line of the opening fence
    lang: str
    attrs: dict[str, str]
    text: str

    @property
    def id(self) -> str:
        return f"{self.doc.name}:{self.line}:{self.lang}"

    @property
    def runs(self) -> bool:
        if "skip" in self.attrs:
            return False
        if self.lang == "alignrules-fragment":
            return "with" in self.attrs
        return self.lang in EXECUTED


def parse_info(info: str) -> tuple[str, dict[str, str]]:
    words = shlex.split(info.strip()) if info.strip() else [""]
    attrs: dict[str, str] = {}
    for word in words[1:]:
        key, sep, value = word.partition("=")
        attrs[key] = value if sep else ""
    return words[0], attrs


def blocks_of(doc: Path) -> list[Block]:
    """The fenced code blocks of a Markdown file (CommonMark fences, not nested)."""
    out: list[Block] = []
    lines = doc.read_text("utf-8").splitlines()
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if m is None or ("`" in m["info"] and m["fence"].startswith("`")):
            i += 1
            continue
        indent, fence = len(m["indent"]), m["fence"]
        lang, attrs = parse_info(m["info"])
        body: list[str] = []
        j = i + 1
        while j < len(lines):
            closing = lines[j].strip()
            if closing.startswith(fence[0] * len(fence)) and not closing.strip(fence[0]):
                break
            line = lines[j]
            body.append(line[min(indent, len(line) - len(line.lstrip(" "))) :])
            j += 1
        out.append(Block(doc, i + 1, lang, attrs, "\n".join(body) + "\n"))
        i = j + 1
    return out


# ------------------------------------------------------------------------------ running
@dataclass
class Outcome:
    ok: bool
    detail: str = ""


@dataclass
class DocRun:
    workspace: Path
    outcomes: dict[int, Outcome] = field(default_factory=dict)
    globs: dict[str, object] = field(default_factory=dict)


def _safe_path(workspace: Path, title: str) -> Path:
    rel = Path(title)
    if rel.is_absolute() or ".." in rel.parts:
        raise ValueError(f"title must be a relative path inside the workspace: {title!r}")
    return workspace / rel


def _codes(exc: DiagnosticError) -> list[str]:
    return sorted(d.code for d in exc.diagnostics)


def _compile(block: Block, ws: Path) -> Outcome:
    """Compile an alignrules block (or a fragment completed by `with`)."""
    with_files = [_safe_path(ws, w) for w in block.attrs.get("with", "").split()]
    if "title" in block.attrs:
        own = _safe_path(ws, block.attrs["title"])
    else:
        scratch = Path(tempfile.mkdtemp(prefix="block-", dir=ws))
        own = scratch / f"line{block.line}.rules"
        own.write_text(block.text, "utf-8")
    expected = sorted(block.attrs["error"].split()) if "error" in block.attrs else None
    cwd = Path.cwd()
    os.chdir(ws)
    try:
        compiled = compile_paths([own, *with_files])
    except DiagnosticError as exc:
        if expected is None:
            return Outcome(False, f"does not compile:\n{exc}")
        if _codes(exc) != expected:
            return Outcome(False, f"expected errors {expected}, got {_codes(exc)}:\n{exc}")
        return Outcome(True)
    finally:
        os.chdir(cwd)
    if expected is not None:
        return Outcome(False, f"expected errors {expected}, but it compiled")
    compile(compiled.python, "<generated>", "exec")
    return Outcome(True)


def _commands(text: str) -> Iterator[tuple[str, str]]:
    """(command, expected output) pairs of a console block."""
    command: str | None = None
    continued = False
    expected: list[str] = []
    for line in text.splitlines():
        if continued and command is not None:
            command += " " + line.strip().rstrip("\\").strip()
            continued = line.rstrip().endswith("\\")
            continue
        if line.startswith("$ "):
            if command is not None:
                yield command, "\n".join(expected)
            command, expected = line[2:].rstrip().rstrip("\\").strip(), []
            continued = line.rstrip().endswith("\\")
        elif command is not None:
            expected.append(line)
    if command is not None:
        yield command, "\n".join(expected)


def _normal(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines())


def run_command(command: str, ws: Path) -> subprocess.CompletedProcess[str]:
    args = shlex.split(command)
    if not args or args[0] != "alignrules":
        raise ValueError(f"only `alignrules` commands may appear in docs: {command!r}")
    if args[1:2] == ["check"] and "--as-of" not in args:
        args += ["--as-of", DEFAULT_AS_OF]
    # The docs show what a user reads; the process itself is tested elsewhere.
    return run_in_process(args[1:], cwd=ws, env={"COLUMNS": "100"})


def _console(block: Block, ws: Path) -> Outcome:
    want_exit = int(block.attrs.get("exit", "0"))
    problems = []
    for command, expected in _commands(block.text):
        result = run_command(command, ws)
        got = _normal(result.stdout + result.stderr)
        if got != _normal(expected):
            problems.append(f"$ {command}\n--- expected\n{_normal(expected)}\n--- got\n{got}")
        if result.returncode != want_exit:
            problems.append(f"$ {command}\nexit {result.returncode}, expected {want_exit}")
    return Outcome(not problems, "\n\n".join(problems))


def _pycon(block: Block, run: DocRun) -> Outcome:
    parser = doctest.DocTestParser()
    test = parser.get_doctest(block.text, run.globs, block.id, str(block.doc), block.line)
    report: list[str] = []
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS, verbose=False)
    cwd = Path.cwd()
    os.chdir(run.workspace)
    sys.path.insert(0, str(run.workspace))
    try:
        runner.run(test, out=report.append, clear_globs=False)
        run.globs.update(test.globs)  # DocTest works on a copy; later blocks see these names
    finally:
        sys.path.remove(str(run.workspace))
        os.chdir(cwd)
    failed = runner.summarize(verbose=False).failed
    return Outcome(failed == 0, "".join(report))


def _run_block(block: Block, run: DocRun) -> Outcome:
    ws = run.workspace
    try:
        if "title" in block.attrs and block.lang != "alignrules-fragment":
            path = _safe_path(ws, block.attrs["title"])
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(block.text, "utf-8")
        if not block.runs:
            return Outcome(True)
        if block.lang in ("alignrules", "alignrules-fragment"):
            if block.lang == "alignrules-fragment":
                path = ws / f".fragment-{block.line}.rules"
                path.write_text(block.text, "utf-8")
                block = Block(block.doc, block.line, block.lang, {**block.attrs}, block.text)
                block.attrs["title"] = path.name
            return _compile(block, ws)
        if block.lang == "console":
            return _console(block, ws)
        if block.lang == "pycon":
            return _pycon(block, run)
        if block.lang == "python":
            compile(block.text, block.id, "exec")
            return Outcome(True)
    except Exception as exc:  # a broken block must fail its own test, not the whole run
        return Outcome(False, f"{type(exc).__name__}: {exc}")
    return Outcome(True)  # pragma: no cover - EXECUTED lists the languages handled above


WORKSPACES: list[DocRun] = []


@cache
def run_document(doc: Path) -> DocRun:
    """Run every block of `doc`, in order, in one workspace."""
    run = DocRun(Path(tempfile.mkdtemp(prefix=f"alignrules-doc-{doc.stem}-")))
    WORKSPACES.append(run)
    before = set(sys.modules)
    for block in blocks_of(doc):
        run.outcomes[block.line] = _run_block(block, run)
    for name in set(sys.modules) - before:  # modules the doctests imported from the workspace
        file = getattr(sys.modules[name], "__file__", None) or ""
        if file.startswith(str(run.workspace)):
            del sys.modules[name]
    return run


@pytest.fixture(scope="session", autouse=True)
def _clean_workspaces() -> Iterator[None]:
    yield
    for run in WORKSPACES:
        shutil.rmtree(run.workspace, ignore_errors=True)


def _params() -> list[object]:
    out: list[object] = []
    for doc in DOCS:
        if not doc.exists():
            continue
        for block in blocks_of(doc):
            if not block.runs:
                continue
            marks = []
            if "xfail" in block.attrs:
                marks.append(pytest.mark.xfail(strict=True, reason=block.attrs["xfail"]))
            out.append(pytest.param(block, id=block.id, marks=marks))
    return out


@pytest.mark.parametrize("block", _params())
def test_block(block: Block) -> None:
    outcome = run_document(block.doc).outcomes[block.line]
    assert outcome.ok, f"{block.doc.relative_to(ROOT)}:{block.line}: {outcome.detail}"


# ------------------------------------------------------------------------------ coverage
LANGUAGE = ROOT / "docs" / "language.md"


def test_language_reference_checks_its_main_examples_end_to_end() -> None:
    """The tour, a nested-JSON and a CSV-folder example all run through `alignrules check`."""
    blocks = blocks_of(LANGUAGE)
    titles = {b.attrs.get("title", "") for b in blocks}
    checks = [c for b in blocks if b.lang == "console" for c, _ in _commands(b.text)]
    assert any(t.endswith(".json") for t in titles)
    assert any(t.endswith(".csv") and "/" in t for t in titles)
    assert any(c.startswith("alignrules check tour.rules") for c in checks)
    csv_folders = {t.rsplit("/", 1)[0] for t in titles if t.endswith(".csv") and "/" in t}
    assert any(f"--data {folder}" in c for c in checks for folder in csv_folders)
    assert any(c.startswith("alignrules test") for c in checks)
    assert sum(b.lang == "alignrules" for b in blocks) >= 10


def test_every_alignrules_block_in_the_readme_is_exercised() -> None:
    readme = ROOT / "README.md"
    for block in blocks_of(readme):
        if block.lang == "alignrules":
            assert block.runs, f"README.md:{block.line} is skipped"


# ------------------------------------------------------------------------------ arithmetic
_ROW = re.compile(
    r"^\|\s*`(?P<left>[^`]+)`\s*\|\s*`(?P<op>[-+*/])`\s*\|\s*`(?P<right>[^`]+)`\s*\|(?P<result>[^|]+)\|"
)

_SAMPLE_FIELDS = {
    "int": "int",
    "decimal": "decimal",
    "money": "money",
    "date": "date",
    "duration": "duration",
    "text": "text",
    "bool": "bool",
}


def arithmetic_rows() -> list[tuple[str, str, str, str]]:
    text = LANGUAGE.read_text("utf-8")
    start = text.index("<!-- arithmetic-table -->")
    rows: list[tuple[str, str, str, str]] = []
    for line in text[start:].splitlines()[1:]:
        if not line.startswith("|"):
            if rows:
                break
            continue
        m = _ROW.match(line)
        if m:
            result = m["result"].strip().strip("`")
            rows.append((m["left"], m["op"], m["right"], result))
    return rows


def test_the_arithmetic_table_has_rows() -> None:
    assert len(arithmetic_rows()) >= 15


@pytest.mark.parametrize("row", arithmetic_rows(), ids=lambda r: " ".join(r[:3]))
def test_arithmetic_table_matches_the_compiler(row: tuple[str, str, str, str]) -> None:
    """Each row `left op right → result` (or `error`) is what the type checker decides."""
    from alignrules.compile import compile_text
    from alignrules.ir import nodes as ir

    left, op, right, result = row
    fields = "\n".join(f"    {name}: {typ}" for name, typ in _SAMPLE_FIELDS.items())
    src = (
        f"entity Sample {{\n    id: text\n{fields}\n}}\n"
        f"rule r {{ every sample let x = sample.{left} {op} sample.{right} must true }}\n"
    )
    if result == "error":
        with pytest.raises(DiagnosticError) as info:
            compile_text(src)
        assert _codes(info.value) == ["arithmetic-type"]
        return
    program = compile_text(src).program
    let = next(s for s in program.rules[0].steps if isinstance(s, ir.LetStep))
    assert str(let.expr.type) == result


# ------------------------------------------------------------------------------ links
_LINK = re.compile(r"\]\((?!https?:|#|mailto:)(?P<target>[^)#\s]+)")


@pytest.mark.parametrize(
    "doc",
    [LANGUAGE, ROOT / "docs" / "api.md", ROOT / "docs" / "architecture.md"],
    ids=lambda p: p.name,
)
def test_relative_links_name_existing_files(doc: Path) -> None:
    missing = [
        m["target"]
        for m in _LINK.finditer(doc.read_text("utf-8"))
        if not (doc.parent / m["target"]).exists()
    ]
    assert not missing, f"{doc.name} links to missing files: {missing}"
