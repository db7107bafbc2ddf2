"""`engine="auto"`: which engine checks a plan file fastest, judged before reading it.

Both engines give the same report, so the choice is only about time. The DuckDB engine pays
a fixed cost (starting a database, translating the rules) and then reads a JSON file or CSV
files without making a Python object per record; the Python engine reads every record into
Python. A plan held as tables (Parquet files, a DuckDB file) is read by the DuckDB engine
only. The figures behind `AUTO_MIN_BYTES` and `AUTO_MIN_CSV_BYTES` are in docs/scale.md.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from typing import Final

#: A JSON plan file at least this large is checked with DuckDB, when it is installed.
AUTO_MIN_BYTES: Final = 32 * 1024 * 1024

#: A CSV plan (a `.csv` file, or a folder's `.csv` files together) at least this large is
#: checked with DuckDB, when it is installed.
AUTO_MIN_CSV_BYTES: Final = 8 * 1024 * 1024


def duckdb_installed() -> bool:
    """Whether the `duckdb` extra is installed (DuckDB and sqlglot), without importing it."""
    return all(importlib.util.find_spec(name) is not None for name in ("duckdb", "sqlglot"))


def prefers_duckdb(
    path: str | os.PathLike[str],
    min_bytes: int | None = None,
    *,
    min_csv_bytes: int | None = None,
) -> bool:
    """Whether `engine="auto"` checks the plan at `path` with DuckDB: a plan held as tables,
    a JSON file of at least `min_bytes` (default `AUTO_MIN_BYTES`), or a CSV plan of at least
    `min_csv_bytes` (default `AUTO_MIN_CSV_BYTES`), when DuckDB is installed."""
    from alignrules.sql.table_files import is_table_source

    p = Path(path)
    least = AUTO_MIN_BYTES if min_bytes is None else min_bytes
    least_csv = AUTO_MIN_CSV_BYTES if min_csv_bytes is None else min_csv_bytes
    if not duckdb_installed():
        return False
    if is_table_source(p):
        return True
    from alignrules.sql.csv_reader import csv_plan_bytes

    csv_bytes = csv_plan_bytes(p)
    if csv_bytes is not None:
        return csv_bytes >= least_csv
    return p.suffix.lower() == ".json" and p.is_file() and p.stat().st_size >= least
