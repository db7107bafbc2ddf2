"""One symbol table for every identifier the generated module makes.

The idea of Jinja's `idtracking.Symbols`: every name the emitter writes is asked of a table,
never formatted by hand at the point of use, so no ruleset name can shadow or meet a
generated one.

- `Symbols` is the module scope: the fixed names the module defines or imports (`Plan`,
  `check`, `bind`...), Python's keywords and builtins, and every name made for the ruleset
  (classes, `rule_*`, `pred_*`, `INFO_*`, `SPELL_*`, `K_*` constants, `RE_*` patterns, the
  `Plan` attributes). Two ruleset names that map to one identifier get numbered suffixes.
- `FunctionScope` is one generated function: its fixed locals (`plan`, `params`, `today`,
  `info`, `item`) and the ruleset's variables. A variable keeps its name when that is a
  safe identifier that nothing else in the function or the module uses, and that is not
  all capitals (the shape of the constants made while rules are emitted); otherwise it
  becomes `v_<name>`, numbered until it is free.
"""

from __future__ import annotations

import builtins
import keyword
import re
from collections.abc import Iterable

#: Names the generated module defines or imports itself.
MODULE_FIXED = frozenset(
    {
        "annotations", "attrs", "date", "timedelta", "Decimal", "Enum", "IntEnum", "re",
        "Any", "Final", "Iterator", "Mapping", "Money", "Violation", "Report", "RuleInfo", "Location",
        "Severity", "RuleCrashed", "bind", "compat", "binder", "readers", "specs", "make_params",
        "Plan", "Params",
        "RULES", "SPECS", "check",
        "load", "run", "plan", "params", "today", "info", "raw", "dialect", "cast",
        "ENUM_TEXT", "PARAM_SPECS", "BINDER", "RULESET", "USES_TODAY", "MODULE_VERSION",
        "params_from", "item", "ar_pointer", "ar_key", "problems", "record",
        "RUNTIME_ABI",
    }
)  # fmt: skip

#: The locals every rule function has; predicates have the same but `info`.
RULE_LOCALS = frozenset({"plan", "params", "today", "info", "item", "subjects"})
PREDICATE_LOCALS = frozenset({"plan", "params", "today", "item"})


def python_taken(name: str) -> bool:
    """A keyword, a soft keyword, a builtin, or a private-looking name."""
    return (
        keyword.iskeyword(name)
        or keyword.issoftkeyword(name)
        or hasattr(builtins, name)
        or name.startswith("_")
    )


def stem(name: str) -> str:
    """ASCII letters, digits and single underscores: `no-unfunded claims` → `no_unfunded_claims`."""
    return re.sub(r"[^0-9A-Za-z]+", "_", name).strip("_") or "x"


class Symbols:
    """The identifiers of one generated module, each with the ruleset name it stands for."""

    def __init__(self) -> None:
        self._owner: dict[str, str] = {name: "" for name in MODULE_FIXED}

    def taken(self, ident: str) -> bool:
        return ident in self._owner or python_taken(ident)

    def _claim(self, base: str, owner: str) -> str:
        ident, n = base, 2
        while self._owner.setdefault(ident, owner) != owner or python_taken(ident):
            ident, n = f"{base}_{n}", n + 1
        return ident

    def get(self, prefix: str, name: str, *, upper: bool = False) -> str:
        """`rule`, `no-unfunded-claims` → `rule_no_unfunded_claims`; with `upper`,
        `INFO`, `qty-gap` → `INFO_QTY_GAP`. The same (prefix, name) gives the same name."""
        base = f"{prefix}_{stem(name)}"
        return self._claim(base.upper() if upper else base.lower(), f"{prefix}:{name}")

    def keep(self, name: str, kind: str) -> str:
        """A name kept as written where it is a safe identifier (`Claim`), else made so
        (`class` → `class_`, `list` → `list_`, `2x` → `n_2x`), never clashing."""
        ok = name.isascii() and name.isidentifier() and not name.startswith("_")
        base = name if ok else stem(name)
        if base[0].isdigit():
            base = "n_" + base
        if self.taken(base) and self._owner.get(base) != f"{kind}:{name}":
            base += "_"
        return self._claim(base, f"{kind}:{name}")

    def fresh(self, prefix: str) -> str:
        """A new numbered name for something without a ruleset name: `K_0`, `RE_3`."""
        n = 0
        while self.taken(f"{prefix}_{n}"):
            n += 1
        ident = f"{prefix}_{n}"
        self._owner[ident] = f"{prefix}:{n}"
        return ident

    def function(self, fixed: Iterable[str]) -> FunctionScope:
        return FunctionScope(self, fixed)


_CONSTANT_SHAPE = re.compile(r"[A-Z][A-Z0-9_]*")


class FunctionScope:
    """The local names of one generated function."""

    def __init__(self, module: Symbols, fixed: Iterable[str]) -> None:
        self.module = module
        self._used = set(fixed)
        self._vars: dict[str, str] = {}

    def var(self, name: str) -> str:
        """The local for ruleset variable `name`; the same name gives the same local, so a
        ruleset's own shadowing (an inner `c` hiding an outer one) carries over."""
        if name in self._vars:
            return self._vars[name]
        if self._free(name) and not _CONSTANT_SHAPE.fullmatch(name):
            ident = name
        else:
            base, n = f"v_{stem(name)}", 2
            ident = base
            while not self._free(ident):
                ident, n = f"{base}_{n}", n + 1
        self._used.add(ident)
        self._vars[name] = ident
        return ident

    def fresh(self, base: str) -> str:
        """A local the emitter makes for itself (`key`, `get_capability`), numbered until free;
        a ruleset variable met later never takes it."""
        ident, n = base, 2
        while not self._free(ident):
            ident, n = f"{base}_{n}", n + 1
        self._used.add(ident)
        return ident

    def _free(self, ident: str) -> bool:
        return (
            ident.isascii()
            and ident.isidentifier()
            and ident not in self._used
            and not self.module.taken(ident)
        )
