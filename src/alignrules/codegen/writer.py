"""The only maker of Python text: indentation, safe identifiers, and literals by `repr`.

Nothing from a ruleset is pasted into syntax: names go through `Names`, constants through
`py_literal`, so no identifier or string can change the generated module's structure.
"""

from __future__ import annotations

import builtins
import keyword
import re
from datetime import date
from decimal import Decimal


def py_literal(value: str | int | bool | Decimal | date | None) -> str:
    """Python source for a constant taken from a ruleset."""
    if isinstance(value, Decimal):
        return f"Decimal({str(value)!r})"  # exact: never through float
    if isinstance(value, date):
        return f"date({value.year}, {value.month}, {value.day})"
    assert value is None or type(value) in (str, int, bool), type(value)
    return repr(value)


#: Names the generated module defines or imports itself; user names never take them.
RESERVED = frozenset(
    {
        "annotations",
        "attrs",
        "date",
        "timedelta",
        "Decimal",
        "Enum",
        "IntEnum",
        "re",
        "Any",
        "Final",
        "Iterator",
        "Mapping",
        "Money",
        "Violation",
        "Report",
        "RuleInfo",
        "Severity",
        "RuleCrashed",
        "bind",
        "Plan",
        "Params",
        "RULES",
        "SPECS",
        "check",
        "load",
        "run",
        "plan",
        "params",
        "today",
        "info",
        "raw",
        "dialect",
        "cast",
        "ENUM_TEXT",
        "PARAM_SPECS",
        "BINDER",
        "RULESET",
        "MODULE_VERSION",
    }
)


def _taken(name: str) -> bool:
    return (
        keyword.iskeyword(name)
        or keyword.issoftkeyword(name)
        or name in RESERVED
        or hasattr(builtins, name)
        or name.startswith("_")
    )


class Names:
    """Python identifiers for ruleset names: ASCII, unique, the same on every run."""

    def __init__(self) -> None:
        self._owner: dict[str, str] = {}

    def get(self, prefix: str, name: str) -> str:
        """`rule`, `no-unfunded-claims` → `rule_no_unfunded_claims`; `class` → `rule_class`."""
        stem = re.sub(r"[^0-9A-Za-z]+", "_", name).strip("_").lower() or "x"
        ident, n = f"{prefix}_{stem}", 2
        while self._owner.setdefault(ident, f"{prefix}:{name}") != f"{prefix}:{name}":
            ident, n = f"{prefix}_{stem}_{n}", n + 1
        return ident

    def keep(self, name: str, kind: str = "") -> str:
        """A name kept as written where it is a safe identifier (`Claim`), else made so
        (`class` → `class_`, `list` → `list_`), never clashing with another name."""
        ascii_ok = name.isascii() and name.isidentifier()
        base = name if ascii_ok else (re.sub(r"[^0-9A-Za-z_]+", "_", name).strip("_") or "x")
        if base[0].isdigit():
            base = "n_" + base
        ident = base + "_" if _taken(base) else base
        n = 2
        while self._owner.setdefault(ident, f"{kind}:{name}") != f"{kind}:{name}":
            ident, n = f"{base}_{n}", n + 1
        return ident


def attr_name(name: str) -> str:
    """A field or member name on a generated class: PEP 8's trailing underscore for keywords."""
    if keyword.iskeyword(name) or keyword.issoftkeyword(name) or name.startswith("_"):
        return name.lstrip("_") + "_" if name.startswith("_") else name + "_"
    return name


class PyWriter:
    """Lines of Python with indentation."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.level = 0

    def line(self, text: str = "") -> None:
        self.lines.append(("    " * self.level + text) if text else "")

    def indent(self) -> None:
        self.level += 1

    def dedent(self) -> None:
        self.level -= 1

    def comment(self, text: str) -> None:
        """A comment line; line breaks and other control characters are escaped away."""
        safe = text.encode("unicode_escape").decode("ascii")
        self.line("# " + safe)

    def text(self) -> str:
        return "\n".join(self.lines).rstrip("\n") + "\n"
