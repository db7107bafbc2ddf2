"""What a name can mean at one point of a ruleset: the scope the type checker carries down."""

from __future__ import annotations

import attrs

from alignrules.ir import types as t


@attrs.frozen
class Env:
    """What a name can mean at one point: variables (innermost last), the subjects whose
    fields may be named bare, and the optional paths known to be present."""

    vars: tuple[tuple[str, t.Type], ...] = ()
    subjects: tuple[tuple[str, str], ...] = ()  # (variable, entity), innermost last
    present: frozenset[str] = frozenset()

    def bind(self, name: str, typ: t.Type, subject: bool = True) -> Env:
        subjects = self.subjects
        if subject and isinstance(typ, t.EntityT):
            subjects = (*subjects, (name, typ.name))
        return attrs.evolve(self, vars=(*self.vars, (name, typ)), subjects=subjects)

    def var(self, name: str) -> t.Type | None:
        for n, typ in reversed(self.vars):
            if n == name:
                return typ
        return None

    def knowing(self, keys: frozenset[str]) -> Env:
        return attrs.evolve(self, present=self.present | keys) if keys else self
