"""Binding plain data to a generated module's entity classes, with cattrs; and the small
helpers that generated rules call (reference lookups, aggregates, formatting).

Every data problem names a JSON pointer into the data; the caller turns it into file:line.

Over 500 lines: it still holds the cattrs binder and the readers it makes beside the helpers
generated rules call; moving reader generation to compile time leaves only the latter here.
"""

from __future__ import annotations

import contextlib
import decimal
import enum
import functools
import linecache
import operator
import re
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Final, TypeVar

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, override

from alignrules.gcpause import gc_paused as gc_paused  # generated `check` pauses through bind
from alignrules.pointer import escape as escape_pointer
from alignrules.runtime import shapes, strict

# What a dangling reference does inside an expression has its own module; generated code
# reaches it through `bind`, its one runtime import for behaviour.
from alignrules.runtime.crashes import CRASHED as CRASHED
from alignrules.runtime.crashes import reported_rules as reported_rules
from alignrules.runtime.crashes import run_rule as run_rule
from alignrules.runtime.dangling import Dangling as Dangling
from alignrules.runtime.dangling import hole as hole
from alignrules.runtime.dangling import known as known
from alignrules.runtime.dangling import terms as terms
from alignrules.runtime.regex import Pattern
from alignrules.runtime.report import DANGLING_RULE, Location, RuleInfo, Severity, Violation
from alignrules.runtime.values import (
    ZERO_MONEY as ZERO_MONEY,  # re-exported: generated sums over money start from it
)
from alignrules.runtime.values import (
    Money,
    ValueProblem,
    bounded_days,
    bounded_decimal,
    bounded_int,
    finite_decimal,
    is_currency_code,
    normalize_spelling,
    parse_bool,
    parse_date,
    parse_decimal,
    parse_duration,
    parse_int,
    parse_money,
)

T = TypeVar("T")
E = TypeVar("E")
K = TypeVar("K")


# ------------------------------------------------------------------ errors
class DataError(Exception):
    """Plan data that cannot be bound: `problems` are (JSON pointer, message) pairs."""

    def __init__(self, problems: Sequence[tuple[str, str]]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(f"{p or '/'}: {m}" for p, m in self.problems))


def _kind_of(value: object) -> str:
    return shapes.kind_of(value, number="number")


class _FieldProblem(ValueProblem):
    """A problem inside a field's value, `sub` the pointer suffix (e.g. "/0" in a list)."""

    def __init__(self, message: str, sub: str = "") -> None:
        super().__init__(message)
        self.sub = sub


# ------------------------------------------------------------------ specs
@attrs.frozen
class FieldSpec:
    """How one field is read: `attr` on the class, `data` key in a record."""

    attr: str
    data: str
    kind: str  # text int decimal money bool date duration enum ref
    many: bool = False
    optional: bool = False
    split: str | None = None
    enum: Mapping[str, enum.Enum] | None = None  # normalized spelling → member
    key_kind: str = "text"  # for references: the target key's kind
    target: str | None = None  # for references: the target entity
    # The keys of a value inside nested objects (`data` is them joined by `.`, and is the CSV
    # column). In JSON or YAML the binder walks them and puts the value under `data` in a
    # copy of the record, where the readers find it; the schema refuses two fields with one
    # `data`, so that key is the field's own.
    path: tuple[str, ...] = ()
    parent: int = 0  # `from parent`: steps of the entity's path to the record holding it

    @property
    def pointer(self) -> str:
        """The JSON pointer from a record to this field's value: `/schedule/start`."""
        return "".join("/" + escape_pointer(k) for k in self.path or (self.data,))


@attrs.frozen
class EntitySpec:
    name: str
    cls: type[Any]
    path: tuple[str, ...]
    csv: str
    key: str  # attribute name of the key
    fields: tuple[FieldSpec, ...]
    single: bool = False  # `at`: the path holds one object, the one record
    strict: bool = False  # a strict data contract (`runtime/strict`)
    decimals: int | None = None  # strict: the most decimals a number may have

    @property
    def key_data(self) -> str:
        return next(f.data for f in self.fields if f.attr == self.key)

    @property
    def key_field(self) -> FieldSpec:
        return next(f for f in self.fields if f.attr == self.key)


