"""alignrules: rules that keep marketing faithful to business strategy, compiled to typed Python.

>>> import alignrules
>>> checker = alignrules.load("std:strategy")        # the shipped standard ruleset, by name
>>> report = checker.check_file("plan.yaml")                            # doctest: +SKIP
>>> report.ok                                                            # doctest: +SKIP
True

A ruleset is a `.rules` file, a folder of them, ruleset text, or `std:NAME` for one that
ships with alignrules (`alignrules rulesets` lists them; `std:strategy` is the standard one).

Importing the package is cheap: the compiler (lark, the parser, the type checker, the code
generator) is imported by the first `load`, and the plan reader and binder by the first check.
"""

from typing import Any

from alignrules.api import BoundPlan, Checker, PlansReport, load, load_many, read_plan
from alignrules.diagnostics import Diagnostic, DiagnosticError
from alignrules.gcpause import pausing_gc
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


def __getattr__(name: str) -> Any:
    # `__version__` lives with the runtime, which generated modules check it against.
    if name == "__version__":
        from alignrules.runtime.compat import VERSION

        return VERSION
    raise AttributeError(f"module 'alignrules' has no attribute {name!r}")


__all__ = [
    "AlignError",
    "BaselineDiff",
    "BoundPlan",
    "Checker",
    "Diagnostic",
    "DiagnosticError",
    "Location",
    "PlansReport",
    "Report",
    "RuleInfo",
    "Severity",
    "Violation",
    "Waived",
    "__version__",
    "load",
    "load_many",
    "pausing_gc",
    "read_plan",
]
