"""Compiled rulesets are cached on disk by content: a new process checking an unchanged
ruleset neither parses nor generates it (lark is never imported), and any change to what the
ruleset is made of (a file's text, an import, a folder's files) compiles it again. A damaged
or foreign entry, or a cache folder that cannot be used, only costs a compile."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from alignrules import compile_cache
from tests.conftest import MINI

#: What a warm start-up does without: the compiler (lark, the AST, the IR, the type checker,
#: the code generator), lint, the renderers of formats not asked for, waivers and baselines.
COMPILER_AND_EXTRAS = (
    "lark",
    "alignrules.syntax.ast",
    "alignrules.ir.nodes",
    "alignrules.typecheck.lower",
    "alignrules.codegen.emit",
    "alignrules.lint.driver",
    "alignrules.render.html",
    "alignrules.render.sarif",
    "alignrules.waivers",
    "alignrules.baseline",
    "alignrules.sql.sources",
)

#: Runs `alignrules check` in process, as a CI job's new process would, and says on its last
#: lines which of `COMPILER_AND_EXTRAS` it imported, and its exit code.
_SCRIPT = f"""
import json, sys
from alignrules.cli import main
code = main(sys.argv[1:])
print(json.dumps([m for m in {COMPILER_AND_EXTRAS!r} if m in sys.modules]))
print(code)
"""


FIXED = ("--as-of", "2026-11-22", "--fail-on", "never")


def check(workdir: Path, cache: Path | str, *args: str) -> tuple[str, bool, str]:
    """(report text, whether lark was imported, stderr) of one `alignrules check` process."""
    env = {k: v for k, v in os.environ.items() if k != "ALIGNRULES_DEBUG"}
    env["ALIGNRULES_CACHE_DIR"] = str(cache)
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT, "check", "rules", "--data", "plan.json", *FIXED, *args],
        cwd=workdir,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    *report, imported, code = done.stdout.splitlines()
    assert code == "0", done.stderr
    return "\n".join(report), "lark" in json.loads(imported), done.stderr


def imported_on_a_warm_start(workdir: Path, cache: Path) -> list[str]:
    """Which of `COMPILER_AND_EXTRAS` a check with a warm cache imports."""
    check(workdir, cache)
    env = {**os.environ, "ALIGNRULES_CACHE_DIR": str(cache)}
    args = ["check", "rules", "--data", "plan.json", *FIXED]
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT, *args],
        cwd=workdir,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    imported: list[str] = json.loads(done.stdout.splitlines()[-2])
    return imported


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """A ruleset folder `rules/` (rules importing a schema) and a plan, in a scratch folder."""
    rules = tmp_path / "rules"
    rules.mkdir()
    shutil.copy(MINI / "schema.rules", rules)
    shutil.copy(MINI / "rules.rules", rules)
    shutil.copy(MINI / "plan.json", tmp_path)
    return tmp_path


def entries(cache: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in cache.glob("*.json")}


def test_a_second_process_reuses_the_compiled_ruleset(workdir: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first, parsed, _ = check(workdir, cache)
    assert parsed
    written = entries(cache)
    assert sorted(n.split("-")[0] for n in written) == ["module", "sources"]
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    assert all(stat.S_IMODE((cache / n).stat().st_mode) == 0o600 for n in written)
    again, parsed_again, stderr = check(workdir, cache)
    assert (again, parsed_again, stderr) == (first, False, "")
    assert entries(cache) == written  # read, not written again
    assert "rule-crashed" not in first and "no-unfunded-claims" in first


def test_a_warm_start_imports_neither_the_compiler_nor_what_the_run_does_not_use(
    workdir: Path, tmp_path: Path
) -> None:
    # Start-up time, for CI jobs and pre-commit hooks, is mostly imports: this holds the
    # structure that keeps them out (lazy imports), while the time itself is measured in
    # benchmarks, never asserted.
    assert imported_on_a_warm_start(workdir, tmp_path / "cache") == []


def test_the_bytecode_is_kept_beside_the_module_text(workdir: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    clean, _, _ = check(workdir, cache)
    (code,) = cache.glob("code-*.bin")
    assert stat.S_IMODE(code.stat().st_mode) == 0o600
    for damage in (code.read_bytes()[:30], b"not bytecode", code.read_bytes()[:-9]):
        code.write_bytes(damage)  # cut off, foreign, or from another text: only a miss
        again, parsed, stderr = check(workdir, cache)
        assert (again, parsed, stderr) == (clean, False, "")
    (module,) = cache.glob("module-*.json")
    entry = json.loads(module.read_text())
    # Bytecode of another text of the module is never run in its place.
    stored = code.read_bytes()
    module.write_text(json.dumps({**entry, "python": entry["python"] + "\nBROKEN = 1\n"}))
    again, parsed, stderr = check(workdir, cache)
    assert (again, parsed, stderr) == (clean, False, "")
    assert code.read_bytes() != stored  # compiled from the text now stored, and kept


def test_any_change_to_the_sources_compiles_again(workdir: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    before, _, _ = check(workdir, cache)
    schema = workdir / "rules" / "schema.rules"  # reached only through an import
    schema.write_text(
        schema.read_text().replace("capacity: int?\n", "capacity: int?\nnote: text?\n")
    )
    changed, parsed, _ = check(workdir, cache)
    assert parsed and changed == before
    rules = workdir / "rules" / "rules.rules"
    with rules.open("a") as more:
        more.write('\nrule edited-in {\n    every claim must claim.id = "none"\n}\n')
    edited, parsed, _ = check(workdir, cache)
    assert parsed and "edited-in" in edited and "edited-in" not in before
    # A new file in the ruleset folder is part of the ruleset.
    (workdir / "rules" / "more.rules").write_text(
        'rule added-file {\n    every claim must claim.id = "none"\n}\n'
    )
    added, parsed, _ = check(workdir, cache)
    assert parsed and "added-file" in added
    _, parsed, _ = check(workdir, cache)
    assert not parsed


def test_the_alignrules_version_is_part_of_the_key(workdir: Path) -> None:
    roots = [workdir / "rules" / "rules.rules"]
    assert compile_cache.sources_key("0.1.0", "rules", ["rules"], roots) != (
        compile_cache.sources_key("0.2.0", "rules", ["rules"], roots)
    )


def test_a_damaged_or_foreign_entry_is_ignored_and_rebuilt(workdir: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    clean, _, _ = check(workdir, cache)
    (module,) = cache.glob("module-*.json")
    (sources,) = cache.glob("sources-*.json")
    sources.write_text(sources.read_text()[:40])  # as if a run were cut off while writing
    entry = json.loads(module.read_text())
    module.write_text(json.dumps({**entry, "python": "this is not Python ("}))
    damaged, parsed, stderr = check(workdir, cache)
    assert (damaged, parsed, stderr) == (clean, True, "")
    assert json.loads(module.read_text())["python"] == entry["python"]  # rebuilt
    # An entry of another key (copied, or from another tool) is not taken for this one.
    for name in (module, sources):
        foreign = json.loads(name.read_text())
        name.write_text(json.dumps({**foreign, "key": "0" * 64}))
    again, parsed, stderr = check(workdir, cache)
    assert (again, parsed, stderr) == (clean, True, "")
    _, parsed, _ = check(workdir, cache)
    assert not parsed


def test_an_unusable_cache_folder_means_compiling_each_time(workdir: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    results = [check(workdir, setting) for setting in (blocker / "cache", "", blocker / "cache")]
    assert all(parsed and stderr == "" for _, parsed, stderr in results)
    assert len({text for text, _, _ in results}) == 1
    assert blocker.read_text() == "not a folder"
