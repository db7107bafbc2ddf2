"""Binding plain data to a generated module's entity classes: the records at each entity's
path, its generated reader (or, for a record it does not take, a detailed cattrs reader that
names every problem), key indexes, duplicate keys, and dangling references.

Every data problem names a JSON pointer into the data; the caller turns it into file:line.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

import attrs

from alignrules.gcpause import gc_paused
from alignrules.pointer import escape as escape_pointer
from alignrules.runtime import shapes, strict
from alignrules.runtime.readers import field_hook, kind_of
from alignrules.runtime.report import DANGLING_RULE, Location, RuleInfo, Severity, Violation
from alignrules.runtime.specs import EntitySpec, FieldSpec
from alignrules.runtime.values import ValueProblem, parse_int

#: A generated reader: one record and its JSON pointer → an entity (or it raises, and the
#: detailed reader decides).
Reader = Callable[[Mapping[str, Any], str], Any]


class DataError(Exception):
    """Plan data that cannot be bound: `problems` are (JSON pointer, message) pairs."""

    def __init__(self, problems: Sequence[tuple[str, str]]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(f"{p or '/'}: {m}" for p, m in self.problems))


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


class Binder:
    """Reads plain data into the entity classes of one generated module.

    Per class and per dialect ("json" for JSON/YAML, "csv" for text cells) it has a fast
    reader, written into the generated module by the compiler, and a detailed cattrs
    structuring function, made once on the first record the fast reader does not take. The
    detailed one accepts every spelling the language allows and names the JSON pointer of
    each problem; both give equal objects for the records the fast reader takes.
    """

    def __init__(
        self,
        specs: Sequence[EntitySpec],
        readers: Mapping[str, tuple[Reader, Reader]],
    ) -> None:
        self.specs = tuple(specs)
        # Per entity, its generated readers: of JSON/YAML records, and of CSV rows.
        self._fast = {
            (name, dialect): reader
            for name, (json_reader, csv_reader) in readers.items()
            for dialect, reader in (("json", json_reader), ("csv", csv_reader))
        }
        self._structure: dict[tuple[str, str], Callable[[Mapping[str, Any]], Any]] = {}

    def _detailed(self, name: str, dialect: str) -> Callable[[Mapping[str, Any]], Any]:
        """The cattrs structuring function of entity `name`, made on first use."""
        if (name, dialect) not in self._structure:
            # cattrs is imported here, on the first record that needs it: clean data, the
            # common case, is bound by the generated readers alone.
            import cattrs
            from cattrs.gen import make_dict_structure_fn, override

            conv = cattrs.Converter(detailed_validation=True)
            for spec in self.specs:
                overrides = {
                    f.attr: override(rename=f.data, struct_hook=field_hook(f, dialect == "csv"))
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
            raise DataError([("", f"expected an object at the top, got {kind_of(data)}")])
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
        from cattrs import ClassValidationError  # imported already: `_detailed` made `structure`

        try:
            return attrs.evolve(structure(record), ar_pointer=pointer)
        except ClassValidationError as group:
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
                if f.kind == "ref" and f.target is not None and f.report_dangling
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


def _bound(conv: Any, cls: type[Any]) -> Callable[[Mapping[str, Any]], Any]:
    hook = conv.get_structure_hook(cls)

    def structure(record: Mapping[str, Any]) -> Any:
        return hook(record, cls)

    return structure
