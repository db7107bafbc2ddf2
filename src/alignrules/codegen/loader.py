"""The loading half of a generated module: the binding specs, one reader per entity and
dialect, the binder, `load` and `params_from`.

The readers are written here, at compile time, into the module itself, where they are read
and type-checked like the rules: each checks the plain form of a record inline (text as
`str`, a list as a `list`, an enum value as it is spelled in the ruleset or was seen
before...) and raises on anything else, missing fields included; the binder then reads that
record with its detailed reader, which accepts every form the language allows and names the
JSON pointer of every problem. For CSV rows, whose cells are all text, each field goes
through its field reader (`alignrules.runtime.readers`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from alignrules.codegen.writer import py_literal
from alignrules.ir import nodes as ir
from alignrules.ir import types as t

if TYPE_CHECKING:
    from alignrules.codegen.emit import Emitter

#: Field kinds whose plain JSON form a reader checks inline: `type(value) is T`.
PLAIN_TYPES: Final = {"text": "str", "int": "int", "bool": "bool"}


def py_tuple(items: tuple[str, ...] | list[str]) -> str:
    inner = ", ".join(py_literal(i) for i in items)
    return f"({inner},)" if len(items) == 1 else f"({inner})"


def field_kind(em: Emitter, f: ir.Field) -> str:
    """The runtime's name for how a field's values are read (`ref` for references)."""
    if f.ref is not None:
        return "ref"
    base = f.type.elem if isinstance(f.type, t.CollT) else f.type
    return "enum" if isinstance(base, t.EnumT) else str(base)


def value_kind(em: Emitter, f: ir.Field) -> str:
    """How one value of the field is read: a reference as its target's key."""
    if f.ref is not None:
        return str(em.p.entity(f.ref).key_field.type)
    return field_kind(em, f)


def _by_field_reader(em: Emitter, f: ir.Field) -> bool:
    """Whether a JSON reader hands the field's value to its field reader (not checked inline,
    nor an enum or a date, which have faster paths of their own)."""
    kind = value_kind(em, f)
    return kind not in PLAIN_TYPES if f.many else kind not in (*PLAIN_TYPES, "enum", "date")


def emit_specs(em: Emitter) -> None:
    """Enum spellings, `ENUM_TEXT`, `SPECS`, `PARAM_SPECS`, the readers and `BINDER`."""
    w = em.w
    w.line()
    w.line()
    for en in em.p.enums:
        cls = em.cls[en.name]
        items = []
        for v, spellings in en.spellings:
            names = (v, *spellings)
            items.append(f"({cls}.{em.members[en.name][v]}, {py_tuple(names)})")
        w.line(
            f"{em.spell[en.name]}: Final = specs.spellings(({', '.join(items)}{',' if len(items) == 1 else ''}))"
        )
    w.line("ENUM_TEXT: Final[dict[Enum, str]] = {")
    w.indent()
    for en in em.p.enums:
        for v in en.values:
            w.line(f"{em.cls[en.name]}.{em.members[en.name][v]}: {py_literal(v)},")
    w.dedent()
    w.line("}")
    w.line("SPECS: Final = (")
    w.indent()
    for e in em.p.entities:
        w.line("specs.EntitySpec(")
        w.indent()
        w.line(f"name={py_literal(e.name)},")
        w.line(f"cls={em.cls[e.name]},")
        w.line(f"path={py_tuple(e.path)},")
        w.line(f"csv={py_literal(e.csv)},")
        w.line(f"key={py_literal(em.fattrs[e.name][e.key])},")
        if e.single:
            w.line("single=True,")
        if e.strict:
            w.line("strict=True,")
        if e.decimals is not None:
            w.line(f"decimals={e.decimals},")
        w.line("fields=(")
        w.indent()
        for f in e.fields:
            w.line(field_spec(em, e.name, f) + ",")
        w.dedent()
        w.line("),")
        w.dedent()
        w.line("),")
    w.dedent()
    w.line(")")
    w.line("PARAM_SPECS: Final = (")
    w.indent()
    for p in em.p.params:
        base = p.type.elem if isinstance(p.type, t.CollT) else p.type
        kind = "enum" if isinstance(base, t.EnumT) else str(base)
        spell = em.spell[base.name] if isinstance(base, t.EnumT) else "None"
        is_set = isinstance(p.type, t.CollT)
        w.line(
            f"({py_literal(p.name)}, {py_literal(em.params[p.name])}, {py_literal(kind)}, {spell}, {is_set}),"
        )
    w.dedent()
    w.line(")")
    readers = {
        e.name: (json_reader(em, i, e), csv_reader(em, i, e)) for i, e in enumerate(em.p.entities)
    }
    w.line()
    w.line()
    w.line("BINDER: Final = binder.Binder(")
    w.indent()
    w.line("SPECS,")
    w.line("{")
    w.indent()
    for name, (of_json, of_csv) in readers.items():
        w.line(f"{py_literal(name)}: ({of_json}, {of_csv}),")
    w.dedent()
    w.line("},")
    w.dedent()
    w.line(")")