DANGLING: Final = RuleInfo(
    id=DANGLING_RULE,
    title="A reference names an entity that does not exist",
    severity=Severity.ERROR,
    origin="<alignrules>",
    rationale=(
        "A claim, campaign or plan item that points at a missing record cannot be checked, "
        "and usually means the export is incomplete or an id was mistyped."
    ),
)


# ------------------------------------------------------------------ scalar readers
def _scalar_reader(
    kind: str, lenient: bool, spellings: Mapping[str, enum.Enum] | None
) -> Callable[[Any], Any]:
    """A function from one data value to the Python value of `kind`.

    `lenient` is for CSV, where every cell is text: numbers, dates and booleans are parsed.
    JSON and YAML must give numbers as numbers, except money and decimals, which exports
    often write as text (`"1,200.50 USD"`).
    """

    def text(v: Any) -> str:
        if isinstance(v, str):
            return v
        raise ValueProblem(f"expected text, got {_kind_of(v)}")

    def integer(v: Any) -> int:
        if isinstance(v, bool):
            raise ValueProblem("expected a whole number, got true/false")
        if isinstance(v, int):
            return bounded_int(v)
        if isinstance(v, Decimal) and v.is_finite() and v == v.to_integral_value():
            return bounded_int(int(bounded_decimal(v)))
        if lenient and isinstance(v, str):
            return parse_int(v)
        raise ValueProblem(f"expected a whole number, got {_kind_of(v)}")

    def decimal(v: Any) -> Decimal:
        if isinstance(v, bool):
            raise ValueProblem("expected a number, got true/false")
        if isinstance(v, int):
            return Decimal(bounded_int(v))
        if isinstance(v, Decimal):
            return finite_decimal(v)
        if isinstance(v, float):
            return finite_decimal(Decimal(repr(v)))
        if isinstance(v, str):
            return parse_decimal(v)
        raise ValueProblem(f"expected a number, got {_kind_of(v)}")

    def money(v: Any) -> Money:
        if isinstance(v, str):
            return parse_money(v)
        if isinstance(v, Mapping) and "amount" in v:
            cur = v.get("currency")
            if cur is not None and not (isinstance(cur, str) and is_currency_code(cur)):
                raise ValueProblem(
                    "expected a currency code of three capital letters, such as `USD`"
                )
            return Money(decimal(v["amount"]), cur)
        return Money(decimal(v))

    def boolean(v: Any) -> bool:
        if isinstance(v, bool):
            return v
        if lenient and isinstance(v, str):
            return parse_bool(v)
        raise ValueProblem(f"expected true or false, got {_kind_of(v)}")

    def day(v: Any) -> date:
        if isinstance(v, date):
            return v
        if isinstance(v, str):
            return parse_date(v)
        raise ValueProblem(f"expected a date like 2026-03-31, got {_kind_of(v)}")

    def duration(v: Any) -> timedelta:
        if isinstance(v, str):
            return parse_duration(v)
        if isinstance(v, int) and not isinstance(v, bool):
            return bounded_days(v)
        raise ValueProblem(f"expected a duration like `90 days`, got {_kind_of(v)}")

    def member(v: Any) -> enum.Enum:
        assert spellings is not None
        if isinstance(v, str):
            found = spellings.get(normalize_spelling(v))
            if found is not None:
                return found
        names = sorted({str(m) for m in spellings.values()})
        raise ValueProblem(f"{v!r} is not one of {', '.join(names)}")

    def key(v: Any) -> str | int:
        raise AssertionError  # pragma: no cover - replaced below

    readers: dict[str, Callable[[Any], Any]] = {
        "text": text,
        "int": integer,
        "decimal": decimal,
        "money": money,
        "bool": boolean,
        "date": day,
        "duration": duration,
        "enum": member,
    }
    return readers[kind]


def _key_reader(key_kind: str, lenient: bool) -> Callable[[Any], Any]:
    """Keys may be text or whole numbers; a CSV cell holding a number key is read as one."""
    if key_kind == "int":
        return _scalar_reader("int", lenient, None)

    def text_key(v: Any) -> str:
        if isinstance(v, str):
            return v
        raise ValueProblem(f"expected text, got {_kind_of(v)}")

    return text_key


