"""Generated modules keep the typed contract in `alignrules.runtime.module`: mypy accepts a
module written by `alignrules compile` where a `GeneratedModule` is expected, and a host
written against the contract type-checks and runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from alignrules.cli import main
from tests.conftest import MINI

HOST = """\
from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import TypeVar

import {name}
from alignrules.runtime.module import GeneratedModule

P = TypeVar("P")
Q = TypeVar("Q")

typed: GeneratedModule[{name}.Plan, {name}.Params] = {name}


def run(module: GeneratedModule[P, Q], data: object) -> list[str]:
    plan = module.load(data)
    report = module.check(plan, module.params_from({{}}), today=date(2026, 1, 1))
    return [f"{{v.rule}} {{v.key}}" for v in report.violations]


if __name__ == "__main__":
    rules = [info.id for info, _ in typed.RULES]
    print(typed.RULESET, typed.USES_TODAY, len(typed.BINDER.specs), rules)
    print(run({name}, json.loads(Path("plan.json").read_text())))
"""


@pytest.mark.parametrize(("ruleset", "name"), [(MINI, "full"), (MINI / "schema.rules", "no_rules")])
def test_a_compiled_module_keeps_the_contract(tmp_path: Path, ruleset: Path, name: str) -> None:
    assert main(["compile", str(ruleset), "-o", str(tmp_path / f"{name}.py")]) == 0
    (tmp_path / "host.py").write_text(HOST.format(name=name), encoding="utf-8")
    (tmp_path / "plan.json").write_bytes((MINI / "plan.json").read_bytes())
    mypy = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "host.py", f"{name}.py"],
        capture_output=True, text=True, cwd=tmp_path,
    )  # fmt: skip
    assert mypy.returncode == 0, mypy.stdout
    run = subprocess.run(
        [sys.executable, "host.py"], capture_output=True, text=True, cwd=tmp_path
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    first, second = run.stdout.splitlines()
    if name == "no_rules":
        # the loader's own finding, made with no rule at all
        assert (first, second) == (
            "tests/fixtures/mini/schema.rules False 3 []",
            "['dangling-reference C2']",
        )
    else:
        assert first.startswith("tests/fixtures/mini False 3 ['no-unfunded-claims', ")
        assert "'no-unfunded-claims C1'" in second
