"""Report → a stable JSON document for machines (version 1); diagnostics as findings."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from typing import Any

from alignrules.diagnostics import BIDI_CONTROLS, SEVERITY_WORDS, Diagnostic
from alignrules.gcpause import gc_paused
from alignrules.runtime.report import Location, Report, RuleInfo, Severity, Violation

#: Bumped only when a field changes meaning or disappears; new fields keep the version.
FORMAT_VERSION = 1

# After json.dumps(ensure_ascii=False) every character outside printable ASCII (and the indent
# newlines) sits inside a string literal, so it may be replaced by a \u escape there.
_NON_ASCII = re.compile(r"[^\x20-\x7e\n]")


def _escape(match: re.Match[str]) -> str:
    ch = match.group()
    if ch.isprintable() and ch not in BIDI_CONTROLS:
        return ch
    code = ord(ch)
    if code > 0xFFFF:  # JSON spells astral characters as a UTF-16 surrogate pair
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def dumps(document: Any) -> str:
    r"""`document` as sorted, indented JSON text ending in a newline.

    Readable non-ASCII text stays as it is; characters that could disguise a terminal or a
    diff (U+202E, U+2028, lone surrogates...) become `\u` escapes. `json.loads` gives back the
    exact strings, and the text always encodes as UTF-8.

    >>> print(dumps({"b": "café", "a": "\u202e"}), end="")
    {
      "a": "\u202e",
      "b": "café"
    }
    """
    try:
        text = _indented(document)
    except _Unusual:
        text = json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False)
    return _finish(text)


def _finish(text: str) -> str:
    if text.isascii() and "\x7f" not in text:
        # json.dumps escapes every other control character: nothing to replace, and scanning
        # a 250 MB report with the pattern takes seconds.
        return text + "\n"
    return _NON_ASCII.sub(_escape, text) + "\n"


class _Unusual(Exception):
    """A value `_indented` leaves to `json.dumps`: a float, a non-text key, another type."""


#: The C function `json.dumps(..., ensure_ascii=False)` quotes every string with.
_quoted = json.encoder.encode_basestring
_CONSTANTS = {None: "null", True: "true", False: "false"}


def _indented(document: Any) -> str:
    """`json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False)`, byte for byte, for
    documents made of dicts with text keys, lists, tuples, text, ints, bools and None.

    With `indent`, `json.dumps` runs its pure-Python encoder, a generator per container and a
    yield per token: rendering 400,000 violations took longer than checking them. This walks
    the document with one call per container and one piece of text per item, and quotes
    strings with the same C function. Raises `_Unusual` for anything else (the caller then
    uses `json.dumps`).
    """
    parts: list[str] = []
    add = parts.append
    quoted = _quoted

    def scalar(value: Any) -> str:
        if isinstance(value, str):
            return quoted(value)
        if value is None or value is True or value is False:
            return _CONSTANTS[value]
        if isinstance(value, int):
            return int.__repr__(value)
        if type(value) is _Indented:
            return value.text
        raise _Unusual  # a float (json.dumps's repr rules), or not JSON at all

    def container(value: Any, level: int) -> None:
        inner = "\n" + "  " * (level + 1)
        if isinstance(value, dict):
            if not value:
                add("{}")
                return
            separator = "{" + inner
            for key, item in sorted(value.items()):
                if type(key) is not str and not isinstance(key, str):
                    raise _Unusual
                kind = type(item)
                if kind is str:
                    add(f"{separator}{quoted(key)}: {quoted(item)}")
                elif kind is dict or kind is list or isinstance(item, dict | list | tuple):
                    add(f"{separator}{quoted(key)}: ")
                    container(item, level + 1)
                else:
                    add(f"{separator}{quoted(key)}: {scalar(item)}")
                separator = "," + inner
            add("\n" + "  " * level + "}")
        elif isinstance(value, list | tuple):
            if not value:
                add("[]")
                return
            separator = "[" + inner
            for item in value:
                if isinstance(item, dict | list | tuple):
                    add(separator)
                    container(item, level + 1)
                else:
                    add(separator + scalar(item))
                separator = "," + inner
            add("\n" + "  " * level + "]")
        else:
            add(scalar(value))

    container(document, 0)
    return "".join(parts)


class _Indented:
    """A value's JSON text, already indented for where it stands in the document."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


