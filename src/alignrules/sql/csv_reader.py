"""DuckDB's own CSV reader fills the SQL table layout from a CSV plan (a `.csv` file, or a
folder of them), without Python touching each row.

`load_csv(con, program, specs, files)` reads every file with `read_csv`, every cell as text,
quoted and escaped as the Python reader's `csv` module reads it (comma, `"` doubled inside a
quoted cell), then converts each cell in SQL exactly as the binder reads a CSV cell
(`runtime.readers.field_hook` with `lenient`): an empty cell is a missing value (the empty
text in a required text field), numbers may have `,` thousands and `_`, money may be written
`EUR 1,200.50`, `1,200.50 USD` or `$1,200.50`, enums in any declared spelling, lists split by
the field's separator. Where DuckDB's reading or SQL could differ from the Python reader and
binder by a single value or error, it raises `NativeUnavailable`, and the caller reads the
plan through Python, which reports any problem with its own located message.

What DuckDB's CSV reader does otherwise than `csv.reader(strict=True)`, and how it is caught:

- a space between a quoted cell and its comma or line end (`1, "x"`): DuckDB drops it, the
  Python reader keeps it or refuses the row; any such space in a file sends it to Python;
- a blank line, or a quoted empty cell, in a file of one column: DuckDB reads a row of NULL
  where the Python reader skips the line or reads the empty text; a NULL there sends the
  file to Python (in a wider file DuckDB skips blank lines too, and `""` is the empty text
  either way);
- a cell longer than `csv.field_size_limit()`: the Python reader refuses it;
- line ends of more than one kind in a file: DuckDB refuses the file.

Cells are trusted to be exact only in ASCII where the binder's `strip`, `\\s` and `casefold`
and DuckDB's `trim`, a space and `lower` agree; anything else (a no-break space around a
number, a full-width digit) goes to Python.

Decimal and money cells keep their places in the layout's scale columns, read from the text
as written (`0.50` -> 2), so messages print them as the Python engine does.

A single file is keyed by its name, as the collection the Python reader makes of it:

>>> csv_files("exports/claims.csv")
{'claims.csv': 'exports/claims.csv'}
"""

from __future__ import annotations

import csv
import mmap
import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

from alignrules.ir.nodes import Entity, Program
from alignrules.runtime.values import DAYS_PER_UNIT, MAX_DAYS
from alignrules.sql.layout import (
    DECIMAL_PRECISION,
    DECIMAL_SCALE,
    OWNER,
    POS,
    ROW,
    VALUE,
    Layout,
    currency_column,
    layout,
    present_column,
    scale_column,
)
from alignrules.sql.readers import NativeUnavailable, all_or_none, enum_arms

if TYPE_CHECKING:
    import duckdb

__all__ = ["csv_files", "csv_plan_bytes", "load_csv"]

#: Characters Python's `str.strip` and `str.split` treat as space, other than the space
#: itself (RE2 syntax). A list cell holding one is split by Python: its items' ends differ.
_OTHER_SPACE: Final = (
    r"[\t\n\x0b\x0c\r\x1c-\x1f\x85\xa0\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}"
    r"\x{202f}\x{205f}\x{3000}]"
)
#: A number as `runtime.values.parse_decimal` takes it, once `_` are removed (ASCII digits).
_NUMBER: Final = r"[+-]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?"
_SYMBOLS: Final = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY"}
_DIGITS: Final = "([0-9][0-9,_.]*)"
#: The money spellings read here, as `parse_money` reads them, in one pattern (one pass
#: over the cell): (sign) (symbol) number | (sign) CODE (sign) number | (sign) number CODE.
_MONEY: Final = (
    f"^(?:([+-]?) *(?:([{''.join(_SYMBOLS)}]) *)?{_DIGITS}"
    f"|([+-]?) *([A-Z]{{3}}) +([+-]?){_DIGITS}"
    f"|([+-]?) *{_DIGITS} +([A-Z]{{3}}))$"
)
#: The names of `_MONEY`'s groups, in order, as fields of the struct `regexp_extract` gives.
_MONEY_GROUPS: Final = ("s1", "sym", "n1", "s2", "code1", "s3", "n2", "s4", "n3", "code2")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def csv_files(path: str | os.PathLike[str]) -> dict[str, str]:
    """The CSV files of a plan as the Python reader keys them (file name -> path): a `.csv`
    file, or the `.csv` files of a folder (not dot files), as `data.from_csv` lists them."""
    name = os.fspath(path)
    if not os.path.isdir(name):
        return {os.path.basename(name) or name: name}
    with os.scandir(name) as entries:
        found = sorted(
            e.name
            for e in entries
            if e.name.lower().endswith(".csv") and not e.name.startswith(".") and e.is_file()
        )
    return {f: os.path.join(name, f) for f in found}


