"""alignrules: rules that keep marketing faithful to business strategy, compiled to typed Python.

>>> import alignrules
>>> checker = alignrules.load("rulesets/strategy")                      # doctest: +SKIP
>>> report = checker.check_file("examples/aligned/plan.yaml")          # doctest: +SKIP
>>> report.ok                                                            # doctest: +SKIP
True
"""

from alignrules.api import Checker, load, load_many
from alignrules.compile import VERSION as __version__
from alignrules.diagnostics import Diagnostic, DiagnosticError
from alignrules.runtime.report import (
    BaselineDiff,
    Location,
    Report,
    RuleInfo,
    Severity,
    Violation,
    Waived,
)

AlignError = DiagnosticError

__all__ = [
    "AlignError",
    "BaselineDiff",
    "Checker",
    "Diagnostic",
    "DiagnosticError",
    "Location",
    "Report",
    "RuleInfo",
    "Severity",
    "Violation",
    "Waived",
    "__version__",
    "load",
    "load_many",
]
