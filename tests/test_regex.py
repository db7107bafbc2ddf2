"""`matches` cannot be made to hang: every pattern runs on RE2, in linear time, or is refused.

There is no timing assertion (machines are noisy): the hostile patterns and texts run in a
subprocess with a generous timeout, so a backtracking engine would fail the test by timing
out instead of stalling the suite.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import alignrules
from alignrules.cli import main
from alignrules.runtime.regex import Pattern
from alignrules.typecheck.regex import regex_problem

SCHEMA = "entity Claim { id: text\n text: text }\n"

#: Shapes that take exponential or polynomial time on a backtracking engine; on RE2 they
#: are ordinary patterns.
BACKTRACKING_SHAPES = [
    r"^(aa?)+$",
    r"^(a{1,2})+$",
    r"ж+ж+$",
    r"^(a|a)*$",
    r"(a+)+$",
    r"(\w+\s?)+$",
    r"^\d*\d*\d*x",
    r"\d+%",
    r"(x+x+)+y",
    r"^(a|aa)+$",
    r"(.*a){20}",
    r"^(\w|\d)+$",
    r"carbon.*neutral",
    r"(?i)(A+)+$",
]

#: Patterns RE2 cannot run, and a part of the hint that says what to do instead.
REFUSED = {
    r"(?>(\w+\s?)+$)": "atomic groups",
    r"(?:(a+)+b)++": "possessive repeats",
    r"(a{1,100}){1,100}b": "at most 1,000 repetitions",
    r"x{1001}": "at most 1,000 repetitions",
    r"(\w)\1": "back-references",
    r"(?P<w>\w)(?P=w)": "back-references",
    r"(?=carbon)": "look-arounds",
    r"(?<!net )zero": "look-arounds",
    r"zero\Z": r"`\z`",
    r"([a-z": "RE2 syntax",
    r"(?x) a b": "RE2 syntax",
}

HOSTILE_TEXTS = [
    "a" * 100_000 + "!",
    "ж" * 100_000 + "!",
    "1" * 100_000,
    " " * 100_000 + "!",
    "ab" * 50_000,
    "x" * 100_000,
]


def rs(pattern: str) -> str:
    """A ruleset string literal holding `pattern`."""
    return '"' + pattern.replace("\\", "\\\\").replace('"', '\\"') + '"'


def ruleset(patterns: list[str]) -> str:
    rules = "\n".join(
        f"rule r{i} {{ no claim where claim.text matches {rs(p)} }}" for i, p in enumerate(patterns)
    )
    return SCHEMA + rules + "\n"


@pytest.mark.parametrize(("pattern", "why"), sorted(REFUSED.items()))
def test_patterns_re2_cannot_run_are_refused_with_a_located_error(pattern: str, why: str) -> None:
    problem = regex_problem(pattern, False)
    assert problem is not None and why in problem.hint
    with pytest.raises(alignrules.DiagnosticError) as info:
        alignrules.load(ruleset([pattern]))
    (d,) = info.value.diagnostics
    assert d.code == "bad-regex" and d.span is not None and d.span.line == 3
    assert d.message.startswith("the pattern cannot run on RE2: ") and d.hint == problem.hint


@pytest.mark.parametrize("pattern", BACKTRACKING_SHAPES)
def test_backtracking_shapes_are_accepted_because_re2_does_not_backtrack(pattern: str) -> None:
    assert regex_problem(pattern, False) is None
    assert regex_problem(pattern, True) is None


JSON = ["--format", "json", "--fail-on", "never"]


def run_check(tmp_path: Path, patterns: list[str], texts: list[str], timeout: float) -> str:
    """`alignrules check` in a subprocess on claims holding `texts`; its stdout."""
    (tmp_path / "r.rules").write_text(ruleset(patterns), "utf-8")
    claims = [{"id": f"C{i}", "text": t} for i, t in enumerate(texts)]
    (tmp_path / "plan.json").write_text(json.dumps({"claims": claims}), "utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "alignrules", "check", "r.rules", "--data", "plan.json", *JSON],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.slow
def test_backtracking_shapes_finish_on_100k_character_texts(tmp_path: Path) -> None:
    """Each of these runs for hours on Python's `re`; on RE2 all of them take seconds."""
    out = json.loads(run_check(tmp_path, BACKTRACKING_SHAPES, HOSTILE_TEXTS, timeout=300))
    found = {(v["rule"], v["key"]) for v in out["violations"]}
    # Spot-check that they really matched, and matched what they should.
    assert {("r10", "C0"), ("r11", "C2"), ("r10", "C4"), ("r5", "C2")} <= found
    assert not {("r0", "C0"), ("r2", "C1"), ("r4", "C0"), ("r7", "C2"), ("r13", "C0")} & found