def csv_plan_bytes(path: str | os.PathLike[str]) -> int | None:
    """The size of the CSV plan at `path`: a `.csv` file, or a folder's `.csv` files
    together; None when it is no CSV plan, has no `.csv` file, or cannot be listed (the
    Python reader then says why)."""
    name = os.fspath(path)
    if not (os.path.isdir(name) or (name.lower().endswith(".csv") and os.path.isfile(name))):
        return None
    try:
        files = csv_files(name)
        return sum(os.stat(p).st_size for p in files.values()) if files else None
    except OSError:
        return None


# ------------------------------------------------------------------ what can be read
def _why_not(entity: Entity, spec: Any) -> str | None:
    """Why `entity` cannot be read natively from CSV, or None."""
    if entity.single:
        return f"entity {entity.name} is a single record (`at`)"
    if entity.strict:
        return f"entity {entity.name} has a strict data contract"
    if spec.key_field.kind not in ("text", "int"):
        return f"the key of entity {entity.name} is not text or a whole number"
    for f in spec.fields:
        if f.parent:
            return f"field {entity.name}.{f.attr} is its holder's key (`from parent`)"
        if f.many and f.split is None:
            return f"list field {entity.name}.{f.attr} has no `split`"
        if f.many and f.kind in ("decimal", "money"):
            return f"list field {entity.name}.{f.attr} holds numbers with decimals"
    return None


def _kind(f: Any) -> str:
    """The cell conversion of field spec `f`: its kind, a reference as its key's kind."""
    if f.kind == "ref":
        return "ref_int" if f.key_kind == "int" else "ref_text"
    return str(f.kind)


