"""Waivers: accepted exceptions to rules, kept as governed data in a YAML or JSON file.

```yaml
waivers:
  - rule: no-unfunded-claims        # the rule id
    entity: Claim                   # optional: only violations about this entity type
    key: "C-*"                      # an exact key, or a glob pattern (`*`, `?`, `[...]`)
    reason: "Funding approved in the Q3 board meeting; the budget lands in October"
    owner: brand-governance
    expires: 2026-06-30             # the last day the waiver is in force
```

`read_waivers` reads and validates such a file (every problem is a `DiagnosticError` with code
`waiver` naming `file:line:column`); `apply_waivers` applies the waivers to a Report:

- a violation that an unexpired waiver matches moves to `report.waived`, with the waiver's
  reason, owner and expiry; it no longer counts, so it never fails a run;
- an expired waiver waives nothing and is itself reported, as an `expired-waiver` finding
  (severity warning) that points at the waiver's `expires` line;
- a waiver in force that matches no violation is reported as `unused-waiver` (severity info).

The evaluation date is the report's `as_of` (the CLI's `--as-of`), so CI runs reproduce.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Sequence
from datetime import date
from typing import Any

import attrs

from alignrules.data.read import PlanData, read_plan
from alignrules.diagnostics import Diagnostic, DiagnosticError, Place, did_you_mean
from alignrules.pointer import escape as escape_pointer
from alignrules.runtime.report import (
    DANGLING_RULE,
    Location,
    Report,
    RuleInfo,
    Severity,
    Violation,
    Waived,
)

#: Findings about the waiver file itself (`runtime.report.WAIVER_RULES`); baselines leave them alone.
EXPIRED_WAIVER = "expired-waiver"
UNUSED_WAIVER = "unused-waiver"

#: The rules of those findings, added to a report that waivers were applied to.
WAIVER_RULE_INFOS = (
    RuleInfo(
        id=EXPIRED_WAIVER,
        title="A waiver has expired",
        severity=Severity.WARNING,
        origin="<alignrules>",
        rationale="An expired waiver no longer waives anything: the violations it covered "
        "count again. Fix them, or renew the waiver with a new reason and date.",
    ),
    RuleInfo(
        id=UNUSED_WAIVER,
        title="A waiver matches no violation",
        severity=Severity.INFO,
        origin="<alignrules>",
        rationale="A waiver that matches nothing is stale (the violation was fixed) or "
        "mistyped; remove or correct it so the waiver file stays a true record.",
    ),
)

FIELDS = ("rule", "entity", "key", "reason", "owner", "expires")
REQUIRED = ("rule", "key", "reason", "owner", "expires")
_SUFFIXES = {".yaml": "yaml", ".yml": "yaml", ".json": "json"}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@attrs.frozen
class Waiver:
    """One waiver entry; `location` is where it is written in the waiver file."""

    rule: str
    key: str
    reason: str
    owner: str
    expires: date
    location: Location
    entity: str | None = None
    expires_location: Location | None = None

    def matches(self, v: Violation) -> bool:
        """True when `v` is about this waiver's rule, entity type (if given) and key.

        >>> w = Waiver("r", "C-*", "why", "me", date(2026, 1, 1), Location("w.yaml", "/waivers/0"))
        >>> loc = Location(None, "")
        >>> w.matches(Violation("r", Severity.ERROR, "m", "Claim", "C-7", loc))
        True
        >>> w.matches(Violation("r", Severity.ERROR, "m", "Claim", "c-7", loc))
        False
        """
        if v.rule != self.rule or (self.entity is not None and v.entity != self.entity):
            return False
        return v.key == self.key or fnmatch.fnmatchcase(v.key, self.key)

    def in_force(self, as_of: date) -> bool:
        """A waiver is in force up to and including its `expires` date."""
        return as_of <= self.expires

    @property
    def label(self) -> str:
        """`rule:key`, or `rule:entity:key`: names the waiver in findings about it."""
        parts = [self.rule] + ([self.entity] if self.entity is not None else []) + [self.key]
        return ":".join(parts)

    @property
    def subject(self) -> str:
        entity = f"{self.entity} " if self.entity is not None else ""
        return f"`{self.rule}` on {entity}`{self.key}`"


def read_data_file(
    path: str | os.PathLike[str], code: str, kinds: dict[str, str], hint: str
) -> PlanData:
    """Read a JSON/YAML file through the plan reader, so errors name file:line:column; its
    diagnostics are given `code`, which says which input was wrong."""
    name = os.fspath(path)
    suffix = os.path.splitext(name)[1].lower()
    if suffix not in kinds:
        wanted = ", ".join(sorted(kinds))
        raise DiagnosticError(
            Diagnostic(code, f"expected a {wanted} file", where=Place(name), hint=hint)
        )
    try:
        return read_plan(name)
    except DiagnosticError as exc:
        raise DiagnosticError([attrs.evolve(d, code=code) for d in exc.diagnostics]) from None


class FileProblems:
    """Collects every problem of a waiver or baseline file, each located by JSON pointer."""

    def __init__(self, data: PlanData, code: str) -> None:
        self.data, self.code = data, code
        self.found: list[Diagnostic] = []

    def locate(self, pointer: str) -> Location:
        return self.data.locate(Location(None, pointer))

    def add(self, pointer: str, message: str, hint: str | None = None) -> None:
        self.found.append(Diagnostic(self.code, message, where=self.data.place(pointer), hint=hint))

    def raise_any(self) -> None:
        if self.found:
            raise DiagnosticError(self.found)


def read_waivers(path: str | os.PathLike[str]) -> tuple[Waiver, ...]:
    """The waivers in a `.yaml`, `.yml` or `.json` file, in file order.

    The file holds `waivers:` and a list of entries (or just the list). Each entry has
    `rule`, `key`, `reason`, `owner`, `expires` (a date like 2026-06-30) and optionally
    `entity`; any other field, a missing or empty one, or a bad date is an error naming the
    file, line and column.
    """
    hint = "write the waivers as YAML or JSON: `waivers: [{rule: ..., key: ..., ...}]`"
    data = read_data_file(path, "waiver", _SUFFIXES, hint)
    problems = FileProblems(data, "waiver")
    root, base = data.root, ""
    if isinstance(root, dict):
        for name in sorted(set(root) - {"waivers"}):
            problems.add(
                f"/{escape_pointer(name)}",
                f"unknown field `{name}` in the waiver file",
                hint="the file holds `waivers:` and a list of waivers",
            )
        if "waivers" not in root:
            problems.add("", "the waiver file has no `waivers:` list")
        listed = root.get("waivers")
        root, base = ([] if listed is None else listed), "/waivers"  # `waivers:` alone: none
    if not isinstance(root, list):
        problems.add(base, "`waivers` must be a list of waivers")
        problems.raise_any()
        return ()
    out = [_entry(problems, f"{base}/{i}", item) for i, item in enumerate(root)]
    problems.raise_any()
    return tuple(w for w in out if w is not None)


def _entry(problems: FileProblems, pointer: str, item: Any) -> Waiver | None:
    if not isinstance(item, dict):
        problems.add(pointer, "a waiver must be a mapping of `rule`, `key`, `reason`, ...")
        return None
    before = len(problems.found)
    for name in item:
        if name not in FIELDS:
            hint = did_you_mean(name, FIELDS) or "a waiver has " + ", ".join(
                f"`{f}`" for f in FIELDS
            )
            problems.add(
                f"{pointer}/{escape_pointer(name)}", f"unknown field `{name}` in a waiver", hint
            )
    for name in REQUIRED:
        if item.get(name) is None:
            problems.add(
                pointer,
                f"the waiver has no `{name}`",
                hint="every waiver needs `rule`, `key`, `reason`, `owner` and `expires`",
            )
    values: dict[str, str] = {}
    for name in FIELDS:
        value = item.get(name)
        if value is None:
            continue
        if name == "key" and isinstance(value, int) and not isinstance(value, bool):
            value = str(value)  # entity keys may be numbers; violations carry them as text
        if not isinstance(value, str) or not value.strip():
            problems.add(f"{pointer}/{name}", f"`{name}` must be non-empty text")
            continue
        values[name] = value
    expires = None
    if "expires" in values:
        text = values["expires"].strip()
        try:
            if not _DATE.fullmatch(text):
                raise ValueError(text)
            expires = date.fromisoformat(text)
        except ValueError:
            problems.add(
                f"{pointer}/expires",
                f"`expires` is not a date: `{text}`",
                hint="write the last day the waiver is in force, like 2026-06-30",
            )
    if len(problems.found) != before or expires is None:
        return None
    return Waiver(
        rule=values["rule"].strip(),
        key=values["key"],
        reason=values["reason"],
        owner=values["owner"],
        expires=expires,
        location=problems.locate(pointer),
        entity=values["entity"].strip() if "entity" in values else None,
        expires_location=problems.locate(f"{pointer}/expires"),
    )


def apply_waivers(report: Report, waivers: Sequence[Waiver]) -> Report:
    """`report` with waived violations moved to `waived` and findings about the waivers added.

    Each violation is waived by the first waiver in force (in file order) that matches it.
    """
    as_of = report.as_of
    in_force = [w for w in waivers if w.in_force(as_of)]
    used: set[int] = set()
    kept: list[Violation] = []
    waived: list[Waived] = list(report.waived)
    for v in report.violations:
        index = next((i for i, w in enumerate(in_force) if w.matches(v)), None)
        if index is None:
            kept.append(v)
            continue
        w = in_force[index]
        used.add(index)
        waived.append(Waived(v, w.reason, w.owner, w.expires, w.location))

    known = {r.id for r in report.rules} | {v.rule for v in report.violations}
    known.add(DANGLING_RULE)  # the loader's own rule, in every ruleset
    findings: list[Violation] = []
    for w in waivers:
        if w.in_force(as_of):
            continue
        count = sum(1 for v in report.violations if w.matches(v))
        again = ""
        if count == 1:
            again = "; the violation it matches counts again"
        elif count:
            again = f"; the {count} violations it matches count again"
        findings.append(
            Violation(
                rule=EXPIRED_WAIVER,
                severity=Severity.WARNING,
                message=f"the waiver for {w.subject} (owner {w.owner}) expired on "
                f"{w.expires.isoformat()}{again}",
                entity="Waiver",
                key=w.label,
                location=w.location,
                field="expires",
                field_location=w.expires_location,
            )
        )
    for i, w in enumerate(in_force):
        if i in used:
            continue
        why = "matches no violation; remove it"
        if w.rule not in known:
            guess = did_you_mean(w.rule, known)
            why = f"names no known rule{f' ({guess})' if guess else ''}; correct or remove it"
        findings.append(
            Violation(
                rule=UNUSED_WAIVER,
                severity=Severity.INFO,
                message=f"the waiver for {w.subject} (owner {w.owner}) {why}",
                entity="Waiver",
                key=w.label,
                location=w.location,
            )
        )
    have = {r.id for r in report.rules}
    rules = report.rules + tuple(r for r in WAIVER_RULE_INFOS if r.id not in have)
    return Report.build(
        [*kept, *findings],
        rules,
        as_of,
        report.entities,
        waived=waived,
        baseline=report.baseline,
    )
