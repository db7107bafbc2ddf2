"""`matches` cannot be made to hang: backtracking-prone shapes are refused at compile time."""

from __future__ import annotations

import pytest

import alignrules
from alignrules.typecheck.regex import regex_problem

SCHEMA = "entity Claim { id: text\n text: text }\n"

REFUSED = {
    r"(a+)+$": "repetition inside a repetition",
    r"(x*)*y": "repetition inside a repetition",
    r"^\d*\d*\d*x": "two repetitions in a row",
    r"^a.*b.*c": "two repetitions in a row",
    r"^\d+\.?\d*": "two repetitions in a row",
    r"^(?:ab)+(?:ab)+": "two repetitions in a row",
    # Searching is an implicit `.*?` in front: these rescan the text from every position.
    r"\d+%": "unanchored pattern",
    r"\s*\w+\s*": "unanchored pattern",
    r"carbon.*neutral": "unanchored pattern",
    r"(?:ab)+c": "unanchored pattern",
    r"x*$": "unanchored pattern",  # matches the empty text, but only at the end
    r"^ok|[A-Z]+-\d+": "unanchored pattern",
    r"(\w)\1": "back-references",
    r"(?=carbon)": "look-arounds",
    r"([a-z": "invalid regular expression",
}
ACCEPTED = [
    r"^[A-Z]{3}-\d+$",
    r"^\d+-\d+$",
    r"^\s*\w+\s*$",
    r"carbon|neutral",
    r"\d ?%",
    r"a\d+x",
    r"(carbon|green)\s+claim",
    r"\bnet.zero\b",
    r"x*",  # matches the empty text at the first position tried
    r"^\w+@\w+\.com$",
    r"x{2,5}y",
]


@pytest.mark.parametrize(("pattern", "why"), sorted(REFUSED.items()))
def test_dangerous_patterns_are_refused_with_a_located_error(pattern: str, why: str) -> None:
    problem = regex_problem(pattern, False)
    assert problem is not None and why in problem
    escaped = pattern.replace("\\", "\\\\")
    text = SCHEMA + f'rule r {{ no claim where claim.text matches "{escaped}" }}\n'
    with pytest.raises(alignrules.DiagnosticError) as info:
        alignrules.load(text)
    (d,) = info.value.diagnostics
    assert d.code == "bad-regex" and d.span is not None and d.span.line == 3
    assert d.hint is not None


@pytest.mark.parametrize("pattern", ACCEPTED)
def test_ordinary_patterns_are_accepted(pattern: str) -> None:
    assert regex_problem(pattern, False) is None


def test_accepted_patterns_finish_on_adversarial_text() -> None:
    """No timing assertion (machines are noisy): a hang here would stall the suite instead."""
    rules = "\n".join(
        f'rule r{i} {{ no claim where claim.text matches "{p.replace(chr(92), chr(92) * 2)}" }}'
        for i, p in enumerate(ACCEPTED)
    )
    checker = alignrules.load(SCHEMA + rules)
    hostile = ["a" * 100_000 + "!", "1-" * 50_000, " " * 100_000 + "!", "x" * 100_000]
    report = checker.check({"claims": [{"id": f"C{i}", "text": t} for i, t in enumerate(hostile)]})
    assert {v.rule for v in report.violations} <= {f"r{i}" for i in range(len(ACCEPTED))}