# ------------------------------------------------------------------ cell conversions
class _Cell:
    """SQL reading one non-empty cell of a kind: `ok` is true exactly when the binder takes
    the cell, and then `value` (with `currency` and `scale` for money and decimals) is what
    it gives. `s` is the cell (VARCHAR), `t` the cell without spaces at its ends, and `m`,
    for money, the `_MONEY` groups of `t` (`money_groups`)."""

    def __init__(
        self, kind: str, s: str, t: str, m: str | None, spellings: tuple[str, str] | None
    ) -> None:
        self.currency = "CAST(NULL AS VARCHAR)"
        self.scale = "CAST(NULL AS SMALLINT)"
        ascii_only = f"regexp_full_match({s}, '[ -~]*')"
        if kind in ("text", "ref_text"):
            self.ok, self.value = "true", s
        elif kind in ("int", "ref_int"):
            plain = f"replace(replace({t}, ',', ''), '_', '')"
            # Up to 18 digits: a BIGINT; a longer number, in range for the binder, is its.
            self.ok = f"{ascii_only} AND regexp_full_match({plain}, '[+-]?[0-9]{{1,18}}')"
            self.value = f"TRY_CAST({plain} AS BIGINT)"
        elif kind == "bool":
            word = f"lower({t})"
            self.ok = (
                f"{ascii_only} AND {word} IN ('true', 'yes', 'y', '1', 'false', 'no', 'n', '0')"
            )
            self.value = f"({word} IN ('true', 'yes', 'y', '1'))"
        elif kind == "date":
            self.ok = (
                f"{ascii_only} AND regexp_full_match({t}, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}')"
                f" AND left({t}, 4) <> '0000' AND TRY_CAST({t} AS DATE) IS NOT NULL"
            )
            self.value = f"TRY_CAST({t} AS DATE)"
        elif kind == "duration":
            self._duration(t, ascii_only)
        elif kind == "enum":
            assert spellings is not None
            arms, names = spellings
            norm = f"lower(regexp_replace({t}, '[ _-]+', '_', 'g'))"
            declared = f"{s} IN ({names})"
            self.value = f"(CASE WHEN {declared} THEN {s} ELSE (CASE {norm} {arms} END) END)"
            self.ok = f"({declared} OR ({ascii_only} AND {self.value} IS NOT NULL))"
        elif kind == "decimal":
            self.ok, self.value, self.scale = _number(t)
            self.ok = f"{ascii_only} AND {self.ok}"
        elif kind == "money":
            assert m is not None
            self._money(s, m)
        else:  # pragma: no cover - every kind of FieldSpec is above
            raise AssertionError(kind)

    def _duration(self, t: str, ascii_only: str) -> None:
        # Whole days, or `90 days`: the forms exports write. ISO 8601 (`P1Y`) is the binder's.
        units = " ".join(f"WHEN '{u}' THEN {n}" for u, n in sorted(DAYS_PER_UNIT.items()))
        words = "(?i)([0-9]{1,9}) *(day|week|month|quarter|year)s?"
        days = (
            f"CASE WHEN regexp_full_match({t}, '[0-9]{{1,9}}') THEN CAST({t} AS BIGINT)"
            f" WHEN regexp_full_match({t}, '{words}') THEN"
            f" CAST(regexp_extract({t}, '{words}', 1) AS BIGINT) *"
            f" CASE lower(regexp_extract({t}, '{words}', 2)) {units} END END"
        )
        self.ok = f"{ascii_only} AND ({days}) BETWEEN -{MAX_DAYS} AND {MAX_DAYS}"
        self.value = f"CAST({days} AS INTEGER)"

    def _money(self, s: str, m: str) -> None:
        number = f"{m}__number"  # `money_number(m)`, prepared beside `m`
        symbol = " ".join(f"WHEN {_literal(k)} THEN {_literal(v)}" for k, v in _SYMBOLS.items())
        self.currency = f"CASE {m}.sym {symbol} ELSE nullif({m}.code1 || {m}.code2, '') END"
        ok, self.value, self.scale = _number(number)
        symbols = "".join(_SYMBOLS)
        self.ok = (
            f"regexp_full_match({s}, '[ -~{symbols}]*') AND {m}.n1 || {m}.n2 || {m}.n3 <> ''"
            f" AND ({m}.s2 = '' OR {m}.s3 = '') AND {ok}"
        )


def money_groups(t: str) -> str:
    """The struct of `_MONEY`'s groups in `t` (all empty when it does not match)."""
    names = ", ".join(_literal(g) for g in _MONEY_GROUPS)
    return f"regexp_extract({t}, {_literal(_MONEY)}, [{names}])"


def money_number(m: str) -> str:
    """The sign and digits of money groups `m`, as `parse_money` hands them to
    `parse_decimal`: one alternative of `_MONEY` matched, so the others' groups are empty
    and the parts concatenate (two signs, `-EUR -5`, are refused by `_Cell`)."""
    return f"({m}.s1 || {m}.s2 || {m}.s3 || {m}.s4 || {m}.n1 || {m}.n2 || {m}.n3)"


