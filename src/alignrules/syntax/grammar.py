"""Where the grammar's text is: read without importing lark, so a compile cache key can
hold it cheaply."""

from __future__ import annotations

import importlib.resources
from pathlib import Path

GRAMMAR_NAME = "alignrules.lark"


def grammar_text() -> str:
    """The grammar shipped inside the package (a wheel), or the repository's (an editable install)."""
    packaged = importlib.resources.files("alignrules.syntax").joinpath(GRAMMAR_NAME)
    if packaged.is_file():
        return packaged.read_text("utf-8")
    repo = Path(__file__).resolve().parents[3] / "grammar" / GRAMMAR_NAME
    return repo.read_text("utf-8")