def _field_hook(spec: FieldSpec, lenient: bool) -> Callable[[Any, Any], Any]:
    if spec.kind == "ref":
        one = _key_reader(spec.key_kind, lenient)
    else:
        one = _scalar_reader(spec.kind, lenient, spec.enum)
    optional = spec.optional

    def read_one(value: Any, _: Any) -> Any:
        # A CSV cell cannot be null: an empty cell is a missing value, except in a required
        # text field, where it can only mean the empty text.
        if value is None or (lenient and value == "" and (spec.kind != "text" or optional)):
            if optional:
                return None
            raise ValueProblem(
                "is empty, and the field is required"
                if value == ""
                else "is null, and the field is required"
            )
        return one(value)

    def read_many(value: Any, _: Any) -> Any:
        if value is None:
            if optional:
                return None
            raise ValueProblem("is null, and the list is required (write [] for an empty list)")
        if isinstance(value, str) and (spec.split is not None or lenient):
            if spec.split is None:
                raise ValueProblem(
                    "expected a list; declare the field with `split` to read a CSV cell"
                )
            # `K1;` and `K1;;K2` are how spreadsheets leave a list: no empty items.
            items: Sequence[Any] = [p.strip() for p in value.split(spec.split) if p.strip()]
        elif isinstance(value, list | tuple):
            items = value
        else:
            raise ValueProblem(f"expected a list, got {_kind_of(value)}")
        out = []
        for i, item in enumerate(items):
            try:
                if item is None:
                    raise ValueProblem("expected a value, got null")
                out.append(one(item))
            except ValueProblem as exc:
                raise _FieldProblem(str(exc), f"/{i}") from None
        return tuple(out)

    return read_many if spec.many else read_one


# ------------------------------------------------------------------ binder
#: The decimal arithmetic rules run with, whatever the host application's own context is:
#: 60 significant digits, so that sums, differences and products of any amount a plan holds
#: are exact; a quotient with no finite decimal form (`1 / 3`) is rounded to 60 digits.
#: Overflow and invalid operations raise (the record is then a `rule-crashed` finding).
ARITHMETIC: Final = decimal.Context(
    prec=60,
    rounding=decimal.ROUND_HALF_EVEN,
    traps=[decimal.DivisionByZero, decimal.InvalidOperation, decimal.Overflow],
)


def arithmetic() -> contextlib.AbstractContextManager[decimal.Context]:
    """Run the rules in `ARITHMETIC`: results must not depend on the caller's decimal context."""
    return decimal.localcontext(ARITHMETIC)


class _Retry(Exception):
    """A record the fast reader does not take as it is; the detailed reader decides."""


#: Field kinds whose plain JSON form the fast reader checks inline: `type(value) is T`.
_PLAIN_TYPES: Final = {"text": "str", "int": "int", "bool": "bool"}
_ISO_DAY: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _fast_day(value: Any) -> date:
    """A date in its canonical spelling, `2026-03-31`; anything else goes to the full reader."""
    if type(value) is str and _ISO_DAY.fullmatch(value):
        return date.fromisoformat(value)
    raise _Retry