def _number(text: str) -> tuple[str, str, str]:
    """(accepted, amount, places) of a number written as `parse_decimal` reads it: at most
    the layout's places and integer digits, and never a negative zero (`-0.00`), whose sign
    the Python engine prints and a SQL decimal drops."""
    u = f"replace({text}, '_', '')"
    plain = f"replace({u}, ',', '')"
    amount = f"TRY_CAST({plain} AS DECIMAL({DECIMAL_PRECISION}, {DECIMAL_SCALE}))"
    point = f"strpos({plain}, '.')"
    places = f"CASE WHEN {point} = 0 THEN 0 ELSE length({plain}) - {point} END"
    whole = f"length(ltrim(split_part({plain}, '.', 1), '+-'))"
    ok = (
        f"regexp_full_match({u}, '{_NUMBER}') AND {places} <= {DECIMAL_SCALE}"
        f" AND {whole} <= {DECIMAL_PRECISION - DECIMAL_SCALE}"
        f" AND NOT (starts_with({plain}, '-') AND {amount} = 0)"
    )
    return ok, amount, f"CAST({places} AS SMALLINT)"


# ------------------------------------------------------------------ reading the files
def _header(path: str) -> list[str]:
    """The first record of the file, as the Python reader reads it; `NativeUnavailable` for
    what that reader refuses or treats apart (an empty file, a duplicate column)."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            header = next(csv.reader(f, strict=True), [])
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise NativeUnavailable(f"{path}: the header cannot be read here ({exc})") from None
    if not header or all(not h.strip() for h in header):
        raise NativeUnavailable(f"{path}: no header")
    if len(set(header)) != len(header) or header[0].startswith("\ufeff"):
        raise NativeUnavailable(f"{path}: a header the Python reader refuses or reads apart")
    return header


def _spaced_quote(path: str) -> bool:
    """Whether a space sits between a quote and a comma or line end (`1, "x"`, `"x" ,`):
    DuckDB drops such a space where the Python reader keeps it or refuses the row. A match
    inside a quoted cell only costs the speed of DuckDB's reader."""
    with open(path, "rb") as f:
        try:
            data = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        except ValueError:  # an empty file
            return False
    with data:
        at = data.find(b' "')
        while at >= 0:
            i = at
            while i > 0 and data[i - 1 : i] == b" ":
                i -= 1
            if i == 0 or data[i - 1 : i] in (b",", b"\n", b"\r"):
                return True
            at = data.find(b' "', at + 2)
        at = data.find(b'" ')
        while at >= 0:
            i = at + 1
            while data[i : i + 1] == b" ":
                i += 1
            if i == len(data) or data[i : i + 1] in (b",", b"\n", b"\r"):
                return True
            at = data.find(b'" ', at + 2)
    return False


def _read_file(con: duckdb.DuckDBPyConnection, path: str, table: str) -> list[str]:
    """Read the CSV file at `path` into temp table `table`, columns `c0, c1...` as text in
    file order (`rowid` is the row's 0-based index among the Python reader's rows); its
    header. `NativeUnavailable` where DuckDB's rows could differ from the Python reader's."""
    header = _header(path)
    if any(c in path for c in "*?[{"):
        # DuckDB reads such a path as a pattern naming several files.
        raise NativeUnavailable(f"{path}: a file name DuckDB reads as a pattern")
    if _spaced_quote(path):
        raise NativeUnavailable(f"{path}: a space beside a quote, which DuckDB drops")
    names = [f"c{i}" for i in range(len(header))]
    columns = "{" + ", ".join(f"'{n}': 'VARCHAR'" for n in names) + "}"
    con.execute(
        f"CREATE TEMP TABLE {_quote(table)} AS SELECT * FROM"
        f" read_csv({_literal(os.path.abspath(path))},"
        f" columns = {columns}, header = true, auto_detect = false, delim = ',', quote = '\"',"
        " escape = '\"', strict_mode = true, null_padding = false, encoding = 'utf-8')"
    )
    longest = ", ".join(f"coalesce(max(length({n})), 0)" for n in names)
    widest, nulls = con.execute(
        f"SELECT greatest({longest}, 0), count(*) FILTER (WHERE c0 IS NULL) FROM {_quote(table)}"
    ).fetchall()[0]
    if widest > csv.field_size_limit():
        raise NativeUnavailable(f"{path}: a cell longer than the Python reader takes")
    if len(names) == 1 and nulls:
        raise NativeUnavailable(f"{path}: a blank line or an empty cell in a one-column file")
    return header


