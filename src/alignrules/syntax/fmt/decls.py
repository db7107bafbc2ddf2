"""Declarations laid out for `fmt`: 4-space indentation, one field or rule item per line, rule
metadata first, then the condition, then the message; comments where `fmt.comments` placed
them, blank lines between items kept (at most one).
"""

from __future__ import annotations

from collections.abc import Sequence

from alignrules.syntax import ast
from alignrules.syntax.fmt.comments import Slot, Slots
from alignrules.syntax.fmt.exprs import OR, QUANT, STEP, WIDTH, ExprLayout
from alignrules.syntax.fmt.strings import quote, strict_text, string
from alignrules.syntax.tokens import Lexed


class Printer(ExprLayout):
    """Prints one parsed file; `run()` gives the text."""

    def __init__(self, tree: ast.Ruleset, lexed: Lexed) -> None:
        super().__init__(lexed)
        self.tree = tree
        self.slot = Slots(tree, lexed)
        self.root = self.slot.root

    # -------------------------------------------------------------- items and blocks
    def item(
        self, slot: Slot, indent: int, lines: list[str], first: bool, force_blank: bool = False
    ) -> list[str]:
        """`lines` preceded by the slot's blank line and comments, its trailing comment added."""
        lines = list(lines)
        if slot.trailing is not None:
            lines[-1] += "  " + slot.trailing.text
        return self.lead(slot, indent, first, force_blank) + lines

    def lead(self, slot: Slot, indent: int, first: bool, force_blank: bool = False) -> list[str]:
        """The blank line and the comments that go before an item."""
        pad = " " * indent
        out: list[str] = []
        lead = slot.leading
        if not first and (force_blank or (lead[0].blank_before if lead else slot.blank_before)):
            out.append("")
        for i, c in enumerate(lead):
            if i > 0 and c.blank_before:
                out.append("")
            out.append(pad + c.text)
        if lead and slot.blank_before:
            out.append("")
        return out

    def block(self, slot: Slot, indent: int, header: str, inner: list[str]) -> list[str]:
        pad = " " * indent
        head = f"{pad}{header} {{"
        if slot.header is not None:
            head += "  " + slot.header.text
        lines = [head, *inner]
        for i, c in enumerate(slot.dangling):
            if (inner or i > 0) and c.blank_before:
                lines.append("")
            lines.append(pad + " " * STEP + c.text)
        return [*lines, pad + "}"]

    def simple_block(self, slot: Slot) -> bool:
        """No comment inside: a short block may then stay on one line."""
        return (
            slot.header is None
            and not slot.dangling
            and all(not s.leading and s.trailing is None for s in slot.children)
        )

    # -------------------------------------------------------------- declarations
    def run(self) -> str:
        out: list[str] = []
        prev: tuple[str, int] | None = None
        for i, d in enumerate(self.tree.decls):
            lines = self.decl(d)
            kind = (type(d).__name__, len(lines))
            force = prev is not None and (kind[0] != prev[0] or kind[1] > 1 or prev[1] > 1)
            out += self.item(self.slot(d), 0, lines, first=i == 0, force_blank=force)
            prev = kind
        for i, c in enumerate(self.root.dangling):
            if out and (c.blank_before or (i == 0 and prev is not None and prev[1] > 1)):
                out.append("")
            out.append(c.text)
        return "\n".join(out) + "\n" if out else ""

    def decl(self, d: ast.Decl) -> list[str]:
        if isinstance(d, ast.ImportDecl):
            return [f"import {quote(d.path)}"]
        if isinstance(d, ast.StrictDecl):
            return [strict_text(d)]
        if isinstance(d, ast.EnumDecl):
            return self.enum(d)
        if isinstance(d, ast.EntityDecl):
            return self.entity(d)
        if isinstance(d, ast.ParamDecl):
            head = f"param {d.name}: {self.type_ref(d.type)} = "
            sub = self.lay(d.default, QUANT, len(head), 0)
            return [head + sub[0], *sub[1:]]
        if isinstance(d, ast.PredicateDecl):
            params = ", ".join(f"{p.name}: {p.type}" for p in d.params)
            head = f"predicate {d.name}({params}) ="
            flat = self.flat(d.body)
            if "\n" not in flat and len(head) + 1 + len(flat) <= WIDTH:
                return [f"{head} {flat}"]
            sub = self.lay(d.body, QUANT, STEP, STEP)
            return [head, " " * STEP + sub[0], *sub[1:]]
        if isinstance(d, ast.RuleDecl):
            return self.rule(d)
        return self.example(d)

    def type_ref(self, t: ast.TypeRef) -> str:
        coll = f"{t.collection} of " if t.collection else ""
        return f"{coll}{t.name}{'?' if t.optional else ''}"

    def enum(self, d: ast.EnumDecl) -> list[str]:
        slot = self.slot(d)
        sep = "<" if d.ordered else ","
        values = [" ".join([v.name, *(quote(s) for s in v.spellings)]) for v in d.values]
        joiner = " < " if d.ordered else ", "
        # One value says it is ordered only by a trailing `<`.
        lone = " <" if d.ordered and len(values) == 1 else ""
        one = f"enum {d.name} {{ {joiner.join(values)}{lone} }}"
        if self.simple_block(slot) and len(one) <= WIDTH:
            return [one]
        inner: list[str] = []
        run: list[str] = []
        for i, (v, text) in enumerate(zip(d.values, values, strict=True)):
            vs = self.slot(v)
            last = i == len(values) - 1
            piece = text + lone if last else f"{text} {sep}" if d.ordered else text + sep
            if vs.leading or (vs.blank_before and i > 0):
                inner += self.fill(run, "", STEP)
                run = []
                inner += self.lead(vs, STEP, first=not inner)
            run.append(piece)
            if vs.trailing is not None:
                inner += self.fill(run, "", STEP)
                inner[-1] += "  " + vs.trailing.text
                run = []
        inner += self.fill(run, "", STEP)
        return self.block(slot, 0, f"enum {d.name}", inner)

    def entity(self, d: ast.EntityDecl) -> list[str]:
        slot = self.slot(d)
        head = f"entity {d.name}"
        if d.path is not None:
            head += f" {'at' if d.single else 'in'} {quote(d.path)}"
        if d.csv is not None:
            head += f" csv {quote(d.csv)}"
        if d.table is not None:
            head += f" table {quote(d.table)}"
        if d.key is not None:
            head += f" key {d.key}"
        if d.strict is not None:
            head += " " + strict_text(d.strict)
        if not d.fields and self.simple_block(slot):
            return [head + " {}"]
        codes = []
        for f in d.fields:
            code = f"{f.name}: {self.type_ref(f.type)}"
            if f.from_parent:
                code += " from parent"
            elif f.data_name is not None:
                code += f" from {quote(f.data_name)}"
            if f.split is not None:
                code += f" split {quote(f.split)}"
            if f.column is not None:
                code += f" column {quote(f.column)}"
            if f.dangling_unreported:
                code += " dangling unreported"
            codes.append(code)
        # Trailing comments line up within a run of fields not parted by a blank or a comment.
        widths: dict[int, int] = {}
        run: list[int] = []
        for i, f in enumerate(d.fields):
            fs = self.slot(f)
            if run and (fs.leading or fs.blank_before):
                self._align(run, codes, d.fields, widths)
                run = []
            run.append(i)
        self._align(run, codes, d.fields, widths)
        inner: list[str] = []
        for i, (f, code) in enumerate(zip(d.fields, codes, strict=True)):
            fs = self.slot(f)
            line = " " * STEP + code
            if fs.trailing is not None:
                line = line.ljust(STEP + widths[i]) + fs.trailing.text
            inner += [*self.lead(fs, STEP, first=i == 0), line]
        return self.block(slot, 0, head, inner)

    def _align(
        self,
        run: list[int],
        codes: list[str],
        fields: Sequence[ast.FieldDecl],
        widths: dict[int, int],
    ) -> None:
        commented = [i for i in run if self.slot(fields[i]).trailing is not None]
        if commented:
            width = max(len(codes[i]) for i in commented) + 2
            widths.update(dict.fromkeys(commented, width))

    def rule(self, d: ast.RuleDecl) -> list[str]:
        slot = self.slot(d)
        ind = STEP
        pad = " " * ind
        inner: list[str] = []
        for m in d.meta:
            if m.key == "severity":
                text = f"severity {m.values[0]}"
            else:
                text = f"{m.key} " + ", ".join(self.meta_strings(m, pad))
            inner += self.item(self.slot(m), ind, [pad + text], first=not inner)
        for b in d.bodies:
            inner += self.item(self.slot(b), ind, self.body(b, ind), first=not inner)
            if b.message is not None:  # a body's own message follows it
                line = f"{pad}message {b.message.raw}"
                inner += self.item(self.slot(b.message), ind, [line], first=False)
        if d.message is not None:
            line = f"{pad}message {d.message.raw}"
            inner += self.item(self.slot(d.message), ind, [line], first=not inner)
        return self.block(slot, 0, f"rule {d.id}", inner)

    def body(self, b: ast.Body, indent: int) -> list[str]:
        pad, deeper = " " * indent, indent + STEP
        head = f"{b.kind} " + ", ".join(self.binder(x) for x in b.binders)
        parts: list[tuple[Slot, str, ast.Expr, int]] = []
        for c in b.clauses:
            if isinstance(c, ast.Where):
                parts.append((self.slot(c), "where ", c.expr, OR))
            else:
                parts.append(
                    (self.slot(c), f"let {'related ' if c.related else ''}{c.name} = ", c.expr, OR)
                )
        if b.cond is not None:
            word = "must " if b.kind == "every" else "may "
            parts.append((self.slot(b, "cond"), word, b.cond, QUANT))
        head_slot = self.slot(b, "head")
        flats = [word + self.flat(e, prec) for _, word, e, prec in parts]
        one = " ".join([head, *flats])
        quiet = head_slot.trailing is None and all(
            not s.leading and (s.trailing is None or i == len(parts) - 1)
            for i, (s, *_) in enumerate(parts)
        )
        if quiet and "\n" not in one and indent + len(one) <= WIDTH:
            last = parts[-1][0] if parts else head_slot
            if last.trailing is not None:
                one += "  " + last.trailing.text
            return [*self.lead(head_slot, indent, first=True), pad + one]
        lines = self.item(head_slot, indent, [pad + head], first=True)
        for i, (s, word, e, prec) in enumerate(parts):
            joined = f"{lines[-1]} {flats[i]}"
            if (
                i == 0
                and word == "where "
                and head_slot.trailing is None
                and not s.leading
                and "\n" not in joined
                and len(joined) <= WIDTH
            ):
                lines[-1] = joined
                if s.trailing is not None:
                    lines[-1] += "  " + s.trailing.text
                continue
            sub = self.lay(e, prec, deeper + len(word), deeper + STEP)
            lines += self.item(s, deeper, [" " * deeper + word + sub[0], *sub[1:]], first=False)
        return lines

    def example(self, d: ast.ExampleDecl) -> list[str]:
        slot = self.slot(d)
        ind = STEP
        pad = " " * ind
        inner: list[str] = []
        if d.given_span is not None:
            if d.given_file is not None:
                text = f"given file {quote(d.given_file)}"
            else:
                assert d.given is not None
                text = "given " + string(d.given, self.raw(d.given_span.start), pad)
            inner += self.item(self.slot(d, "given"), ind, (pad + text).split("\n"), first=True)
        if d.today is not None and d.today_span is not None:
            line = f"{pad}today = {d.today.isoformat()}"
            inner += self.item(self.slot(d, "today"), ind, [line], first=not inner)
        for name, value in d.params:
            head = f"{pad}param {name} = "
            sub = self.lay(value, QUANT, len(head), ind + STEP)
            inner += self.item(self.slot(value), ind, [head + sub[0], *sub[1:]], first=not inner)
        for x in d.expects:
            if x.rule is None:
                text = "expect nothing"
            elif x.none:
                text = f"expect no {x.rule}"
            else:
                text = f"expect {x.rule} on " + ", ".join(quote(k) for k in x.keys)
            inner += self.item(self.slot(x), ind, [pad + text], first=not inner)
        return self.block(slot, 0, f"example {quote(d.name)}", inner)
