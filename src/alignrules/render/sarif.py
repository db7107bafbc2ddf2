"""Report → SARIF 2.1.0, for code-scanning dashboards (GitHub, Azure DevOps, IDE viewers).

The project's one SARIF writer: a report's violations (`render_sarif`), and diagnostics with
a place in a ruleset, as `alignrules lint` reports its findings (`render_diagnostics_sarif`),
share the log's envelope, artifact locations, levels and message escaping.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any
from urllib.parse import quote

from alignrules.diagnostics import Diagnostic, visible
from alignrules.render.json import dumps
from alignrules.render.text import primary_location, rules_of
from alignrules.runtime.report import (
    WAIVER_RULES,
    Location,
    Report,
    RuleInfo,
    Severity,
    Violation,
    Waived,
)
from alignrules.source import Span

#: (entity type, key) → where that record is in the plan.
Places = Mapping[tuple[str, str], Location]

SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)

LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}

#: The key under `partialFingerprints`; bump the suffix if the hashed fields ever change.
FINGERPRINT = "alignrules/v1"

# SARIF reads `[text](n)` in a message as a link to related location n (§3.11.6).
_LINK_LIKE = re.compile(r"\]\s*\(")


def _text(data: str) -> str:
    """Text from data for a SARIF message: visible, and never mistaken for an embedded link."""
    out = visible(data)
    if _LINK_LIKE.search(out):
        # Escaping only here keeps ordinary messages byte-for-byte; viewers that do not unescape
        # would otherwise show stray backslashes in every bracket.
        out = re.sub(r"([\\\[\]])", r"\\\1", out)
    return out


def _quote(path: str, safe: str = "/") -> str:
    try:
        # A name that was undecodable bytes on disk (os.fsdecode) gets those bytes back.
        return quote(path, safe=safe, errors="surrogateescape")
    except UnicodeEncodeError:  # a lone surrogate no file system gave us: keep it visible
        return quote(path, safe=safe, errors="backslashreplace")


def artifact_uri(path: str) -> tuple[str, bool]:
    """`path` as a URI reference with forward slashes; True when it is relative.

    >>> artifact_uri("data\\\\plan 1.json"), artifact_uri("/srv/plan.json")
    (('data/plan%201.json', True), ('file:///srv/plan.json', False))
    """
    windows = PureWindowsPath(path)
    if windows.drive and windows.root:
        if windows.drive.startswith("\\\\"):  # a UNC share: the server is the URI's host
            return "file:" + _quote(windows.as_posix()), False
        return "file:///" + _quote(windows.as_posix(), safe="/:"), False
    posix = PurePosixPath(path.replace("\\", "/"))
    if posix.is_absolute():
        return "file://" + _quote(str(posix)), False
    return _quote(str(posix)), True


def fingerprint(v: Violation) -> str:
    """A hash of what the finding is about, not where it is or how it is worded.

    Code scanning matches results across runs by it, so moving a record within the file or
    rewording a rule's message keeps the alert open rather than closing and reopening it.
    """
    identity = json.dumps([v.rule, v.entity, v.key, v.field, [list(r) for r in v.related]])
    return hashlib.sha256(identity.encode()).hexdigest()[:32]


def _descriptor(rule: RuleInfo) -> dict[str, Any]:
    title = visible(rule.title)
    help_parts = [title]
    if rule.rationale:
        help_parts.append(visible(rule.rationale))
    if rule.owner:
        help_parts.append(f"Owner: {visible(rule.owner)}")
    help_parts += [f"See: {visible(link)}" for link in rule.links]
    out: dict[str, Any] = {
        "id": rule.id,
        "name": rule.id,
        "shortDescription": {"text": title},
        "fullDescription": {"text": visible(rule.rationale) if rule.rationale else title},
        "help": {"text": "\n\n".join(help_parts)},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {"tags": list(dict.fromkeys(rule.tags))},  # SARIF wants distinct tags
    }
    if rule.links:
        out["helpUri"] = rule.links[0]
    if rule.owner:
        out["properties"]["owner"] = rule.owner
    if rule.origin:
        out["properties"]["origin"] = rule.origin
    return out


def _artifact(path: str) -> dict[str, Any]:
    """An `artifactLocation`: relative paths are relative to the checked-out sources."""
    uri, relative = artifact_uri(path)
    artifact: dict[str, Any] = {"uri": uri}
    if relative:
        artifact["uriBaseId"] = "%SRCROOT%"
    return artifact


def _log(driver: dict[str, Any], run: dict[str, Any]) -> str:
    """The SARIF log of one run of `driver`; `run` holds the results and any properties."""
    # Location.column and Source.line_col both count characters.
    out = {"tool": {"driver": driver}, "columnKind": "unicodeCodePoints", **run}
    return dumps({"$schema": SCHEMA, "version": "2.1.0", "runs": [out]})


def _physical(loc: Location) -> dict[str, Any] | None:
    """A `physicalLocation` for a place in a file; None when there is no file."""
    if loc.file is None:
        return None
    physical: dict[str, Any] = {"artifactLocation": _artifact(loc.file)}
    if loc.line is not None:
        physical["region"] = {"startLine": loc.line}
        if loc.column is not None:
            physical["region"]["startColumn"] = loc.column
    return physical


def _suppression(w: Waived) -> dict[str, Any]:
    """The waiver as an accepted suppression kept outside the data (`kind: external`)."""
    out: dict[str, Any] = {
        "kind": "external",
        "status": "accepted",
        "justification": visible(w.reason),
        "properties": {"owner": w.owner, "expires": w.expires.isoformat()},
    }
    physical = _physical(w.waiver)
    if physical is not None:
        out["location"] = {"physicalLocation": physical}
    return out


def _location(v: Violation) -> dict[str, Any]:
    out: dict[str, Any] = {}
    physical = _physical(primary_location(v))
    if physical is not None:
        out["physicalLocation"] = physical
    logical: dict[str, Any] = {"name": v.key, "kind": "object"}
    if v.location.pointer:
        logical["fullyQualifiedName"] = v.location.pointer
    out["logicalLocations"] = [logical]
    return out


def _result(v: Violation, index: int, places: Places | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "ruleId": v.rule,
        "ruleIndex": index,
        "level": LEVELS[v.severity],
        "message": {"text": _text(v.message)},
        "locations": [_location(v)],
        "partialFingerprints": {FINGERPRINT: fingerprint(v)},
        # The exact data, for machines; the message above is escaped for display.
        "properties": {
            "entity": v.entity,
            "key": v.key,
            "related": [{"entity": t, "key": k} for t, k in v.related],
        },
    }
    if v.field is not None:
        out["properties"]["field"] = v.field
    if v.related:
        # Related entities have no place of their own in a Violation, only a type and a key.
        out["relatedLocations"] = [
            _related(i, t, k, places) for i, (t, k) in enumerate(v.related, start=1)
        ]
    return out


def _related(i: int, entity: str, key: str, places: Places | None) -> dict[str, Any]:
    """A related entity: by name always, and where it is in the plan when that is known."""
    out: dict[str, Any] = {
        "id": i,
        "logicalLocations": [{"name": key, "kind": "object"}],
        "message": {"text": _text(f"{entity} {key}")},
    }
    place = None if places is None else places.get((entity, key))
    if place is not None:
        physical = _physical(place)
        if physical is not None:
            out["physicalLocation"] = physical
        if place.pointer:
            out["logicalLocations"][0]["fullyQualifiedName"] = place.pointer
    return out


def render_sarif(
    report: Report,
    *,
    tool_version: str,
    ruleset_names: Sequence[str] = (),
    places: Places | None = None,
) -> str:
    """The report as a SARIF 2.1.0 log with one run.

    `places` maps (entity type, key) to where that record is in the plan; with it, each
    related entity of a result (the capability a claim promises) gets a physical location
    too, so a viewer can open it. The CLI passes the plan's records (`alignrules.alignment`).

    Every rule becomes a `reportingDescriptor` (in report order, then stand-ins for rule ids
    only violations name); every violation a `result` with a logical location (its JSON
    pointer) and, when the data came from a file, a physical one.

    Waived violations follow as results with one `suppression` (kind `external`, status
    `accepted`, the waiver's reason as justification, its owner and expiry as properties,
    its place in the waiver file as location), so viewers show them as suppressed. With a
    baseline, the results are the new findings and say `baselineState: new`.
    """
    rules = rules_of(report)
    index = {r.id: i for i, r in enumerate(rules)}
    driver: dict[str, Any] = {"name": "alignrules", "rules": [_descriptor(r) for r in rules]}
    results = [_result(v, index[v.rule], places) for v in report.violations]
    if report.baseline is not None:
        # Only new findings are left; those about the waiver file were not compared.
        for v, result in zip(report.violations, results, strict=True):
            if v.rule not in WAIVER_RULES:
                result["baselineState"] = "new"
    for w in report.waived:
        result = _result(w.violation, index[w.violation.rule], places)
        result["suppressions"] = [_suppression(w)]
        results.append(result)
    if tool_version:
        driver["version"] = tool_version
    run: dict[str, Any] = {
        "results": results,
        "properties": {
            "asOf": report.as_of.isoformat(),
            "rulesets": list(ruleset_names),
            "entities": dict(report.entities),
        },
    }
    if report.baseline is not None:
        diff = report.baseline
        run["properties"]["baseline"] = {
            "file": diff.file,
            "new": diff.new,
            "unchanged": len(diff.unchanged),
            "resolved": len(diff.resolved),
        }
    return _log(driver, run)


# ------------------------------------------------------------------ diagnostics
def render_diagnostics_sarif(
    diagnostics: Sequence[Diagnostic],
    *,
    tool: str,
    codes: Mapping[str, tuple[Severity, str]],
    tool_version: str,
) -> str:
    """Diagnostics as a SARIF 2.1.0 log with one run of `tool`: every code of `codes` (code →
    severity and one-line summary) is a `reportingDescriptor`, in the table's order, and every
    diagnostic a result whose region is its span (a diagnostic with no span has no location).

    The fingerprint hashes the code, the file and the message, so a finding keeps its alert
    when lines move above it.
    """
    index = {code: i for i, code in enumerate(codes)}
    rules = [
        {
            "id": code,
            "name": code,
            "shortDescription": {"text": summary},
            "defaultConfiguration": {"level": LEVELS[severity]},
        }
        for code, (severity, summary) in codes.items()
    ]
    results = [_diagnostic_result(d, index[d.code], f"{tool}/v1") for d in diagnostics]
    driver: dict[str, Any] = {"name": tool, "rules": rules}
    if tool_version:
        driver["version"] = tool_version
    return _log(driver, {"results": results})


def _diagnostic_result(d: Diagnostic, index: int, fingerprint_key: str) -> dict[str, Any]:
    place = d.span.source.name if d.span is not None else d.where
    identity = json.dumps([d.code, place, d.message])
    out: dict[str, Any] = {
        "ruleId": d.code,
        "ruleIndex": index,
        "level": LEVELS[d.severity],
        "message": {"text": _text(d.message)},
        "partialFingerprints": {
            fingerprint_key: hashlib.sha256(identity.encode()).hexdigest()[:32]
        },
    }
    if d.span is not None:
        out["locations"] = [
            {
                "physicalLocation": {
                    "artifactLocation": _artifact(d.span.source.name),
                    "region": _region(d.span),
                }
            }
        ]
    if d.hint:
        out["properties"] = {"hint": d.hint}
    return out


def _region(span: Span) -> dict[str, int]:
    line, col = span.source.line_col(span.start)
    end_line, end_col = span.source.line_col(max(span.end, span.start))
    return {"startLine": line, "startColumn": col, "endLine": end_line, "endColumn": end_col}
