"""One rule over several kinds of record: a rule of several bodies, as users run it.

Every output format names both subject entities under the one rule id; waivers and
baselines by rule id cover every body; `fmt` round-trips the bodies; misuse is a located
error and exit 2 with nothing written; examples, lint, explain, the SQL text, the document
and the editor's completions see the bodies.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from alignrules.cli import main
from alignrules.compile import compile_paths
from alignrules.lsp.complete import complete
from alignrules.render import FORMATS

RULES = """\
enum Metric { roic, market_share, cac, sentiment }

entity Objective in "objectives" {
    id: text
    name: text
    metric: Metric
}

entity MarketingStrategy in "strategies" {
    id: text
    name: text
    metric: Metric?
}

param business_metrics: set of Metric = {roic, market_share}

rule metric-by-level {
    title "Objectives and marketing strategies use the metrics of their level"
    rationale "Each level is measured by what it can move."
    every Objective as item must item.metric in business_metrics
    no MarketingStrategy as item where item.metric is present may item.metric in business_metrics
    message "{item.name} is measured by {item.metric}"
}
"""

PLAN = {
    "objectives": [
        {"id": "O1", "name": "Share", "metric": "market_share"},
        {"id": "O2", "name": "Cheap", "metric": "cac"},
    ],
    "strategies": [
        {"id": "S1", "name": "Loved", "metric": "sentiment"},
        {"id": "S2", "name": "Returns", "metric": "roic"},
        {"id": "S3", "name": "Unmeasured"},
    ],
}

BOTH = [("MarketingStrategy", "S2"), ("Objective", "O2")]


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    ruleset, data = tmp_path / "levels.rules", tmp_path / "levels.json"
    ruleset.write_text(RULES, encoding="utf-8")
    data.write_text(json.dumps(PLAN, indent=2), encoding="utf-8")
    return ruleset, data


def _check(files: tuple[Path, Path], fmt: str, *args: str) -> tuple[int, str]:
    ruleset, data = files
    out = ruleset.parent / f"report.{fmt}"
    code = main(["check", str(ruleset), "--data", str(data), *args, "--output", f"{fmt}={out}"])
    return code, out.read_text(encoding="utf-8")


def _findings(report: str) -> list[tuple[str, str, str]]:
    return [(v["rule"], v["entity"], v["key"]) for v in json.loads(report)["violations"]]


@pytest.mark.parametrize("engine", ["python", "duckdb"])
def test_json_names_both_entities_under_one_rule(files: tuple[Path, Path], engine: str) -> None:
    if engine == "duckdb":
        pytest.importorskip("duckdb")
    code, report = _check(files, "json", "--engine", engine)
    assert code == 1
    assert _findings(report) == [("metric-by-level", e, k) for e, k in BOTH]
    rules = [r["id"] for r in json.loads(report)["rules"]]
    assert rules.count("metric-by-level") == 1


def test_text_names_both_entities_under_one_rule(files: tuple[Path, Path]) -> None:
    code, text = _check(files, "text")
    assert code == 1
    assert "Returns is measured by roic  [metric-by-level]" in text
    assert "Cheap is measured by cac  [metric-by-level]" in text
    assert "MarketingStrategy `S2`, field metric" in text
    assert "Objective `O2`, field metric" in text
    assert text.endswith("2 violations (2 errors) in 5 entities, 2 rules\n")


def test_sarif_has_one_rule_and_results_on_both_entities(files: tuple[Path, Path]) -> None:
    code, report = _check(files, "sarif")
    assert code == 1
    run = json.loads(report)["runs"][0]
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert rule_ids.count("metric-by-level") == 1
    results = [r for r in run["results"] if r["ruleId"] == "metric-by-level"]
    pointers = sorted(
        loc["logicalLocations"][0]["fullyQualifiedName"] for r in results for loc in r["locations"]
    )
    assert pointers == ["/objectives/1", "/strategies/1"]


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_format_reports_both_bodies(files: tuple[Path, Path], fmt: str) -> None:
    code, report = _check(files, fmt)
    assert code == 1
    assert "metric-by-level" in report
    assert "O2" in report and "S2" in report


def _waive(files: tuple[Path, Path], *waivers: dict[str, str]) -> list[tuple[str, str, str]]:
    path = files[0].parent / "waivers.json"
    path.write_text(json.dumps({"waivers": list(waivers)}), encoding="utf-8")
    _, report = _check(files, "json", "--waivers", str(path), "--as-of", "2026-11-22")
    return _findings(report)


WAIVER = {"reason": "agreed", "owner": "strategy", "expires": "2027-01-31"}


def test_a_waiver_on_the_rule_id_covers_both_kinds_of_record(files: tuple[Path, Path]) -> None:
    assert _waive(files, {"rule": "metric-by-level", "key": "*", **WAIVER}) == []


def test_a_waiver_scoped_to_a_key_or_an_entity_covers_only_that(
    files: tuple[Path, Path],
) -> None:
    by_key = _waive(files, {"rule": "metric-by-level", "key": "S2", **WAIVER})
    assert by_key == [("metric-by-level", "Objective", "O2")]
    by_entity = _waive(
        files, {"rule": "metric-by-level", "entity": "Objective", "key": "*", **WAIVER}
    )
    assert by_entity == [("metric-by-level", "MarketingStrategy", "S2")]


def test_a_baseline_holds_both_bodies_findings(files: tuple[Path, Path]) -> None:
    ruleset, data = files
    baseline = ruleset.parent / "baseline.json"
    args = ["check", str(ruleset), "--data", str(data), "--fail-on", "never"]
    assert main([*args, "--output", f"json={baseline}"]) == 0
    plan = json.loads(data.read_text(encoding="utf-8"))
    plan["objectives"].append({"id": "O3", "name": "New", "metric": "sentiment"})
    data.write_text(json.dumps(plan), encoding="utf-8")
    code, report = _check(files, "json", "--baseline", str(baseline))
    assert code == 1
    assert _findings(report) == [("metric-by-level", "Objective", "O3")]
    assert json.loads(report)["baseline"]["unchanged"] == 2


def test_fmt_keeps_every_body_and_is_idempotent(tmp_path: Path) -> None:
    messy = RULES.replace(
        "    every Objective as item",
        "    # objectives first\n    every  Objective as item",
    ).replace(
        '    message "{item.name}',
        '    # a message for both\n    message "{item.name}',
    )
    messy = messy.replace(
        "    no MarketingStrategy as item where item.metric is present may",
        "\n    no MarketingStrategy as item  # then strategies\n"
        "        where item.metric is present\n        may",
    )
    path = tmp_path / "messy.rules"
    path.write_text(messy, encoding="utf-8")
    assert main(["fmt", str(path)]) == 0
    once = path.read_text(encoding="utf-8")
    assert main(["fmt", "--check", str(path)]) == 0
    assert "    # objectives first\n    every Objective as item must" in once
    assert "\n\n    no MarketingStrategy as item  # then strategies\n" in once
    assert "    # a message for both\n    message" in once
    first = compile_paths([str(path)]).program
    assert [(r.id, r.subject_entity) for r in first.rules] == [
        ("metric-by-level", "Objective"),
        ("metric-by-level", "MarketingStrategy"),
    ]


def test_a_message_one_body_cannot_fill_is_located_and_nothing_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ruleset = tmp_path / "bad.rules"
    ruleset.write_text(RULES.replace("{item.name}", "{objective.name}"), encoding="utf-8")
    out = tmp_path / "checks.py"
    assert main(["compile", str(ruleset), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert not out.exists()
    located = re.findall(r"bad\.rules:(\d+):(\d+): error: (.*)  \[template\]", err)
    assert located == [
        ("22", "14", "the message names `objective`, which the body at line 20 does not bind"),
        ("22", "14", "the message names `objective`, which the body at line 21 does not bind"),
    ]


def test_a_field_one_subject_lacks_is_located_in_its_body(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ruleset, data = tmp_path / "bad.rules", tmp_path / "plan.json"
    ruleset.write_text(
        RULES.replace("may item.metric in business_metrics", 'may item.title = "x"'),
        encoding="utf-8",
    )
    data.write_text(json.dumps(PLAN), encoding="utf-8")
    assert main(["check", str(ruleset), "--data", str(data)]) == 2
    err = capsys.readouterr().err
    assert "bad.rules:21:72: error:" in err and "`MarketingStrategy` has no field `title`" in err
    assert "Traceback" not in err


def test_examples_expect_the_keys_of_every_body(
    files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    ruleset, _ = files
    example = """
