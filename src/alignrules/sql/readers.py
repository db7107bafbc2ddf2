"""DuckDB's own JSON reader fills the SQL table layout, without Python touching each record.

`load_json(con, program, path)` creates every relation of `layout(program)` in `con` from a
JSON plan file, or raises `NativeUnavailable` saying why it cannot give exactly what the
Python reader and binder give; the caller then loads the plan through Python. The fallback
is for the whole plan, not per entity: the Python loader has to parse the whole document
to reach any one entity, so a mixed load would cost more than either alone.

What is read natively: entities whose path is keys through objects ending in a list of
record objects, with fields that are text, whole numbers, booleans, dates, durations (whole
days or `N days|weeks|months|quarters|years`), enums (printable ASCII spellings, matched as
the binder matches them), decimals and money written as JSON numbers, references, and lists
of those. Everything else, and every value the SQL conversions do not accept exactly as the
binder does (a required value missing, text where a number belongs, a spelling no enum
value has, more than 9 decimal places, a duplicate key...), makes the load unavailable, so
the Python loader reports the problem with its own located message. Paths through `[]`,
id-keyed maps, `at` (single) entities, `from parent` fields, values inside nested objects and
strict entities are not read natively yet: their rules (what a `null` on the way means,
which key fills the key field) live in the binder, and a second copy here would drift.

One difference remains, in what is not read: the Python reader refuses a whole document for
a duplicate key or an over-deep nesting anywhere in it, and DuckDB refuses those only in the
records and values the layout reads (it parses the rest as opaque JSON). Such a plan is
checked here and refused by the Python reader.

`record_pointer` gives the JSON pointer of a record from its `ar_row`, so a caller computes
file:line:column only for the records that violate a rule.

>>> pointer_for(("marketing", "claims"), 7)
'/marketing/claims/7'
"""

from __future__ import annotations

import contextlib
import mmap
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Final

from alignrules import jsonscan
from alignrules.ir.nodes import EACH, Entity, Field, Program
from alignrules.ir.types import EntityT, EnumT, Prim
from alignrules.pointer import escape as escape_pointer
from alignrules.runtime.values import DAYS_PER_UNIT, MAX_DAYS, normalize_spelling
from alignrules.sql.layout import (
    DECIMAL_SCALE,
    OWNER,
    POS,
    ROW,
    VALUE,
    Layout,
    currency_column,
    element_type,
    layout,
    present_column,
    scale_column,
)

if TYPE_CHECKING:
    import duckdb

__all__ = ["NativeUnavailable", "all_or_none", "load_json", "pointer_for", "record_pointer"]

#: A plan document may be as large as the Python reader allows; DuckDB's default is 16 MB.
_MAX_OBJECT: Final = 2_000_000_000

#: Numbers with decimals are read a second time as this type: DuckDB parses the number's text
#: straight into it (exact), where a JSON value holds a binary double. The extra places show
#: a value with more than the layout's 9, which the loader must refuse rather than round.
_WIDE_DECIMAL: Final = "DECIMAL(38, 18)"


class NativeUnavailable(Exception):
    """DuckDB's readers cannot give exactly what the Python loader gives for this plan."""


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def pointer_for(path: tuple[str, ...], row: int) -> str:
    """The JSON pointer of record number `row` of a collection at `path`."""
    return "".join("/" + escape_pointer(k) for k in path) + f"/{row}"


def record_pointer(program: Program, entity: str, row: int) -> str:
    """The JSON pointer of `entity`'s record `ar_row` = `row` in a natively read plan."""
    return pointer_for(program.entity(entity).path, row)


# ------------------------------------------------------------------ what can be read
def _why_not(program: Program, entity: Entity) -> str | None:
    """Why `entity` cannot be read natively, or None."""
    if entity.single:
        return f"entity {entity.name} is a single object (`at`)"
    if entity.strict:
        return f"entity {entity.name} has a strict data contract"
    if not entity.path or EACH in entity.path:
        return f"entity {entity.name} is read through `[]`"
    for f in entity.fields:
        if f.parent or f.path:
            return f"field {entity.name}.{f.name} is read from outside the record's own keys"
    key = element_type(entity.key_field.type)
    if key not in (Prim("text"), Prim("int")):
        return f"the key of entity {entity.name} is not text or a whole number"
    return None


