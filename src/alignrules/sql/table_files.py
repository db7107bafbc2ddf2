"""Whether a path given as a plan is a plan held as tables: a DuckDB file or Parquet files.

Apart from `sql.sources`, which reads such plans, because every check with the Python engine
asks the question to refuse them with the way out, and must not pay for importing the IR and
the table layout to ask it.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["DUCKDB_SUFFIXES", "is_table_source"]

#: File name endings of a DuckDB database file read as a plan.
DUCKDB_SUFFIXES = (".duckdb", ".ddb")


def is_table_source(path: str | os.PathLike[str]) -> bool:
    """Whether `path` is a DuckDB database file or a folder holding Parquet files."""
    p = Path(path)
    if p.is_file():
        return p.suffix.lower() in DUCKDB_SUFFIXES
    return p.is_dir() and any(c.suffix.lower() == ".parquet" for c in p.iterdir())