example "both levels" {
    given file "levels.json"
    expect metric-by-level on "O2", "S2"
}

example "only objectives" {
    given file "levels.json"
    expect metric-by-level on "O2"
}
"""
    ruleset.write_text(RULES + example, encoding="utf-8")
    assert main(["test", str(ruleset)]) == 1
    out = capsys.readouterr().out
    assert "PASS  both levels" in out
    assert "FAIL  only objectives" in out
    assert "+ metric-by-level on 'S2'" in out
    assert re.search(r"metric-by-level +yes +no", out)


def test_lint_judges_each_body_and_names_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ruleset = tmp_path / "dead.rules"
    ruleset.write_text(
        RULES.replace("may item.metric in business_metrics", "may 1 > 2"), encoding="utf-8"
    )
    assert main(["lint", str(ruleset)]) == 1
    out = capsys.readouterr().out
    assert "body 2 of rule `metric-by-level` never fires" in out
    assert "body 1 of" not in out


def test_lint_finds_nothing_in_a_clean_rule_of_several_bodies(
    files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["lint", str(files[0])]) == 0
    assert capsys.readouterr().out == "no lint findings\n"


def test_explain_names_every_subject(
    files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["explain", "metric-by-level", str(files[0])]) == 0
    out = capsys.readouterr().out
    assert "declared at " in out and "checks Objective, MarketingStrategy" in out


def test_compile_counts_one_rule_and_the_sql_has_a_query_per_body(
    files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("sqlglot")
    out = files[0].parent / "levels.sql"
    assert main(["compile", str(files[0]), "--target", "sql", "-o", str(out)]) == 0
    assert capsys.readouterr().err.endswith(": 1 rule\n")
    sql = out.read_text(encoding="utf-8")
    assert "rule metric-by-level, body 1 of 2 (on Objective)" in sql
    assert "rule metric-by-level, body 2 of 2 (on MarketingStrategy)" in sql
    assert sql.count('AS "ar_subject"') == 2


def test_the_document_lists_the_rule_once(files: tuple[Path, Path]) -> None:
    out = files[0].parent / "doc"
    assert main(["doc", str(files[0]), "-o", str(out)]) == 0
    markdown = next(out.glob("*.md")).read_text(encoding="utf-8")
    assert markdown.count("metric-by-level") >= 1
    assert "every Objective as item" in markdown
    assert "no MarketingStrategy as item" in markdown
    assert "business_metrics" in markdown


def test_completion_offers_the_fields_of_the_body_under_the_cursor(
    files: tuple[Path, Path],
) -> None:
    program = compile_paths([str(files[0])]).program
    first = RULES.index("item.metric in business_metrics") + len("item.")
    second = RULES.index("item.metric is present") + len("item.")
    assert {"id", "name", "metric"} <= {i.label for i in complete(RULES, first, program)}
    objective = [i.detail for i in complete(RULES, first, program) if i.label == "metric"]
    strategy = [i.detail for i in complete(RULES, second, program) if i.label == "metric"]
    assert objective != strategy  # `Metric` on objectives, `Metric?` on strategies


OWN = RULES.replace(
    "    every Objective as item must item.metric in business_metrics\n",
    "    every Objective as item must item.metric in business_metrics\n"
    '    message "objective {item.id} is measured by {item.metric}, not a business metric"\n',
).replace(
    '    message "{item.name} is measured by {item.metric}"\n',
    '    message "strategy {item.id} is measured by {item.metric}, a business metric"\n',
)


def test_each_body_may_have_its_own_message(files: tuple[Path, Path]) -> None:
    files[0].write_text(OWN, encoding="utf-8")
    _, report = _check(files, "json")
    assert [(v["entity"], v["message"]) for v in json.loads(report)["violations"]] == [
        ("MarketingStrategy", "strategy S2 is measured by roic, a business metric"),
        ("Objective", "objective O2 is measured by cac, not a business metric"),
    ]
    assert main(["fmt", "--check", str(files[0])]) == 0


def test_fmt_keeps_each_message_after_its_body(tmp_path: Path) -> None:
    path = tmp_path / "own.rules"
    # The metadata written last: fmt moves it first and leaves each message with its body.
    path.write_text(
        OWN.replace('    message "strategy', '    severity warning\n    message "strategy'), "utf-8"
    )
    assert main(["fmt", str(path)]) == 0
    text = path.read_text("utf-8")
    assert main(["fmt", "--check", str(path)]) == 0
    rule = text[text.index("rule metric-by-level") :]
    order = [
        "severity warning",
        "every Objective",
        'message "objective',
        "no Marketing",
        'message "strategy',
    ]
    assert [rule.index(word) for word in order] == sorted(rule.index(word) for word in order)
