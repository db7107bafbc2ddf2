"""The only maker of Python text: indentation, safe identifiers, and literals by `repr`.

Nothing from a ruleset is pasted into syntax: names go through the symbol table
(codegen/names.py), constants through `py_literal`, so no identifier or string can change the
generated module's structure.
"""

from __future__ import annotations

import keyword
from datetime import date
from decimal import Decimal


def py_literal(value: str | int | bool | Decimal | date | None) -> str:
    """Python source for a constant taken from a ruleset."""
    if isinstance(value, Decimal):
        return f"Decimal({str(value)!r})"  # exact: never through float
    if isinstance(value, date):
        return f"date({value.year}, {value.month}, {value.day})"
    assert value is None or type(value) in (str, int, bool), type(value)
    text = repr(value)
    if isinstance(value, str) and text[0] == "'" and '"' not in value and "'" not in value:
        # The house quote (what `ruff format` writes): nothing inside needs escaping anew.
        return '"' + text[1:-1] + '"'
    return text


def py_docstring(text: str) -> str:
    """A docstring in triple double quotes, or a plain literal when the text could not sit
    inside one as it is (a backslash, a quote at its end, a line break, three quotes)."""
    plain = text.isprintable() and "\\" not in text and '"""' not in text
    if plain and text and not text.endswith('"'):
        return f'"""{text}"""'
    return py_literal(text)


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
