"""The rulesets that ship inside the package, reached by name: `std:strategy`.

The `std:` prefix is what tells a shipped ruleset from a path. A bare `strategy` could be a
folder in the working directory; `std:strategy` cannot be read as a relative path by accident,
and it reads the same in a shell, a CI recipe, `alignrules.load(...)` and an `import` line.
A name may continue into the ruleset (`std:strategy/rules/hollow-brand.rules`).

Files reached this way are *named* `std:strategy/...` in messages, reports and generated code,
so that nothing shows where the package happens to be installed.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath
from typing import TypeGuard

import attrs

from alignrules.diagnostics import Diagnostic, DiagnosticError, Place

PREFIX = "std:"


@attrs.frozen
class StandardRuleset:
    """One shipped ruleset: its name (`strategy`), folder and one-line description."""

    name: str
    path: Path
    description: str

    @property
    def spec(self) -> str:
        """How to name it on the command line, in `load` and in `import`: `std:strategy`."""
        return PREFIX + self.name


def is_standard(spec: str | os.PathLike[str]) -> TypeGuard[str]:
    """Whether `spec` names a shipped ruleset (`std:...`) rather than a path."""
    return isinstance(spec, str) and spec.startswith(PREFIX)


def root() -> Path:
    """The folder of shipped rulesets: inside the installed package (a wheel), or the
    repository's `rulesets/` (an editable install)."""
    # Beside this file rather than through importlib.resources: the result must be a folder
    # on disk either way, and that machinery costs every run's start-up.
    packaged = Path(__file__).resolve().parent / "rulesets"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "rulesets"


def available() -> list[StandardRuleset]:
    """The shipped rulesets, by name."""
    base = root()
    if not base.is_dir():
        return []
    return [
        StandardRuleset(p.name, p, _description(p))
        for p in sorted(base.iterdir())
        if p.is_dir() and any(p.rglob("*.rules"))
    ]


def resolve(spec: str) -> Path:
    """The file or folder that `std:NAME[/PATH]` names; a located error if there is none."""
    rest = spec[len(PREFIX) :]
    parts = PurePosixPath(rest).parts
    # `..` or an absolute path would step out of the shipped folder: a name is not a path.
    if not parts or rest.startswith("/") or ".." in parts:
        raise DiagnosticError(_unknown(spec))
    path = root().joinpath(*parts)
    if not path.exists():
        raise DiagnosticError(_unknown(spec))
    return path


def shown_name(path: Path) -> str | None:
    """`std:strategy/rules/x.rules` for a file inside the shipped folder, else None."""
    try:
        rel = path.resolve().relative_to(root().resolve())
    except ValueError:
        return None
    return PREFIX + rel.as_posix()


def _unknown(spec: str) -> Diagnostic:
    names = ", ".join(f"`{r.spec}`" for r in available()) or "none"
    return Diagnostic(
        "usage",
        f"`{spec}` names no shipped ruleset",
        where=Place(spec),
        hint=f"the shipped rulesets are {names}; `alignrules rulesets` lists them",
    )


def _description(folder: Path) -> str:
    """The first comment line of the ruleset's first file, e.g. its `schema.rules`."""
    # Top-level files first: a ruleset's schema says what the ruleset is about.
    files = sorted(folder.rglob("*.rules"), key=lambda f: (len(f.relative_to(folder).parts), f))
    for file in files:
        for line in file.read_text("utf-8").splitlines():
            text = line.strip()
            if text.startswith("#") and text.lstrip("# ").strip():
                return text.lstrip("# ").strip()
            if text:
                break
    return ""