def _kind(program: Program, f: Field) -> str:
    t = element_type(f.type)
    if isinstance(t, EntityT):
        key = element_type(program.entity(t.name).key_field.type)
        assert isinstance(key, Prim)
        return "ref_int" if key.name == "int" else "ref_text"
    if isinstance(t, EnumT):
        return "enum"
    assert isinstance(t, Prim)
    return t.name


# ------------------------------------------------------------------ value conversions
#: SQL for one JSON value `j` of each kind: (accepted, converted). `accepted` is true exactly
#: when the binder would take the value and give the converted one; NULL values are handled
#: before. Types come from `json_type`, so `"5"` is not a number and `5` is not text.
def _convert(kind: str, j: str, spellings: tuple[str, str] | None) -> tuple[str, str]:
    t = f"json_type({j})"
    s = f"({j} ->> '$')"
    if kind in ("text", "ref_text"):
        return f"{t} = 'VARCHAR'", s
    if kind in ("int", "ref_int"):
        integer = f"TRY_CAST({s} AS BIGINT)"
        return f"{t} IN ('BIGINT', 'UBIGINT') AND {integer} IS NOT NULL", integer
    if kind == "bool":
        return f"{t} = 'BOOLEAN'", f"TRY_CAST({s} AS BOOLEAN)"
    if kind == "date":
        ok = (
            f"{t} = 'VARCHAR' AND regexp_full_match({s}, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}')"
            f" AND left({s}, 4) <> '0000' AND TRY_CAST({s} AS DATE) IS NOT NULL"
        )
        return ok, f"TRY_CAST({s} AS DATE)"
    if kind == "duration":
        # Whole days as a number, or `90 days`: the forms exports write. Other spellings the
        # binder takes (ISO 8601 `P1Y`, non-ASCII digits) are left to it.
        units = " ".join(f"WHEN '{u}' THEN {n}" for u, n in sorted(DAYS_PER_UNIT.items()))
        words = "(?i)([0-9]{1,9}) *(day|week|month|quarter|year)s?"
        days = (
            f"CASE WHEN {t} IN ('BIGINT', 'UBIGINT') THEN TRY_CAST({s} AS BIGINT)"
            f" WHEN regexp_full_match(trim({s}), '[0-9]{{1,9}}') THEN CAST(trim({s}) AS BIGINT)"
            f" WHEN regexp_full_match(trim({s}), '{words}') THEN"
            f" CAST(regexp_extract(trim({s}), '{words}', 1) AS BIGINT) *"
            f" CASE lower(regexp_extract(trim({s}), '{words}', 2)) {units} END END"
        )
        ok = f"({t} IN ('BIGINT', 'UBIGINT', 'VARCHAR') AND ({days}) BETWEEN -{MAX_DAYS} AND {MAX_DAYS})"
        return ok, f"CAST({days} AS INTEGER)"
    if kind == "enum":
        assert spellings is not None
        arms, names = spellings
        # Printable ASCII only: there `strip`, `\s` and `casefold` (the binder's) and `trim`,
        # a space and `lower` (DuckDB's) agree. A value spelled as declared, what exports
        # mostly hold, is taken as it is, without the regular expressions.
        norm = f"lower(regexp_replace(trim({s}), '[ _-]+', '_', 'g'))"
        declared = f"{s} IN ({names})"
        found = f"(CASE WHEN {declared} THEN {s} ELSE (CASE {norm} {arms} END) END)"
        ok = (
            f"{t} = 'VARCHAR' AND ({declared} OR"
            f" (regexp_full_match({s}, '[ -~]*') AND {found} IS NOT NULL))"
        )
        return ok, found
    raise AssertionError(kind)  # pragma: no cover - decimals and money are read as numbers


def enum_arms(program: Program, f: Field) -> tuple[str, str] | None:
    """`WHEN spelling THEN name ...` for an enum field: every spelling the binder accepts,
    normalized as it normalizes them (enums are small, so a CASE beats a join); and the list
    of the declared names the binder takes as they are."""
    t = element_type(f.type)
    if not isinstance(t, EnumT):
        return None
    enum = next(e for e in program.enums if e.name == t.name)
    rows = {normalize_spelling(v): v for v in enum.values}
    for value, spellings in enum.spellings:
        for spelling in spellings:
            rows.setdefault(normalize_spelling(spelling), value)
    arms = " ".join(f"WHEN {_literal(sp)} THEN {_literal(v)}" for sp, v in sorted(rows.items()))
    # A declared name is its own value when the binder's normalization keeps it so.
    names = ", ".join(_literal(v) for v in enum.values if rows.get(normalize_spelling(v)) == v)
    return arms, names or "NULL"


