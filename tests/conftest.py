"""Shared helpers: paths, and running the CLI: in process by default (`run_cli`), as a real
process where the contract under test is the process itself (`run_process`)."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from tests.inprocess import run_in_process

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
MINI = FIXTURES / "mini"
SCHEMAS = ROOT / "tests" / "schemas"


def run_cli(
    *args: str | os.PathLike[str], cwd: Path = ROOT, input: str | None = None
) -> subprocess.CompletedProcess[str]:
    """`alignrules ARGS` in this process (`input` on its standard input), reported as
    `subprocess.run` would; never raises on a non-zero exit."""
    return run_in_process(args, cwd=cwd, input=input)


def run_process(
    *args: str | os.PathLike[str], cwd: Path = ROOT, input: str | None = None
) -> subprocess.CompletedProcess[str]:
    """`python -m alignrules ARGS` as a real subprocess, for exit-status, traceback and stream
    contracts; never raises on a non-zero exit."""
    env = {k: v for k, v in os.environ.items() if k != "ALIGNRULES_DEBUG"}
    return subprocess.run(
        [sys.executable, "-m", "alignrules", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=300,
        input=input,
    )


@pytest.fixture
def cli():  # type: ignore[no-untyped-def]
    return run_cli


def layout_tables(con: Any, checker: Any, plan: Path, dialect: str = "json") -> Any:
    """The plan at `plan`, as the Python reader and binder give it, loaded into the DuckDB
    connection `con` as the layout's tables (as the DuckDB engine loads bound records);
    returns the layout."""
    from alignrules.data.read import read_plan
    from alignrules.sql import duckdb_engine
    from alignrules.sql.layout import layout

    program, module = checker.compiled.program, checker.module
    entities, _, _ = module.BINDER.bind(read_plan(plan).root, dialect)
    lay = layout(program)
    fattrs = duckdb_engine.field_attrs(program, module)
    duckdb_engine._load(con, program, lay, entities, fattrs, dict(module.ENUM_TEXT))
    return lay


def benchmark_plan(folder: Path, n: int, seed: int = 20261122) -> Path:
    """A plan of `n` claims from the benchmark's generator (benchmarks/generate.py), written
    in `folder`: the shape and size the performance figures are measured on."""
    spec = importlib.util.spec_from_file_location(
        "ar_bench_generate", ROOT / "benchmarks" / "generate.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["ar_bench_generate"] = module
    try:
        spec.loader.exec_module(module)
        return Path(module.write(n, folder / f"plan-{n}-{seed}.json", seed=seed))
    finally:
        del sys.modules["ar_bench_generate"]


def benchmark_csv_plan(folder: Path, n: int, seed: int = 20261122) -> tuple[Path, str]:
    """The plan of `benchmark_plan` as a folder of CSV files (benchmarks/auto.py `--csv`),
    written in `folder`, and the reference rules with their lists read from `;`-split cells."""
    spec = importlib.util.spec_from_file_location("ar_bench_auto", ROOT / "benchmarks" / "auto.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    path = list(sys.path)
    try:
        spec.loader.exec_module(module)  # it puts benchmarks/ on sys.path, for generate.py
        rules = module.csv_ruleset((ROOT / "benchmarks" / "reference.rules").read_text("utf-8"))
        return Path(module.write_csv(n, folder / f"plan-{n}-{seed}-csv", seed=seed)), rules
    finally:
        sys.path[:] = path
        sys.modules.pop("generate", None)


def schema_file(name: str) -> Path:
    """An official schema vendored in tests/schemas (see the README there for provenance)."""
    return SCHEMAS / name


@cache
def sarif_validator() -> Any:
    import jsonschema

    schema = json.loads(schema_file("sarif-schema-2.1.0.json").read_text("utf-8"))
    return jsonschema.Draft4Validator(schema)


@cache
def junit_schema() -> Any:
    import xmlschema

    return xmlschema.XMLSchema(str(schema_file("JUnit.xsd")))