def _fast_reader(spec: EntitySpec, lenient: bool) -> Callable[[Mapping[str, Any], str], Any]:
    """One function that reads a whole record of `spec` into its class, generated once.

    It takes only the plain, canonical form of every field (text as `str`, a list as a
    `list`, an enum value as it is spelled in the ruleset or was seen before, ...) and raises
    on anything else, missing fields included; the caller then runs the detailed cattrs
    reader, which accepts every form the language allows and names the JSON pointer of every
    problem. Both give equal objects for the records the fast reader takes.
    """
    names: dict[str, Any] = {"cls": spec.cls, "_Retry": _Retry}
    lines = [f"def read_{spec.name}(record, ar_pointer):"]
    args = []
    for i, f in enumerate(spec.fields):
        var = f"v{i}"
        get = f"record[{f.data!r}]" if not f.optional else f"record.get({f.data!r})"
        kind = f.key_kind if f.kind == "ref" else f.kind
        lines.append(f"    {var} = {get}")
        if lenient:
            # CSV cells are text: the field's own reader parses them (and refuses bad ones).
            names[f"read{i}"] = _field_hook(f, lenient)
            lines.append(f"    {var} = read{i}({var}, None)")
        elif f.many:
            if f.optional:
                lines.append(f"    if {var} is not None:")
            pad = "        " if f.optional else "    "
            lines.append(f"{pad}if type({var}) is not list:")
            lines.append(f"{pad}    raise _Retry")
            if kind in _PLAIN_TYPES:
                lines.append(f"{pad}for item in {var}:")
                lines.append(f"{pad}    if type(item) is not {_PLAIN_TYPES[kind]}:")
                lines.append(f"{pad}        raise _Retry")
                lines.append(f"{pad}{var} = tuple({var})")
            else:
                names[f"read{i}"] = _field_hook(attrs.evolve(f, optional=False), lenient)
                lines.append(f"{pad}{var} = read{i}({var}, None)")
        elif kind in _PLAIN_TYPES:
            check = f"{var} is not None and " if f.optional else ""
            lines.append(f"    if {check}type({var}) is not {_PLAIN_TYPES[kind]}:")
            lines.append("        raise _Retry")
        else:
            # A required field's reader refuses null itself; an optional one's null stays None.
            pad = "        " if f.optional else "    "
            if f.optional:
                lines.append(f"    if {var} is not None:")
            if kind == "enum":
                assert f.enum is not None
                names[f"members{i}"], names[f"read{i}"] = _enum_learner(f.enum)
                lines.append(f"{pad}member = members{i}.get({var})")
                lines.append(f"{pad}{var} = read{i}({var}) if member is None else member")
            else:
                names[f"read{i}"] = (
                    _fast_day if kind == "date" else _scalar_reader(kind, False, None)
                )
                lines.append(f"{pad}{var} = read{i}({var})")
        args.append(f"{f.attr}={var}")
    lines.append(f"    return cls({', '.join(args)}, ar_pointer=ar_pointer)")
    source = "\n".join(lines) + "\n"
    # Named after the class's own module (a compiled ruleset's name holds its digest), so two
    # rulesets with a `Claim` entity never share, or overwrite, each other's reader lines.
    where = f"{spec.cls.__module__}.{spec.cls.__qualname__}"
    filename = f"<alignrules reader {where} {'csv' if lenient else 'json'} {id(spec.cls):x}>"
    entry = (len(source), None, source.splitlines(True), filename)
    linecache.cache[filename] = entry
    exec(compile(source, filename, "exec"), names)
    fn: Callable[[Mapping[str, Any], str], Any] = names[f"read_{spec.name}"]
    weakref.finalize(fn, _forget_source, filename, entry)  # the lines live as long as the reader
    return fn


def _forget_source(filename: str, entry: object) -> None:
    if linecache.cache.get(filename) is entry:
        del linecache.cache[filename]


def _enum_learner(
    spellings_: Mapping[str, enum.Enum],
) -> tuple[dict[str, enum.Enum], Callable[[Any], enum.Enum]]:
    """Exact data spellings → member (at first those that normalize to themselves), and the
    function that reads any other spelling and remembers it, so each is normalized once."""
    exact = {k: m for k, m in spellings_.items() if normalize_spelling(k) == k}
    read = _scalar_reader("enum", False, spellings_)

    def learn(value: Any) -> enum.Enum:
        member: enum.Enum = read(value)
        if len(exact) < 1024:  # bounded: data may spell a value many ways
            exact[value] = member
        return member

    return exact, learn


