"""What a user installs: the wheel and the sdist, built from this checkout, used from elsewhere.

The build backend comes from this environment (hatchling is in the dev extra, pinned by
constraints.txt), so these tests need no network to build; installing the wheel into a fresh
virtual environment fetches its runtime dependencies from the package index, as a user's
`pip install` does.
"""

from __future__ import annotations

import email
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from functools import cache
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow

#: Files of the checkout that the sdist may leave out: none of them is read by a test.
NOT_IN_SDIST = frozenset({".gitignore"})


@cache
def _dist(kind: str, out: Path) -> Path:
    done = subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", kind, "-d", str(out)],
        cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    (built,) = out.glob("alignrules-*.whl" if kind == "wheel" else "alignrules-*.tar.gz")
    return built


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("dist")


def _tracked_files() -> set[str]:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    if listed.returncode != 0 or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout (an unpacked sdist is its own reference)")
    return {name for name in listed.stdout.split("\0") if name and (ROOT / name).is_file()}


def test_sdist_holds_every_file_of_the_checkout(dist: Path) -> None:
    """An unpacked sdist runs its own test suite, so it must hold what the tests read."""
    with tarfile.open(_dist("sdist", dist)) as tar:
        names = {m.name.split("/", 1)[1] for m in tar.getmembers() if m.isfile()}
    missing = _tracked_files() - names - NOT_IN_SDIST
    assert not missing, f"the sdist lacks {sorted(missing)}"
    assert "LICENSE" in names
    assert "PKG-INFO" in names


def test_wheel_contents_and_metadata(dist: Path) -> None:
    with zipfile.ZipFile(_dist("wheel", dist)) as zf:
        names = set(zf.namelist())
        (metadata_name,) = (n for n in names if n.endswith(".dist-info/METADATA"))
        metadata = email.message_from_bytes(zf.read(metadata_name))
    assert "alignrules/syntax/alignrules.lark" in names
    assert "alignrules/py.typed" in names
    assert "alignrules/rulesets/strategy/schema.rules" in names
    assert "alignrules/docs/errors.md" in names  # what `alignrules explain CODE` prints
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    assert metadata["License-Expression"] == "Apache-2.0"
    assert "Typing :: Typed" in metadata.get_all("Classifier", [])
    assert metadata["Requires-Python"] == ">=3.11"
    requires = metadata.get_all("Requires-Dist", [])
    assert {r.split(">=")[0] for r in requires if "extra ==" not in r} == {
        "attrs",
        "cattrs",
        "lark",
    }


def test_wheel_installed_elsewhere_checks_with_the_standard_ruleset(
    dist: Path, tmp_path: Path
) -> None:
    """A fresh virtual environment outside the repository, and the CLI run from yet another
    folder: nothing may come from the checkout."""
    wheel = _dist("wheel", dist)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / ("Scripts" if os.name == "nt" else "bin") / "python"
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check",
         f"{wheel}[yaml]", "-c", str(ROOT / "constraints.txt")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert install.returncode == 0, install.stdout + install.stderr
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    plan = shutil.copy(ROOT / "examples" / "quick-commerce" / "plan.json", elsewhere / "plan.json")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "ALIGNRULES_DEBUG")}
    where = subprocess.run(
        [str(python), "-c", "import alignrules, pathlib; "
         "print(pathlib.Path(alignrules.__file__).parent / 'rulesets' / 'strategy')"],
        capture_output=True, text=True, cwd=elsewhere, env=env,
    )  # fmt: skip
    assert where.returncode == 0, where.stderr
    strategy = Path(where.stdout.strip())
    assert strategy.is_relative_to(venv), strategy
    alignrules = python.parent / "alignrules"
    checked = subprocess.run(
        [str(alignrules), "check", str(strategy), "--data", str(plan), "--as-of", "2026-11-22",
         "--format", "json"],
        capture_output=True, text=True, cwd=elsewhere, env=env,
    )  # fmt: skip
    assert checked.returncode == 1, checked.stderr  # the example's errors fail the job
    assert '"rule": "acquisition-negative-margin"' in checked.stdout
    assert checked.stderr == ""
    tested = subprocess.run(
        [str(alignrules), "test", str(strategy)],
        capture_output=True, text=True, cwd=elsewhere, env=env,
    )  # fmt: skip
    assert tested.returncode == 0, tested.stdout + tested.stderr
    # The same ruleset by name: no one outside a clone should have to find the folder.
    listed = subprocess.run(
        [str(alignrules), "rulesets"], capture_output=True, text=True, cwd=elsewhere, env=env
    )
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.startswith("std:strategy  ")
    by_name = subprocess.run(
        [str(alignrules), "check", "std:strategy", "--data", "plan.json", "--as-of", "2026-11-22",
         "--format", "json"],
        capture_output=True, text=True, cwd=elsewhere, env=env,
    )  # fmt: skip
    assert by_name.returncode == 1, by_name.stderr
    assert by_name.stdout.count('"rule": "acquisition-negative-margin"') == 3
    assert '"origin": "std:strategy/rules/' in by_name.stdout
    assert str(venv) not in by_name.stdout  # rule files named by the name, not the install path
    loaded = subprocess.run(
        [str(python), "-c", "import alignrules; c = alignrules.load('std:strategy'); "
         "print(len(c.rules))"],
        capture_output=True, text=True, cwd=elsewhere, env=env,
    )  # fmt: skip
    assert loaded.stdout == "25\n", loaded.stderr
    explained = subprocess.run(
        [str(alignrules), "explain", "unordered-compare"],
        capture_output=True, text=True, cwd=elsewhere, env=env,
    )  # fmt: skip
    assert explained.returncode == 0, explained.stderr
    assert "**Fix.**" in explained.stdout
