"""Every output escapes what came from outside: file names on stderr, plan text in Markdown.

A file name is as much outside text as a plan value: a CI job may check a file an attacker
named, and GitHub reads any stderr line starting with `::error` as an annotation.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from alignrules.cli import main
from alignrules.render.markdown import md
from alignrules.syntax.display import check_display

HOSTILE_NAME = "x\n::error file=README.md::owned\x1b[31m"
RULES = """entity Claim { id: text  text: text }
rule vague { no claim where claim.text contains "best" message "{claim.text}" }
"""


def assert_inert(stream: str) -> None:
    assert "\x1b" not in stream
    assert not any(line.startswith("::") for line in stream.splitlines()), stream


@pytest.mark.skipif(os.name == "nt", reason="such file names are POSIX only")
def test_hostile_file_names_are_escaped_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = tmp_path / f"{HOSTILE_NAME}.rules"
    rules.write_text(RULES.replace("entity", "entity entity"), "utf-8")  # a syntax error
    plan = tmp_path / f"{HOSTILE_NAME}.json"
    plan.write_text('{"claims": [{"id": "C1", "text": 1}]}', "utf-8")  # a data error
    good = tmp_path / "good.rules"
    good.write_text(RULES, "utf-8")

    assert main(["check", str(rules), "--data", str(plan)]) == 2
    err = capsys.readouterr().err
    assert_inert(err)
    assert "x\\n::error file=README.md::owned\\x1b[31m.rules:1:15: error:" in err

    assert main(["check", str(good), "--data", str(plan)]) == 2
    err = capsys.readouterr().err
    assert_inert(err)
    assert "x\\n::error file=README.md::owned\\x1b[31m.json:1:" in err

    folder = tmp_path / "plan"
    folder.mkdir()
    (folder / f"{HOSTILE_NAME}.csv").write_text('id,text\nC1,"unclosed\n', "utf-8")
    assert main(["check", str(good), "--data", str(folder)]) == 2
    assert_inert(capsys.readouterr().err)

    assert main(["compile", str(good), "-o", str(tmp_path / f"{HOSTILE_NAME}.py")]) == 0
    assert_inert(capsys.readouterr().err)


@pytest.mark.skipif(os.name == "nt", reason="such file names are POSIX only")
def test_fmt_escapes_the_file_names_it_lists(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = tmp_path / f"{HOSTILE_NAME}.rules"
    rules.write_text("entity  Claim { id: text }\n", "utf-8")
    assert main(["fmt", "--check", str(rules)]) == 1
    out = capsys.readouterr().out
    assert_inert(out)
    assert out.startswith("would reformat ") and "\\x1b[31m.rules" in out


def test_markdown_neutralises_mentions_and_bare_links() -> None:
    text = "ping @octocat and @org/team: see https://evil.example, www.evil.example or a@b.example"
    out = md(text)
    assert "@octocat" not in out and "@org/team" not in out and "@b.example" not in out
    assert "https://" not in out and "www.evil" not in out
    assert out.count("&#8203;") == 5  # zero-width spaces: the reader sees the same text
    assert out.replace("&#8203;", "") == text


def test_markdown_report_of_hostile_plan_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "r.rules").write_text(RULES, "utf-8")
    plan = '{"claims": [{"id": "C1", "text": "best deal @channel https://x.example/pay"}]}'
    (tmp_path / "p.json").write_text(plan, "utf-8")
    args = ["check", str(tmp_path / "r.rules"), "--data", str(tmp_path / "p.json")]
    assert main([*args, "--format", "markdown", "--fail-on", "never"]) == 0
    out = capsys.readouterr().out
    assert "best deal @&#8203;channel https&#8203;://x.example/pay" in out
    assert "@channel" not in out and "https://x" not in out


def test_a_carriage_return_in_a_comment_is_refused_but_crlf_line_ends_are_fine(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "p.json").write_text('{"claims": []}', "utf-8")
    crlf = tmp_path / "crlf.rules"
    crlf.write_bytes(RULES.replace("\n", "\r\n").encode() + b"# a comment\r\n")
    assert main(["check", str(crlf), "--data", str(tmp_path / "p.json")]) == 0
    hidden = tmp_path / "hidden.rules"
    hidden.write_bytes(b"# note\rrule free { no claim where true }\n" + RULES.encode())
    assert main(["check", str(hidden), "--data", str(tmp_path / "p.json")]) == 2
    err = capsys.readouterr().err
    assert f"{hidden}:1:7: error: a carriage return inside a comment" in err
    quoted = tmp_path / "quoted.rules"  # in a string it is text, as a bidi control is
    quoted.write_bytes(RULES.replace('"best"', '"be\rst # x"').encode())
    assert main(["check", str(quoted), "--data", str(tmp_path / "p.json")]) == 0


def test_the_display_check_is_linear_in_the_number_of_strings() -> None:
    """300,000 strings each holding U+202E: quadratic work would take hours. No timing
    assertion; the subprocess timeout is the failure signal."""
    script = textwrap.dedent(
        """
        from alignrules.source import Source
        from alignrules.syntax.display import check_display
        n = 300_000
        text = ' '.join('"\\u202e"' for _ in range(n))
        strings = [(4 * i, 4 * i + 3) for i in range(n)]
        check_display(Source("big.rules", text), strings, [])
        print("ok")
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert result.stdout == "ok\n", result.stderr
    assert check_display is not None
