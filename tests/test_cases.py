"""Ruleset error cases as data (STYLE example 10): one error kind per file, expectations inline.

A comment line under a source line states a diagnostic expected there; its caret marks the
columns (the `#` is column 1 of the comment line, the caret's column is the column in the
line above):

    rule r1 { every campaign where campaign.channel < social must true }
    #                              ^~~~~~~~~~~~~~~~~~~~~~~~~ error[unordered-compare]: `Channel` has no order, so `<` cannot compare it
    #   hint: declare it with ...            (optional: when present, the hint must match too)

Several expectation lines may stack under one source line. A file without expectations must
compile cleanly. `# xfail: reason` anywhere in a file marks a known compiler bug (strict, so
the test fails once the bug is fixed and the marker must go).

Layout: `tests/cases/{syntax,typecheck,valid}/*.rules` are compiled one file at a time;
every folder in `tests/cases/imports/` is one ruleset, compiled from inside that folder so
that messages name its files as `a.rules`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest

from alignrules.compile import compile_paths, compile_sources
from alignrules.diagnostics import SEVERITY_WORDS, Diagnostic, DiagnosticError
from alignrules.source import Source

CASES = Path(__file__).resolve().parent / "cases"

EXPECT = re.compile(
    r"^#(?P<pad> *)(?P<caret>\^~*) (?P<severity>error|warning|note)"
    r"\[(?P<code>[a-z-]+)\]: (?P<message>.*)$"
)
HINT = re.compile(r"^# +hint: (?P<hint>.*)$")
XFAIL = re.compile(r"^# xfail: (?P<reason>.+)$", re.M)


@attrs.frozen(order=True)
class Expected:
    """One diagnostic: where (file, line, first and one-past-last column), what, and why."""

    file: str
    line: int
    col: int
    end_col: int
    severity: str
    code: str
    message: str
    hint: str | None = attrs.field(default=None, eq=False, order=False)

    def key(self) -> str:
        """One line that pytest can diff: `file:line:col-end: error[code]: message`."""
        where = f"{self.file}:{self.line}:{self.col}-{self.end_col}"
        return f"{where}: {self.severity}[{self.code}]: {self.message}"


def expectations_in(src: Source) -> list[Expected]:
    """The expectations written as caret comments in `src`."""
    out: list[Expected] = []
    target = 0  # the source line that caret lines refer to
    for number, line in enumerate(src.text.splitlines(), 1):
        line = line.rstrip("\r")
        m = EXPECT.match(line)
        if m is not None:
            assert target > 0, f"{src.name}:{number}: an expectation needs a source line above"
            col = 1 + len("#") + len(m["pad"])
            out.append(
                Expected(
                    src.name,
                    target,
                    col,
                    col + len(m["caret"]),
                    m["severity"],
                    m["code"],
                    m["message"],
                )
            )
            continue
        h = HINT.match(line)
        if h is not None and out and out[-1].line == target:
            out[-1] = attrs.evolve(out[-1], hint=h["hint"])
            continue
        target = number
    return out


def expected_of(d: Diagnostic) -> Expected:
    """A diagnostic in the same shape as an expectation, columns clipped as `render_text`
    clips them: to the first line of the span, and at least one column wide."""
    assert d.span is not None, f"no span: {d}"
    src = d.span.source
    line, col = src.line_col(d.span.start)
    raw = src.line_text(line)
    end_line, _ = src.line_col(max(d.span.start, d.span.end - 1))
    span_len = d.span.end - d.span.start if end_line == line else len(raw) - col + 1
    width = max(1, min(span_len, len(raw) - col + 1))
    return Expected(
        src.name, line, col, col + width, SEVERITY_WORDS[d.severity], d.code, d.message, hint=d.hint
    )


def as_comment(e: Expected) -> str:
    """How an expectation is written (for adding new cases: paste under the source line)."""
    pad = " " * (e.col - 2)
    caret = "^" + "~" * (e.end_col - e.col - 1)
    out = f"#{pad}{caret} {e.severity}[{e.code}]: {e.message}"
    return out + (f"\n#   hint: {e.hint}" if e.hint else "")


# ---------------------------------------------------------------------------- collecting


def _case_files() -> Iterator[Path]:
    for group in ("syntax", "typecheck", "valid"):
        yield from sorted((CASES / group).glob("*.rules"))
    yield from sorted(p for p in (CASES / "imports").iterdir() if p.is_dir())


def _param(case: Path) -> object:
    files = sorted(case.glob("*.rules")) if case.is_dir() else [case]
    reasons = [m["reason"] for f in files for m in XFAIL.finditer(f.read_text("utf-8"))]
    marks = [pytest.mark.xfail(strict=True, reason="; ".join(reasons))] if reasons else []
    return pytest.param(case, marks=marks, id=case.relative_to(CASES).with_suffix("").as_posix())


CASE_FILES = list(_case_files())


def diagnostics_of(case: Path, monkeypatch: pytest.MonkeyPatch) -> list[Diagnostic]:
    """Every diagnostic that compiling the case gives; [] when it compiles."""
    try:
        if case.is_dir():
            monkeypatch.chdir(case)
            compile_paths(["."])
        else:
            name = case.relative_to(CASES).as_posix()
            compile_sources([Source(name, case.read_text("utf-8"))])
    except DiagnosticError as exc:
        return list(exc.diagnostics)
    return []


def sources_of(case: Path) -> list[Source]:
    if case.is_dir():
        return [Source(f.name, f.read_text("utf-8")) for f in sorted(case.glob("*.rules"))]
    return [Source(case.relative_to(CASES).as_posix(), case.read_text("utf-8"))]


# ---------------------------------------------------------------------------- tests


@pytest.mark.parametrize("case", [_param(c) for c in CASE_FILES])
def test_case(case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    want = sorted(e for src in sources_of(case) for e in expectations_in(src))
    got = sorted(expected_of(d) for d in diagnostics_of(case, monkeypatch))
    assert [e.key() for e in got] == [e.key() for e in want]
    # A hint written under an expectation must be the hint given.
    hints = {e: e.hint for e in got}
    for w in want:
        if w.hint is not None:
            assert hints[w] == w.hint, f"{w}: hint {hints[w]!r}"


#: Codes whose diagnostics must always carry a hint: a user cannot fix them without one.
HINTED = frozenset(
    {
        "unordered-compare",
        "optional-value",
        "ambiguous-reference",
        "bad-regex",
        "import-cycle",
        "missing-import",
        "bidi-control",
        "bad-literal",
        "unknown-field",
        "unknown-enum-value",
        "unknown-type",
        "duplicate-rule",
    }
)

#: A name a user wrote or declared: CamelCase, snake_case, or dotted; outside backticks, a
#: message would leave the reader unsure where the name starts and ends.
_NAME = re.compile(r"\b(?:[a-z]+[A-Z]\w*|[A-Z][a-z0-9]+[A-Z]\w*|[A-Za-z]\w*_\w+|\w+\.\w+)\b")
#: Text a name check must skip: backticked names, `file:line` places, abbreviations.
_NOT_NAMES = re.compile(r"`[^`]*`|[\w./-]+\.rules:\d+|\b(?:e\.g|i\.e)\b")


def style_problems(d: Diagnostic) -> list[str]:
    """Where `d` breaks the message style (STYLE example 4): lowercase first, one line, no
    final full stop, user names in backticks, a hint where the code needs one."""
    problems = []
    m = d.message
    if not m or not (m[0].islower() or m[0] in "`{\"'" or m[0].isdigit()):
        problems.append("does not start lowercase")
    if "\n" in m or (d.hint is not None and "\n" in d.hint):
        problems.append("is more than one line")
    if m.endswith(".") and not m.endswith("..."):
        problems.append("ends with a full stop")
    for part, text in (("message", m), ("hint", d.hint or "")):
        names = _NAME.findall(_NOT_NAMES.sub("", text))
        if names:
            problems.append(f"{part} names {names} outside backticks")
    if d.code in HINTED and not d.hint:
        problems.append(f"has no hint, and `{d.code}` needs one")
    return [f"{d.code}: {m!r} {p}" for p in problems]


#: Cases whose messages break the style because of code outside the parser (see the report).
STYLE_XFAIL: dict[str, str] = {}


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(
            c,
            id=c.relative_to(CASES).with_suffix("").as_posix(),
            marks=[pytest.mark.xfail(strict=True, reason=STYLE_XFAIL[key])]
            if (key := c.relative_to(CASES).with_suffix("").as_posix()) in STYLE_XFAIL
            else [],
        )
        for c in CASE_FILES
    ],
)
def test_case_messages_follow_the_style(case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    problems = [p for d in diagnostics_of(case, monkeypatch) for p in style_problems(d)]
    assert problems == []


def test_cases_cover_enough_error_kinds() -> None:
    """The suite is meant to show every kind of ruleset error; keep it from shrinking."""
    codes = {
        e.code for case in CASE_FILES for src in sources_of(case) for e in expectations_in(src)
    }
    assert len(codes) >= 20, sorted(codes)
    assert len(CASE_FILES) >= 40


def test_every_error_case_expects_something() -> None:
    """An error case without an expectation would silently test that it compiles."""
    for case in CASE_FILES:
        group = case.relative_to(CASES).parts[0]
        found = [e for src in sources_of(case) for e in expectations_in(src)]
        if group == "valid":
            assert not found, f"{case}: a valid case has expectations"
        elif not (group == "imports" and case.name.startswith("valid")):
            assert found, f"{case}: an error case has no expectations"
