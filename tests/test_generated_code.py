"""Generated checkers read like hand-written code: the project's own `ruff check`,
`ruff format --check` and `mypy --strict` pass on them, and the optimisation and layout
stages (codegen/optimise.py, codegen/layout.py) change how the code reads, never what it does.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

from alignrules.cli import main
from alignrules.codegen.emit import Emitter
from alignrules.codegen.layout import layout, without_unused_imports
from alignrules.compile import compile_paths

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "pyproject.toml"

#: The standard ruleset and the language's test fixtures that compile.
RULESETS = {
    "standard": ROOT / "rulesets" / "strategy",
    "mini": ROOT / "tests" / "fixtures" / "mini",
    "dangling": ROOT / "tests" / "fixtures" / "dangling.rules",
    "import": ROOT / "tests" / "cases" / "imports" / "valid_import",
    **{p.stem: p for p in sorted((ROOT / "tests" / "cases" / "valid").glob("*.rules"))},
}


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each ruleset compiled with `alignrules compile`, as a user would."""
    folder = tmp_path_factory.mktemp("generated")
    out: dict[str, Path] = {}
    for name, path in RULESETS.items():
        target = folder / f"{name.replace('-', '_')}.py"
        assert main(["compile", str(path), "-o", str(target)]) == 0
        out[name] = target
    return out


def _run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *map(str, args)], capture_output=True, text=True, cwd=ROOT
    )


def test_ruff_finds_nothing_to_say(compiled: dict[str, Path]) -> None:
    files = list(compiled.values())
    check = _run("ruff", "check", "--config", CONFIG, "--no-cache", *files)
    assert check.returncode == 0, check.stdout + check.stderr
    fmt = _run("ruff", "format", "--config", CONFIG, "--no-cache", "--check", "--diff", *files)
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr


def test_mypy_strict_passes(compiled: dict[str, Path]) -> None:
    result = _run("mypy", "--strict", "--no-incremental", *compiled.values())
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize("name", sorted(RULESETS))
def test_the_layout_keeps_the_module_as_it_was(name: str) -> None:
    """The layout prints the module again from its syntax tree: the tree is unchanged."""
    program = compile_paths([str(RULESETS[name])]).program
    raw = Emitter(program, name, "0").module()
    laid_out = layout(raw)
    assert ast.dump(ast.parse(laid_out)) == ast.dump(without_unused_imports(ast.parse(raw), raw))
    assert max(map(len, laid_out.splitlines())) < max(map(len, raw.splitlines()))


def _function(text: str, name: str) -> str:
    match = re.search(rf"^def {name}\(.*?(?=^[#A-Za-z_@])", text, re.M | re.S)
    assert match is not None, name
    return match.group(0)


def test_the_standard_ruleset_reads_as_written_by_hand(compiled: dict[str, Path]) -> None:
    text = compiled["standard"].read_text("utf-8")
    # Negations folded: `not (not x)` is `x`, `not (a >= b)` is `a < b`.
    assert "not (not" not in text and "not not" not in text
    funded = _function(text, "rule_claim_capability_funded")
    assert "if capability.status >= CAPABILITYSTATUS_FUNDED:\n" in funded
    # (an enum member a rule names is read off its class once, into a module constant)
    assert "\nCAPABILITYSTATUS_FUNDED: Final = CapabilityStatus.FUNDED\n" in text
    # A reference followed five times in one condition is read once, into a local.
    economics = _function(text, "rule_acquisition_without_unit_economics")
    # (looked up in place: a key that names no product leaves the campaign out, as the
    # dangling reference it is)
    assert economics.count("get_product(campaign.product)") == 1
    assert economics.index("get_product = plan.ix_product.get") < economics.index("for campaign")
    assert "bind.deref_opt(" not in economics
    assert "if campaign_product is None and campaign.product is not None:\n" in economics
    assert "bind.present(" not in economics
    # The capabilities a claim names are gathered once per claim, not once per capability.
    service = _function(text, "rule_premium_claim_while_service_cut")
    gather = service.index("claim_capabilities_id = tuple(")
    assert gather < service.index("for capability in plan.all_capability:")
    assert "capability.id in claim_capabilities_id" in service
    # Only what a function reads is passed to it; no guard where nothing can dangle.
    assert "def rule_segment_without_job(subjects: Iterator[Segment]) -> Iterator[Violation]:" in (
        text
    )
    assert "def pred_is_premium(claim: Claim) -> bool:" in text
    assert "try:" not in _function(text, "rule_claim_capability_funded")
    # Docstrings in triple double quotes, every line within the formatter's width but the
    # texts that cannot be broken.
    assert '"""No claim may promise a capability the business has not funded"""' in text
    long_lines = [line for line in text.splitlines() if len(line) > 100]
    text_only = re.compile(r"""\s*(#.*|\"\"\".*|(\w+=)?(".*"|'.*'),?)""")
    assert all(text_only.fullmatch(line) for line in long_lines), long_lines


def test_the_standard_ruleset_finds_what_it_found(compiled: dict[str, Path]) -> None:
    """The generated module, imported from its file, gives the report the API gives."""
    import importlib.util
    from datetime import date

    import alignrules
    from alignrules.data.read import read_plan

    spec = importlib.util.spec_from_file_location("standard_checks", compiled["standard"])
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    data = read_plan(ROOT / "examples" / "quick-commerce" / "plan.json")
    day = date(2026, 11, 22)
    ours = module.check(module.load(data.root), today=day)
    theirs = alignrules.load("std:strategy").check(data.root, as_of=day)
    assert len(theirs.violations) > 5
    assert [(v.rule, v.key, v.message) for v in ours.violations] == [
        (v.rule, v.key, v.message) for v in theirs.violations
    ]
