"""The table layout: how a plan's records sit in SQL relations.

This is the contract between the SQL translator (which writes queries against these tables)
and every loader (which fills them: the DuckDB baseline loader, native file loaders, mapped
warehouse tables). Nothing here depends on sqlglot or on a database.

For each entity `E` of the IR there is one relation, named `E` by default (a mapping given to
`layout` can name any entity's relation otherwise, e.g. a warehouse table), with columns:

- `ar_row` BIGINT: the record's 0-based position in document order among `E`'s records. It
  ties a query's result back to the plan's pointers (and so to file:line:column), and it is
  the deterministic order of results.
- one column per field that is not a list, named by the rule-side field name:
  text -> VARCHAR; int -> BIGINT; decimal -> DECIMAL(38, s), never a binary float;
  money -> DECIMAL(38, s) amount plus `<field>__currency` VARCHAR; date -> DATE;
  duration -> INTEGER (days); bool -> BOOLEAN; enum -> VARCHAR holding the canonical value name
  (the order comes from the IR `Enum`, not from the column); a single reference, and a
  `from parent` field -> the target's key as written in the data, typed as the target's key
  column (a dangling id stays as written). A missing value is NULL.
- for each decimal or money column `c`, a SMALLINT column `c__scale`: the number of decimal
  places the value was written with (`0.50` -> 2, `3` -> 0). The amount alone is the number;
  the scale is how it prints: a message shows a sum as the Python engine does (`1.50 + 2` is
  `3.50`), which needs the places of its terms.
- for each list field `E.f`, a BOOLEAN column `f__present` on `E`: FALSE when the list is
  absent (or null) in the data, TRUE when it is there, even empty. Language §3.6 tells the two
  apart, and a separate relation alone cannot (an owner with no element rows is either).

and for each list field `E.f` one relation `E__f` (named by the mapping too) with columns
`ar_owner` (the owner's key, typed as `E`'s key), `ar_pos` (BIGINT, 0-based position in the
list) and `value` (typed as a single value of the element type above; a money list also has
`value__currency`, and a decimal or money list `value__scale`).

Numbers: every decimal and money column of one layout has the same scale `s` (9 unless the
engine that fills the tables picks a larger one for a plan written with more places, see
`sql.limits`), so that the database never has to reconcile two scales (DuckDB rounds a
`COALESCE` of DECIMAL(38, 18) and DECIMAL(38, 9) to 9 places). A loader must refuse a value
with more than `s` decimal places or `38 - s` integer digits rather than let the database round
it; results must be exact or absent, never close.

Warehouses: `warehouse` says where each relation lives when the schema binds entities to
warehouse tables (`table "marketing.claims"`, `column "claim_text"`): the relation keeps its
layout name and columns here, and `Mapped` gives the table and the columns to read them from,
so queries and loaders rename at their edge.

Reserved names: a field named `ar_row`, or one whose name contains `__`, would collide with the
layout's own columns; `layout` refuses such a schema with `LayoutError` naming the field, and
the translator turns that into a located diagnostic.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import attrs

from alignrules.ir.nodes import Entity, Field, Program
from alignrules.ir.types import CollT, EntityT, EnumT, OptT, Prim, Type

ROW: Final = "ar_row"
OWNER: Final = "ar_owner"
POS: Final = "ar_pos"
VALUE: Final = "value"

#: Precision of every decimal and money column, and the scale a layout has by default.
DECIMAL_PRECISION: Final = 38
DECIMAL_SCALE: Final = 9

_PRIM_SQL: Final = {
    "text": "VARCHAR",
    "int": "BIGINT",
    "date": "DATE",
    "duration": "INTEGER",
    "bool": "BOOLEAN",
}


def decimal_sql_type(scale: int = DECIMAL_SCALE) -> str:
    """The SQL type of decimal and money amounts at `scale`: `DECIMAL(38, 9)`."""
    return f"DECIMAL({DECIMAL_PRECISION}, {scale})"


class LayoutError(ValueError):
    """A schema the layout cannot hold; `field` is the offending field, for a location."""

    def __init__(self, message: str, field: Field | None = None) -> None:
        super().__init__(message)
        self.field = field


@attrs.frozen
class Column:
    """One column: its name, its SQL type (DuckDB spelling, which sqlglot parses in any
    dialect), the rule-side field it holds, and its role.

    Roles: `row`, `owner`, `pos`, `value` (a field's value or a list element), `currency`
    (the currency of a money value), `scale` (the decimal places of a decimal or money
    value), `present` (whether a list field is in the data).
    """

    name: str
    sql_type: str
    field: str | None
    role: str


@attrs.frozen
class Table:
    """One relation: an entity's records (`field` None) or the elements of one list field."""

    name: str
    entity: str
    field: str | None
    columns: tuple[Column, ...]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def described(self) -> str:
        """The relation as an error about a missing table names it: `entity Claim`, or
        `Claim.capabilities` for a list field's elements."""
        return f"entity {self.entity}" if self.field is None else f"{self.entity}.{self.field}"


@attrs.frozen
class Layout:
    """Every relation a program's queries read."""

    tables: tuple[Table, ...]

    def entity_table(self, entity: str) -> Table:
        for t in self.tables:
            if t.entity == entity and t.field is None:
                return t
        raise KeyError(entity)

    def list_table(self, entity: str, field: str) -> Table:
        for t in self.tables:
            if t.entity == entity and t.field == field:
                return t
        raise KeyError(f"{entity}.{field}")


def currency_column(field: str) -> str:
    """The column holding the currency of money field `field` (or of a money list's value)."""
    return f"{field}__currency"


def scale_column(column: str) -> str:
    """The column holding the decimal places of decimal or money column `column`."""
    return f"{column}__scale"


def present_column(field: str) -> str:
    """The column on the owner's relation saying whether list field `field` is in the data."""
    return f"{field}__present"


def default_list_table_name(entity: str, field: str) -> str:
    return f"{entity}__{field}"


def element_type(t: Type) -> Type:
    """The type of one value of a field: without `?`, and an element for a list."""
    while isinstance(t, OptT | CollT):
        t = t.inner if isinstance(t, OptT) else t.elem
    return t


def scalar_sql_type(program: Program, t: Type, scale: int = DECIMAL_SCALE) -> str:
    """The SQL type of one value of IR type `t` (a reference: the target's key type)."""
    t = element_type(t)
    if isinstance(t, Prim):
        return decimal_sql_type(scale) if t.name in ("decimal", "money") else _PRIM_SQL[t.name]
    if isinstance(t, EnumT):
        return "VARCHAR"
    if isinstance(t, EntityT):
        target = program.entity(t.name)
        key = element_type(target.key_field.type)
        if isinstance(key, EntityT):  # pragma: no cover - the type checker refuses it
            raise LayoutError(f"the key of `{target.name}` is a reference", target.key_field)
        return scalar_sql_type(program, key)
    raise LayoutError(f"no SQL type for `{t}`")


def _value_columns(program: Program, field: Field, name: str, scale: int) -> list[Column]:
    base = element_type(field.type)
    cols = [Column(name, scalar_sql_type(program, base, scale), field.name, "value")]
    if base == Prim("money"):
        cols.append(Column(currency_column(name), "VARCHAR", field.name, "currency"))
    if base in (Prim("money"), Prim("decimal")):
        cols.append(Column(scale_column(name), "SMALLINT", field.name, "scale"))
    return cols


def _check_name(entity: Entity, field: Field) -> None:
    if field.name == ROW or "__" in field.name:
        raise LayoutError(
            f"field `{entity.name}.{field.name}` has a name the SQL table layout reserves"
            f" (`{ROW}`, or a name containing `__`)",
            field,
        )


def layout(
    program: Program, names: Mapping[str, str] | None = None, *, scale: int = DECIMAL_SCALE
) -> Layout:
    """The relations of `program`'s entities.

    `names` maps an entity name (`Claim`) or a list field (`Claim.tags`) to the relation that
    holds it; anything not in it gets the default name (`Claim`, `Claim__tags`). `scale` is
    the scale of every decimal and money column.
    """
    names = names or {}
    tables: list[Table] = []
    for entity in program.entities:
        cols = [Column(ROW, "BIGINT", None, "row")]
        lists: list[Table] = []
        key_sql = scalar_sql_type(program, entity.key_field.type)
        for field in entity.fields:
            _check_name(entity, field)
            if not field.many:
                cols.extend(_value_columns(program, field, field.name, scale))
                continue
            cols.append(Column(present_column(field.name), "BOOLEAN", field.name, "present"))
            element = [
                Column(OWNER, key_sql, None, "owner"),
                Column(POS, "BIGINT", None, "pos"),
                *_value_columns(program, field, VALUE, scale),
            ]
            name = names.get(
                f"{entity.name}.{field.name}", default_list_table_name(entity.name, field.name)
            )
            lists.append(Table(name, entity.name, field.name, tuple(element)))
        tables.append(Table(names.get(entity.name, entity.name), entity.name, None, tuple(cols)))
        tables.extend(lists)
    seen: dict[str, Table] = {}
    for table in tables:
        if table.name.lower() in seen:
            other = seen[table.name.lower()]
            raise LayoutError(
                f"two relations would be named `{table.name}`: for"
                f" `{_what(other)}` and for `{_what(table)}`"
            )
        seen[table.name.lower()] = table
    return Layout(tuple(tables))


def _what(table: Table) -> str:
    return table.entity if table.field is None else f"{table.entity}.{table.field}"


@attrs.frozen
class Mapped:
    """Where one relation of the layout lives in a warehouse (`table "..."`, `column "..."`).

    `table` is the warehouse table (`marketing.claims`; a list field's elements sit beside
    their owner in `marketing.claims__tags`); `columns` pairs each layout column whose
    warehouse column differs with that column (`promise` with `claim_text`, and the
    `__currency`, `__scale` columns that go with it).
    """

    relation: str
    table: str
    columns: tuple[tuple[str, str], ...]

    def column(self, name: str) -> str:
        """The warehouse column holding layout column `name`."""
        return dict(self.columns).get(name, name)


def warehouse(program: Program, lay: Layout) -> dict[str, Mapped]:
    """Each relation of `lay` (made without `names`) by the warehouse table it lives in."""
    out: dict[str, Mapped] = {}
    for t in lay.tables:
        entity = program.entity(t.entity)
        base = entity.table if entity.table is not None else entity.name
        if t.field is not None:
            out[t.name] = Mapped(t.name, default_list_table_name(base, t.field), ())
            continue
        renames: list[tuple[str, str]] = []
        for c in t.columns:
            f = entity.field(c.field) if c.field is not None else None
            if f is None or f.column is None or c.role == "present":
                continue
            renames.append((c.name, f.column + c.name[len(f.name) :]))
        mapped = Mapped(t.name, base, tuple(renames))
        seen: dict[str, Column] = {}
        for c in t.columns:
            physical = mapped.column(c.name)
            if physical in seen:
                f = entity.field(c.field) if c.field is not None else None
                raise LayoutError(
                    f"fields `{seen[physical].field}` and `{c.field}` of `{entity.name}` would"
                    f" both be read from column `{physical}` of table `{base}`",
                    f,
                )
            seen[physical] = c
        out[t.name] = mapped
    return out
