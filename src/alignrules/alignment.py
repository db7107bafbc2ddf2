"""Plan data + a compiled ruleset → the alignment map the HTML report is drawn on.

This is the compile side of `render.alignment`: it reads the reference graph from the
ruleset's typed IR and the records from the plan as the checker binds them, so the map shows
exactly what the rules saw (the same keys, the same references, the same locations).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from alignrules.api import Checker
from alignrules.data.read import PlanData
from alignrules.ir import nodes as ir
from alignrules.render.alignment import AlignmentMap, EntityType, Link, Record, Reference
from alignrules.runtime.report import Location

#: Fields that, when a record has one, name it for a reader better than its key does.
_LABEL_FIELDS = ("name", "title", "text", "label", "description")


def alignment_map(checker: Checker, plan: PlanData) -> AlignmentMap:
    """The records of `plan` and the reference graph of `checker`'s schema.

    The plan is bound again (the checker keeps no bound plan between calls); a plan that
    does not bind has already failed the check that comes first.
    """
    program = checker.compiled.program
    dialect = "csv" if plan.kind == "csv" else "json"
    entities, _, _ = checker.module.BINDER.bind(plan.root, dialect)
    specs = {spec.name: spec for spec in checker.module.BINDER.specs}
    records: list[Record] = []
    for entity in program.entities:
        spec = specs[entity.name]
        attrs_of = _attributes(entity, spec)
        label = _label_attr(entity, attrs_of)
        refs = [(f.name, f.ref, attrs_of[f.name]) for f in entity.fields if f.ref is not None]
        for obj in entities.get(entity.name, ()):
            links = tuple(
                Link(name, target, _keys(getattr(obj, attr)))
                for name, target, attr in refs
                if _keys(getattr(obj, attr))
            )
            shown = None if label is None else getattr(obj, label)
            records.append(
                Record(
                    entity.name,
                    str(getattr(obj, spec.key)),
                    plan.locate(Location(None, obj.ar_pointer)),
                    None if shown is None else str(shown),
                    links,
                )
            )
    return AlignmentMap(_reading_order(program.entities), tuple(records))


def _attributes(entity: ir.Entity, spec: Any) -> dict[str, str]:
    """Rule-side field name → attribute of the generated class (they differ for `class`...)."""
    # The code generator writes one FieldSpec per declared field, in declaration order.
    assert len(spec.fields) == len(entity.fields), entity.name
    out = {}
    for field, fs in zip(entity.fields, spec.fields, strict=True):
        assert fs.data == field.data_name, (field.name, fs.data)
        out[field.name] = fs.attr
    return out


def _label_attr(entity: ir.Entity, attrs_of: dict[str, str]) -> str | None:
    names = {f.name: f for f in entity.fields if f.ref is None and f.name != entity.key}
    for candidate in _LABEL_FIELDS:
        if candidate in names and str(names[candidate].type).startswith("text"):
            return attrs_of[candidate]
    return None


def _keys(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, tuple | list):
        return tuple(str(v) for v in value)
    return (str(value),)


def _reading_order(entities: Sequence[ir.Entity]) -> tuple[EntityType, ...]:
    """Entity types, the longest chain of references first, read from where it ends.

    For the standard schema the chain is Claim → Campaign → MarketingStrategy → Objective, so
    the map reads objectives, strategies, campaigns, claims, then capabilities, segments and
    products. Self-references (an objective's parent) and cycles do not lengthen a chain.
    """
    order = [e.name for e in entities]
    edges = {
        e.name: [f.ref for f in e.fields if f.ref is not None and f.ref != e.name] for e in entities
    }
    best: dict[str, tuple[str, ...]] = {}

    def chain(name: str, seen: frozenset[str]) -> tuple[str, ...]:
        """The longest chain from `name`, ending at the earliest declared type on ties."""
        if name in best:
            return best[name]
        options = [chain(t, seen | {name}) for t in edges[name] if t in edges and t not in seen]
        longest = max(options, key=lambda c: (len(c), -order.index(c[-1])), default=())
        result = (name, *longest)
        if not seen:  # memoise only chains computed without a cycle guard in force
            best[name] = result
        return result

    spine: tuple[str, ...] = max(
        (chain(n, frozenset()) for n in order), key=lambda c: (len(c), -order.index(c[-1]))
    )
    shown = [*reversed(spine), *(n for n in order if n not in spine)]
    by_name = {e.name: e for e in entities}
    return tuple(_entity_type(by_name[n]) for n in shown)


def _entity_type(entity: ir.Entity) -> EntityType:
    refs: Iterable[Reference] = (
        Reference(f.name, f.ref, f.many) for f in entity.fields if f.ref is not None
    )
    return EntityType(entity.name, tuple(refs))
