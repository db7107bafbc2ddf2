"""docs/errors.md cannot drift from the error codes or from what the command line prints."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

from alignrules.diagnostics import CODES

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "errors.md"
SCRIPT = ROOT / "scripts" / "gen_errors_doc.py"

#: Where library code makes a Diagnostic or reports an error by code.
_EMITS = re.compile(r'(?:\bDiagnostic|\.error)\(\s*"([a-z][a-z-]*)"')


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_errors_doc", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)
    spec.loader.exec_module(module)
    return module


def _headings() -> set[str]:
    return set(re.findall(r"^## `([a-z-]+)`$", DOC.read_text("utf-8"), re.M))


@pytest.mark.parametrize("code", sorted(CODES))
def test_every_code_has_a_section(code: str) -> None:
    assert code in _headings(), f"docs/errors.md has no `## `{code}`` section"


def test_the_page_documents_no_unknown_code() -> None:
    assert _headings() - set(CODES) <= {"internal"}


def test_every_code_the_source_emits_is_in_the_table() -> None:
    """A code used in `Diagnostic("...")` but missing from CODES would be undocumented."""
    emitted: dict[str, set[str]] = {}
    for path in (ROOT / "src" / "alignrules").rglob("*.py"):
        for m in _EMITS.finditer(path.read_text("utf-8")):
            emitted.setdefault(m[1], set()).add(path.relative_to(ROOT).as_posix())
    unknown = {code: sorted(files) for code, files in emitted.items() if code not in CODES}
    assert unknown == {}


def test_the_page_shows_what_the_cli_prints_today() -> None:
    """The examples are real runs; a changed message or hint must be regenerated."""
    script = _script()
    assert script.render() == DOC.read_text("utf-8"), (
        "docs/errors.md is out of date: run `python scripts/gen_errors_doc.py`"
    )