class Binder:
    """Reads plain data into the entity classes of one generated module.

    Per class and per dialect ("json" for JSON/YAML, "csv" for text cells) it has a fast
    reader (`_fast_reader`, generated once) and a detailed cattrs structuring function,
    generated once on the first record the fast reader does not take. The detailed one
    accepts every spelling the language allows and names the JSON pointer of each problem.
    """

    def __init__(self, specs: Sequence[EntitySpec]) -> None:
        self.specs = tuple(specs)
        self._fast = {
            (spec.name, dialect): _fast_reader(spec, dialect == "csv")
            for spec in self.specs
            for dialect in ("json", "csv")
        }
        self._structure: dict[tuple[str, str], Callable[[Mapping[str, Any]], Any]] = {}

    def _detailed(self, name: str, dialect: str) -> Callable[[Mapping[str, Any]], Any]:
        """The cattrs structuring function of entity `name`, made on first use."""
        if (name, dialect) not in self._structure:
            conv = cattrs.Converter(detailed_validation=True)
            for spec in self.specs:
                overrides = {
                    f.attr: override(rename=f.data, struct_hook=_field_hook(f, dialect == "csv"))
                    for f in spec.fields
                }
                # The pointer is set after structuring, not passed in the record under a
                # reserved key: any key may occur in a plan, and cattrs before 26.2 cannot
                # even compile a key holding NUL.
                overrides["ar_pointer"] = override(omit=True)
                fn = make_dict_structure_fn(spec.cls, conv, **overrides)  # type: ignore[arg-type]
                conv.register_structure_hook(spec.cls, fn)
                self._structure[(spec.name, dialect)] = _bound(conv, spec.cls)
        return self._structure[(name, dialect)]

    def bind(
        self, data: Any, dialect: str = "json"
    ) -> tuple[dict[str, tuple[Any, ...]], dict[str, dict[Any, Any]], list[Violation]]:
        """Entities per type, key indexes per type, and dangling-reference violations."""
        with gc_paused():
            return self._bind(data, dialect)

    def _bind(
        self, data: Any, dialect: str
    ) -> tuple[dict[str, tuple[Any, ...]], dict[str, dict[Any, Any]], list[Violation]]:
        problems: list[tuple[str, str]] = []
        entities: dict[str, tuple[Any, ...]] = {}
        indexes: dict[str, dict[Any, Any]] = {}
        if dialect == "json" and not isinstance(data, Mapping):
            raise DataError([("", f"expected an object at the top, got {_kind_of(data)}")])
        # A record holding others is bound first: its key fills their `from parent` fields,
        # and its path is always the shorter one.
        for spec in sorted(self.specs, key=lambda s: len(s.path)):
            items = self._records(spec, data, dialect, problems, indexes)
            if spec.strict:
                problems += strict.record_problems(spec, items, dialect == "csv")
            fast = self._fast[(spec.name, dialect)]
            key_of = operator.attrgetter(spec.key)
            index: dict[Any, Any] = {}  # in record order: its values are the entities
            for pointer, record in items:
                try:
                    obj = fast(record, pointer)
                except Exception:
                    structure = self._detailed(spec.name, dialect)
                    obj = self._one(spec, structure, pointer, record, problems)
                    if obj is None:
                        continue
                key = key_of(obj)
                if key in index:
                    first = index[key].ar_pointer
                    problems.append(
                        (pointer, f"duplicate {spec.name} key {key!r} (first at {first})")
                    )
                    continue
                index[key] = obj
            entities[spec.name] = tuple(index.values())
            indexes[spec.name] = index
            if len(problems) >= 20:
                break
        problems += strict.shared_keys([s for s in self.specs if s.strict], indexes)
        if problems:
            raise DataError(problems[:20])
        return entities, indexes, self._dangling(entities, indexes)

    def _records(
        self,
        spec: EntitySpec,
        data: Any,
        dialect: str,
        problems: list[tuple[str, str]],
        indexes: Mapping[str, Mapping[Any, Any]],
    ) -> list[tuple[str, Mapping[str, Any]]]:
        if dialect != "csv":
            return self._nested_records(spec, data, problems, indexes)
        if spec.csv not in data:
            problems.append(("", f"no file {spec.csv} for entity {spec.name}"))
            return []
        node, base = data[spec.csv], "/" + escape_pointer(spec.csv)
        out = [(f"{base}/{i}", record) for i, record in enumerate(node)]
        if spec.single and len(out) > 1:
            problems.append(
                (out[1][0], f"{spec.csv} holds the one {spec.name} record, and has {len(out)} rows")
            )
        return out

    def _nested_records(
        self,
        spec: EntitySpec,
        data: Any,
        problems: list[tuple[str, str]],
        indexes: Mapping[str, Mapping[Any, Any]],
    ) -> list[tuple[str, Mapping[str, Any]]]:
        """The records at `spec.path` (see `shapes`), each ready for the field readers."""
        key = spec.key_field
        plain_ok = all(f.optional or f.parent or f is key for f in spec.fields)
        places, bad = shapes.find_collections(spec.name, spec.path, data)
        problems.extend(bad)
        nested = [f for f in spec.fields if f.path or f.parent]
        out: list[tuple[str, Mapping[str, Any]]] = []
        found: list[shapes.Found] = []
        for place in places:
            node, base, _ = place
            # The common shape, a list of plain records, costs no more than it did before
            # nesting existed: no record needs a nested value or its holder's key.
            plain_records = not nested and not spec.single and type(node) is list
            if plain_records and all(type(r) is dict for r in node):
                out += [(f"{base}/{i}", r) for i, r in enumerate(node)]
                continue
            found += shapes.records_at(spec.name, place, spec.single, plain_ok, problems)
        holders = {
            (f.parent, f.target): {
                o.ar_pointer: o.ar_key for o in indexes.get(f.target or "", {}).values()
            }
            for f in nested
            if f.parent
        }
        for item in found:
            plain = not isinstance(item.record, Mapping)
            record: Mapping[str, Any] = {} if plain else item.record
            if nested:
                ready = self._prepare(spec, item, record, nested, holders, problems)
                if ready is None:
                    continue
                record = ready
            if plain:  # a plain value is the record's key
                record = {**record, key.data: item.record}
            if item.map_key is not None:
                with_key = self._with_map_key(spec, item, record, problems)
                if with_key is None:
                    continue
                record = with_key
            out.append((item.pointer, record))
        return out

    @staticmethod
    def _prepare(
        spec: EntitySpec,
        item: shapes.Found,
        record: Mapping[str, Any],
        nested: Sequence[FieldSpec],
        holders: Mapping[tuple[int, str | None], Mapping[str, Any]],
        problems: list[tuple[str, str]],
    ) -> Mapping[str, Any] | None:
        """`record` with the values of nested fields and `from parent` keys under the keys the
        readers look for them: the field's `data`."""
        ready = dict(record)
        for f in nested:
            if f.parent:
                keys = holders[(f.parent, f.target)]
                holder = item.trail[f.parent - 1]
                if holder not in keys:
                    problems.append(
                        (item.pointer, f"the {f.target} holding this {spec.name} was not read")
                    )
                    return None
                ready[f.data] = keys[holder]
                continue
            try:
                value = shapes.field_value(record, f.path)
            except shapes.PathStop as stop:
                at = "".join("/" + escape_pointer(k) for k in f.path[: stop.depth])
                problems.append((item.pointer + at, f"field `{f.data}`: {stop}"))
                return None
            if value is not shapes.ABSENT:
                ready[f.data] = value
        return ready

    @staticmethod
    def _with_map_key(
        spec: EntitySpec,
        item: shapes.Found,
        record: Mapping[str, Any],
        problems: list[tuple[str, str]],
    ) -> Mapping[str, Any] | None:
        """A record of an id-keyed map, with its map key as its key when it has none."""
        key_field = spec.key_field
        source = key_field.data
        if source in record:
            return record
        # JSON object keys are always text; an int key field reads them as numbers (and
        # refuses those that are not, naming the key).
        key: Any = item.map_key
        if key_field.kind == "int" and isinstance(key, str):
            try:
                key = parse_int(key)
            except ValueProblem as exc:
                problems.append((item.pointer, f"the key of this {spec.name}: {exc}"))
                return None
        return {**record, source: key}

    def _one(
        self,
        spec: EntitySpec,
        structure: Callable[[Mapping[str, Any]], Any],
        pointer: str,
        record: Mapping[str, Any],
        problems: list[tuple[str, str]],
    ) -> Any:
        try:
            return attrs.evolve(structure(record), ar_pointer=pointer)
        except cattrs.ClassValidationError as group:
            with_notes, without = group.group_exceptions()
            for exc in without:
                problems.append((pointer, f"cannot read: {exc}"))
            for exc, note in with_notes:
                name = getattr(note, "name", "")
                field = next((f for f in spec.fields if f.attr == name), None)
                data = field.data if field else name
                where = pointer + (field.pointer if field else f"/{escape_pointer(data)}")
                if isinstance(exc, KeyError):
                    problems.append((pointer, f"missing required field `{data}`"))
                elif isinstance(exc, ValueProblem):
                    problems.append((where + getattr(exc, "sub", ""), str(exc)))
                else:
                    problems.append((where, f"cannot read: {exc}"))
            return None

    def _dangling(
        self, entities: Mapping[str, tuple[Any, ...]], indexes: Mapping[str, Mapping[Any, Any]]
    ) -> list[Violation]:
        out: list[Violation] = []
        for spec in self.specs:
            refs = [
                (f, operator.attrgetter(f.attr), indexes[f.target])
                for f in spec.fields
                if f.kind == "ref" and f.target is not None
            ]
            if not refs:
                continue
            for obj in entities[spec.name]:
                for f, value_of, target in refs:
                    value = value_of(obj)
                    if value is None:
                        continue
                    if f.many:
                        if all(map(target.__contains__, value)):
                            continue
                        keys = value
                    elif value in target:
                        continue
                    else:
                        keys = (value,)
                    for i, k in enumerate(keys):
                        if k not in target:
                            out.append(self._dangling_one(spec, f, obj, i, k, keys))
        return out

    @staticmethod
    def _dangling_one(
        spec: EntitySpec, f: FieldSpec, obj: Any, i: int, k: Any, keys: Sequence[Any]
    ) -> Violation:
        # A key repeated in one list is one dangling reference, reported once (the report
        # drops equal findings). Which of its places to name would depend on the order of
        # the list, so it names the list itself.
        sub = "" if not f.many else f"/{i}" if keys.count(k) == 1 else ""
        own_key = getattr(obj, spec.key)
        return Violation(
            rule=DANGLING.id,
            severity=DANGLING.severity,
            message=f"{spec.name} {own_key} references {f.target} {k}, which does not exist",
            entity=spec.name,
            key=str(own_key),
            location=Location(None, obj.ar_pointer),
            related=((str(f.target), str(k)),),
            field=f.attr,
            field_location=Location(None, f"{obj.ar_pointer}{f.pointer}{sub}"),
        )


