"""`ambiguous-field`: a bare name that more than one entity in scope has a field for.

The language resolves it to the innermost entity's field (docs/language.md §6.6), in a
condition and in a message hole alike. That is well defined, but a writer who unfolds `no
Claim may (some c in claim.caps ...)` and writes `{id}` in the message easily means the
claim's `id` and gets the capability's. The type checker records each such name as it
resolves it (`typecheck.names.BareField`); this turns the records into findings that name
both qualified spellings.
"""

from __future__ import annotations

from collections.abc import Iterable

from alignrules.lint.exprs import text_of
from alignrules.lint.findings import Collector
from alignrules.typecheck.names import BareField


class Ambiguity(Collector):
    """One finding per bare name that an outer entity in scope also has a field for."""

    def bare_fields(self, notes: Iterable[BareField]) -> None:
        for note in notes:
            written = text_of(note.span)
            # A message hole's span is the whole `{...}`: its fix is spelled as a hole.
            hole = written.startswith("{")
            rest = written[1:-1].strip()[len(note.name) :] if hole else ""
            # The outer entities first: the innermost is what the name already means.
            spellings = [
                f"`{{{var}.{note.name}{rest}}}`" if hole else f"`{var}.{note.name}`"
                for var, _ in (*reversed(note.others), note.chosen)
            ]
            var, entity = note.chosen
            outer = ", ".join(f"`{e}`" for _, e in note.others)
            self.add(
                "ambiguous-field",
                note.span,
                f"`{written}` means `{var}.{note.name}` of `{entity}`, the innermost entity "
                f"in scope with a field `{note.name}`, but {outer} "
                f"{'has' if len(note.others) == 1 else 'have'} one too",
                f"say which: {' or '.join(spellings)}",
            )