def load_csv(
    con: duckdb.DuckDBPyConnection,
    program: Program,
    specs: Sequence[Any],
    files: Mapping[str, str],
) -> Layout:
    """Fill `layout(program)`'s relations in `con` from the CSV files `files` (file name as
    the Python reader keys it -> path; see `csv_files`); `specs` are the generated module's
    `SPECS`, whose field readers the conversions follow.

    Every file is read, as the Python reader reads every file of a folder. Raises
    `NativeUnavailable` (and leaves `con` without any of the relations) when the result
    could differ from the Python loader's in any value or error.
    """

    lay = layout(program)
    for entity, spec in zip(program.entities, specs, strict=True):
        why = _why_not(entity, spec)
        if why is None and spec.csv not in files:
            why = f"no file {spec.csv} for entity {entity.name}"
        if why is not None:
            raise NativeUnavailable(why)
    created: list[str] = []
    with all_or_none(con, created):
        tables = {}
        headers = {}
        for i, (name, path) in enumerate(sorted(files.items())):
            tables[name] = f"ar__csv_{i}"
            created.append(tables[name])
            headers[name] = _read_file(con, path, tables[name])
        for entity, spec in zip(program.entities, specs, strict=True):
            created.append(lay.entity_table(entity.name).name)
            created += [lay.list_table(entity.name, f.name).name for f in entity.fields if f.many]
            _load_entity(con, program, lay, entity, spec, tables[spec.csv], headers[spec.csv])
        for name in tables.values():
            con.execute(f"DROP TABLE {_quote(name)}")
    return lay


def _load_entity(
    con: duckdb.DuckDBPyConnection,
    program: Program,
    lay: Layout,
    entity: Entity,
    spec: Any,
    source: str,
    header: list[str],
) -> None:
    table = lay.entity_table(entity.name)
    at = {h: f"c{i}" for i, h in enumerate(header)}
    problems: list[str] = []
    columns: list[str] = [ROW]
    # The cells each conversion reads, prepared once in an inner SELECT: the cell (empty
    # for NULL), without its end spaces, and for money its spelling's parts.
    prepared: list[str] = [f"rowid AS {ROW}"]
    numbers: list[str] = []  # money: the number of the spelling, from its parts
    lists: list[tuple[Any, Any, str]] = []
    for i, (f, fs) in enumerate(zip(entity.fields, spec.fields, strict=True)):
        column = at.get(fs.data)
        if column is None:
            # `record.get(column)` is None in every row: missing, which a required field
            # refuses (the binder says so, located).
            if not fs.optional:
                raise NativeUnavailable(f"{spec.csv} has no column `{fs.data}`")
            if f.many:
                columns.append(f"false AS {_quote(present_column(f.name))}")
                continue
            columns += [
                f"CAST(NULL AS {c.sql_type}) AS {_quote(c.name)}"
                for c in table.columns
                if c.field == f.name
            ]
            continue
        cell_text = f"coalesce({column}, '')"
        if f.many:
            # The cell is there, so the list is, even empty (`K1;;` has one item).
            prepared.append(f"{cell_text} AS ar__s{i}")
            problems.append(f"regexp_matches(ar__s{i}, '{_OTHER_SPACE}')")
            columns.append(f"true AS {_quote(present_column(f.name))}")
            lists.append((f, fs, cell_text))
            continue
        s, t, m = f"ar__s{i}", f"ar__t{i}", f"ar__m{i}"
        trimmed = f"trim({cell_text}, ' ')"
        prepared += [f"{cell_text} AS {s}", f"{trimmed} AS {t}"]
        if fs.kind == "money":
            prepared.append(f"{money_groups(trimmed)} AS {m}")
            numbers.append(f"{money_number(m)} AS {m}__number")
        kind = _kind(fs)
        cell = _Cell(kind, s, t, m, enum_arms(program, f))
        missing = f"{s} = ''" if kind != "text" or fs.optional else "false"
        if not fs.optional:
            problems.append(missing)
        problems.append(f"(NOT ({missing}) AND NOT coalesce({cell.ok}, false))")
        columns.append(f"CASE WHEN {missing} THEN NULL ELSE {cell.value} END AS {_quote(f.name)}")
        if fs.kind == "money":
            columns.append(
                f"CASE WHEN {missing} THEN NULL ELSE {cell.currency} END"
                f" AS {_quote(currency_column(f.name))}"
            )
        if fs.kind in ("money", "decimal"):
            columns.append(
                f"CASE WHEN {missing} THEN NULL ELSE {cell.scale} END"
                f" AS {_quote(scale_column(f.name))}"
            )
    # Unknown (NULL) counts as a problem: a check that cannot say yes must not let a value by.
    bad = " OR ".join(problems) or "false"
    columns.append(f"coalesce({bad}, true) AS ar__bad")
    con.execute(
        f"CREATE TABLE {_quote(table.name)} AS SELECT {', '.join(columns)}"
        f" FROM (SELECT *{''.join(', ' + n for n in numbers)} FROM"
        f" (SELECT {', '.join(prepared)} FROM {_quote(source)})) ORDER BY {ROW}"
    )
    key = _quote(entity.key_field.name)
    first_bad, dup = con.execute(
        f"SELECT min({ROW}) FILTER (WHERE ar__bad), count(*) <> count(DISTINCT {key})"
        f" FROM {_quote(table.name)}"
    ).fetchall()[0]
    if first_bad is not None:
        raise NativeUnavailable(
            f"{spec.csv} row {first_bad} has a cell the SQL reader does not take exactly as"
            " the Python loader does"
        )
    if dup:
        raise NativeUnavailable(f"entity {entity.name} has a duplicate key")
    con.execute(f"ALTER TABLE {_quote(table.name)} DROP COLUMN ar__bad")
    key_spec = spec.key_field
    key_column = at.get(key_spec.data)
    if key_column is None:  # pragma: no cover - a key is required, so refused above
        raise NativeUnavailable(f"{spec.csv} has no column `{key_spec.data}`")
    key_text = f"coalesce({key_column}, '')"
    key_cell = _Cell(_kind(key_spec), key_text, f"trim({key_text}, ' ')", None, None)
    for f, fs, s in lists:
        _load_list(con, program, lay, entity, f, fs, s, source, key_cell.value)