def field_spec(em: Emitter, entity: str, f: ir.Field) -> str:
    attr = em.fattrs[entity][f.name]
    args = [f"attr={py_literal(attr)}", f"data={py_literal(f.data_name)}"]
    kind = field_kind(em, f)
    args.append(f"kind={py_literal(kind)}")
    if f.ref is not None:
        args += [f"target={py_literal(f.ref)}", f"key_kind={py_literal(value_kind(em, f))}"]
    elif kind == "enum":
        base = f.type.elem if isinstance(f.type, t.CollT) else f.type
        assert isinstance(base, t.EnumT)
        args.append(f"enum={em.spell[base.name]}")
    if f.many:
        args.append("many=True")
    if f.optional:
        args.append("optional=True")
    if f.split is not None:
        args.append(f"split={py_literal(f.split)}")
    if f.path:
        args.append(f"path={py_tuple(f.path)}")
    if f.parent:
        args.append(f"parent={f.parent}")
    if not f.report_dangling:
        args.append("report_dangling=False")
    return f"specs.FieldSpec({', '.join(args)})"


def json_reader(em: Emitter, index: int, e: ir.Entity) -> str:
    """The reader of one JSON/YAML record of `e`, written out; its name."""
    w, cls = em.w, em.cls[e.name]
    fn = em.names.get("read", e.name)
    fields = em.names.get("FIELDS", e.name, upper=True)
    w.line()
    w.line()
    if any(_by_field_reader(em, f) for f in e.fields):
        w.line(f"{fields}: Final = readers.field_readers(SPECS[{index}], lenient=False)")
    learners: dict[str, tuple[str, str]] = {}
    for f in e.fields:
        if value_kind(em, f) == "enum" and not f.many:
            base = f.type.elem if isinstance(f.type, t.CollT) else f.type
            assert isinstance(base, t.EnumT)
            seen = em.names.get("SEEN", f"{e.name}_{f.name}", upper=True)
            learn = em.names.get("LEARN", f"{e.name}_{f.name}", upper=True)
            w.line(f"{learn}: Final = readers.EnumLearner({em.spell[base.name]})")
            w.line(f"{seen}: Final = {learn}.seen")
            learners[f.name] = (seen, learn)
    w.line()
    w.line()
    w.line(f"def {fn}(record: Mapping[str, Any], ar_pointer: str) -> {cls}:")
    w.indent()
    w.line(
        py_literal(
            f"A `{e.name}` record in its plain JSON form; raises on any other, for the detailed reader."
        )
    )
    args = []
    for i, f in enumerate(e.fields):
        # Locals start with `_`, which no name made for the ruleset does (`names.python_taken`):
        # an entity or constant called `v0` or `item` cannot be shadowed here.
        var = f"_v{i}"
        data = py_literal(f.data_name)
        kind = value_kind(em, f)
        w.line(f"{var} = record.get({data})" if f.optional else f"{var} = record[{data}]")
        # A required field's reader refuses null itself; an optional one's null stays None.
        pad = "    " if f.optional else ""
        if f.optional and not (kind in PLAIN_TYPES and not f.many):
            w.line(f"if {var} is not None:")
        if f.many:
            w.line(f"{pad}if type({var}) is not list:")
            w.line(f"{pad}    raise readers.Retry")
            if kind in PLAIN_TYPES:
                w.line(f"{pad}for _item in {var}:")
                w.line(f"{pad}    if type(_item) is not {PLAIN_TYPES[kind]}:")
                w.line(f"{pad}        raise readers.Retry")
                w.line(f"{pad}{var} = tuple({var})")
            else:
                w.line(f"{pad}{var} = {fields}[{i}]({var})")
        elif kind in PLAIN_TYPES:
            check = f"{var} is not None and " if f.optional else ""
            w.line(f"if {check}type({var}) is not {PLAIN_TYPES[kind]}:")
            w.line("    raise readers.Retry")
        elif kind == "enum":
            seen, learn = learners[f.name]
            # A local per field: two enum fields are two member types to mypy.
            w.line(f"{pad}_m{i} = {seen}.get({var})")
            w.line(f"{pad}{var} = {learn}({var}) if _m{i} is None else _m{i}")
        elif kind == "date":
            w.line(f"{pad}{var} = readers.fast_day({var})")
        else:
            w.line(f"{pad}{var} = {fields}[{i}]({var})")
        args.append(f"{em.fattrs[e.name][f.name]}={var}")
    w.line(f"return {cls}({', '.join(args)}, ar_pointer=ar_pointer)")
    w.dedent()
    return fn


