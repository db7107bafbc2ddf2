"""Baselines: compare a report with an earlier one and keep only what is new.

A baseline is a JSON report written by `alignrules check --format json`. Findings are
matched by what they are about — rule, entity type, key, related entities and field
(`Violation.identity`) — never by their place in the file or the wording of the message, so
moving a record or rewording a rule keeps a finding "unchanged".

`apply_baseline(report, baseline)` leaves in `report.violations` only the new findings (so
the exit code depends only on them) and records in `report.baseline` the unchanged ones and
the resolved ones (in the baseline, not found now). A violation that a waiver now accepts is
neither new nor resolved. Findings about the waiver file (`expired-waiver`,
`unused-waiver`) are always reported and never taken from a baseline.

A report made with a baseline lists its unchanged findings too, so it can itself serve as
the next baseline.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable
from typing import Any

import attrs

from alignrules.runtime.report import (
    WAIVER_RULES,
    BaselineDiff,
    Location,
    Report,
    Severity,
    Violation,
)
from alignrules.waivers import FileProblems, read_data_file

_KINDS = {".json": "json"}
_HINT = "give a report written by `alignrules check ... --format json`"


@attrs.frozen
class Baseline:
    """The findings of an earlier report; `file` is how the report was named."""

    file: str
    violations: tuple[Violation, ...]


def read_baseline(path: str | os.PathLike[str]) -> Baseline:
    """The findings of a JSON report: its `violations` and, when the report was itself made
    with a baseline, `baseline.unchanged_violations`.

    Anything else (not JSON, not an alignrules report, a finding without rule, entity or
    key) is a `DiagnosticError` with code `baseline` naming the file, line and column.
    """
    data = read_data_file(path, "baseline", _KINDS, _HINT)
    problems = FileProblems(data, "baseline")
    root = data.root
    if not isinstance(root, dict) or not isinstance(root.get("violations"), list):
        problems.add("", "not an alignrules JSON report: it has no `violations` list", _HINT)
        problems.raise_any()
    if root.get("version", 1) != 1:
        problems.add("/version", "unsupported report version (expected 1)", _HINT)
    found = [_violation(problems, f"/violations/{i}", v) for i, v in enumerate(root["violations"])]
    earlier = root.get("baseline")
    if isinstance(earlier, dict) and "unchanged_violations" in earlier:
        unchanged = earlier["unchanged_violations"]
        if isinstance(unchanged, list):
            found += [
                _violation(problems, f"/baseline/unchanged_violations/{i}", v)
                for i, v in enumerate(unchanged)
            ]
        else:
            problems.add("/baseline/unchanged_violations", "must be a list of violations")
    problems.raise_any()
    return Baseline(os.fspath(path), tuple(v for v in found if v is not None))


def _text(problems: FileProblems, pointer: str, obj: dict[str, Any], name: str) -> str | None:
    value = obj.get(name)
    if not isinstance(value, str):
        at = f"{pointer}/{name}" if name in obj else pointer
        problems.add(at, f"a violation needs `{name}` as text", _HINT)
        return None
    return value


def _violation(problems: FileProblems, pointer: str, item: Any) -> Violation | None:
    if not isinstance(item, dict):
        problems.add(pointer, "a violation must be an object", _HINT)
        return None
    before = len(problems.found)
    rule, entity, key, message = (
        _text(problems, pointer, item, n) for n in ("rule", "entity", "key", "message")
    )
    severity = Severity.ERROR
    try:
        severity = Severity.parse(str(item.get("severity", "")))
    except KeyError:
        problems.add(f"{pointer}/severity", "`severity` must be error, warning or info", _HINT)
    related: list[tuple[str, str]] = []
    raw_related = item.get("related", [])
    if not isinstance(raw_related, list):
        problems.add(f"{pointer}/related", "`related` must be a list", _HINT)
        raw_related = []
    for i, r in enumerate(raw_related):
        if (
            isinstance(r, dict)
            and isinstance(r.get("entity"), str)
            and isinstance(r.get("key"), str)
        ):
            related.append((r["entity"], r["key"]))
        else:
            problems.add(f"{pointer}/related/{i}", "a related entity needs `entity` and `key`")
    field = item.get("field")
    if field is not None and not isinstance(field, str):
        problems.add(f"{pointer}/field", "`field` must be text", _HINT)
    location = _location(item.get("location"))
    if len(problems.found) != before:
        return None
    assert rule is not None and entity is not None and key is not None and message is not None
    return Violation(
        rule=rule,
        severity=severity,
        message=message,
        entity=entity,
        key=key,
        location=location,
        related=tuple(related),
        field=field,
    )


def _location(raw: Any) -> Location:
    """The location a baseline finding had; only shown, so a malformed one is left out."""
    if not isinstance(raw, dict):
        return Location(None, "")

    def number(name: str) -> int | None:
        value = raw.get(name)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    file = raw.get("file")
    pointer = raw.get("pointer")
    return Location(
        file if isinstance(file, str) else None,
        pointer if isinstance(pointer, str) else "",
        number("line"),
        number("column"),
    )


def _matched(
    items: Iterable[Violation], available: Counter[Any]
) -> tuple[list[Violation], list[Violation]]:
    """Split `items` (in order) into those `available` still has a match for, and the rest."""
    left = available.copy()
    hits: list[Violation] = []
    misses: list[Violation] = []
    for v in items:
        key = v.identity()
        if left[key] > 0:
            left[key] -= 1
            hits.append(v)
        else:
            misses.append(v)
    return hits, misses


def apply_baseline(report: Report, baseline: Baseline) -> Report:
    """`report` keeping only the findings that are new since `baseline`; see the module."""
    current = [v for v in report.violations if v.rule not in WAIVER_RULES]
    about_waivers = [v for v in report.violations if v.rule in WAIVER_RULES]
    before = sorted(
        (v for v in baseline.violations if v.rule not in WAIVER_RULES), key=Violation.sort_key
    )
    unchanged, new = _matched(current, Counter(v.identity() for v in before))
    present = Counter(v.identity() for v in [*current, *(w.violation for w in report.waived)])
    _, resolved = _matched(before, present)
    diff = BaselineDiff(baseline.file, len(new), tuple(unchanged), tuple(resolved))
    return Report.build(
        [*new, *about_waivers],
        report.rules,
        report.as_of,
        report.entities,
        waived=report.waived,
        baseline=diff,
    )