def _violation_writer(level: int) -> Callable[[Violation], _Indented]:
    """`Violation.to_json()` as `_indented` writes it at `level`, without the dicts between.

    Most of a large report is its violations; making a dict per violation, location and
    related entity and walking them again took most of the time of rendering one. The keys
    are written in sorted order, as `json.dumps(sort_keys=True)` puts them. This must say
    what `Violation.to_json` says: tests/test_performance_paths.py compares the two.
    Raises `_Unusual` for a value of another type than the fields declare.
    """
    quoted = _quoted
    i1, i2, i3 = ("\n" + "  " * (level + n) for n in (1, 2, 3))
    severity = {s: quoted(str(s)) for s in Severity}

    def text(value: Any) -> str:
        if type(value) is not str:
            raise _Unusual
        return quoted(value)

    def number(value: Any) -> str:
        if value is None:
            return "null"
        if type(value) is not int:
            raise _Unusual
        return int.__repr__(value)

    def location(loc: Location) -> str:
        return (
            f'{{{i2}"column": {number(loc.column)},'
            f'{i2}"file": {"null" if loc.file is None else text(loc.file)},'
            f'{i2}"line": {number(loc.line)},'
            f'{i2}"pointer": {text(loc.pointer)}{i1}}}'
        )

    def write(v: Violation) -> _Indented:
        parts = ["{", i1, '"entity": ', text(v.entity)]
        if v.field is not None:
            parts += [",", i1, '"field": ', text(v.field)]
        if v.field_location is not None:
            parts += [",", i1, '"field_location": ', location(v.field_location)]
        parts += [",", i1, '"key": ', text(v.key)]
        parts += [",", i1, '"location": ', location(v.location)]
        parts += [",", i1, '"message": ', text(v.message)]
        if v.related:
            related = ",".join(
                f'{i2}{{{i3}"entity": {text(t)},{i3}"key": {text(k)}{i2}}}' for t, k in v.related
            )
            parts += [",", i1, '"related": [', related, i1, "]"]
        else:
            parts += [",", i1, '"related": []']
        parts += [",", i1, '"rule": ', text(v.rule)]
        parts += [",", i1, '"severity": ', severity[v.severity], i1[:-2], "}"]
        return _Indented("".join(parts))

    return write


def rule_json(rule: RuleInfo) -> dict[str, Any]:
    """A rule's metadata as plain JSON values."""
    return {
        "id": rule.id,
        "title": rule.title,
        "severity": str(rule.severity),
        "origin": rule.origin,
        "rationale": rule.rationale,
        "owner": rule.owner,
        "tags": list(rule.tags),
        "links": list(rule.links),
    }


def render_json(report: Report, *, tool_version: str, ruleset_names: Sequence[str] = ()) -> str:
    """The report as a JSON document.

    ```json
    {"version": 1, "tool": {"name": "alignrules", "version": "0.1.0"}, "as_of": "2024-05-01",
     "rulesets": ["strategy"], "entities": {"Claim": 12},
     "summary": {"violations": 1, "error": 1, "warning": 0, "info": 0, "ok": false},
     "rules": [{"id": "no-unfunded-claims", ...}], "violations": [{"rule": ..., ...}]}
    ```

    With waivers, `waived` lists the accepted violations, each with a `waiver` object
    (`reason`, `owner`, `expires`, `location` in the waiver file); with a baseline,
    `baseline` holds `file`, the counts `new`, `unchanged`, `resolved`, and the lists
    `unchanged_violations` and `resolved_violations`.
    """
    with gc_paused():  # many new objects, none in a cycle: see alignrules.gcpause
        try:
            return _finish(_indented(_document(report, tool_version, ruleset_names, fast=True)))
        except _Unusual:
            return dumps(_document(report, tool_version, ruleset_names))


def _document(
    report: Report, tool_version: str, ruleset_names: Sequence[str], *, fast: bool = False
) -> dict[str, Any]:
    """The JSON document of `report`; with `fast`, its violations already written (for
    `_indented` only: `json.dumps` cannot take them)."""
    counts = report.counts()
    document: dict[str, Any] = {
        "version": FORMAT_VERSION,
        "tool": {"name": "alignrules", "version": tool_version},
        "as_of": report.as_of.isoformat(),
        "rulesets": list(ruleset_names),
        "entities": dict(report.entities),
        "summary": {"violations": len(report.violations), **counts, "ok": report.ok},
        "rules": [rule_json(r) for r in report.rules],
        "violations": (
            list(map(_violation_writer(2), report.violations))
            if fast
            else [v.to_json() for v in report.violations]
        ),
    }
    # Present only when used, so reports made without waivers or a baseline stay as they were.
    if report.waived:
        document["waived"] = [w.to_json() for w in report.waived]
    if report.baseline is not None:
        document["baseline"] = report.baseline.to_json()
    return document


def render_diagnostics_json(diagnostics: Sequence[Diagnostic]) -> str:
    """Diagnostics as `{"version": 1, "findings": [...]}`, the form `alignrules lint` prints.

    Each finding has `code`, `severity` (`error`, `warning` or `note`, as the text says it),
    `message`, `hint` and `file`, with `line`, `column`, `end_line` and `end_column` when the
    diagnostic has a span; without one, `file` is its `where`.
    """
    return dumps(
        {"version": FORMAT_VERSION, "findings": [_diagnostic_json(d) for d in diagnostics]}
    )


def _diagnostic_json(d: Diagnostic) -> dict[str, Any]:
    out: dict[str, Any] = {
        "code": d.code,
        "severity": SEVERITY_WORDS[d.severity],
        "message": d.message,
        "hint": d.hint,
        "file": d.where,
    }
    if d.span is not None:
        source = d.span.source
        line, column = source.line_col(d.span.start)
        end_line, end_column = source.line_col(max(d.span.end, d.span.start))
        out.update(
            file=source.name, line=line, column=column, end_line=end_line, end_column=end_column
        )
    return out
