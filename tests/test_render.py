"""Renderers: every format from hand-built reports, validated against the published schemas."""

from __future__ import annotations

import doctest
import importlib
import json
import xml.etree.ElementTree as ET
from datetime import date
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from alignrules.diagnostics import DiagnosticError
from alignrules.render import FORMATS, render, renderer
from alignrules.render.github import render_github
from alignrules.render.json import render_json
from alignrules.render.junit import render_junit
from alignrules.render.markdown import render_markdown
from alignrules.render.sarif import FINGERPRINT, SCHEMA, artifact_uri, fingerprint, render_sarif
from alignrules.render.text import render_text
from alignrules.runtime.report import Location, Report, RuleInfo, Severity, Violation
from tests.conftest import junit_schema, sarif_validator

AS_OF = date(2024, 5, 1)

UNFUNDED = RuleInfo(
    id="no-unfunded-claims",
    title="No claim may promise an unfunded capability",
    severity=Severity.ERROR,
    origin="rulesets/strategy.rules:14",
    rationale="Marketing may reveal value, never disguise its absence.",
    owner="strategy-office",
    tags=("hollow-brand", "claims", "claims"),
    links=("https://example.com/rules/no-unfunded-claims", "https://example.com/other"),
)
LAUNCH = RuleInfo(
    id="launch-after-ready",
    title="A campaign launches after its capability is ready",
    severity=Severity.WARNING,
    origin="rulesets/ops.rules:3",
)
JOBS = RuleInfo(
    id="segments-declare-jobs",
    title="Every segment declares its job to be done",
    severity=Severity.INFO,
    origin="<string>:1",
)
TRACES = RuleInfo(
    id="campaign-traces-objective",
    title="Every campaign traces to an objective",
    severity=Severity.ERROR,
    origin="rulesets/strategy.rules:30",
)

HOSTILE = 'claim "C1" | promises <script>alert(1)</script> `K1` *now* & #1'
CONTROL = "evil\nline\x00 \u202etxt.exe"

V_HOSTILE = Violation(
    rule=UNFUNDED.id,
    severity=Severity.ERROR,
    message=HOSTILE,
    entity="Claim",
    key="C1",
    location=Location("plan.json", "/claims/0", 12, 5),
    related=(("Capability", "K1"), ("Capability", "K|2<b>")),
)
V_CONTROL = Violation(
    rule=UNFUNDED.id,
    severity=Severity.ERROR,
    message=CONTROL,
    entity="Claim",
    key="C10\u202e",
    location=Location(None, "/claims/9"),
)
V_FIELD = Violation(
    rule=LAUNCH.id,
    severity=Severity.WARNING,
    message="campaign X3 launches on 2024-03-01, before K1 is ready",
    entity="Campaign",
    key="X3",
    location=Location("data/campaigns.csv", "/campaigns/2"),
    field="launch_on",
    field_location=Location("data/campaigns.csv", "/campaigns/2/launch_on", 4, 3),
)
V_INFO = Violation(
    rule=JOBS.id,
    severity=Severity.INFO,
    message="100% of segment S1\r\n::error::injected",
    entity="Segment",
    key="S1",
    location=Location("data\\win path,with:colon.json", "/segments/0", 2),
)
V_ORPHAN = Violation(
    rule="dangling-reference",
    severity=Severity.ERROR,
    message="claim C2 references [K9](1), which does not exist",
    entity="Claim",
    key="C2",
    location=Location("plan.json", "/claims/1", 20, 5),
    related=(("Capability", "K9"),),
)
VIOLATIONS = (V_HOSTILE, V_CONTROL, V_FIELD, V_INFO, V_ORPHAN)
RULES = (UNFUNDED, LAUNCH, JOBS, TRACES)
ENTITIES = (("Claim", 3), ("Capability", 5), ("Campaign", 4), ("Segment", 1))

REPORT = Report.build(VIOLATIONS, RULES, AS_OF, ENTITIES)
CLEAN = Report.build((), RULES, AS_OF, ENTITIES)
EMPTY = Report.build((), (), AS_OF)
REPORTS = {"full": REPORT, "clean": CLEAN, "empty": EMPTY}

