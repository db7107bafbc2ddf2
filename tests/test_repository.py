"""Promises the repository makes about itself: the README's commands are what CI runs, and the
pinned test environment covers everything the test suite installs."""

from __future__ import annotations

import re
import tomllib

from tests.conftest import ROOT

README = (ROOT / "README.md").read_text("utf-8")
CI = (ROOT / ".ci" / "run").read_text("utf-8")
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))


def _quick_start() -> list[str]:
    section = README[README.index("## Quick start") :]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block is not None
    return [line for line in block.group(1).splitlines() if line.strip()]


def _name(requirement: str) -> str:
    match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement)
    assert match is not None, requirement
    return re.sub(r"[-_.]+", "-", match.group(0)).lower()


def test_quick_start_has_exactly_two_commands() -> None:
    install_and_check, install_and_test = _quick_start()
    assert "alignrules check" in install_and_check
    assert install_and_test.endswith("&& python -m pytest")


def test_ci_runs_the_readme_test_command() -> None:
    """.ci/run may add quiet flags to the install, nothing else."""
    install, test = (c.split() for c in _quick_start()[1].split(" && "))
    lines = [line.split("#")[0].split() for line in CI.splitlines()]
    quiet = {"--quiet", "-q", "--disable-pip-version-check"}
    assert install in [[t for t in line if t not in quiet] for line in lines]
    assert any(line[: len(test)] == test for line in lines), f"{test} is not in .ci/run"
    for step in ("mypy --strict src", "ruff check .", "ruff format --check .", "lint-imports"):
        assert step in CI
        assert f"`{step}`" in README, f"the README does not say that .ci/run runs `{step}`"


def test_constraints_pin_every_test_dependency() -> None:
    pinned = {
        _name(line): line.split("==", 1)[1].split(";")[0].strip()
        for line in (ROOT / "constraints.txt").read_text("utf-8").splitlines()
        if "==" in line and not line.startswith("#")
    }
    project = PYPROJECT["project"]
    wanted = {_name(r) for r in project["dependencies"] + project["optional-dependencies"]["dev"]}
    missing = sorted(wanted - pinned.keys())
    assert not missing, f"constraints.txt does not pin {missing}: refresh it (see its header)"


def test_lower_bounds_are_declared_for_every_runtime_dependency() -> None:
    project = PYPROJECT["project"]
    for requirement in project["dependencies"] + project["optional-dependencies"]["yaml"]:
        assert re.fullmatch(r"[A-Za-z0-9_.-]+>=[0-9.]+", requirement), requirement
