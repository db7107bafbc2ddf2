"""The shipped ruleset reached by name (`std:strategy`), from any folder, in every place a
ruleset path goes: `check`, `test`, `alignrules.load`, and `import` in a user's own ruleset."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import alignrules
from alignrules.cli import main
from tests.conftest import ROOT

PLAN = ROOT / "examples" / "aligned" / "plan.yaml"


@pytest.fixture
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder outside the repository, holding only a copy of a plan."""
    shutil.copy(PLAN, tmp_path / "plan.yaml")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_rulesets_lists_what_ships(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rulesets"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("std:strategy  The standard strategy-planning schema")


def test_check_by_name_from_another_folder(
    elsewhere: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["check", "std:strategy", "--data", "plan.yaml", "--as-of", "2026-11-22"])
    out = capsys.readouterr().out
    assert code == 0
    assert "[strategy-without-campaigns]" in out
    assert out.endswith("1 violation (1 warning) in 31 entities, 26 rules\n")


def test_reports_name_rule_files_by_std_name_not_install_path(
    elsewhere: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["check", "std:strategy", "--data", "plan.yaml", "--as-of", "2026-11-22", "--format", "json"])  # fmt: skip
    out = capsys.readouterr().out
    assert '"std:strategy/rules/strategy-execution.rules:' in out
    assert str(ROOT) not in out


def test_load_by_name() -> None:
    checker = alignrules.load("std:strategy")
    assert len(checker.rules) == 25
    assert all(r.origin.startswith("std:strategy/") for r in checker.rules)
    assert str(ROOT) not in checker.python  # generated code never embeds where it was installed


def test_test_by_name(elsewhere: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["test", "std:strategy"]) == 0
    assert "25 of 25 rules fully covered" in capsys.readouterr().out


def test_a_name_may_go_into_the_ruleset(
    elsewhere: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["check", "std:strategy/schema.rules", "std:strategy/rules/hollow-brand.rules",
                 "std:strategy/rules/params.rules",
                 "--data", "plan.yaml", "--as-of", "2026-11-22"])  # fmt: skip
    assert code == 0
    assert capsys.readouterr().out.endswith("no violations: 4 rules over 31 entities\n")


@pytest.mark.parametrize("spec", ["std:nope", "std:../rulesets", "std:", "std:/etc"])
def test_unknown_name_is_a_usage_error(
    spec: str, elsewhere: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", spec, "--data", "plan.yaml"]) == 2
    err = capsys.readouterr().err
    assert f"{spec}: error: `{spec}` names no shipped ruleset  [usage]" in err
    assert "hint: the shipped rulesets are `std:strategy`" in err


def test_own_ruleset_imports_the_standard_one(
    elsewhere: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (elsewhere / "ours.rules").write_text(
        'import "std:strategy"\n\n'
        "rule campaign-has-a-name {\n"
        '    title "Every campaign has a name longer than three letters"\n'
        "    severity info\n"
        "    no campaign where length(name) < 4\n"
        "}\n",
        "utf-8",
    )
    code = main(["check", "ours.rules", "--data", "plan.yaml", "--as-of", "2026-11-22"])
    out = capsys.readouterr().out
    assert code == 0
    assert out.endswith("1 violation (1 warning) in 31 entities, 27 rules\n")


def test_import_of_a_folder(elsewhere: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copytree(ROOT / "rulesets" / "strategy", elsewhere / "vendored")
    (elsewhere / "ours.rules").write_text('import "vendored"\n', "utf-8")
    assert main(["check", "ours.rules", "--data", "plan.yaml", "--as-of", "2026-11-22"]) == 0
    assert capsys.readouterr().out.endswith("in 31 entities, 26 rules\n")


def test_import_of_an_unknown_name_points_at_the_import(
    elsewhere: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (elsewhere / "ours.rules").write_text('import "std:strategies"\n', "utf-8")
    assert main(["check", "ours.rules", "--data", "plan.yaml"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("ours.rules:1:8: error: `std:strategies` names no shipped ruleset")
    assert "Traceback" not in err


def test_import_of_a_folder_without_rules_files(
    elsewhere: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (elsewhere / "empty").mkdir()
    (elsewhere / "ours.rules").write_text('import "empty"\n', "utf-8")
    assert main(["check", "ours.rules", "--data", "plan.yaml"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(
        "ours.rules:1:8: error: imported folder `empty` has no `.rules` files  [missing-import]"
    )
