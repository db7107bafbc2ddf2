"""The configuration file: `alignrules.toml`, or `[tool.alignrules]` in `pyproject.toml`.

Found as ruff and mypy find theirs: from the working directory up to the root, the first
folder with an `alignrules.toml`, or with a `pyproject.toml` that has a `[tool.alignrules]`
table, wins. Paths in it are relative to that folder. Flags given on the command line
override it: a flag that takes one value replaces the file's, `--param NAME=VALUE` replaces
that one parameter, and any `--output` replaces the file's outputs.

```toml
[tool.alignrules]
rulesets = ["std:strategy", "rules/ours.rules"]
data = "exports/plan.yaml"
fail-on = "warning"
waivers = "waivers.yaml"
outputs = { sarif = "alignrules.sarif", html = "reports/alignment.html" }

[tool.alignrules.params]
ltv_cac_min = 4

[tool.alignrules.rules]          # extend a ruleset without copying it
segment-named-after-product = "off"
strategy-without-campaigns = "error"
```
"""

from __future__ import annotations

import os
import re
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

import attrs

from alignrules.diagnostics import Diagnostic, DiagnosticError, Place, did_you_mean

FILE_NAMES = ("alignrules.toml", "pyproject.toml")
FAIL_ON = ("error", "warning", "info", "never")
#: What `[tool.alignrules.rules]` may set a rule to.
RULE_SETTINGS = ("off", "error", "warning", "info")
_KEYS = (
    "rulesets",
    "data",
    "format",
    "fail-on",
    "params",
    "waivers",
    "baseline",
    "outputs",
    "rules",
)


@attrs.frozen
class Config:
    """What a configuration file sets; None or empty where it sets nothing."""

    file: str  # as messages name it
    rulesets: tuple[str, ...] = ()
    data: str | None = None
    format: str | None = None
    fail_on: str | None = None
    params: tuple[tuple[str, str], ...] = ()
    waivers: str | None = None
    baseline: str | None = None
    outputs: tuple[tuple[str, str], ...] = ()
    rules: tuple[tuple[str, str], ...] = ()  # rule id → "off" or a severity


def find_config(start: Path) -> Path | None:
    """The configuration file that applies in `start`, or None."""
    for folder in (start.resolve(), *start.resolve().parents):
        own = folder / "alignrules.toml"
        if own.is_file():
            return own
        project = folder / "pyproject.toml"
        if project.is_file() and b"[tool.alignrules" in project.read_bytes():
            return project
    return None


def read_config(path: Path, shown: str, formats: Collection[str]) -> Config:
    """Read and check a configuration file; `formats` are the output format names."""
    text = _read(path, shown)
    try:
        import tomllib  # only when there is a file: most runs have none, and it costs start-up

        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DiagnosticError(
            Diagnostic("usage", f"not valid TOML: {exc}", where=Place(shown))
        ) from None
    if path.name == "pyproject.toml":
        table = doc.get("tool", {}).get("alignrules", {})
        prefix = "tool.alignrules."
    else:
        table, prefix = doc, ""
    return _Reader(path.parent, shown, text, prefix, formats).config(table)


def _read(path: Path, shown: str) -> str:
    try:
        return path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DiagnosticError(
            Diagnostic("usage", f"cannot read: {exc}", where=Place(shown))
        ) from None


class _Reader:
    """Checks each key's type and turns paths relative to the file's folder."""

    def __init__(
        self, base: Path, shown: str, text: str, prefix: str, formats: Collection[str]
    ) -> None:
        self.base, self.shown, self.text, self.prefix = base, shown, text, prefix
        self.formats = formats
        self.problems: list[Diagnostic] = []

    def config(self, table: Mapping[str, Any]) -> Config:
        for key in table:
            if key not in _KEYS:
                self._problem(
                    key, f"unknown setting `{self.prefix}{key}`", did_you_mean(key, _KEYS)
                )
        rulesets = table.get("rulesets", ())
        if isinstance(rulesets, str):
            rulesets = [rulesets]
        if not _strings(rulesets):
            self._problem("rulesets", "`rulesets` must be a list of paths or std: names")
            rulesets = []
        fmt = self._one_of("format", table.get("format"), tuple(self.formats))
        fail_on = self._one_of("fail-on", table.get("fail-on"), FAIL_ON)
        params = self._table("params", table.get("params", {}))
        outputs = self._table("outputs", table.get("outputs", {}))
        for name, _ in outputs:
            if name not in self.formats:
                self._problem(
                    name, f"unknown output format `{name}`", did_you_mean(name, self.formats)
                )
        rules = self._table("rules", table.get("rules", {}))
        for rule, setting in rules:
            if setting not in RULE_SETTINGS:
                self._problem(
                    rule,
                    f"rule `{rule}` is set to `{setting}`",
                    "set a rule to " + ", ".join(f'"{s}"' for s in RULE_SETTINGS),
                )
        if self.problems:
            raise DiagnosticError(self.problems)
        return Config(
            self.shown,
            tuple(self._ruleset(r) for r in rulesets),
            self._path("data", table.get("data")),
            fmt,
            fail_on,
            params,
            self._path("waivers", table.get("waivers")),
            self._path("baseline", table.get("baseline")),
            tuple((name, self._rel(value)) for name, value in outputs),
            rules,
        )

    def _ruleset(self, spec: str) -> str:
        return spec if spec.startswith("std:") else self._rel(spec)

    def _rel(self, value: str) -> str:
        """A path of the file's, as it is reached from the working directory."""
        if Path(value).is_absolute():
            return value
        try:
            return Path(os.path.relpath(self.base / value)).as_posix()
        except ValueError:  # another drive (Windows)
            return str(self.base / value)

    def _path(self, key: str, value: object) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str):
            self._problem(key, f"`{key}` must be a path (a string)")
            return None
        return self._rel(value)

    def _one_of(self, key: str, value: object, allowed: tuple[str, ...]) -> str | None:
        if value is None:
            return None
        if value not in allowed:
            self._problem(
                key,
                f"`{key}` is `{value}`",
                "choose one of " + ", ".join(f"`{a}`" for a in allowed),
            )
            return None
        return str(value)

    def _table(self, key: str, value: object) -> tuple[tuple[str, str], ...]:
        if not isinstance(value, Mapping):
            self._problem(key, f"`{key}` must be a table of names and values")
            return ()
        out = []
        for name, v in value.items():
            if isinstance(v, bool):
                v = "true" if v else "false"
            elif isinstance(v, list):
                v = ",".join(str(x) for x in v)
            elif isinstance(v, int | float | str):
                v = str(v)
            else:
                self._problem(name, f"`{key}.{name}` must be a string, a number or a list")
                continue
            out.append((str(name), v))
        return tuple(out)

    def _problem(self, key: str, message: str, hint: str | None = None) -> None:
        self.problems.append(Diagnostic("usage", message, where=self._where(key), hint=hint))

    def _where(self, key: str) -> Place:
        """The file and line of the first line that sets `key` (TOML parsers keep no positions)."""
        pattern = re.compile(rf'^\s*["\']?{re.escape(key)}["\']?\s*=')
        for n, line in enumerate(self.text.splitlines(), start=1):
            if pattern.match(line):
                return Place(self.shown, n)
        return Place(self.shown)


def _strings(value: object) -> bool:
    return isinstance(value, list | tuple) and all(isinstance(v, str) for v in value)
