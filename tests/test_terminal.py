"""Colour and progress for a person at a terminal; nothing changes for a pipe, a file or CI."""

from __future__ import annotations

import io
import os
import pty
import subprocess
import sys
import time

from alignrules.terminal import colour, progress, wants_colour
from tests.conftest import MINI, ROOT


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colour_marks_severities_rule_ids_and_hints_and_keeps_the_text() -> None:
    text = (
        "plan.json:7:5: error: claim C1 promises K1  [no-unfunded-claims]\n"
        "    Claim `C1` at /claims/0\n"
        "rules.rules:2:9: warning: slow  [slow-join]\n"
        "    hint: add an index\n"
    )
    coloured = colour(text)
    assert "plan.json:7:5: \x1b[1;31merror\x1b[0m: claim C1 promises K1" in coloured
    assert "\x1b[2m[no-unfunded-claims]\x1b[0m" in coloured
    assert "\x1b[1;33mwarning\x1b[0m" in coloured
    assert "    \x1b[2mhint:\x1b[0m add an index" in coloured
    assert _plain(coloured) == text


def _plain(text: str) -> str:
    import re

    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def test_colour_only_on_a_terminal_and_never_with_no_color() -> None:
    assert wants_colour(_Terminal(), {})
    assert wants_colour(_Terminal(), {"NO_COLOR": ""})  # empty: not set, by the convention
    assert not wants_colour(_Terminal(), {"NO_COLOR": "1"})
    assert not wants_colour(_Terminal(), {"TERM": "dumb"})
    assert not wants_colour(io.StringIO(), {})


def test_progress_shows_after_the_delay_and_erases_itself() -> None:
    stream = _Terminal()
    with progress(stream, "checking 1 plan", after=0.05):
        time.sleep(0.4)
    written = stream.getvalue()
    assert written.startswith("\rchecking 1 plan… ")
    assert written.endswith("\r\x1b[K")


def test_progress_says_nothing_for_quick_work_or_off_a_terminal() -> None:
    quick = _Terminal()
    with progress(quick, "checking", after=5):
        pass
    assert quick.getvalue() == ""
    piped = io.StringIO()
    with progress(piped, "checking", after=0):
        time.sleep(0.2)
    assert piped.getvalue() == ""


def _on_a_terminal(*args: str, env: dict[str, str]) -> str:
    """Run the CLI with stdout and stderr on a pseudo-terminal; what the terminal showed."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "alignrules", *args],
        cwd=ROOT, stdin=subprocess.DEVNULL, stdout=follower, stderr=follower,
        env={**{k: v for k, v in os.environ.items() if k != "NO_COLOR"}, **env},
    )  # fmt: skip
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert process.wait(timeout=120) == 0
    return b"".join(chunks).decode("utf-8")


def test_check_colours_its_text_report_on_a_terminal() -> None:
    args = (
        "check", str(MINI / "schema.rules"), str(MINI / "rules.rules"), "--data",
        str(MINI / "plan.json"), "--as-of", "2026-11-22", "--fail-on", "never",
    )  # fmt: skip
    shown = _on_a_terminal(*args, env={"TERM": "xterm"})
    assert "\x1b[1;31merror\x1b[0m" in shown
    plain = _on_a_terminal(*args, env={"TERM": "xterm", "NO_COLOR": "1"})
    assert "\x1b[" not in plain
    assert _plain(shown) == plain
