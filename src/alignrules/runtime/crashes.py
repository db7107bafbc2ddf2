"""A rule that fails on one record (a division by zero, a date past the year 9999) is
reported for that record, and the rule goes on with the next one.

A generated rule function takes its subjects as an iterator; `run_rule` hands it one and,
when the rule raises, records a `rule-crashed` finding for the record it was looking at and
calls the rule again on the same iterator, which has already moved past that record. The
path without a failure costs nothing: no `try` runs per record.
"""

from __future__ import annotations

import decimal
import operator
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Final

from alignrules.runtime.report import Location, RuleCrashed, RuleInfo, Severity, Violation
from alignrules.runtime.values import ValueProblem

CRASHED: Final = RuleInfo(
    id="rule-crashed",
    title="A rule could not be checked on a record",
    severity=Severity.ERROR,
    origin="<alignrules>",
    rationale=(
        "A rule that fails on a record (a division by zero, a date out of range) says so for "
        "that record; the other records and rules are still checked, but the report is not "
        "complete until the rule is guarded or the data cleaned."
    ),
)

_RULE: Final = operator.attrgetter("rule")
_DIVISION = "division by zero"
_DATE = "a date out of range (before the year 1 or after the year 9999)"
_NUMBER = "a number too large for decimal arithmetic"
_INVALID = "an invalid decimal operation"
#: The hint for each reason, for the command line's diagnostics.
HINTS: Final = {
    _DIVISION: "guard the division: `where <divisor> > 0`, or `otherwise`",
    _DATE: "guard the date arithmetic, or use a shorter duration",
    _NUMBER: "guard the rule against this value",
    _INVALID: "guard the rule against this value",
}
VALUE_HINT: Final = "clean this value in the export, or guard the rule against it"
OTHER_HINT: Final = "please report this, with the ruleset and this record"


def reason(cause: BaseException | None) -> str:
    """Why a rule failed, in words: `division by zero`."""
    # 0 / 0 raises InvalidOperation itself, naming DivisionUndefined among its signals.
    signals = cause.args[0] if cause is not None and cause.args else ()
    undefined = isinstance(signals, list) and decimal.DivisionUndefined in signals
    if undefined or isinstance(
        cause, ZeroDivisionError | decimal.DivisionByZero | decimal.DivisionUndefined
    ):
        return _DIVISION
    if isinstance(cause, ValueProblem):
        return str(cause)
    if isinstance(cause, OverflowError) and "date" in str(cause):
        # `today + 3000000 days`: the language's durations are in range, their sum need not be.
        return _DATE
    if isinstance(cause, decimal.Overflow):
        return _NUMBER
    if isinstance(cause, decimal.InvalidOperation):
        return _INVALID
    name = type(cause).__name__ if cause is not None else "an error"
    return f"{name}: {cause}"


def hint(cause: BaseException | None) -> str:
    """What to do about a failure `reason(cause)` describes."""
    if isinstance(cause, ValueProblem):
        return VALUE_HINT
    return HINTS.get(reason(cause), OTHER_HINT)


def crashed_message(rule: str, origin: str, subject: str, why: str) -> str:
    """The finding's text: `rule `x` (r.rules:3) could not be checked on Claim `C1`: ...`."""
    return f"rule `{rule}` ({origin}) could not be checked on {subject}: {why}"


def run_rule(
    found: list[Violation],
    info: RuleInfo,
    rule: Callable[..., Iterator[Violation]],
    subjects: Iterable[Any],
    *args: Any,
) -> None:
    """Add to `found` what `rule(subjects, *args)` yields; a record it fails on becomes a
    `rule-crashed` finding, and the rule resumes with the next record.

    A failure outside every record (in the subjects themselves) raises `RuleCrashed`."""
    remaining = iter(subjects)
    while True:
        try:
            found.extend(rule(remaining, *args))
            return
        except Exception as exc:
            subject = _subject(exc, rule)
            if subject is None:
                raise RuleCrashed(info.id, info.origin) from exc
            found.append(_finding(info, subject, exc))


def _subject(exc: BaseException, rule: Callable[..., Any]) -> Any:
    """The record the rule was looking at: the first local of its frame that is an entity.

    Only called once a rule has failed, so walking the traceback costs nothing otherwise.
    """
    code = getattr(rule, "__code__", None)
    tb = exc.__traceback__
    while tb is not None:
        frame = tb.tb_frame
        if frame.f_code is code:
            for name in frame.f_code.co_varnames[frame.f_code.co_argcount :]:
                value: Any = frame.f_locals.get(name)
                if isinstance(getattr(value, "ar_pointer", None), str):
                    return value
        tb = tb.tb_next
    return None


def _finding(info: RuleInfo, subject: Any, exc: BaseException) -> Violation:
    entity = type(subject).__name__
    key = subject.ar_key
    key_text = key if type(key) is str else str(key)
    return Violation(
        rule=CRASHED.id,
        severity=CRASHED.severity,
        message=crashed_message(info.id, info.origin, f"{entity} `{key_text}`", reason(exc)),
        entity=entity,
        key=key_text,
        location=Location(None, subject.ar_pointer),
        related=(),
    )


def reported_rules(found: Iterable[Violation], infos: Iterable[RuleInfo]) -> list[RuleInfo]:
    """The rules a report lists: `infos`, and `rule-crashed` when a rule failed on a record."""
    out = list(infos)
    if CRASHED.id in map(_RULE, found):  # at C speed: a report can hold 10^5 violations
        out.append(CRASHED)
    return out