OPTIONS: dict[str, Any] = {"tool_version": "0.1.0", "ruleset_names": ("strategy", "ops")}


# --- all formats ------------------------------------------------------------------------------


def test_formats_are_registered() -> None:
    assert set(FORMATS) == {
        "text", "json", "sarif", "junit", "github", "markdown", "html", "gitlab"
    }  # fmt: skip


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize("which", sorted(REPORTS))
def test_deterministic_and_independent_of_input_order(fmt: str, which: str) -> None:
    report = REPORTS[which]
    shuffled = Report.build(reversed(report.violations), report.rules, AS_OF, report.entities)
    first = render(report, fmt, **OPTIONS)
    assert first == render(report, fmt, **OPTIONS) == render(shuffled, fmt, **OPTIONS)
    assert first == "" or first.endswith("\n")
    first.encode("utf-8")  # always writable as UTF-8


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_render_dispatches_to_the_named_renderer(fmt: str) -> None:
    assert render(REPORT, fmt, **OPTIONS) == renderer(fmt)(REPORT, **OPTIONS)
    module = importlib.import_module(f"alignrules.render.{fmt}")
    assert renderer(fmt) is getattr(module, f"render_{fmt}")


@pytest.mark.parametrize("module", ["text", "json", "sarif", "junit", "github", "markdown", "html"])
def test_docstring_examples(module: str) -> None:
    result = doctest.testmod(importlib.import_module(f"alignrules.render.{module}"))
    assert result.failed == 0
    assert result.attempted > 0


def test_unknown_format_is_a_usage_error() -> None:
    with pytest.raises(DiagnosticError) as err:
        render(REPORT, "yaml", tool_version="0.1.0")
    (diag,) = err.value.diagnostics
    assert diag.code == "usage"
    assert "`yaml`" in diag.message
    assert diag.hint is not None and "`sarif`" in diag.hint


@pytest.mark.parametrize("fmt", ["text", "junit", "github", "markdown"])
def test_human_formats_show_hidden_characters_escaped(fmt: str) -> None:
    out = render(REPORT, fmt, **OPTIONS)
    assert "\x00" not in out
    assert "\u202e" not in out
    assert "\\x00" in out
    assert "\\u202e" in out


# --- text -------------------------------------------------------------------------------------


def test_text_output() -> None:
    assert render_text(REPORT).splitlines() == [
        "plan.json:20:5: error: claim C2 references [K9](1), which does not exist"
        "  [dangling-reference]",
        "    Claim `C2` at /claims/1; related Capability `K9`",
        f"plan.json:12:5: error: {HOSTILE}  [no-unfunded-claims]",
        "    Claim `C1` at /claims/0; related Capability `K1`, Capability `K|2<b>`",
        "<data> /claims/9: error: evil\\nline\\x00 \\u202etxt.exe  [no-unfunded-claims]",
        "    Claim `C10\\u202e`",
        "data/campaigns.csv:4:3: warning: campaign X3 launches on 2024-03-01, before K1 is ready"
        "  [launch-after-ready]",
        "    Campaign `X3`, field launch_on at /campaigns/2/launch_on",
        "data\\win path,with:colon.json:2: info: 100% of segment S1\\r\\n::error::injected"
        "  [segments-declare-jobs]",
        "    Segment `S1` at /segments/0",
        "5 violations (3 errors, 1 warning, 1 info) in 13 entities, 4 rules",
    ]


def test_text_summary_without_violations() -> None:
    assert render_text(CLEAN) == "no violations: 4 rules over 13 entities\n"
    one = Report.build([V_FIELD], [LAUNCH], AS_OF, [("Campaign", 1)])
    assert render_text(one).splitlines()[-1] == "1 violation (1 warning) in 1 entity, 1 rule"


# --- json -------------------------------------------------------------------------------------


