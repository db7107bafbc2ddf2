"""Where the grammar's text is: read without importing lark, so a compile cache key can
hold it cheaply."""

from __future__ import annotations

from pathlib import Path

GRAMMAR_NAME = "alignrules.lark"


def grammar_text() -> str:
    """The grammar shipped inside the package (a wheel), or the repository's (an editable install)."""
    # Beside this file rather than through importlib.resources, whose machinery costs more
    # than the read: every warm start-up reads the grammar for the compile cache's key.
    packaged = Path(__file__).resolve().parent / GRAMMAR_NAME
    if packaged.is_file():
        return packaged.read_text("utf-8")
    repo = Path(__file__).resolve().parents[3] / "grammar" / GRAMMAR_NAME
    return repo.read_text("utf-8")
