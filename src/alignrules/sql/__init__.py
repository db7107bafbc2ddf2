"""The SQL target: the table layout, IR -> sqlglot queries, and the DuckDB engine."""
