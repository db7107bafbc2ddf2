"""Small things that make the command line pleasant: `explain`, `test -k/-x/-q`, `fmt --diff`."""

from __future__ import annotations

from pathlib import Path

import pytest

from alignrules.cli import main
from tests.test_fmt import CANONICAL, MESSY


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_explain_an_error_code(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "explain", "unordered-compare")
    assert code == 0
    assert out.startswith("unordered-compare: an ordering comparison on an unordered enum\n\n")
    assert "**Fix.** Declare the enum with `<` between its values" in out
    assert "```console\n$ alignrules check" in out  # test attributes of the fences are dropped
    assert "## `" not in out  # only this code's section


def test_explain_a_rule(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "explain", "claim-capability-funded")
    assert code == 0
    assert out.startswith(
        "claim-capability-funded (error): No claim may promise a capability the business has "
        "not funded\n\nA claim is a promise made on the company's behalf"
    )
    assert out.endswith(
        "declared at std:strategy/rules/hollow-brand.rules:4; owner brand-governance; "
        "tags hollow-brand, claims\n"
    )


def test_explain_an_unknown_name(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "explain", "unordered-comparison")
    assert (code, out) == (2, "")
    assert err == (
        "error: `unordered-comparison` is neither an error code nor a rule of std:strategy  "
        "[usage]\n    hint: did you mean `unordered-compare`?\n"
    )


def test_test_quiet_keyword_and_exit_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "test", "std:strategy", "-q")
    assert code == 0
    assert out == "25 of 25 rules fully covered (100%)\n35 examples: 35 passed, 0 failed\n"
    code, out, _ = run(capsys, "test", "std:strategy", "-k", "PREMIUM")
    assert code == 0
    assert out.count("  PASS  ") == 2 and "premium claims with the service budget" in out
    assert out.endswith(
        "2 of 35 examples ran (-k); rule coverage not measured\n2 examples: 2 passed, 0 failed\n"
    )
    # Two failing examples: -x stops after the first, -q shows only failures.
    rules = tmp_path / "r.rules"
    rules.write_text(
        "entity Claim { id: text }\n"
        'rule r { no claim where id = "bad" }\n'
        'example "one" { given """{"claims": [{"id": "ok"}]}""" expect r on "ok" }\n'
        'example "two" { given """{"claims": [{"id": "bad"}]}""" expect r on "bad" }\n'
        'example "three" { given """{"claims": [{"id": "x"}]}""" expect r on "x" }\n',
        "utf-8",
    )
    code, out, _ = run(capsys, "test", str(rules), "-x", "-q")
    assert code == 1
    assert "FAIL  one" in out and "two" not in out and "three" not in out
    assert out.endswith("1 examples: 0 passed, 1 failed\n")
    code, out, _ = run(capsys, "test", str(rules), "-q")
    assert "FAIL  one" in out and "FAIL  three" in out and "PASS" not in out


def test_min_coverage_with_a_keyword_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "test", "std:strategy", "-k", "x", "--min-coverage", "50")
    assert (code, out) == (2, "")
    assert err.startswith("error: --min-coverage measures every example: it cannot be combined")


def test_fmt_diff_changes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    messy, tidy = tmp_path / "messy.rules", tmp_path / "tidy.rules"
    messy.write_text(MESSY, "utf-8")
    tidy.write_text(CANONICAL, "utf-8")
    code, out, _ = run(capsys, "fmt", "--diff", str(tmp_path))
    assert code == 1
    name = str(messy)
    assert out.startswith(f"--- {name}\n+++ {name}\n@@ ")
    assert out.endswith("1 file would be reformatted, 1 file already formatted\n")
    assert messy.read_text("utf-8") == MESSY
    # Applying the diff's + lines gives the formatted file.
    body = [
        line
        for line in out.splitlines()
        if line.startswith(("+", " ")) and not line.startswith("+++")
    ]
    assert "\n".join(line[1:] for line in body) + "\n" == CANONICAL
    code, out, _ = run(capsys, "fmt", "--diff", str(tidy))
    assert (code, out) == (0, "1 file already formatted\n")
