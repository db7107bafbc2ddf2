"""Plans are read safely: only regular files, never past a size limit checked before reading.

A FIFO or a device given as the plan would block or exhaust memory if it were read, so the
tests that give one run the command line in a subprocess with a timeout: should the
defence fail, the test fails by timing out instead of hanging or starving the suite.
"""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
from pathlib import Path

import pytest

import alignrules
from alignrules.cli import main
from alignrules.data.limits import DEFAULT_MAX_BYTES, parse_size

RULES = """entity Claim { id: text  text: text }
rule short { no claim where length(claim.text) < 3 message "claim {claim.id} is short" }
"""
PLAN = '{"claims": [{"id": "C1", "text": "ok"}]}'

posix_only = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")


@pytest.fixture
def work(tmp_path: Path) -> Path:
    (tmp_path / "r.rules").write_text(RULES, "utf-8")
    (tmp_path / "report.json").write_text("earlier report\n", "utf-8")
    return tmp_path


CHECK = [sys.executable, "-m", "alignrules", "check", "r.rules", "--data"]


def run(work: Path, data: str, *more: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CHECK, data, "--as-of", "2026-11-22", "--output", "json=report.json", *more],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=120,
    )


def assert_refused(result: subprocess.CompletedProcess[str], first_line: str, work: Path) -> None:
    assert result.returncode == 2, result.stderr
    assert result.stdout == "" and "Traceback" not in result.stderr
    assert result.stderr.splitlines()[0] == first_line
    assert (work / "report.json").read_text("utf-8") == "earlier report\n"  # untouched


@posix_only
def test_a_fifo_is_refused_without_blocking(work: Path) -> None:
    os.mkfifo(work / "plan.json")
    result = run(work, "plan.json")
    assert_refused(
        result, "plan.json: error: is a FIFO (named pipe), not a regular file  [data]", work
    )
    assert "hint: save the plan to a file and give that file" in result.stderr


@posix_only
def test_a_symlink_to_a_fifo_or_a_device_is_refused(work: Path) -> None:
    os.mkfifo(work / "pipe")
    (work / "plan.json").symlink_to(work / "pipe")
    (work / "zero.yaml").symlink_to("/dev/zero")
    assert_refused(
        run(work, "plan.json"),
        "plan.json: error: is a FIFO (named pipe) (through a symbolic link), not a regular file"
        "  [data]",
        work,
    )
    assert_refused(
        run(work, "zero.yaml"),
        "zero.yaml: error: is a character device (through a symbolic link), not a regular file"
        "  [data]",
        work,
    )


def test_a_device_is_refused(work: Path) -> None:
    """A device node named like a plan: the same numbers as /dev/zero."""
    try:
        os.mknod(work / "plan.json", 0o600 | stat.S_IFCHR, os.makedev(1, 5))
    except (AttributeError, PermissionError, OSError):
        pytest.skip("cannot make a device node here")
    result = run(work, "plan.json")
    assert_refused(
        result, "plan.json: error: is a character device, not a regular file  [data]", work
    )


@pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="needs Unix sockets")
def test_a_socket_is_refused(
    work: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(work)  # a socket's path is limited to about 100 bytes: keep it short
    with socket.socket(socket.AF_UNIX) as server:
        server.bind("plan.json")
        code = main(["check", "r.rules", "--data", "plan.json"])
    assert code == 2
    assert capsys.readouterr().err.splitlines()[0] == (
        "plan.json: error: is a socket, not a regular file  [data]"
    )


@posix_only
def test_a_csv_folder_skips_special_files_and_a_link_to_one(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = work / "plan"
    folder.mkdir()
    (folder / "claims.csv").write_text("id,text\nC1,ok\n", "utf-8")
    os.mkfifo(work / "pipe")
    (folder / "notes.csv").symlink_to(work / "pipe")
    assert main(["check", str(work / "r.rules"), "--data", str(folder)]) == 1
    assert "claim C1 is short" in capsys.readouterr().out


def test_a_plan_over_the_limit_is_refused_before_it_is_read(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (work / "plan.json").write_text(PLAN, "utf-8")
    args = ["check", str(work / "r.rules"), "--data", str(work / "plan.json")]
    assert main([*args, "--max-data-size", "10"]) == 2
    err = capsys.readouterr().err
    assert (
        f"plan.json: error: the file is {len(PLAN)} bytes, more than the limit of 10 bytes" in err
    )
    assert "hint: raise the limit with `--max-data-size`" in err
    assert main([*args, "--max-data-size", str(len(PLAN))]) == 1  # the limit itself is allowed
    assert main([*args, "--max-data-size", "1K"]) == 1
    capsys.readouterr()
    assert main([*args, "--max-data-size", "lots"]) == 2
    assert "`lots` is not a size like 256M" in capsys.readouterr().err


def test_a_csv_folder_is_limited_by_its_files_together(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = work / "plan"
    folder.mkdir()
    (folder / "claims.csv").write_text("id,text\nC1,ok\n", "utf-8")  # 14 bytes
    (folder / "more.csv").write_text("id,text\nC2,ok\n", "utf-8")
    args = ["check", str(work / "r.rules"), "--data", str(folder), "--max-data-size", "20"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "error: the folder's .csv files together are 28 bytes, more than the limit of 20" in err


def test_the_api_takes_the_limit_and_the_default_is_256_mib(work: Path) -> None:
    (work / "plan.json").write_text(PLAN, "utf-8")
    checker = alignrules.load(RULES)
    assert len(checker.check_file(work / "plan.json").violations) == 1
    with pytest.raises(alignrules.DiagnosticError) as info:
        checker.check_file(work / "plan.json", max_bytes=5)
    (d,) = info.value.diagnostics
    assert d.code == "data" and "more than the limit of 5 bytes" in d.message
    assert DEFAULT_MAX_BYTES == parse_size("256M") == 256 * 1024 * 1024