def _bound(conv: cattrs.Converter, cls: type[Any]) -> Callable[[Mapping[str, Any]], Any]:
    hook = conv.get_structure_hook(cls)

    def structure(record: Mapping[str, Any]) -> Any:
        return hook(record, cls)

    return structure


class Spellings(dict[str, enum.Enum]):
    """Normalized spelling → enum member; `exact` keeps the spellings as declared, which is
    all a strict data contract accepts."""

    exact: frozenset[str] = frozenset()


def spellings(members: Iterable[tuple[enum.Enum, Sequence[str]]]) -> Spellings:
    """Normalized spelling → enum member, for every name and declared data spelling."""
    out = Spellings()
    exact: set[str] = set()
    for member, names in members:
        for name in names:
            out.setdefault(normalize_spelling(name), member)
            exact.add(name)
    out.exact = frozenset(exact)
    return out


# ------------------------------------------------------------------ indexes and lookups
def back_index(
    items: Iterable[E], keys: Callable[[E], Any], many: bool
) -> dict[Any, tuple[E, ...]]:
    """Key → the items whose reference field names that key (built once per check)."""
    out: dict[Any, list[E]] = {}
    with gc_paused():
        for item in items:
            value = keys(item)
            if value is None:
                continue
            for k in (dict.fromkeys(value) if len(value) > 1 else value) if many else (value,):
                bucket = out.get(k)
                if bucket is None:
                    out[k] = [item]
                else:
                    bucket.append(item)
        return {k: tuple(v) for k, v in out.items()}