def test_json_document() -> None:
    out = render_json(REPORT, **OPTIONS)
    doc = json.loads(out)
    assert doc["version"] == 1
    assert doc["tool"] == {"name": "alignrules", "version": "0.1.0"}
    assert doc["as_of"] == "2024-05-01"
    assert doc["rulesets"] == ["strategy", "ops"]
    assert doc["summary"] == {"violations": 5, "error": 3, "warning": 1, "info": 1, "ok": False}
    assert [r["id"] for r in doc["rules"]] == [r.id for r in RULES]
    assert doc["rules"][0]["tags"] == ["hollow-brand", "claims", "claims"]
    assert doc["violations"] == [v.to_json() for v in REPORT.violations]
    assert (
        out
        == json.dumps(doc, sort_keys=True, indent=2, ensure_ascii=False).replace(
            "\u202e", "\\u202e"
        )
        + "\n"
    )


def test_json_round_trips_data_strings_and_hides_nothing_raw() -> None:
    odd = '\u202e \x00 \u2028 \ud800 \U0001f600 caf\u00e9 \U000e0001 "q" \\ </script>'
    v = attrs.evolve(V_CONTROL, message=odd, key=odd)
    out = render_json(Report.build([v], RULES, AS_OF), **OPTIONS)
    out.encode("utf-8")  # the lone surrogate is escaped, not written raw
    assert "\u202e" not in out and "\u2028" not in out and "\U000e0001" not in out
    assert "café" in out and "\U0001f600" in out  # readable text stays readable
    (back,) = json.loads(out)["violations"]
    assert back["message"] == odd
    assert back["key"] == odd


def test_json_clean_report_is_ok() -> None:
    doc = json.loads(render_json(CLEAN, tool_version="1"))
    assert doc["summary"] == {"violations": 0, "error": 0, "warning": 0, "info": 0, "ok": True}
    assert doc["violations"] == []


# --- sarif ------------------------------------------------------------------------------------


@pytest.mark.parametrize("which", sorted(REPORTS))
def test_sarif_is_valid(which: str) -> None:
    doc = json.loads(render_sarif(REPORTS[which], **OPTIONS))
    errors = sorted(sarif_validator().iter_errors(doc), key=str)
    assert not errors, "\n".join(str(e) for e in errors[:3])
    assert doc["$schema"] == SCHEMA
    assert doc["version"] == "2.1.0"


