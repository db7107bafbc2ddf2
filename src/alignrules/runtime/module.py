"""The contract of a generated checker module: what `alignrules compile` writes and what the
API, the example runner and host applications call.

A module written with `alignrules compile -o checks.py` is checked against it by mypy:

```python
import checks
from alignrules.runtime.module import GeneratedModule

module: GeneratedModule[checks.Plan, checks.Params] = checks
report = module.check(module.load(data), module.params_from({}), today=date(2026, 1, 1))
```

Each module has its own `Plan` and `Params` classes, so the contract is generic in them.
Code that loads modules of rulesets it does not know (the API) uses `AnyModule`: a plan is
then opaque, made by one module's `load` and passed back to the same module's `check`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias, TypeVar

from alignrules.runtime.report import Report, RuleInfo, Violation

if TYPE_CHECKING:
    from alignrules.runtime.binder import Binder

PlanT = TypeVar("PlanT")
ParamsT = TypeVar("ParamsT")


class GeneratedModule(Protocol[PlanT, ParamsT]):
    """What every generated checker module provides.

    The constants are read-only properties, spelled as the module spells them, so that a
    module's `Final` names satisfy them.
    """

    @property
    def RULESET(self) -> str:
        """The name of the ruleset the module was compiled from."""

    @property
    def USES_TODAY(self) -> bool:
        """Whether a rule reads `today`, the evaluation date."""

    @property
    def RULES(self) -> tuple[tuple[RuleInfo, Callable[..., Iterator[Violation]]], ...]:
        """Each rule's description and its function, in declaration order (a rule of several
        bodies has one entry per body, each with the rule's description). A rule function
        takes an iterator of its subjects, then only those of the plan, the parameters and
        the date its rule reads, so each has its own signature: call them through `check`,
        which also turns a record a rule fails on into a `rule-crashed` finding."""

    @property
    def BINDER(self) -> Binder:
        """How plain data is bound to the module's entity classes."""

    def load(self, raw: Any, dialect: str = "json") -> PlanT:
        """Bind plain data (`dialect` "json" or "csv") into a plan, or raise `DataError`."""

    def params_from(self, overrides: Mapping[str, str]) -> ParamsT:
        """Parameters from their defaults and overrides written as text."""

    def check(self, plan: PlanT, params: ParamsT | None = None, *, today: date) -> Report:
        """Run every rule over `plan`; raises `RuleCrashed` when a rule fails."""


class Plan(Protocol):
    """A plan made by some generated module's `load`, for that module's `check` only."""


class Params(Protocol):
    """Parameters made by some generated module's `params_from`."""


#: A generated module of a ruleset known only at run time.
AnyModule: TypeAlias = GeneratedModule[Plan, Params]

__all__ = ["AnyModule", "GeneratedModule", "Params", "Plan"]