def deref(index: Mapping[K, E], key: K) -> E:
    try:
        return index[key]
    except KeyError:
        raise Dangling(key) from None


def deref_opt(index: Mapping[K, E], key: K | None) -> E | None:
    if key is None:
        return None
    try:
        return index[key]
    except KeyError:
        raise Dangling(key) from None


def deref_many(index: Mapping[K, E], keys: Iterable[K]) -> tuple[E, ...]:
    """The entities the keys name; dangling keys are left out (the loader reported them)."""
    if not isinstance(keys, tuple | list):
        keys = tuple(keys)
    try:
        return tuple(map(index.__getitem__, keys))  # the common case, at C speed
    except KeyError:
        return tuple(index[k] for k in keys if k in index)


def deref_many_opt(index: Mapping[K, E], keys: Iterable[K] | None) -> tuple[E, ...] | None:
    return None if keys is None else deref_many(index, keys)


def opt_list(value: E | None) -> tuple[E, ...]:
    return () if value is None else (value,)


def opt_items(values: tuple[E, ...] | None) -> tuple[E, ...]:
    """An optional list as a list to range over: a missing list has no elements."""
    return () if values is None else values


def otherwise(value: T | None, default: T) -> T:
    return default if value is None else value


def present(value: T | None) -> T:
    """A value the type checker proved present (`x is present and ...`)."""
    if value is None:  # pragma: no cover - the checker guards every use
        raise ValueProblem("a value proved present was missing")
    return value