def test_sarif_rules_and_results() -> None:
    doc = json.loads(render_sarif(REPORT, **OPTIONS))
    (run,) = doc["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "alignrules"
    assert driver["version"] == "0.1.0"
    rules = driver["rules"]
    assert [r["id"] for r in rules] == [r.id for r in RULES] + ["dangling-reference"]
    first = rules[0]
    assert first["shortDescription"]["text"] == UNFUNDED.title
    assert first["fullDescription"]["text"] == UNFUNDED.rationale
    assert UNFUNDED.rationale in first["help"]["text"]
    assert "strategy-office" in first["help"]["text"]
    assert first["helpUri"] == UNFUNDED.links[0]
    assert first["properties"]["tags"] == ["hollow-brand", "claims"]
    assert [r["defaultConfiguration"]["level"] for r in rules] == [
        "error",
        "warning",
        "note",
        "error",
        "error",
    ]
    results = run["results"]
    assert len(results) == len(REPORT.violations)
    for result, v in zip(results, REPORT.violations, strict=True):
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"] == v.rule
        assert (
            result["level"]
            == {"error": "error", "warning": "warning", "info": "note"}[str(v.severity)]
        )
        (loc,) = result["locations"]
        assert loc["logicalLocations"][0]["fullyQualifiedName"] == v.location.pointer
        assert result["partialFingerprints"][FINGERPRINT] == fingerprint(v)
        assert result["properties"]["key"] == v.key  # the exact data, for machines


def _result_for(v: Violation) -> dict[str, Any]:
    doc = json.loads(render_sarif(Report.build([v], RULES, AS_OF), tool_version="1"))
    result: dict[str, Any] = doc["runs"][0]["results"][0]
    return result


def test_sarif_locations() -> None:
    hostile = _result_for(V_HOSTILE)
    assert hostile["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "plan.json", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 12, "startColumn": 5},
    }
    assert hostile["message"]["text"] == HOSTILE  # plain text: no escaping needed
    assert [r["message"]["text"] for r in hostile["relatedLocations"]] == [
        "Capability K1",
        "Capability K|2<b>",
    ]
    assert hostile["properties"]["related"] == [
        {"entity": "Capability", "key": "K1"},
        {"entity": "Capability", "key": "K|2<b>"},
    ]
    in_memory = _result_for(V_CONTROL)
    assert "physicalLocation" not in in_memory["locations"][0]
    assert in_memory["locations"][0]["logicalLocations"] == [
        {"name": "C10\u202e", "kind": "object", "fullyQualifiedName": "/claims/9"}
    ]
    assert in_memory["message"]["text"] == "evil\\nline\\x00 \\u202etxt.exe"
    field = _result_for(V_FIELD)
    assert field["locations"][0]["physicalLocation"]["region"] == {"startLine": 4, "startColumn": 3}
    assert field["properties"]["field"] == "launch_on"
    windows = _result_for(V_INFO)
    assert windows["locations"][0]["physicalLocation"] == {
        "artifactLocation": {
            "uri": "data/win%20path%2Cwith%3Acolon.json",
            "uriBaseId": "%SRCROOT%",
        },
        "region": {"startLine": 2},
    }


def test_sarif_escapes_text_that_looks_like_an_embedded_link() -> None:
    text = _result_for(V_ORPHAN)["message"]["text"]
    assert text == "claim C2 references \\[K9\\](1), which does not exist"


def test_sarif_artifact_uris() -> None:
    assert artifact_uri("plan.json") == ("plan.json", True)
    assert artifact_uri("./data//plan.json") == ("data/plan.json", True)
    assert artifact_uri("data\\sub\\plan.json") == ("data/sub/plan.json", True)
    assert artifact_uri("C:\\work\\plan.json") == ("file:///C:/work/plan.json", False)
    assert artifact_uri("/srv/a b/plan.json") == ("file:///srv/a%20b/plan.json", False)
    assert artifact_uri("données/plan.json") == ("donn%C3%A9es/plan.json", True)
    assert artifact_uri("\\\\server\\share\\plan.json") == ("file://server/share/plan.json", False)
    assert artifact_uri("bad\udcffname.json") == ("bad%FFname.json", True)  # os.fsdecode'd bytes
    assert artifact_uri("odd\ud800.json") == ("odd%5Cud800.json", True)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_file_names_with_surrogates_render(fmt: str) -> None:
    v = attrs.evolve(V_HOSTILE, location=Location("bad\udcff\ud800.json", "/claims/0", 1, 1))
    render(Report.build([v], RULES, AS_OF), fmt, **OPTIONS).encode("utf-8")


def test_sarif_fingerprint_tracks_the_finding_not_its_place_or_wording() -> None:
    moved = attrs.evolve(
        V_HOSTILE, location=Location("plan.json", "/claims/7", 99, 1), message="reworded"
    )
    assert fingerprint(moved) == fingerprint(V_HOSTILE)
    assert fingerprint(attrs.evolve(V_HOSTILE, key="C2")) != fingerprint(V_HOSTILE)
    assert fingerprint(attrs.evolve(V_HOSTILE, related=())) != fingerprint(V_HOSTILE)
    assert fingerprint(attrs.evolve(V_HOSTILE, rule="other")) != fingerprint(V_HOSTILE)


# --- junit ------------------------------------------------------------------------------------


@pytest.mark.parametrize("which", sorted(REPORTS))
def test_junit_is_valid(which: str) -> None:
    junit_schema().validate(render_junit(REPORTS[which], **OPTIONS))


def test_junit_structure() -> None:
    out = render_junit(REPORT, **OPTIONS)
    assert out.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>')
    root = ET.fromstring(out.encode("utf-8"))
    (suite,) = root
    assert suite.attrib == {
        "name": "alignrules",
        "timestamp": "2024-05-01T00:00:00",
        "hostname": "alignrules",
        "tests": "5",
        "failures": "4",
        "errors": "0",
        "time": "0",
        "package": "alignrules",
        "id": "0",
    }
    assert [(p.get("name"), p.get("value")) for p in suite.iter("property")] == [
        ("alignrules.version", "0.1.0"),
        ("alignrules.as_of", "2024-05-01"),
        ("alignrules.ruleset", "strategy"),
        ("alignrules.ruleset", "ops"),
    ]
    cases = {c.get("name"): c for c in suite.iter("testcase")}
    assert list(cases) == [r.id for r in RULES] + ["dangling-reference"]
    assert cases["no-unfunded-claims"].get("classname") == "alignrules.strategy"
    assert cases["dangling-reference"].get("classname") == "alignrules"
    assert cases["campaign-traces-objective"].find("failure") is None
    failure = cases["no-unfunded-claims"].find("failure")
    assert failure is not None
    assert failure.get("type") == "error"
    assert failure.get("message") == f"2 violations; first: {HOSTILE}"
    assert failure.text is not None
    assert "plan.json:12:5: error: " + HOSTILE in failure.text
    assert "<data> /claims/9: error: evil\\nline\\x00 \\u202etxt.exe" in failure.text
    single = cases["launch-after-ready"].find("failure")
    assert single is not None
    assert single.get("message") == V_FIELD.message
    assert single.get("type") == "warning"
    assert (
        suite.findtext("system-out")
        == "5 violations (3 errors, 1 warning, 1 info) in 13 entities, 4 rules"
    )


def test_junit_escapes_every_character_xml_forbids() -> None:
    forbidden = "".join(map(chr, [0, 1, 8, 0x0B, 0x0C, 0x1F, 0xD800, 0xDFFF, 0xFFFE, 0xFFFF]))
    v = attrs.evolve(V_CONTROL, message=forbidden, key=forbidden, entity=forbidden)
    out = render_junit(Report.build([v], RULES, AS_OF), tool_version=forbidden)
    ET.fromstring(out.encode("utf-8"))
    junit_schema().validate(out)


# --- github -----------------------------------------------------------------------------------


def test_github_commands() -> None:
    assert render_github(REPORT).splitlines() == [
        "::error file=plan.json,line=20,col=5,title=dangling-reference::"
        "claim C2 references [K9](1), which does not exist%0AClaim `C2`; related Capability `K9`",
        "::error file=plan.json,line=12,col=5,title=no-unfunded-claims::"
        + HOSTILE
        + "%0AClaim `C1`; related Capability `K1`, Capability `K|2<b>`",
        "::error title=no-unfunded-claims::evil%0Aline\\x00 \\u202etxt.exe"
        "%0AClaim `C10\\u202e` at /claims/9",
        "::warning file=data/campaigns.csv,line=4,col=3,title=launch-after-ready::"
        "campaign X3 launches on 2024-03-01, before K1 is ready%0ACampaign `X3`, field launch_on",
        "::notice file=data/win path%2Cwith%3Acolon.json,line=2,title=segments-declare-jobs::"
        "100%25 of segment S1%0D%0A::error::injected%0ASegment `S1`",
    ]


def test_github_output_has_one_line_per_violation() -> None:
    out = render_github(REPORT)
    assert out.count("\n") == len(REPORT.violations)
    assert "\r" not in out
    assert render_github(CLEAN) == ""


def test_github_file_without_line() -> None:
    v = attrs.evolve(V_FIELD, field_location=None)
    assert render_github(Report.build([v], RULES, AS_OF)) == (
        "::warning file=data/campaigns.csv,title=launch-after-ready::"
        "campaign X3 launches on 2024-03-01, before K1 is ready"
        "%0ACampaign `X3`, field launch_on at /campaigns/2\n"
    )


# --- markdown ---------------------------------------------------------------------------------


def _cells(row: str) -> list[str]:
    """Split a table row on unescaped pipes, as GitHub does."""
    cells, cell, chars = [], "", iter(row)
    for ch in chars:
        if ch == "\\":
            cell += ch + next(chars, "")
        elif ch == "|":
            cells.append(cell)
            cell = ""
        else:
            cell += ch
    return [*cells, cell]


def test_markdown_summary() -> None:
    out = render_markdown(REPORT, **OPTIONS)
    lines = out.splitlines()
    assert lines[0] == "## alignrules: 5 violations"
    assert "as of 2024-05-01 · rulesets: strategy, ops · alignrules 0.1.0" in lines
    assert "| error | 3 |" in lines and "| warning | 1 |" in lines and "| info | 1 |" in lines
    assert "campaign-traces-objective" not in out  # rules without violations get no table
    assert [line for line in lines if line.startswith("### ")] == [  # worst first
        "### dangling-reference",
        "### no-unfunded-claims: No claim may promise an unfunded capability",
        "### launch-after-ready: A campaign launches after its capability is ready",
        "### segments-declare-jobs: Every segment declares its job to be done",
    ]
    first_rule = lines.index("### dangling-reference")
    counts = [line for line in lines[:first_rule] if line.startswith("| ")]
    rows = [line for line in lines[first_rule:] if line.startswith("| ")]
    assert len(counts) == 2 + 3  # header, rule, a row per severity
    sections = len({v.rule for v in REPORT.violations})
    assert len(rows) == 2 * sections + len(REPORT.violations)
    assert all(len(_cells(row)) == 2 + 2 for row in counts)
    assert all(len(_cells(row)) == 2 + 3 for row in rows)  # no data pipe splits a cell


def test_markdown_escapes_data() -> None:
    out = render_markdown(REPORT, **OPTIONS)
    assert "<script>" not in out and "<b>" not in out
    assert (
        "| plan.json:12:5<br>/claims/0 | Claim C1<br>related Capability K1, Capability K\\|2&lt;b&gt; "
        '| claim "C1" \\| promises &lt;script&gt;alert(1)&lt;/script&gt; \\`K1\\` \\*now\\* &amp; \\#1 |'
    ) in out.splitlines()
    assert (
        "| &lt;data&gt; /claims/9 | Claim C10\\\\u202e | evil\\\\nline\\\\x00 \\\\u202etxt.exe |"
        in out
    )


def test_markdown_without_violations() -> None:
    assert render_markdown(CLEAN, tool_version="0.1.0") == (
        "## alignrules: no violations\n\n"
        "No violations: 4 rules over 13 entities.\n\n"
        "as of 2024-05-01 · alignrules 0.1.0\n"
    )


def test_markdown_limits_rows_per_rule() -> None:
    many = [attrs.evolve(V_HOSTILE, key=f"C{i}") for i in range(5)]
    out = render_markdown(Report.build(many, RULES, AS_OF), max_rows=2)
    assert out.count("| plan.json:12:5") == 2
    assert out.endswith("\n… and 3 more.\n")


# --- any data at all --------------------------------------------------------------------------


@given(message=st.text(), key=st.text(min_size=1), file=st.none() | st.text(min_size=1))
def test_any_data_renders_safely(message: str, key: str, file: str | None) -> None:
    v = attrs.evolve(
        V_HOSTILE,
        message=message,
        key=key,
        location=Location(file, "/claims/0", 1, 1),
        related=(("Capability", message),),
    )
    # Not Report.build: its natural sort crashes on keys such as "²" (str.isdigit but not int).
    report = Report((v,), RULES, AS_OF)
    text = render_text(report)
    assert all(ch.isprintable() or ch in "\t\n" for ch in text)
    assert text.count("\n") == 3
    assert render_github(report).count("\n") == 1
    ET.fromstring(render_junit(report, tool_version="1").encode("utf-8"))
    (back,) = json.loads(render_json(report, tool_version="1"))["violations"]
    assert (back["message"], back["key"]) == (message, key)
    sarif = json.loads(render_sarif(report, tool_version="1"))
    assert sarif["runs"][0]["results"][0]["properties"]["key"] == key
    row = render_markdown(report).splitlines()[-1]
    assert len(_cells(row)) == 5