def _decimal_ok(j: str, wide: str) -> str:
    """A decimal or money value: a JSON number with at most the layout's decimal places."""
    return (
        f"json_type({j}) IN ('BIGINT', 'UBIGINT', 'DOUBLE')"
        f" AND {wide} IS NOT NULL AND {wide} = round({wide}, {DECIMAL_SCALE})"
    )


# ------------------------------------------------------------------ loading
def load_json(
    con: duckdb.DuckDBPyConnection,
    program: Program,
    path: str | os.PathLike[str],
    names: dict[str, str] | None = None,
) -> Layout:
    """Fill `layout(program, names)`'s relations in `con` from the JSON plan at `path`.

    Raises `NativeUnavailable` (and leaves `con` without any of the relations) when the
    result could differ from the Python loader's in any value or error.
    """

    lay = layout(program, names)
    if any(c in os.fspath(path) for c in "*?[{"):
        # DuckDB reads such a path as a pattern naming several files.
        raise NativeUnavailable("a file name DuckDB reads as a pattern")
    for entity in program.entities:
        why = _why_not(program, entity)
        if why is not None:
            raise NativeUnavailable(why)
    created: list[str] = []
    with all_or_none(con, created):
        _read(con, program, lay, path, created)
    return lay


@contextlib.contextmanager
def all_or_none(con: duckdb.DuckDBPyConnection, created: list[str]) -> Iterator[None]:
    """Around reading a plan into tables: if it fails, drop the tables named in `created`
    (as they are made) and raise `NativeUnavailable`, so that the Python reader's plan is
    loaded into a connection holding none of them."""
    import duckdb

    try:
        yield
    except duckdb.Error as exc:
        _drop(con, created)
        raise NativeUnavailable(f"DuckDB could not read the plan as declared: {exc}") from None
    except NativeUnavailable:
        _drop(con, created)
        raise


def _drop(con: duckdb.DuckDBPyConnection, names: list[str]) -> None:
    for name in reversed(names):
        con.execute(f"DROP TABLE IF EXISTS {_quote(name)}")


def _json_path(keys: tuple[str, ...]) -> str:
    return "$" + "".join("." + '"' + k.replace('"', '\\"') + '"' for k in keys)


def _record_struct(program: Program, entity: Entity, wide: bool) -> str:
    """The STRUCT one record is read as: each field's key as JSON (its type is checked in SQL),
    or, for the `wide` read, only the decimal fields as `_WIDE_DECIMAL`."""
    parts = []
    seen: set[str] = set()
    for f in entity.fields:
        is_number = _kind(program, f) in ("decimal", "money")
        if f.data_name in seen or (wide and not is_number):
            continue
        seen.add(f.data_name)
        element = f"{_WIDE_DECIMAL}[]" if f.many else _WIDE_DECIMAL
        ty = element if wide else "JSON"
        parts.append(f"{_quote(f.data_name)} {ty}")
    return f"STRUCT({', '.join(parts)})" if parts else ""


def _columns_spec(program: Program, wide: bool, top: list[str]) -> str:
    """read_json's `columns`: the document's top-level keys, with the entities' lists typed.

    Every top-level key is named: DuckDB reads a document with keys it was not told about
    several times more slowly.
    """
    tree: dict[str, object] = {k: None for k in top}
    for entity in program.entities:
        record = _record_struct(program, entity, wide)
        if not record:
            continue
        node = tree
        for key in entity.path[:-1]:
            child = node.get(key)
            if not isinstance(child, dict):
                child = {}
                node[key] = child
            node = child
        node[entity.path[-1]] = f"{record}[]"

    def render(node: object) -> str:
        if node is None:
            return "JSON"
        if isinstance(node, str):
            return node
        assert isinstance(node, dict)
        return "STRUCT(" + ", ".join(f"{_quote(k)} {render(v)}" for k, v in node.items()) + ")"

    return "{" + ", ".join(f"{_literal(k)}: {_literal(render(v))}" for k, v in tree.items()) + "}"