def csv_reader(em: Emitter, index: int, e: ir.Entity) -> str:
    """The reader of one CSV row of `e`, written out; its name."""
    w, cls = em.w, em.cls[e.name]
    fn = em.names.get("read_row", e.name)
    cells = em.names.get("CELLS", e.name, upper=True)
    w.line()
    w.line()
    w.line(f"{cells}: Final = readers.field_readers(SPECS[{index}], lenient=True)")
    w.line()
    w.line()
    w.line(f"def {fn}(record: Mapping[str, Any], ar_pointer: str) -> {cls}:")
    w.indent()
    w.line(py_literal(f"A `{e.name}` row of text cells, each read by its field's reader."))
    w.line(f"return {cls}(")
    w.indent()
    for i, f in enumerate(e.fields):
        data = py_literal(f.data_name)
        cell = f"record.get({data})" if f.optional else f"record[{data}]"
        w.line(f"{em.fattrs[e.name][f.name]}={cells}[{i}]({cell}),")
    w.line("ar_pointer=ar_pointer,")
    w.dedent()
    w.line(")")
    w.dedent()
    return fn


def emit_loader(em: Emitter) -> None:
    """`load` (plain data → `Plan`, with indexes and back-references) and `params_from`."""
    w = em.w
    w.line()
    w.line()
    w.line('def load(raw: Any, dialect: str = "json") -> Plan:')
    w.indent()
    w.line(
        py_literal(
            "Bind plain data (parsed JSON or YAML; for dialect `csv`, {file name: rows}) to a Plan.\n\n"
            "    Raises bind.DataError naming the JSON pointer of every problem.\n    "
        )
    )
    w.line("entities, indexes, problems = BINDER.bind(raw, dialect)")
    for e in em.p.entities:
        cls = em.cls[e.name]
        w.line(f'{em.plan_all[e.name]} = cast("tuple[{cls}, ...]", entities[{py_literal(e.name)}])')
    w.line("return Plan(")
    w.indent()
    for e in em.p.entities:
        cls = em.cls[e.name]
        w.line(f"{em.plan_all[e.name]}={em.plan_all[e.name]},")
        w.line(
            f'{em.plan_ix[e.name]}=cast("dict[{em.key_type(e.name)}, {cls}]", indexes[{py_literal(e.name)}]),'
        )
    for (entity, field), name in em.backs.items():
        f = em.p.entity(entity).field(field)
        assert f is not None
        w.line(
            f"{name}=bind.back_index({em.plan_all[entity]}, lambda e: e.{em.fattrs[entity][field]}, {f.many}),"
        )
    w.line("problems=tuple(problems),")
    w.dedent()
    w.line(")")
    w.dedent()
    w.line()
    w.line()
    w.line("def params_from(overrides: Mapping[str, str]) -> Params:")
    w.indent()
    w.line(py_literal('Parameters from text overrides such as {"ltv_cac_min": "2.5"}.'))
    w.line("return make_params(Params, PARAM_SPECS, overrides)")
    w.dedent()
