"""`ambiguous-field`: a bare name that more than one entity in scope has a field for.

The case file tests/cases/lint/ambiguous_field.rules holds the findings themselves (in a
message hole, in a condition, none for qualified names or fields one entity has); here the
command line, what the name still means when the ruleset runs, and the shipped rulesets.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from alignrules.lint import lint_paths, lint_text
from tests.conftest import ROOT, run_cli

SCHEMA = """entity Cap in "caps" { id: text  ready: date  lead: duration? }
entity Claim in "claims" { id: text  caps: list of Cap from "cap_ids" }
"""
LATE = """rule late {
    title "Capabilities are ready in time"
    rationale "A claim must not outrun what backs it."
    no Claim may (some c in claim.caps where c.lead is present and c.ready + c.lead > 2027-01-01)
    message "claim {HOLE} is late"
}
"""
PLAN = {
    "caps": [
        {"id": "K1", "ready": "2026-03-01"},
        {"id": "K2", "ready": "2026-12-01", "lead": "60 days"},
    ],
    "claims": [{"id": "C1", "cap_ids": ["K1"]}, {"id": "C2", "cap_ids": ["K1", "K2"]}],
}
QUIET = ("--ignore", "untested-rule")


def write(tmp_path: Path, hole: str) -> None:
    (tmp_path / "late.rules").write_text(SCHEMA + LATE.replace("HOLE", hole), "utf-8")
    (tmp_path / "late.json").write_text(json.dumps(PLAN), "utf-8")


def test_lint_warns_at_the_hole_and_exits_1_as_other_warnings(tmp_path: Path) -> None:
    write(tmp_path, "id")
    result = run_cli("lint", "late.rules", *QUIET, cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert result.stdout == (
        "late.rules:7:20: warning: `{id}` means `c.id` of `Cap`, the innermost entity in "
        "scope with a field `id`, but `Claim` has one too  [ambiguous-field]\n"
        '        message "claim {id} is late"\n'
        "                       ^~~~\n"
        "    hint: say which: `{claim.id}` or `{c.id}`\n"
        "\n"
        "1 finding: 1 ambiguous-field\n"
    )
    ignored = run_cli("lint", "late.rules", "--ignore", "ambiguous-field", *QUIET, cwd=tmp_path)
    assert (ignored.returncode, ignored.stdout) == (0, "no lint findings\n"), ignored.stderr


def test_json_gives_the_warning_with_its_place(tmp_path: Path) -> None:
    write(tmp_path, "id")
    result = run_cli("lint", "late.rules", "--format", "json", *QUIET, cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    [finding] = json.loads(result.stdout)["findings"]
    assert (finding["code"], finding["severity"], finding["line"], finding["column"]) == (
        "ambiguous-field",
        "warning",
        7,
        20,
    )
    assert finding["end_column"] == 24  # the whole hole, braces included


@pytest.mark.parametrize(
    ("hole", "printed"),
    [("id", "claim K2 is late"), ("c.id", "claim K2 is late"), ("claim.id", "claim C2 is late")],
)
def test_the_warning_changes_nothing_the_name_means(
    tmp_path: Path, hole: str, printed: str
) -> None:
    # The bare name keeps meaning the innermost entity's field: the report is what it was.
    write(tmp_path, hole)
    result = run_cli("check", "late.rules", "--data", "late.json", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert f"error: {printed}  [late]" in result.stdout
    codes = [f.code for f in lint_paths([tmp_path / "late.rules"], ignore=QUIET[1:])]
    assert codes == (["ambiguous-field"] if hole == "id" else [])


def test_a_path_after_the_bare_name_is_kept_in_the_hint() -> None:
    text = (
        'entity Site in "sites" { id: text  city: text }\n'
        'entity Cap in "caps" { id: text  site: Site from "site_id" }\n'
        'entity Claim in "claims" { id: text  site: Site from "site_id"'
        '  caps: list of Cap from "cap_ids" }\n'
        "rule far { no claim may (some c in claim.caps where c.site != claim.site)\n"
        '    message "built in {site.city}" }\n'
    )
    [finding] = [f for f in lint_text(text) if f.code == "ambiguous-field"]
    assert finding.message.startswith("`{site.city}` means `c.site` of `Cap`")
    assert finding.hint == "say which: `{claim.site.city}` or `{c.site.city}`"


def test_condition_outer_entities_are_all_named() -> None:
    text = (
        'entity Site in "sites" { id: text }\n'
        'entity Cap in "caps" { id: text  sites: list of Site from "site_ids" }\n'
        'entity Claim in "claims" { id: text  caps: list of Cap from "cap_ids" }\n'
        "rule r { no claim may (some c in claim.caps where\n"
        '    (some s in c.sites where id = "S1")) }\n'
    )
    [finding] = [f for f in lint_text(text) if f.code == "ambiguous-field"]
    assert finding.message == (
        "`id` means `s.id` of `Site`, the innermost entity in scope with a field `id`, "
        "but `Cap`, `Claim` have one too"
    )
    assert finding.hint == "say which: `claim.id` or `c.id` or `s.id`"
    line, col = finding.span.source.line_col(finding.span.start)
    assert (line, col) == (5, 30)


def test_an_outer_entity_whose_variable_is_hidden_is_no_other_reading() -> None:
    # The inner binder reuses the outer variable's name: `claim.id` can only mean the inner
    # record, so there is nothing else the writer could spell.
    text = (
        'entity Claim in "claims" { id: text  peers: list of Claim from "peer_ids" }\n'
        'rule r { no claim may (some claim in claim.peers where id = "C1") }\n'
    )
    assert "ambiguous-field" not in {f.code for f in lint_text(text)}


def test_shipped_rulesets_and_examples_have_none() -> None:
    rulesets = [
        ["std:strategy"],
        ["std:strategy/rules", "examples/acme-binding/binding.rules"],
        ["std:strategy/rules", "examples/nested-catalogue/binding.rules"],
        ["examples/strategy-document/strategy.rules"],
    ]
    for paths in rulesets:
        found = lint_paths([p if p.startswith("std:") else str(ROOT / p) for p in paths])
        assert [f for f in found if f.code == "ambiguous-field"] == [], paths