def _top_keys(path: str | os.PathLike[str]) -> list[str] | None:
    """The keys of the plan's top-level object, found in one vectorised pass over the file
    (`alignrules.jsonscan`), or None when that cannot be done here (no numpy, not an object).

    DuckDB's own way, `json_keys` over the whole document, parses all of it once more, and
    holds it: at 10^6 claims, seconds and a gigabyte just to learn three keys.
    """
    if not jsonscan.available():
        return None
    with open(path, "rb") as f:
        try:
            data = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        except ValueError:  # an empty file
            return None
    with data:
        start = 3 if data[:3] == b"\xef\xbb\xbf" else 0
        while start < len(data) and data[start : start + 1] in (b" ", b"\t", b"\n", b"\r"):
            start += 1
        if data[start : start + 1] != b"{":
            return None
        try:
            return jsonscan.members(lambda a, b: data[a:b], start, len(data)).keys
        except UnicodeDecodeError:
            return None


def _read(
    con: duckdb.DuckDBPyConnection,
    program: Program,
    lay: Layout,
    path: str | os.PathLike[str],
    created: list[str],
) -> None:
    file = _literal(os.fspath(path))
    top = _top_keys(path)
    if top is None:
        top = con.execute(
            f"SELECT json_keys(json) FROM read_json_objects({file}, format = 'unstructured',"
            f" maximum_object_size = {_MAX_OBJECT})"
        ).fetchall()[0][0]
    source = (
        f"read_json({file}, format = 'unstructured', maximum_object_size = {_MAX_OBJECT},"
        " columns = {columns})"
    )
    doc = "ar__doc"
    con.execute(
        f"CREATE TEMP TABLE {doc} AS SELECT * FROM "
        + source.format(columns=_columns_spec(program, False, top))
    )
    created.append(doc)
    any_wide = any(
        _kind(program, f) in ("decimal", "money") for e in program.entities for f in e.fields
    )
    wide_doc = "ar__wide"
    if any_wide:
        con.execute(
            f"CREATE TEMP TABLE {wide_doc} AS SELECT * FROM "
            + source.format(columns=_columns_spec(program, True, top))
        )
        created.append(wide_doc)
    for entity in program.entities:
        _load_entity(con, program, lay, entity, doc, wide_doc if any_wide else None, created)
    for name in (doc, wide_doc) if any_wide else (doc,):
        con.execute(f"DROP TABLE {name}")
        created.remove(name)


def _list_expr(root: str, path: tuple[str, ...]) -> str:
    return root + "".join(f".{_quote(k)}" for k in path)


