"""Plan files → plain data plus a Locator that turns JSON pointers into file:line:column.

`read_plan` accepts a `.json`, `.yaml`/`.yml` or `.csv` file, or a folder of `.csv` files.
Every value is plain data (dict, list, str, int, Decimal, bool, None), so binding needs no
knowledge of the format; locations stay beside the data and are looked up by JSON pointer
(RFC 6901) only when a report needs them.

>>> plan = read_plan_text('{"claims": [{"id": "C1"}]}', "json", "plan.json")
>>> plan.root["claims"][0]["id"]
'C1'
>>> plan.locator.find("/claims/0/id")
('plan.json', 1, 20)

Every problem with the input is a `DiagnosticError` with code `data`, a lowercase one-line
message and a place: `file:line:column`, or just the file when there is no line.

This module is the driver: it picks a reader by file suffix or kind. Each format has its
own module (`from_json`, `from_yaml`, `from_csv`) making the `PlanData` of `data/plan.py`;
positions come from `data/lines.py` and pointers are read by `alignrules.pointer`.
"""

from __future__ import annotations

import os

from alignrules.data.from_csv import read_csv, read_csv_folder
from alignrules.data.from_json import read_json
from alignrules.data.from_yaml import read_yaml
from alignrules.data.limits import DEFAULT_MAX_BYTES, read_text
from alignrules.data.plan import MAX_DEPTH, Locator, PlanData, fail

__all__ = ["MAX_DEPTH", "Locator", "PlanData", "read_plan", "read_plan_text"]


def read_plan(path: str | os.PathLike[str], *, max_bytes: int = DEFAULT_MAX_BYTES) -> PlanData:
    """Read a plan from `path`: a `.json`, `.yaml`/`.yml` or `.csv` file, or a folder whose
    `.csv` files each become one collection (`root["claims.csv"]` = list of row dicts).

    Only regular files are read (see `alignrules.data.limits`), of at most `max_bytes` bytes
    (for a folder: its `.csv` files together)."""
    name = os.fspath(path)
    suffix = os.path.splitext(name.rstrip("/\\"))[1].lower()
    if os.path.isdir(name):
        if suffix in _FILE_KINDS:
            raise fail("is a directory, expected a file", name)
        return read_csv_folder(name, max_bytes)
    if not os.path.exists(name):
        raise fail("no such file", name)
    kind = _FILE_KINDS.get(suffix)
    if kind is None:
        raise fail("expected a .json, .yaml, .yml or .csv file or a folder of .csv files", name)
    return read_plan_text(read_text(name, max_bytes), kind, name)


def read_plan_text(text: str, kind: str, name: str) -> PlanData:
    """Read plan data held in memory (standard input, tests); `kind` is `json`, `yaml` or `csv`.

    `name` is what locations and messages call the text; a CSV text becomes the collection
    named after `name`'s last path component.
    """
    text = text.removeprefix("\ufeff")
    if kind == "json":
        return read_json(text, name)
    if kind == "yaml":
        return read_yaml(text, name)
    if kind == "csv":
        return read_csv(text, name)
    raise fail(f'unknown data kind "{kind}", expected json, yaml or csv', name)


_FILE_KINDS = {".json": "json", ".yaml": "yaml", ".yml": "yaml", ".csv": "csv"}
