"""Message templates: what a hole may name, and how values print."""

from __future__ import annotations

from datetime import date

import pytest

import alignrules

RULES = """
entity Campaign {
    id: text
    launch_on: date
}

rule launched-in-the-past {
    no campaign where launch_on < today
    message "campaign {campaign.id} launches {launch_on}, before {today}"
}
"""


def test_today_in_a_message_is_the_evaluation_date() -> None:
    checker = alignrules.load(RULES)
    data = {"campaigns": [{"id": "M1", "launch_on": "2026-01-02"}]}
    report = checker.check(data, as_of=date(2026, 11, 22))
    assert [v.message for v in report.violations] == [
        "campaign M1 launches 2026-01-02, before 2026-11-22"
    ]


def test_today_is_a_keyword_in_messages_as_in_conditions() -> None:
    checker = alignrules.load(
        """
entity Shift {
    id: text
    today: text
}

rule named {
    no shift where shift.today = "x"
    message "shift {shift.id} has {shift.today} on {today}"
}
"""
    )
    report = checker.check({"shifts": [{"id": "S1", "today": "x"}]}, as_of=date(2026, 1, 1))
    assert [v.message for v in report.violations] == ["shift S1 has x on 2026-01-01"]


def test_today_with_a_field_step_is_a_template_error() -> None:
    with pytest.raises(alignrules.DiagnosticError) as info:
        alignrules.load(RULES.replace("before {today}", "before {today.year}"))
    (d,) = info.value.diagnostics
    assert d.code == "template" and d.span is not None and d.span.line == 9
