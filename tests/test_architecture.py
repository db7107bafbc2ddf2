"""docs/architecture.md and the import contracts keep up with the code.

A newcomer reads the module table to find where a behaviour lives, so every module of the
package is in it and everything in it exists; and every package and top-level module is
under at least one import-linter contract, so nothing new slips past the rules on which way
imports go.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "alignrules"
DOC = ROOT / "docs" / "architecture.md"

#: modules that own no behaviour of their own: package markers and `python -m`
UNLISTED = {"__init__.py", "__main__.py"}


def listed_modules() -> list[str]:
    """The paths in the first column of the module table, relative to the package."""
    text = DOC.read_text("utf-8")
    table = text.split("## Modules, and what each owns", 1)[1].split("\n## ", 1)[0]
    names: list[str] = []
    for line in table.splitlines():
        if not line.startswith("| `"):
            continue
        first_cell = line.split("|")[1]
        names.extend(re.findall(r"`([^`]+)`", first_cell))
    return names


def package_modules() -> set[str]:
    found = set()
    for path in PACKAGE.rglob("*"):
        if path.suffix == ".py" and path.name not in UNLISTED:
            found.add(path.relative_to(PACKAGE).as_posix())
    return found


def test_every_module_is_in_the_architecture_table() -> None:
    listed = set(listed_modules())
    missing = sorted(package_modules() - listed)
    assert not missing, f"modules missing from docs/architecture.md's table: {missing}"


def test_every_module_in_the_table_exists() -> None:
    names = listed_modules()
    assert len(names) == len(set(names)), "a module is listed twice"
    # the grammar lives at the repository's root and is copied into the wheel
    stale = sorted(n for n in names if not (PACKAGE / n).is_file() and not (ROOT / n).is_file())
    assert not stale, f"docs/architecture.md lists modules that do not exist: {stale}"


def contracts() -> list[dict[str, object]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    found: list[dict[str, object]] = config["tool"]["importlinter"]["contracts"]
    return found


def test_every_package_and_module_is_under_an_import_contract() -> None:
    covered: set[str] = set()
    for contract in contracts():
        for key in ("source_modules", "layers", "modules"):
            value = contract.get(key, [])
            assert isinstance(value, list)
            for entry in value:
                covered.update(part.strip() for part in str(entry).split("|"))
    top_level = {
        f"alignrules.{p.stem}"
        for p in PACKAGE.iterdir()
        if (p / "__init__.py").is_file() or (p.suffix == ".py" and p.name not in UNLISTED)
    }
    uncovered = sorted(top_level - covered)
    assert not uncovered, f"packages and modules under no import-linter contract: {uncovered}"
