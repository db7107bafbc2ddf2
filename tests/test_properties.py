"""Properties of the front end on arbitrary input: only the documented error type escapes."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alignrules.compile import compile_text
from alignrules.diagnostics import DiagnosticError, render_text

#: Tokens of the language, glued at random: reaches much deeper into the parser and the
#: type checker than random characters do.
TOKENS = [
    "rule", "r1", "{", "}", "(", ")", "every", "no", "some", "must", "may", "where", "let", "=",
    "entity", "Claim", "claim", "enum", "S", "a", "<", ",", "b", "in", '"x"', "id", ":", "text",
    "list", "of", "?", "param", "p", "int", "3", "2026-01-01", "30", "days", "USD", "and", "or",
    "not", "is", "missing", "present", "otherwise", "count", "sum", "min", "for", "reference",
    "a", "with", "without", "referencing", "via", ".", "+", "-", "*", "/", ">=", "message",
    '"{claim.id}"', "title", "severity", "error", "example", "given", '"""\nx: []\n"""',
    "expect", "on", "nothing", "today", "true", "matches", '"(a+)+"', "predicate", "import",
    '"nope.rules"', "\u202e", "\n", "#c\n", "status", "funded",
]  # fmt: skip

SCHEMA = """
enum Status { proposed < funded < built }
entity Claim { id: text
  status: Status
  ready_on: date?
  capabilities: list of Claim }
"""


def assert_only_diagnostics(text: str) -> None:
    try:
        compile_text(text)
    except DiagnosticError as exc:
        assert exc.diagnostics
        for d in exc.diagnostics:
            rendered = render_text(d)
            assert d.code and d.message and rendered
            assert "\u202e" not in rendered  # echoed source is escaped


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=200))
def test_arbitrary_text_gives_diagnostics_not_crashes(text: str) -> None:
    assert_only_diagnostics(text)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(TOKENS), max_size=40))
def test_token_soup_gives_diagnostics_not_crashes(tokens: list[str]) -> None:
    assert_only_diagnostics(" ".join(tokens))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(TOKENS), max_size=30))
def test_rule_bodies_against_a_schema_give_diagnostics_not_crashes(tokens: list[str]) -> None:
    assert_only_diagnostics(SCHEMA + "rule r { every claim must " + " ".join(tokens) + " }")