def _load_entity(
    con: duckdb.DuckDBPyConnection,
    program: Program,
    lay: Layout,
    entity: Entity,
    doc: str,
    wide_doc: str | None,
    created: list[str],
) -> None:
    table = lay.entity_table(entity.name)
    raw = f"ar__raw__{entity.name}"
    records = _list_expr(doc, entity.path)
    has_wide = wide_doc is not None and any(
        _kind(program, f) in ("decimal", "money") for f in entity.fields
    )
    # One row per record: `r` its keys as JSON, `w` its numbers read exactly, `ar_row` its
    # 0-based position, which is its document order.
    select = [
        f"unnest({records}) AS r",
        f"unnest(range(CAST(len({records}) AS BIGINT))) AS {ROW}",
    ]
    sources = doc
    if has_wide:
        assert wide_doc is not None
        select.append(f"unnest({_list_expr(wide_doc, entity.path)}) AS w")
        sources = f"{doc}, {wide_doc}"
    con.execute(f"CREATE TEMP TABLE {_quote(raw)} AS SELECT {', '.join(select)} FROM {sources}")
    created.append(raw)
    # A null list is the records' collection being absent, null or not there at all: the
    # binder tells those apart (an absent key before any `[]` is an error), so it decides.
    if con.execute(f"SELECT count(*) FROM {doc} WHERE {records} IS NULL").fetchall()[0][0]:
        raise NativeUnavailable(f"`{'.'.join(entity.path)}` is absent or null in the plan")
    problems: list[str] = ["r IS NULL"]
    columns: list[str] = [ROW]
    for f in entity.fields:
        j = f"r.{_quote(f.data_name)}"
        missing = f"({j} IS NULL OR json_type({j}) = 'NULL')"
        kind = _kind(program, f)
        if f.many:
            problems.append(f"({missing} AND NOT {str(f.optional).upper()})")
            problems.append(f"(NOT {missing} AND json_type({j}) <> 'ARRAY')")
            columns.append(f"NOT {missing} AS {_quote(present_column(f.name))}")
            continue
        if kind in ("decimal", "money"):
            w = f"w.{_quote(f.data_name)}"
            ok, value = _decimal_ok(j, w), f"CAST({w} AS DECIMAL(38, {DECIMAL_SCALE}))"
        else:
            ok, value = _convert(kind, j, enum_arms(program, f))
        if not f.optional:
            problems.append(missing)
        problems.append(f"(NOT {missing} AND NOT coalesce({ok}, false))")
        columns.append(f"CASE WHEN {missing} THEN NULL ELSE {value} END AS {_quote(f.name)}")
        if kind == "money":
            columns.append(f"CAST(NULL AS VARCHAR) AS {_quote(currency_column(f.name))}")
        if kind in ("decimal", "money"):
            # The places a number was written with are lost to DuckDB's reader (a double,
            # or a fixed scale): unknown. A query that reads them cannot use this reader.
            columns.append(f"CAST(NULL AS SMALLINT) AS {_quote(scale_column(f.name))}")
    # Unknown (NULL) counts as a problem: a check that cannot say yes must not let a value by.
    columns.append(f"coalesce({' OR '.join(problems)}, true) AS ar__bad")
    con.execute(
        f"CREATE TABLE {_quote(table.name)} AS SELECT {', '.join(columns)} FROM {_quote(raw)}"
        f" ORDER BY {ROW}"
    )
    created.append(table.name)
    key = _quote(entity.key_field.name)
    bad, dup = con.execute(
        f"SELECT min({ROW}) FILTER (WHERE ar__bad), count(*) <> count(DISTINCT {key})"
        f" FROM {_quote(table.name)}"
    ).fetchall()[0]
    if bad is not None:
        raise NativeUnavailable(
            f"record {pointer_for(entity.path, bad)} has a value the SQL reader does not take"
            " exactly as the Python loader does"
        )
    if dup:
        raise NativeUnavailable(f"entity {entity.name} has a duplicate key")
    con.execute(f"ALTER TABLE {_quote(table.name)} DROP COLUMN ar__bad")
    for f in entity.fields:
        if f.many:
            _load_list(con, program, lay, entity, f, raw, created)
    con.execute(f"DROP TABLE {_quote(raw)}")
    created.remove(raw)


def _load_list(
    con: duckdb.DuckDBPyConnection,
    program: Program,
    lay: Layout,
    entity: Entity,
    f: Field,
    raw: str,
    created: list[str],
) -> None:
    table = lay.list_table(entity.name, f.name)
    kind = _kind(program, f)
    if kind in ("decimal", "money"):
        raise NativeUnavailable(f"list field {entity.name}.{f.name} holds numbers with decimals")
    key_kind = _kind(program, entity.key_field)
    _, key = _convert(key_kind, f"r.{_quote(entity.key_field.data_name)}", None)
    j = f"r.{_quote(f.data_name)}"
    items = f"ar__items__{entity.name}__{f.name}"
    con.execute(
        f"CREATE TEMP TABLE {_quote(items)} AS SELECT {ROW}, {key} AS {OWNER},"
        f" unnest(range(CAST(json_array_length({j}) AS BIGINT))) AS {POS},"
        f" unnest(CAST(json_extract({j}, '$[*]') AS JSON[])) AS e"
        f" FROM {_quote(raw)} WHERE json_type({j}) = 'ARRAY'"
    )
    created.append(items)
    ok, value = _convert(kind, "e", enum_arms(program, f))
    bad = con.execute(
        f"SELECT count(*) FROM {_quote(items)}"
        f" WHERE json_type(e) = 'NULL' OR NOT coalesce({ok}, false)"
    ).fetchall()[0][0]
    if bad:
        raise NativeUnavailable(
            f"list field {entity.name}.{f.name} has an element the SQL reader does not take"
        )
    con.execute(
        f"CREATE TABLE {_quote(table.name)} AS SELECT {OWNER}, {POS}, {value} AS {VALUE}"
        f" FROM {_quote(items)} ORDER BY {ROW}, {POS}"
    )
    created.append(table.name)
    con.execute(f"DROP TABLE {_quote(items)}")
    created.remove(items)