def values_of(items: Iterable[T | None]) -> tuple[T, ...]:
    """The present values: aggregates leave missing ones out, as SQL does."""
    return tuple(v for v in items if v is not None)


def flat(items: Iterable[Iterable[T] | None]) -> tuple[T, ...]:
    return tuple(v for vs in items if vs is not None for v in vs)


def avg(values: Iterable[int | Decimal]) -> Decimal | None:
    vs = [Decimal(v) for v in values]
    return sum(vs, Decimal(0)) / len(vs) if vs else None


def avg_money(values: Iterable[Money]) -> Money | None:
    vs = list(values)
    if not vs:
        return None
    total = vs[0]
    for v in vs[1:]:
        total = total + v
    return total.scale_div(len(vs))


def money(value: int | Decimal | Money) -> Money:
    return value if isinstance(value, Money) else Money(Decimal(value))


def ratio(a: timedelta, b: timedelta) -> Decimal:
    return Decimal(a // timedelta(days=1)) / Decimal(b // timedelta(days=1))


def text(value: object) -> str:
    """How a value is written in a message."""
    if value is None:
        return "missing"
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, timedelta):
        return f"{value.days} days"
    if isinstance(value, Decimal):
        return (
            format(value.normalize(), "f")
            if value == value.to_integral_value()
            else format(value, "f")
        )
    if isinstance(value, tuple | list | frozenset):
        return ", ".join(sorted(text(v) for v in value))
    if isinstance(value, enum.Enum):
        return str(value)
    if hasattr(value, "ar_pointer") and attrs.has(type(value)):
        return str(getattr(value, "ar_key", value))
    return str(value)


def violation(
    info: RuleInfo,
    entity: str,
    key: object,
    pointer: str,
    message: str,
    related: tuple[tuple[str, str], ...] = (),
    field: str | None = None,
    field_data: str | None = None,
    field_path: tuple[str, ...] = (),
) -> Violation:
    return Violation(
        rule=info.id,
        severity=info.severity,
        message=message,
        entity=entity,
        key=key if type(key) is str else str(key),
        location=Location(None, pointer),
        related=related,
        field=field,
        field_location=Location(None, pointer + "".join(f"/{_escaped(k)}" for k in field_path))
        if field_path
        else None
        if field_data is None
        else Location(None, f"{pointer}/{_escaped(field_data)}"),
    )


@functools.lru_cache(maxsize=256)
def _escaped(token: str) -> str:
    return escape_pointer(token)


# ------------------------------------------------------------------ parameters
def parse_param(
    kind: str, text_value: str, spellings_: Mapping[str, enum.Enum] | None, is_set: bool
) -> Any:
    """A parameter override from the command line: `--param ltv_cac_min=2.5`."""
    read = _scalar_reader(kind, True, spellings_)
    if is_set:
        parts = [p.strip() for p in text_value.split(",") if p.strip()]
        return frozenset(read(p) for p in parts)
    return read(text_value)


def make_params(
    cls: type[T],
    specs: Sequence[tuple[str, str, str, Mapping[str, enum.Enum] | None, bool]],
    overrides: Mapping[str, str],
) -> T:
    """`cls()` with `overrides` (parameter name → text) parsed by each parameter's type."""
    by_name = {s[0]: s for s in specs}
    values: dict[str, Any] = {}
    for name, raw_value in overrides.items():
        spec = by_name.get(name)
        if spec is None:
            known = ", ".join(sorted(by_name)) or "none"
            raise ValueProblem(f"unknown parameter `{name}` (parameters: {known})")
        _, attr, kind, spell, is_set = spec
        try:
            values[attr] = parse_param(kind, raw_value, spell, is_set)
        except ValueProblem as exc:
            raise ValueProblem(f"parameter `{name}`: {exc}") from None
    return cls(**values)


def regex(pattern: str, ignore_case: bool = False) -> Pattern:
    """A compiled `matches` pattern, on RE2 only (see `alignrules.runtime.regex`): raises
    `RegexEngineMissing`, an ImportError, when `google-re2` is not installed."""
    return Pattern(pattern, ignore_case)
