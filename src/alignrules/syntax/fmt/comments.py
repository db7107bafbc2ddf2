"""Where each comment goes when a file is laid out again: comment placement for `fmt`.

Every declaration, field, enum value, rule item and example item is a `Slot` (its extent in
the source, keyword included). A comment at the end of a line belongs to the slot that ends
just before it (past a `,` or `<` separator); any other comment leads the next slot of the
innermost slot that holds it, or, when none follows, is kept at the end of a block
(`dangling`). A comment on the line of a block's `{`, before its first item, is that block's
`header`.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from alignrules.syntax import ast
from alignrules.syntax.tokens import Comment, Lexed


@attrs.define(eq=False)
class Slot:
    """A place comments attach to: a declaration, a field, a rule item, an enum value ..."""

    start: int
    end: int
    children: list[Slot] = attrs.Factory(list)
    block: bool = False  # printed as `header {` ... `}`: has header and dangling comments
    blank_before: bool = False
    leading: list[Comment] = attrs.Factory(list)
    trailing: Comment | None = None
    header: Comment | None = None
    dangling: list[Comment] = attrs.Factory(list)


def _ending_at(slots: Sequence[Slot], pos: int) -> Slot | None:
    """The innermost slot that ends exactly at `pos`."""
    for s in slots:
        if s.start < pos <= s.end:
            inner = _ending_at(s.children, pos)
            if inner is not None:
                return inner
            return s if s.end == pos else None
    return None


class Slots:
    """The slots of one parsed file, with its comments attached; looked up by AST node."""

    def __init__(self, tree: ast.Ruleset, lexed: Lexed) -> None:
        self.lexed = lexed
        self.text = lexed.text
        self.by_node: dict[tuple[int, str], Slot] = {}
        self.root = Slot(0, len(self.text), [self._decl_slot(d) for d in tree.decls], block=True)
        for c in lexed.comments:
            self._attach(c)

    def __call__(self, key: object, role: str = "") -> Slot:
        return self.by_node[(id(key), role)]

    def _slot(
        self,
        key: object,
        start: int,
        end: int,
        role: str = "",
        children: list[Slot] | None = None,
        block: bool = False,
    ) -> Slot:
        slot = Slot(start, end, children or [], block)
        slot.blank_before = self.lexed.blank_before(start)
        self.by_node[(id(key), role)] = slot
        return slot

    def _decl_slot(self, d: ast.Decl) -> Slot:
        lead_in = self.lexed.lead_in
        if isinstance(d, ast.StrictDecl):
            return self._slot(d, d.span.start, d.span.end)
        if isinstance(d, ast.ImportDecl):
            return self._slot(d, lead_in(d.span.start, ["import"]), d.span.end)
        if isinstance(d, ast.EnumDecl):
            values = [self._slot(v, v.span.start, v.span.end) for v in d.values]
            return self._slot(d, d.span.start, d.span.end, children=values, block=True)
        if isinstance(d, ast.EntityDecl):
            fields = [self._slot(f, f.span.start, f.span.end) for f in d.fields]
            return self._slot(d, d.span.start, d.span.end, children=fields, block=True)
        if isinstance(d, ast.RuleDecl):
            items = [self._slot(m, m.span.start, m.span.end) for m in d.meta]
            items += [self._body_slot(b) for b in d.bodies]
            messages = [b.message for b in d.bodies if b.message is not None]
            for m in [*messages, *([d.message] if d.message is not None else [])]:
                start = lead_in(m.span.start, ["message"])
                items.append(self._slot(m, start, m.span.end))
            items.sort(key=lambda s: s.start)
            return self._slot(d, d.span.start, d.span.end, children=items, block=True)
        if isinstance(d, ast.ExampleDecl):
            items = []
            if d.given_span is not None:
                pos = d.given_span.start
                start = lead_in(pos, ["given", "file"])
                start = lead_in(pos, ["given"]) if start == pos else start
                items.append(self._slot(d, start, d.given_span.end, "given"))
            if d.today_span is not None:
                items.append(self._slot(d, d.today_span.start, d.today_span.end, "today"))
            for name, value in d.params:
                start = lead_in(value.span.start, ["param", name, "="])
                items.append(self._slot(value, start, value.span.end))
            items += [self._slot(x, x.span.start, x.span.end) for x in d.expects]
            items.sort(key=lambda s: s.start)
            return self._slot(d, d.span.start, d.span.end, children=items, block=True)
        return self._slot(d, d.span.start, d.span.end)

    def _body_slot(self, b: ast.Body) -> Slot:
        head_end = max(x.span.end for x in b.binders)
        items = [self._slot(b, b.span.start, head_end, "head")]
        items += [self._slot(c, c.span.start, c.span.end) for c in b.clauses]
        if b.cond is not None:
            start = self.lexed.lead_in(b.cond.span.start, ["must"])
            if start == b.cond.span.start:
                start = self.lexed.lead_in(b.cond.span.start, ["may"])
            items.append(self._slot(b, start, b.cond.span.end, "cond"))
        return self._slot(b, b.span.start, b.span.end, children=items)

    def _owner_before(self, c: Comment) -> Slot | None:
        """The slot a comment at the end of a line belongs to: the one whose last token ends
        just before it, or before the `,` or `<` that follows that token (`a,  # why`)."""
        prev = self.lexed.before(c.start)
        if prev is None:
            return None
        end = prev.end_pos or 0
        if prev.type in ("COMMA", "LESSTHAN"):
            before = self.lexed.previous_end(prev.start_pos or 0)
            if before is None:
                return None
            end = before
        return _ending_at(self.root.children, end)

    def _attach(self, c: Comment) -> None:
        line = self.text.count("\n", 0, c.start)
        if not c.own_line:
            owner = self._owner_before(c)
            if owner is not None and owner.trailing is None:
                owner.trailing = c
                return
        container = self.root
        while True:
            inner = next((s for s in container.children if s.start <= c.start < s.end), None)
            if inner is None:
                break
            container = inner
        if (
            not c.own_line
            and container.block
            and container is not self.root
            and container.header is None
            and self.text.count("\n", 0, container.start) == line
            and not any(s.start < c.start for s in container.children)
        ):
            container.header = c
            return
        following = next((s for s in container.children if s.start > c.start), None)
        if following is not None:
            following.leading.append(c)
        elif container.block:
            container.dangling.append(c)
        else:  # inside an expression: keep it just before the item that holds it
            container.leading.append(c)
