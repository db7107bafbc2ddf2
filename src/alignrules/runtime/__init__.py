"""What generated checkers import: reports, values and binding. Imports no other alignrules module."""

from alignrules.runtime.report import (
    Location,
    Report,
    RuleCrashed,
    RuleInfo,
    Severity,
    Violation,
)
from alignrules.runtime.values import Duration, Money

__all__ = [
    "Duration",
    "Location",
    "Money",
    "Report",
    "RuleCrashed",
    "RuleInfo",
    "Severity",
    "Violation",
]
