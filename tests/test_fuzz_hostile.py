"""A bounded fuzz of hostile rulesets and plans: whatever comes in, the answer is a report or
a located error, never an internal error, a hang or an escaped control character.

The suite runs a few thousand cases, derandomized so CI is repeatable; scripts/fuzz_hostile.py
runs the same properties for as long as you like, with fresh randomness
(`ALIGNRULES_FUZZ_EXAMPLES`, `ALIGNRULES_FUZZ_RANDOM`).
"""

from __future__ import annotations

import os
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import alignrules
from alignrules.data.read import read_plan_text
from alignrules.diagnostics import CODES, render_text

EXAMPLES = int(os.environ.get("ALIGNRULES_FUZZ_EXAMPLES", "1500"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not os.environ.get("ALIGNRULES_FUZZ_RANDOM"),
    database=None,
    suppress_health_check=list(HealthCheck),
)

SCHEMA = """enum Status { proposed < funded < built }
entity Capability { id: text  status: Status  budget: money?  ready_on: date? }
entity Claim {
    id: text
    text: text
    share: decimal?
    units: int?
    lead: duration?
    capabilities: list of Capability from "capability_ids"
}
param cap: int = 3
"""

# ------------------------------------------------------------------------------ rulesets

_NUMBERS = st.sampled_from(
    ["0", "1", "3", "2.5", "9" * 31, "9" * 5000, "1." + "0" * 40 + "1", "100000000000000000000"]
)
_DURATIONS = st.sampled_from(["1 day", "3 years", "99999999 days", "10000 years", "3000000 days"])
_MONEY = st.sampled_from(["5 USD", "0 EUR", "1" + "0" * 31 + " USD", "1.5 XTS"])
_STRINGS = st.sampled_from(
    ['"x"', '"\\0ar_pointer"', '"\\u{202E}"', '"a\\nb"', '"{claim.id}"', '"""\n  t\n  """']
)
_PATTERNS = st.sampled_from(
    [r"^(aa?)+$", r"(?>a+)", r"(a{1,100}){1,100}", r"(\w)\1", r"\d ?%", r"ж+ж+$", "(", r"\Z"]
)
_ATOMS = st.one_of(
    st.sampled_from(
        ["claim.units", "claim.share", "claim.lead", "claim.text", "cap", "today", "claim.id"]
    ),
    _NUMBERS,
    _DURATIONS,
    _MONEY,
    _STRINGS,
    st.sampled_from(["count(claim.capabilities)", "sum(claim.capabilities.budget)"]),
)


def _expr(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    ops = st.sampled_from(["+", "-", "*", "/", "=", "<", ">=", "and", "or", "otherwise"])
    return st.one_of(
        st.tuples(children, ops, children).map(" ".join),
        children.map(lambda c: f"not {c}"),
        children.map(lambda c: f"({c})"),
        st.tuples(children, _PATTERNS).map(
            lambda t: f'{t[0]} matches "{t[1].replace(chr(92), chr(92) * 2)}"'
        ),
        # Long chains, kept from nesting into each other: 300 chains of 300 chains of 300 terms
        # is a text of gigabytes, which tests the machine's memory, not the compiler.
        st.tuples(children, st.integers(1, 300))
        .map(lambda t: " or ".join([t[0]] * t[1]))
        .filter(lambda text: len(text) <= 20_000),
        st.tuples(children, st.integers(1, 80)).map(lambda t: "not " * t[1] + t[0]),
        children.map(lambda c: f"some capability in claim.capabilities where {c}"),
    )


EXPRS = st.recursive(_ATOMS, _expr, max_leaves=12)
RULES = st.lists(
    st.tuples(EXPRS, st.sampled_from(["", 'message "{claim.id} {claim.text}"'])).map(
        lambda t: f"no claim where {t[0]} {t[1]}"
    ),
    min_size=1,
    max_size=3,
).map(lambda bodies: "\n".join(f"rule r{i} {{ {b} }}" for i, b in enumerate(bodies)))
EXTRAS = st.sampled_from(
    [
        "",
        "predicate p(c: Claim) = p(c)\n",
        "rule r9 { no claim, claim in Claim }\n",
        "# note\rrule hidden { no claim }\n",
        'rule r8 { no claim where claim.text = "\u202e" } # \u202e\n',
    ]
)

PLAN = {
    "capabilities": [{"id": "K1", "status": "funded", "budget": "5 USD"}],
    "claims": [
        {"id": "C1", "text": "a" * 1000 + "!", "capability_ids": ["K1", "K9"], "units": 4},
        {"id": "C2", "text": "ж" * 500, "capability_ids": [], "lead": 3_000_000, "share": "0.5"},
    ],
}


def assert_clean(exc: alignrules.DiagnosticError) -> None:
    for d in exc.diagnostics:
        assert d.code in CODES, d
        text = render_text(d)
        assert "\x1b" not in text and "\r" not in text, text
        assert all(line.isprintable() for line in text.splitlines()), text


@FUZZ
@given(rules=RULES, extra=EXTRAS)
def test_hostile_rulesets_compile_or_give_located_errors(rules: str, extra: str) -> None:
    text = SCHEMA + extra + rules + "\n"
    try:
        checker = alignrules.load(text)
    except alignrules.DiagnosticError as exc:
        assert_clean(exc)
        assert all(d.span is not None or d.where for d in exc.diagnostics)
        return
    try:
        checker.check(PLAN, as_of=date(2026, 1, 1))
    except alignrules.DiagnosticError as exc:
        assert_clean(exc)
        assert {d.code for d in exc.diagnostics} <= {"rule-crashed", "data"}


# ------------------------------------------------------------------------------ plans

_JSON_NUMBERS = st.sampled_from(
    ["1", "-0", "1e400", "1e-99999999", "0e-999999", "9" * 31, "9" * 5000, "1.5", "3000000"]
)
_JSON_STRINGS = st.sampled_from(
    [
        '"x"',
        '"\\u0000ar_pointer"',
        '"\\ud800"',
        '"\\u001b[31m"',
        '"@octocat https://x.example"',
        '"5 usd"',
        '"P99999999999Y"',
        '"9999-12-31"',
        '"' + "a" * 10_000 + '!"',
    ]
)
_SCALARS = st.one_of(_JSON_NUMBERS, _JSON_STRINGS, st.sampled_from(["null", "true", "[]", "{}"]))
_FIELDS = st.sampled_from(["id", "text", "share", "units", "lead", "capability_ids", "\\u0000x"])


def _record(fields: list[tuple[str, str]]) -> str:
    return "{" + ", ".join(f'"{k}": {v}' for k, v in fields) + "}"


RECORDS = st.lists(st.tuples(_FIELDS, _SCALARS), max_size=7).map(_record)
PLANS = st.lists(RECORDS, max_size=4).map(
    lambda rs: '{"capabilities": [], "claims": [' + ", ".join(rs) + "]}"
)
CHECKER = alignrules.load(
    SCHEMA
    + 'rule long { no claim where claim.text matches "^(a|aa)+$" }\n'
    + "rule sum { no claim where (claim.units otherwise 0) * (claim.units otherwise 1) > cap }\n"
    + "rule soon { no claim where today + (claim.lead otherwise 1 day) < 2026-02-01 }\n"
    + 'rule vague { no claim where claim.text contains "x" message "{claim.text}" }\n'
)


@FUZZ
@given(text=PLANS, kind=st.sampled_from(["json", "yaml"]))
def test_hostile_plans_give_a_report_or_located_errors(text: str, kind: str) -> None:
    try:
        data = read_plan_text(text, kind, f"plan.{kind}")
        report = CHECKER.check(data.root, as_of=date(2026, 1, 1), source=data)
    except alignrules.DiagnosticError as exc:
        assert_clean(exc)
        assert all(d.where for d in exc.diagnostics)
        assert {d.code for d in exc.diagnostics} <= {"data", "rule-crashed"}
        return
    for v in report.violations:
        assert v.rule in {"long", "sum", "soon", "vague", "dangling-reference"}


@pytest.mark.parametrize("n", [EXAMPLES])
def test_the_fuzz_runs_thousands_of_cases(n: int) -> None:
    """A guard: the two properties above together run a few thousand cases in the suite."""
    assert 2 * n >= 2000 or os.environ.get("ALIGNRULES_FUZZ_EXAMPLES")