#: Pieces of generated patterns: nested repeats and alternatives that overlap, the classic
#: ingredients of catastrophic backtracking.
_ATOMS = st.sampled_from(["a", "ab", "a?", ".", r"\w", r"\s?", "[ab]", "ж", r"\d"])


def _nested(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.tuples(children, st.sampled_from(["+", "*", "{1,3}", "?"])).map(
            lambda t: f"(?:{t[0]}){t[1]}"
        ),
        st.tuples(children, children).map(lambda t: f"(?:{t[0]}|{t[1]})"),
        st.tuples(children, children).map("".join),
    )


GENERATED = st.recursive(_ATOMS, _nested, max_leaves=8).map(
    lambda body: f"^{body}$" if len(body) % 2 else f"{body}!?$"
)


@pytest.mark.slow
@settings(max_examples=1, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(patterns=st.lists(GENERATED, min_size=40, max_size=40))
def test_generated_nested_patterns_finish_on_100k_character_texts(
    tmp_path_factory: pytest.TempPathFactory, patterns: list[str]
) -> None:
    accepted = [p for p in patterns if regex_problem(p, False) is None]
    assert accepted, patterns
    run_check(tmp_path_factory.mktemp("gen"), accepted, HOSTILE_TEXTS[:3], timeout=300)


def test_ignoring_case_is_an_re2_option_and_folds_unicode() -> None:
    assert Pattern("^straße$", ignore_case=True).search("STRASSE") is None  # no expansion
    assert Pattern("^äb$", ignore_case=True).search("ÄB") is not None
    assert Pattern("^äb$").search("ÄB") is None


def test_documented_re2_semantics() -> None:
    """The differences from Python's `re` that docs/language.md names."""
    assert Pattern(r"^\d$").search("٣") is None  # `\d` is ASCII digits only
    assert Pattern(r"^\pN$").search("٣") is not None  # Unicode classes are spelled `\p`
    assert Pattern(r"^\w+$").search("ж") is None and Pattern(r"^\pL+$").search("ж")
    assert Pattern("^a$").search("a\n") is None  # `$` is the end of the text, not a line
    assert Pattern("^.$").search("ж") is not None  # `.` is one character, not one byte
    assert Pattern("^.$").search("\n") is None


def test_a_lone_surrogate_in_the_data_matches_as_the_replacement_character() -> None:
    checker = alignrules.load(ruleset(["^x.y$", "z"]))
    report = checker.check({"claims": [{"id": "C1", "text": "x\ud800y"}]})
    assert [v.rule for v in report.violations] == ["r0"]


def block_re2(tmp_path: Path) -> dict[str, str]:
    """An environment whose Python cannot import `re2`, as where the extra is not installed."""
    blocker = tmp_path / "blocker"
    blocker.mkdir(exist_ok=True)
    (blocker / "sitecustomize.py").write_text("import sys\nsys.modules['re2'] = None\n")
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(blocker), str(tmp_path)])}


def test_without_re2_a_ruleset_using_matches_is_refused_at_compile_time(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "re2", None)  # what `import re2` sees without the extra
    text = SCHEMA + 'rule no-re2 {\n    no claim where claim.text matches "^x"\n}\n'
    (tmp_path / "r.rules").write_text(text, "utf-8")
    (tmp_path / "p.json").write_text('{"claims": []}', "utf-8")
    assert main(["check", str(tmp_path / "r.rules"), "--data", str(tmp_path / "p.json")]) == 2
    err = capsys.readouterr().err
    assert "r.rules:4:39: error: `matches` needs the RE2 regular-expression engine" in err
    assert "hint: pip install 'alignrules[re2]'" in err and "Traceback" not in err
    # A ruleset without `matches` does not need RE2.
    assert alignrules.load(SCHEMA + 'rule r { no claim where claim.text contains "x" }\n')


def test_a_compiled_module_without_re2_fails_at_import_and_never_falls_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "r.rules").write_text(ruleset([r"^(aa?)+$"]), "utf-8")
    assert main(["compile", str(tmp_path / "r.rules"), "-o", str(tmp_path / "checks.py")]) == 0
    capsys.readouterr()
    script = textwrap.dedent(
        """
        import checks
        print("imported")
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env=block_re2(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1 and "imported" not in result.stdout
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("alignrules.runtime.regex.RegexEngineMissing: `matches` runs on")
    assert last.endswith("pip install 'alignrules[re2]'")
