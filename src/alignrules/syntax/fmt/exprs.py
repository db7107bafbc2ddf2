"""Expressions laid out for `fmt`: on one line when they fit, else broken before `and`, `or`,
`where`, `must` and `with`, continuation lines 4 deeper.

What the AST forgets but a reader wants kept is read from the parse's tokens: the author's
grouping parentheses (at most one pair more than precedence needs), how a duration was
written (`2 years`), and which strings were triple-quoted.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal

from alignrules.syntax import ast
from alignrules.syntax.fmt.strings import quote, string
from alignrules.syntax.tokens import Lexed

WIDTH = 100
STEP = 4

# Binding strength, loosest first: an operand weaker than its place needs parentheses.
QUANT, OR, AND, NOT, CMP, SUM, PROD, NEG, OTHERWISE, POSTFIX, ATOM = range(11)


def _prec(e: ast.Expr) -> int:
    if isinstance(e, ast.Quantifier | ast.Reference):
        return QUANT
    if isinstance(e, ast.BoolOp):
        return OR if e.op == "or" else AND
    if isinstance(e, ast.Not):
        return NOT
    if isinstance(e, ast.Compare | ast.IsMissing | ast.IsDangling | ast.Member | ast.TextMatch):
        return CMP
    if isinstance(e, ast.Arith):
        return SUM if e.op in "+-" else PROD
    if isinstance(e, ast.Neg):
        return NEG
    if isinstance(e, ast.Otherwise):
        return OTHERWISE
    if isinstance(e, ast.Attr):
        return POSTFIX
    return ATOM


def _article(entity: str) -> str:
    return "an" if entity[:1].lower() in "aeiou" else "a"


class ExprLayout:
    """Lays out the expressions of one parsed file."""

    def __init__(self, lexed: Lexed) -> None:
        self.lexed = lexed
        self.paren_counts: dict[int, int] = {}

    # -------------------------------------------------------------- source facts
    def _author_parens(self, e: ast.Expr) -> int:
        """How many pairs of parentheses the author wrapped `e` in."""
        key = id(e)
        if key not in self.paren_counts:
            self.paren_counts[key] = self._count_parens(e)
        return self.paren_counts[key]

    def _count_parens(self, e: ast.Expr) -> int:
        n, start, end = 0, e.span.start, e.span.end
        while True:
            before = self.lexed.before(start)
            after = self.lexed.at(end)
            if before is None or after is None or before.type != "LPAR" or after.type != "RPAR":
                return n
            n, start, end = n + 1, before.start_pos or 0, after.end_pos or 0

    def raw(self, start: int) -> str | None:
        """The string literal as written at `start`, if one starts there."""
        tok = self.lexed.at(start)
        return (
            str(tok)
            if tok is not None and tok.type == "STRING" and tok.start_pos == start
            else None
        )

    def meta_strings(self, m: ast.Meta, indent: str) -> list[str]:
        raws = [str(t) for t in self.lexed.strings(m.span.start, m.span.end)]
        if len(raws) != len(m.values):
            raws = []
        return [string(v, raws[i] if raws else None, indent) for i, v in enumerate(m.values)]

    # -------------------------------------------------------------- flat expressions
    def parens(self, e: ast.Expr, min_prec: int, consumed: int = 0) -> bool:
        return _prec(e) < min_prec or self._author_parens(e) > consumed

    def flat(self, e: ast.Expr, min_prec: int = QUANT, consumed: int = 0) -> str:
        text = self.bare(e)
        return f"({text})" if self.parens(e, min_prec, consumed) else text

    def binder(self, b: ast.Binder) -> str:
        if b.collection is not None:
            return f"{b.name} in {self.flat(b.collection, OR)}"
        return b.name if b.var is None else f"{b.name} as {b.var}"

    def bare(self, e: ast.Expr) -> str:
        f = self.flat
        if isinstance(e, ast.Name):
            return e.id
        if isinstance(e, ast.Attr):
            return f"{f(e.obj, POSTFIX)}.{e.name}"
        if isinstance(e, ast.Literal):
            return self.literal(e)
        if isinstance(e, ast.Today):
            return "today"
        if isinstance(e, ast.SetLit):
            return "{" + ", ".join(f(i) for i in e.items) + "}"
        if isinstance(e, ast.Call):
            one = len(e.args) == 1
            return f"{e.name}(" + ", ".join(f(a, consumed=int(one)) for a in e.args) + ")"
        if isinstance(e, ast.Aggregate):
            alone = e.binder is None and e.where is None
            inner = f(e.expr, OR, consumed=int(alone))
            if e.binder is not None:
                inner += f" for {self.binder(e.binder)}"
            if e.where is not None:
                inner += f" where {f(e.where)}"
            return f"{e.op}({inner})"
        if isinstance(e, ast.BackReference):
            via = "" if e.via is None else f" via {e.via}"
            return f"{e.entity} referencing {e.target.id}{via}"
        if isinstance(e, ast.Quantifier | ast.Reference):
            return " ".join(self.quantifier_parts(e, f))
        if isinstance(e, ast.BoolOp):
            operand = AND if e.op == "or" else NOT
            return f" {e.op} ".join(f(x, operand) for x in self.chain(e))
        if isinstance(e, ast.Not):
            return f"not {f(e.expr, NOT)}"
        if isinstance(e, ast.Compare):
            return f"{f(e.left, SUM)} {e.spelling or e.op} {f(e.right, SUM)}"
        if isinstance(e, ast.IsMissing):
            return f"{f(e.expr, SUM)} is {'present' if e.negated else 'missing'}"
        if isinstance(e, ast.IsDangling):
            return f"{f(e.expr, SUM)} is {'not ' if e.negated else ''}dangling"
        if isinstance(e, ast.Member):
            op = "not in" if e.negated else "in"
            return f"{f(e.element, SUM)} {op} {f(e.collection, SUM)}"
        if isinstance(e, ast.TextMatch):
            tail = " ignoring case" if e.ignore_case else ""
            return f"{f(e.left, SUM)} {e.op} {f(e.right, SUM)}{tail}"
        if isinstance(e, ast.Arith):
            p = _prec(e)
            return f"{f(e.left, p)} {e.op} {f(e.right, p + 1)}"
        if isinstance(e, ast.Neg):
            return f"-{f(e.expr, NEG)}"
        if isinstance(e, ast.Otherwise):
            return f"{f(e.expr, OTHERWISE)} otherwise {f(e.default, POSTFIX)}"
        raise AssertionError(f"unknown node {type(e).__name__}")  # pragma: no cover

    def quantifier_parts(
        self, e: ast.Quantifier | ast.Reference, f: Callable[[ast.Expr, int], str]
    ) -> list[str]:
        """`[head, "where C", "must D"]`: the pieces a long quantifier is broken into."""
        if isinstance(e, ast.Quantifier):
            parts = [f"{e.kind} {self.binder(e.binder)}"]
            if e.where is not None:
                parts.append("where " + f(e.where, OR if e.kind == "every" else QUANT))
            if e.must is not None:
                parts.append("must " + f(e.must, QUANT))
            return parts
        head = "reference" if e.subject is None else f"{f(e.subject, SUM)} references"
        head += f" {_article(e.entity)} {e.entity}"
        if e.var is not None:
            head += f" as {e.var}"
        if e.via is not None:
            head += f" via {e.via}"
        if e.cond is None:
            return [head]
        word = "without" if e.negate else (e.filter_word or "with")
        return [head, f"{word} {f(e.cond, QUANT)}"]

    def literal(self, e: ast.Literal) -> str:
        v = e.value
        if e.kind == "text":
            assert isinstance(v, str)
            raw = self.raw(e.span.start)
            return raw if raw is not None and raw.startswith('"""') else quote(v)
        if e.kind == "bool":
            return "true" if v else "false"
        if e.kind == "date":
            return str(v)
        if e.kind == "duration":
            return self.duration(e)
        if isinstance(v, Decimal):
            number = format(v, "f")
            return number if e.currency is None else f"{number} {e.currency}"
        return str(v) if e.currency is None else f"{v} {e.currency}"

    def duration(self, e: ast.Literal) -> str:
        """`2 years` as the author wrote it (number and unit apart), else in days."""
        number = self.lexed.at(e.span.start)
        unit = self.lexed.at(number.end_pos or 0) if number is not None else None
        if (
            number is None
            or unit is None
            or unit.type != "DURATION_UNIT"
            or (unit.end_pos or 0) > e.span.end
            or unit.start_pos == number.end_pos
            or self.lexed.has_comment(number.end_pos or 0, unit.start_pos or 0)
        ):
            return f"{e.value} days"
        return f"{number} {unit}"

    # -------------------------------------------------------------- broken expressions
    def lay(self, e: ast.Expr, min_prec: int, col: int, hang: int, consumed: int = 0) -> list[str]:
        """`e` starting at column `col`; continuation lines are indented `hang` or deeper."""
        flat = self.flat(e, min_prec, consumed)
        if "\n" not in flat and col + len(flat) <= WIDTH:
            return [flat]
        if not self.parens(e, min_prec, consumed):
            return self.lay_bare(e, col, hang)
        lines = self.lay_bare(e, col + 1, hang)
        lines[0] = "(" + lines[0]
        lines[-1] += ")"
        return lines

    def lay_bare(self, e: ast.Expr, col: int, hang: int) -> list[str]:
        pad = " " * hang
        if isinstance(e, ast.BoolOp):
            operands = self.chain(e)
            right = AND if e.op == "or" else NOT
            lines = self.lay(operands[0], right, col, hang + STEP)
            for x in operands[1:]:
                sub = self.lay(x, right, hang + len(e.op) + 1, hang + STEP)
                lines += [f"{pad}{e.op} {sub[0]}", *sub[1:]]
            return lines
        if isinstance(e, ast.Quantifier | ast.Reference):
            parts = self.quantifier_parts(e, self.flat)
            lines = [parts[0]]
            keep = isinstance(e, ast.Quantifier) and e.kind == "every"
            for part, sub_e in zip(parts[1:], self.quantifier_subexprs(e), strict=True):
                word = part.split(" ", 1)[0]
                prec = OR if (word == "where" and keep) else QUANT
                # `must every y ... must C`: a chain of `every` reads best at one depth.
                nested_every = (
                    word == "must"
                    and isinstance(sub_e, ast.Quantifier)
                    and sub_e.kind == "every"
                    and not self.parens(sub_e, prec)
                )
                inner = hang if nested_every else hang + STEP
                sub = self.lay(sub_e, prec, hang + len(word) + 1, inner)
                lines += [f"{pad}{word} {sub[0]}", *sub[1:]]
            return lines
        if isinstance(e, ast.Not):
            sub = self.lay(e.expr, NOT, col + 4, hang)
            return ["not " + sub[0], *sub[1:]]
        if isinstance(e, ast.SetLit) and e.items:
            return ["{", *self.fill([self.flat(i) for i in e.items], ",", hang + STEP), pad + "}"]
        return [self.bare(e)]

    def quantifier_subexprs(self, e: ast.Quantifier | ast.Reference) -> list[ast.Expr]:
        if isinstance(e, ast.Quantifier):
            return [x for x in (e.where, e.must) if x is not None]
        return [] if e.cond is None else [e.cond]

    def chain(self, e: ast.BoolOp) -> list[ast.Expr]:
        """`a and b and c` as `[a, b, c]`, when the tree is the one the parser builds for that
        text (balanced: `ast.bool_chain`); else the two sides, which the caller then
        parenthesises where they are chains of the same operator, so the shape is kept."""
        flat: list[ast.Expr] = []
        stack: list[ast.Expr] = [e]
        while stack:
            x = stack.pop()
            if isinstance(x, ast.BoolOp) and x.op == e.op and (x is e or x.inner):
                stack += [x.right, x.left]
            else:
                flat.append(x)
        if len(flat) > 2 and ast.bool_chain(e.op, flat) != e:
            return [e.left, e.right]
        return flat

    def fill(self, items: Sequence[str], sep: str, indent: int) -> list[str]:
        """Items joined by `sep`, as many to a line as fit."""
        lines: list[str] = []
        line = ""
        for i, item in enumerate(items):
            piece = item + (sep if i < len(items) - 1 else "")
            if line and indent + len(line) + 1 + len(piece) > WIDTH:
                lines.append(" " * indent + line)
                line = ""
            line = f"{line} {piece}" if line else piece
        if line:
            lines.append(" " * indent + line)
        return lines