def _load_list(
    con: duckdb.DuckDBPyConnection,
    program: Program,
    lay: Layout,
    entity: Entity,
    f: Any,
    fs: Any,
    s: str,
    source: str,
    key: str,
) -> None:
    """The items of list field `f`: the cell split by its separator, each item stripped and
    the empty ones dropped (`K1;;K2` has two), as `field_hook` reads a CSV cell."""
    table = lay.list_table(entity.name, f.name)
    items = f"ar__items__{entity.name}__{f.name}"
    parts = (
        f"list_filter(list_transform(string_split({s}, {_literal(fs.split)}),"
        " lambda x: trim(x, ' ')), lambda x: x <> '')"
    )
    con.execute(
        f"CREATE TEMP TABLE {_quote(items)} AS SELECT {ROW}, {OWNER},"
        f" unnest(range(CAST(len(l) AS BIGINT))) AS {POS}, unnest(l) AS e"
        f" FROM (SELECT rowid AS {ROW}, {key} AS {OWNER}, {parts} AS l FROM {_quote(source)})"
    )
    try:
        cell = _Cell(_kind(fs), "e", "trim(e, ' ')", None, enum_arms(program, f))
        bad = con.execute(
            f"SELECT count(*) FROM {_quote(items)} WHERE NOT coalesce({cell.ok}, false)"
        ).fetchall()[0][0]
        if bad:
            raise NativeUnavailable(
                f"list field {entity.name}.{f.name} has an item the SQL reader does not take"
            )
        con.execute(
            f"CREATE TABLE {_quote(table.name)} AS SELECT {OWNER}, {POS}, {cell.value} AS {VALUE}"
            f" FROM {_quote(items)} ORDER BY {ROW}, {POS}"
        )
    finally:
        con.execute(f"DROP TABLE {_quote(items)}")
