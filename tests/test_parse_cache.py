"""The parse tables lark builds are cached in a private folder, and a bad cache is harmless."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from tests.conftest import MINI, ROOT


def check_mini(cache: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "ALIGNRULES_DEBUG"}
    env["ALIGNRULES_CACHE_DIR"] = cache
    return subprocess.run(
        [
            *(
                sys.executable,
                "-m",
                "alignrules",
                "check",
                str(MINI / "schema.rules"),
                str(MINI / "rules.rules"),
            ),
            *("--data", str(MINI / "plan.json"), "--as-of", "2026-11-22", "--fail-on", "never"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def test_tables_are_cached_in_a_private_folder_and_reused(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    first = check_mini(str(folder))
    assert first.returncode == 0, first.stderr
    (table,) = folder.glob("parser-*.tables")
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    built = table.stat().st_mtime_ns
    again = check_mini(str(folder))
    assert (again.returncode, again.stdout, again.stderr) == (0, first.stdout, first.stderr)
    assert table.stat().st_mtime_ns == built  # loaded, not rebuilt and written again


def test_a_damaged_cache_is_rebuilt_without_a_word(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    clean = check_mini(str(folder))
    (table,) = folder.glob("parser-*.tables")
    table.write_bytes(table.read_bytes()[:100])  # as if a run were cut off while writing
    for compiled in folder.glob("*.json"):  # else the compiled ruleset is reused, unparsed
        compiled.unlink()
    damaged = check_mini(str(folder))
    assert (damaged.returncode, damaged.stdout, damaged.stderr) == (0, clean.stdout, clean.stderr)
    assert table.stat().st_size > 100


def test_an_unusable_cache_folder_or_an_empty_setting_means_no_cache(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    for setting in (str(blocker / "cache"), ""):
        done = check_mini(setting)
        assert done.returncode == 0 and done.stderr == "", done.stderr
    assert blocker.read_text() == "not a folder"
