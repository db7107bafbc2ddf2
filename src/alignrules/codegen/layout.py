"""The generated module's text, laid out as the project's formatter (`ruff format`, the
black style) would lay it out: lines of at most 100 characters, a statement that does not
fit broken at its last bracket or, inside brackets, at its operators, one item a line with a
trailing comma where several do not fit on one line, double quotes, no redundant parentheses.

The module is parsed (`ast`) and printed again from the tree, so the layout cannot change
what the code does (the tests hold the tree of the result equal to the tree of the input).
Comments are carried by line: a comment on a line of its own goes before the statement
after it, a comment after code stays after the statement (or the header) on that line.
Blank lines between statements are kept as the emitter wrote them.

Over 500 lines: the statement printer, the expression documents for the node types the
emitter writes (anything else is printed flat: correct, maybe longer than a line) and the
small document renderer at the end (`Group`, `render`); the renderer is the part to move out
when this grows.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from collections.abc import Sequence
from typing import Final

import attrs

LIMIT = 100
_IND = "    "

# Binding strength, weakest first (the order of Python's grammar).
_TUPLE, _TEST, _OR, _AND, _NOT, _CMP, _BOR, _BXOR, _BAND, _SHIFT, _ARITH, _TERM = range(12)
_FACTOR, _POWER, _AWAIT, _ATOM = range(12, 16)
_BIN = {
    ast.Add: ("+", _ARITH),
    ast.Sub: ("-", _ARITH),
    ast.Mult: ("*", _TERM),
    ast.Div: ("/", _TERM),
    ast.FloorDiv: ("//", _TERM),
    ast.Mod: ("%", _TERM),
    ast.BitOr: ("|", _BOR),
    ast.BitAnd: ("&", _BAND),
    ast.BitXor: ("^", _BXOR),
    ast.Pow: ("**", _POWER),
}
_CMPOPS = {
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.Is: "is",
    ast.IsNot: "is not",
    ast.In: "in",
    ast.NotIn: "not in",
}
_UNARY = {ast.Not: ("not ", _NOT), ast.USub: ("-", _FACTOR), ast.UAdd: ("+", _FACTOR)}
_UNARY[ast.Invert] = ("~", _FACTOR)


def layout(text: str) -> str:
    """`text` (a generated module) laid out; the same module, statement for statement."""
    return _Printer(text).module(without_unused_imports(ast.parse(text), text))


def without_unused_imports(tree: ast.Module, text: str) -> ast.Module:
    """`tree` (of `text`) without the names its `from ... import` lines bring in and nothing
    uses (the module header imports what any ruleset may need). A name is used when it is
    written anywhere else, strings included: `cast("dict[Decimal, Claim]", ...)` names types
    in text."""
    words = Counter(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text))
    body: list[ast.stmt] = []
    for s in tree.body:
        if isinstance(s, ast.ImportFrom) and s.module != "__future__":
            s.names = [a for a in s.names if words[a.asname or a.name] > 1]
            if not s.names:
                continue
        body.append(s)
    tree.body = body
    return tree


def string(value: str) -> str:
    """A string literal in the formatter's quotes: double, unless that needs more escapes."""
    text = repr(value)
    if text[0] == "'" and value.count('"') <= value.count("'"):
        body = text[1:-1].replace("\\'", "'").replace('"', '\\"')
        return '"' + body + '"'
    return text


def _precedence(e: ast.expr) -> int:
    match e:
        case ast.Tuple():
            return _TUPLE
        case ast.Lambda() | ast.IfExp():
            return _TEST
        case ast.BoolOp():
            return _OR if isinstance(e.op, ast.Or) else _AND
        case ast.UnaryOp():
            return _UNARY[type(e.op)][1]
        case ast.Compare():
            return _CMP
        case ast.BinOp():
            return _BIN[type(e.op)][1]
        case ast.Await():
            return _AWAIT
    return _ATOM


class _Printer:
    def __init__(self, text: str) -> None:
        self.src = text.splitlines()
        self.own: dict[int, str] = {}  # line → a comment alone on it
        self.after: dict[int, str] = {}  # line → a comment after code
        for row, line in enumerate(self.src, start=1):
            col = _comment_start(line) if "#" in line else None
            if col is not None:
                (self.after if line[:col].strip() else self.own)[row] = line[col:]
        self.out: list[str] = []

    # ------------------------------------------------------------------ statements
    def module(self, tree: ast.Module) -> str:
        self.block(tree.body, "", 0)
        for row in sorted(self.own):  # comments after the last statement
            self.out.append(self.own.pop(row))
        return "\n".join(self.out).rstrip("\n") + "\n"

    def block(self, body: Sequence[ast.stmt], ind: str, prev_end: int) -> None:
        for i, s in enumerate(body):
            first = _first_line(s)
            comments = [r for r in sorted(self.own) if prev_end < r < first]
            start = comments[0] if comments else first
            if i or prev_end == 0:
                blank = sum(1 for r in range(prev_end + 1, start) if not self.src[r - 1].strip())
                self.out.extend([""] * _blank_lines(blank, ind, body[i - 1] if i else None, s))
            for r in comments:
                self.out.append(ind + self.own.pop(r))
            self.stmt(s, ind)
            prev_end = s.end_lineno or s.lineno

    def tail(self, line: int) -> str:
        comment = self.after.pop(line, None)
        return f"  {comment}" if comment else ""

    def emit(self, lines: list[str], line: int) -> None:
        lines[-1] += self.tail(line)
        self.out.extend(lines)

    def stmt(self, s: ast.stmt, ind: str) -> None:
        end = s.end_lineno or s.lineno
        match s:
            case ast.Expr(value=ast.Constant(value=str() as doc)) if _docstring(doc, ind):
                self.emit(f'{ind}"""{doc}"""'.split("\n"), end)
            case ast.Expr():
                self.emit(self.top(s.value, ind, "", ""), end)
            case ast.Assign():
                head = "".join(self.target(t) + " = " for t in s.targets)
                self.emit(self.top(s.value, ind, head, ""), end)
            case ast.AnnAssign():
                head = f"{self.flat(s.target)}: {self.flat(s.annotation)}"
                if s.value is None:
                    self.emit([ind + head], end)
                else:
                    self.emit(self.top(s.value, ind, head + " = ", ""), end)
            case ast.Return():
                if s.value is None:
                    self.emit([ind + "return"], end)
                else:
                    self.emit(self.top(s.value, ind, "return ", ""), end)
            case ast.Continue() | ast.Break() | ast.Pass():
                self.emit([ind + type(s).__name__.lower()], end)
            case ast.Raise():
                text = "raise" + (f" {self.flat(s.exc)}" if s.exc else "")
                text += f" from {self.flat(s.cause)}" if s.cause else ""
                self.emit([ind + text], end)
            case ast.Import():
                self.emit([ind + "import " + ", ".join(map(_alias, s.names))], end)
            case ast.ImportFrom():
                names = ", ".join(map(_alias, s.names))
                module = "." * s.level + (s.module or "")
                line = f"{ind}from {module} import {names}"
                if len(line) > LIMIT:
                    items = [f"{ind}{_IND}{_alias(a)}," for a in s.names]
                    self.emit([f"{ind}from {module} import (", *items, f"{ind})"], end)
                else:
                    self.emit([line], end)
            case ast.FunctionDef():
                self.function(s, ind)
            case ast.ClassDef():
                for d in s.decorator_list:
                    self.emit(self.top(d, ind, "@", ""), d.end_lineno or d.lineno)
                bases = [*map(self.flat, s.bases), *map(self.flat, s.keywords)]
                args = f"({', '.join(bases)})" if bases else ""
                self.header([f"{ind}class {s.name}{args}:"], s)
                self.block(s.body, ind + _IND, s.lineno)
            case ast.If():
                self.if_(s, ind, "if ")
            case ast.For():
                head = f"for {self.target(s.target)} in "
                self.header(self.top(s.iter, ind, head, ":"), s)
                self.block(s.body, ind + _IND, s.lineno)
                if s.orelse:
                    self.out.append(ind + "else:")
                    self.block(s.orelse, ind + _IND, s.orelse[0].lineno - 1)
            case ast.With():
                managers = ", ".join(map(self.flat, s.items))
                self.header([f"{ind}with {managers}:"], s)
                self.block(s.body, ind + _IND, s.lineno)
            case ast.Try():
                self.header([ind + "try:"], s)
                self.block(s.body, ind + _IND, s.lineno)
                for h in s.handlers:
                    text = "except" + (f" {self.flat(h.type)}" if h.type else "")
                    text += f" as {h.name}" if h.name else ""
                    self.emit([f"{ind}{text}:"], h.lineno)
                    self.block(h.body, ind + _IND, h.lineno)
                if s.finalbody:
                    self.out.append(ind + "finally:")
                    self.block(s.finalbody, ind + _IND, s.finalbody[0].lineno - 1)
            case _:
                self.emit([ind + ast.unparse(s)], end)

    def target(self, t: ast.expr) -> str:
        """An assignment or loop target: a tuple of names without parentheses."""
        if isinstance(t, ast.Tuple) and t.elts:
            return ", ".join(self.flat(x, _TEST) for x in t.elts)
        return self.flat(t)

    def header(self, lines: list[str], s: ast.stmt) -> None:
        """A compound statement's header; its comment is the one on its first line."""
        self.emit(lines, s.lineno)

    def if_(self, s: ast.If, ind: str, word: str) -> None:
        self.header(self.top(s.test, ind, word, ":"), s)
        self.block(s.body, ind + _IND, s.lineno)
        if len(s.orelse) == 1 and isinstance(s.orelse[0], ast.If):
            self.if_(s.orelse[0], ind, "elif ")
        elif s.orelse:
            self.out.append(ind + "else:")
            self.block(s.orelse, ind + _IND, s.orelse[0].lineno - 1)

    def function(self, s: ast.FunctionDef, ind: str) -> None:
        for d in s.decorator_list:
            self.emit(self.top(d, ind, "@", ""), d.end_lineno or d.lineno)
        params: list[Doc] = list(self.params(s.args))
        ret = f" -> {self.flat(s.returns)}:" if s.returns else ":"
        body = group([join(params), IfBreak(",", "")])
        doc: Doc = [f"def {s.name}", group(["(", indent([SOFT, body]), SOFT, ")"]), ret]
        self.header(render(doc, ind), s)
        self.block(s.body, ind + _IND, s.lineno)

    def params(self, a: ast.arguments) -> list[str]:
        def one(arg: ast.arg, default: ast.expr | None) -> str:
            text = arg.arg
            if arg.annotation is not None:
                text += f": {self.flat(arg.annotation)}"
                if default is not None:
                    return f"{text} = {self.flat(default)}"
            return text if default is None else f"{text}={self.flat(default)}"

        positional = [*a.posonlyargs, *a.args]
        defaults: list[ast.expr | None] = [None] * (len(positional) - len(a.defaults))
        out = [one(p, d) for p, d in zip(positional, [*defaults, *a.defaults], strict=True)]
        if a.vararg is not None:
            out.append("*" + one(a.vararg, None))
        elif a.kwonlyargs:
            out.append("*")
        out += [one(p, d) for p, d in zip(a.kwonlyargs, a.kw_defaults, strict=True)]
        if a.kwarg is not None:
            out.append("**" + one(a.kwarg, None))
        return out

    # ------------------------------------------------------------------ statements' parts
    def top(self, e: ast.expr, ind: str, head: str, tail: str) -> list[str]:
        """`head e tail` as a statement or a header, where the formatter may add parentheses
        around `e` (an `if` test, a value assigned or returned) to break it."""
        return render([head, self.optional(e), tail], ind)

    def optional(self, e: ast.expr) -> Doc:
        """`e` where parentheses may be added: a chain is wrapped in them when it must break,
        unless it has one weakest operator and brackets at either end to break instead."""
        if isinstance(e, ast.Yield) and e.value is not None:
            return ["yield ", self.optional(e.value)]
        if (_chain(e) and not self.can_omit(e)) or isinstance(e, ast.IfExp):
            return self.wrap_if_broken(e)
        return self.doc(e, parens=False)

    def wrap_if_broken(self, e: ast.expr) -> Doc:
        """`e` on the line, or inside parentheses added to break it."""
        return group([IfBreak("(", ""), indent([SOFT, self.doc(e)]), SOFT, IfBreak(")", "")])

    def can_omit(self, e: ast.expr) -> bool:
        ops = self.operands(e)

        def wrapped(x: ast.expr) -> bool:
            return _chain(x) and (_precedence(x) <= _precedence(e) or isinstance(x, ast.BoolOp))

        # The last operand ends in brackets, or the first starts with one. Like the formatter,
        # look through a tighter chain printed bare (`a or b in f(...)`) to where it ends.
        first, last = ops[0][1], ops[-1][1]
        while isinstance(last, ast.Compare | ast.BinOp) and not wrapped(last):
            last = last.comparators[-1] if isinstance(last, ast.Compare) else last.right
        opens = wrapped(first) or isinstance(first, ast.Tuple | ast.List | ast.Dict | ast.Set)
        return len(ops) == 2 and (_bracketed(last) or wrapped(last) or opens)

    def operands(self, e: ast.expr) -> list[tuple[str, ast.expr]]:
        """The operands of the chain `e` at its weakest operator, each after its operator.
        `and` inside `or` joins the same sequence (the formatter breaks them together)."""
        out: list[tuple[str, ast.expr]] = []

        def visit(x: ast.expr, op: str, top: bool) -> None:
            if isinstance(x, ast.BoolOp) and top:
                word = "and" if isinstance(x.op, ast.And) else "or"
                out.extend((op if i == 0 else word, v) for i, v in enumerate(x.values))
            elif isinstance(x, ast.BinOp) and top:
                level = _precedence(x)
                left = x.left
                if isinstance(left, ast.BinOp) and _precedence(left) == level:
                    visit(left, op, True)
                else:
                    out.append((op, left))
                out.append((_BIN[type(x.op)][0], x.right))
            elif isinstance(x, ast.Compare) and top:
                out.append((op, x.left))
                for o, c in zip(x.ops, x.comparators, strict=True):
                    out.append((_CMPOPS[type(o)], c))
            else:
                out.append((op, x))

        visit(e, "", True)
        return out

    # ------------------------------------------------------------------ expressions
    def flat(self, e: ast.AST, context: int = _TUPLE) -> str:
        """`e` on one line."""
        return flat_text(self.doc(e, context))

    def doc(self, e: ast.AST, context: int = _TUPLE, parens: bool = True) -> Doc:
        """`e` as the formatter builds it: groups that break at their brackets. `parens`
        is False where no parentheses surround it, so its operators cannot break."""
        if isinstance(e, ast.expr) and _precedence(e) < context and not isinstance(e, ast.Tuple):
            return self.brackets("(", [self.doc(e)], ")", e, comma=False)
        match e:
            case ast.Name():
                return e.id
            case ast.Constant():
                if isinstance(e.value, str):
                    return string(e.value)
                return "..." if e.value is Ellipsis else repr(e.value)
            case ast.Attribute():
                return [self.doc(e.value, _ATOM), "." + e.attr]
            case ast.Call():
                func = self.doc(e.func, _ATOM)
                if len(e.args) == 1 and not e.keywords and isinstance(e.args[0], ast.GeneratorExp):
                    return [
                        func,
                        self.brackets("(", [self.comprehension(e.args[0])], ")", e, False),
                    ]
                items = [self.doc(a, _TEST) for a in e.args] + [self.doc(k) for k in e.keywords]
                if not items:
                    return [func, "()"]
                return [func, self.brackets("(", items, ")", e, comma=True, hug=True)]
            case ast.keyword():
                value = self.doc(e.value, _TEST)
                return [f"{e.arg}=", value] if e.arg else ["**", value]
            case ast.Starred():
                return ["*", self.doc(e.value, _BOR)]
            case ast.Tuple():
                if not e.elts:
                    return "()"
                items = [self.doc(x, _TEST) for x in e.elts]
                return self.brackets("(", items, ")", e, comma=True, one=len(items) == 1)
            case ast.List() | ast.Set():
                opening, closing = ("[", "]") if isinstance(e, ast.List) else ("{", "}")
                items = [self.doc(x, _TEST) for x in e.elts]
                return self.brackets(opening, items, closing, e, comma=True) if items else "[]"
            case ast.Dict():
                pairs: list[Doc] = [
                    [self.doc(k, _TEST), ": ", self.doc(v, _TEST)]
                    if k is not None
                    else ["**", self.doc(v, _BOR)]
                    for k, v in zip(e.keys, e.values, strict=True)
                ]
                return self.brackets("{", pairs, "}", e, comma=True) if pairs else "{}"
            case ast.Subscript():
                index = e.slice
                if isinstance(index, ast.Tuple) and index.elts:
                    inner: Doc = join([self.doc(x, _TEST) for x in index.elts])
                else:
                    inner = self.doc(index, _TEST)
                return [self.doc(e.value, _ATOM), self.brackets("[", [inner], "]", e, False)]
            case ast.BoolOp() | ast.BinOp() | ast.Compare():
                return self.chain(e, parens)
            case ast.UnaryOp():
                word, level = _UNARY[type(e.op)]
                return [word, self.doc(e.operand, level)]
            case ast.IfExp():
                body, test = self.doc(e.body, _TEST + 1), self.doc(e.test, _TEST + 1)
                gap: Doc = LINE if parens else " "
                return group([body, gap, "if ", test, gap, "else ", self.doc(e.orelse, _TEST)])
            case ast.Lambda():
                params = ", ".join(self.params(e.args))
                head = f"lambda {params}: " if params else "lambda: "
                if _chain(e.body) or isinstance(e.body, ast.IfExp):
                    return [head, self.wrap_if_broken(e.body)]
                return [head, self.doc(e.body, _TEST)]
            case ast.GeneratorExp():
                return self.brackets("(", [self.comprehension(e)], ")", e, comma=False)
            case ast.ListComp():
                return self.brackets("[", [self.comprehension(e)], "]", e, comma=False)
            case ast.Yield():
                return ["yield", [" ", self.doc(e.value, _TUPLE)] if e.value else ""]
            case ast.withitem():
                text = self.doc(e.context_expr, _TEST)
                return [text, [" as ", self.doc(e.optional_vars)] if e.optional_vars else ""]
        return ast.unparse(e)

    def chain(self, e: ast.expr, parens: bool) -> Doc:
        """Operands and operators; inside parentheses each operator may start a line, and
        an operand that is itself a tighter chain is a group of its own."""
        gap: Doc = LINE if parens else " "
        parts: list[Doc] = []
        for op, x in self.operands(e):
            if op:
                parts += [gap, op + " "]
            if isinstance(x, ast.BoolOp) and isinstance(e, ast.BoolOp):
                # `a or (b and c)`: the parentheses the linter asks for, though not needed
                parts.append(self.brackets("(", [self.doc(x)], ")", x, comma=False))
            elif _chain(x) and _precedence(x) > _precedence(e):
                parts.append(group(self.chain(x, parens)) if parens else self.chain(x, parens))
            else:
                parts.append(self.doc(x, _precedence(e) + 1, parens))
        return group(parts) if parens else parts

    def magic(self, e: ast.AST, shallow: bool = False) -> bool:
        """A trailing comma written before a closing bracket: keep that bracket split."""
        for n in [e] if shallow else ast.walk(e):
            items: list[ast.AST] = []
            if isinstance(n, ast.Tuple | ast.List | ast.Set):
                items = list(n.elts)
                if isinstance(n, ast.Tuple) and len(items) == 1:
                    items = []  # `(x,)`: its comma makes the tuple, it is no layout wish
            elif isinstance(n, ast.Dict):
                items = list(n.values)
            elif isinstance(n, ast.Call):
                items = [*n.args, *n.keywords]
            if items and self._comma_after(items[-1], n):
                return True
        return False

    def _comma_after(self, last: ast.AST, node: ast.AST) -> bool:
        """Is there a comma between the end of `last` and the end of `node`?"""
        l1, c1 = getattr(last, "end_lineno", None), getattr(last, "end_col_offset", None)
        l2, c2 = getattr(node, "end_lineno", None), getattr(node, "end_col_offset", None)
        if l1 is None or c1 is None or l2 is None or c2 is None:
            return False
        # Offsets are in bytes of UTF-8: a string literal before may hold any character.
        rows = [self.src[r - 1].encode() for r in range(l1, l2 + 1)]
        if len(rows) == 1:
            between = rows[0][c1:c2]
        else:
            between = b"\n".join([rows[0][c1:], *rows[1:-1], rows[-1][:c2]])
        return b"," in between.split(b"#")[0]

    def comprehension(self, e: ast.GeneratorExp | ast.ListComp) -> Doc:
        parts: list[Doc] = [self.doc(e.elt, _TEST)]
        for g in e.generators:
            target = self.doc(g.target, _TUPLE + 1)
            parts += [LINE, "for ", target, " in ", self.doc(g.iter, _TEST + 1)]
            for c in g.ifs:
                parts += [LINE, "if ", self.doc(c, _TEST + 1)]
        return group(parts)

    def brackets(
        self,
        opening: str,
        items: list[Doc],
        closing: str,
        node: ast.AST,
        comma: bool,
        hug: bool = False,
        one: bool = False,
    ) -> Doc:
        """`opening items closing`: on one line, or the items indented on lines of their own,
        with a trailing comma when there are several (a comma written after the last item
        keeps them there). With `hug` (a call's arguments) the items first try one line."""
        magic = comma and self.magic(node, shallow=True)
        body: Doc = join(items)
        if one:
            body = [body, ","]
        elif comma and (len(items) > 1 or magic):
            body = [body, IfBreak(",", "")]
        if hug and len(items) > 1:
            body = group(body, magic)
        return group([opening, indent([SOFT, body]), SOFT, closing], magic)


def _bracketed(e: ast.expr) -> bool:
    """Ends in brackets of its own that can be split."""
    if isinstance(e, ast.Tuple):
        return bool(e.elts)
    if isinstance(e, ast.Call | ast.List | ast.Set | ast.Dict | ast.GeneratorExp | ast.ListComp):
        return True
    return isinstance(e, ast.Subscript)


def _chain(e: ast.expr) -> bool:
    return isinstance(e, ast.BoolOp | ast.BinOp | ast.Compare)


def _blank_lines(written: int, ind: str, before: ast.stmt | None, s: ast.stmt) -> int:
    """The formatter's blank lines: two around a top-level function or class, one around a
    nested one, otherwise as written (at most two at the top level, one inside)."""
    if before is None:
        return 0 if ind else min(written, 2)
    defs = ast.FunctionDef | ast.ClassDef
    if isinstance(before, defs) or isinstance(s, defs):
        return 1 if ind else 2
    return min(written, 1 if ind else 2)


def _comment_start(line: str) -> int | None:
    """Where the comment on `line` starts, outside string literals; the emitter writes
    every literal on one line (by `repr`), so one line is enough to tell."""
    quote = ""
    i = 0
    while i < len(line):
        ch = line[i]
        if quote:
            if ch == "\\":
                i += 1
            elif line.startswith(quote, i):
                i += len(quote) - 1
                quote = ""
        elif ch == "#":
            return i
        elif ch in "\"'":
            quote = line[i : i + 3] if line[i : i + 3] in ('"""', "'''") else ch
            i += len(quote) - 1
        i += 1
    return None


def _first_line(s: ast.stmt) -> int:
    """Where a statement starts: its first decorator, if it has one."""
    if isinstance(s, ast.FunctionDef | ast.ClassDef) and s.decorator_list:
        return s.decorator_list[0].lineno
    return s.lineno


def _docstring(text: str, ind: str) -> bool:
    """Can `text` be written between triple quotes as it is, at indentation `ind`, in the
    form the formatter gives docstrings (no trailing spaces, continuation lines indented
    like the code, the closing quotes on a line of their own or after the text)?"""
    first, *rest = text.split("\n")
    lines_ok = all(line.isprintable() and line == line.rstrip() for line in [first, *rest[:-1]])
    if rest:
        last = rest[-1]
        plain = last.startswith(ind) and last[len(ind) : len(ind) + 1] not in ("", " ")
        lines_ok = lines_ok and (last == ind or (plain and last == last.rstrip()))
        lines_ok = lines_ok and all(
            not r or (r.startswith(ind) and r[len(ind)] != " ") for r in rest[:-1] if r
        )
    return (
        lines_ok
        and bool(first)
        and first == first.strip()
        and "\\" not in text
        and '"""' not in text
        and not text.endswith('"')
    )


def _alias(a: ast.alias) -> str:
    return a.name + (f" as {a.asname}" if a.asname else "")


# ------------------------------------------------------------------ documents
# The formatter's model (Wadler's "prettier printer", as Prettier and ruff have it): text,
# line breaks that are a space (LINE) or nothing (SOFT) when their group fits on the line,
# groups, indentation, and text that depends on whether its group broke.


@attrs.frozen
class Group:
    contents: Doc
    broken: bool  # must break: a comma written after the last item, or a group inside that must


@attrs.frozen
class Indent:
    contents: Doc


@attrs.frozen
class IfBreak:
    broken: str
    flat: str


@attrs.frozen
class Break:
    flat: str  # what it is when its group fits: a space or nothing


LINE: Final = Break(" ")
SOFT: Final = Break("")
Doc = str | Group | Indent | IfBreak | Break | list["Doc"]


def group(contents: Doc, broken: bool = False) -> Group:
    return Group(contents, broken or _must_break(contents))


def indent(contents: Doc) -> Indent:
    return Indent(contents)


def join(items: list[Doc]) -> list[Doc]:
    """`a, b, c` with a break after each comma."""
    out: list[Doc] = []
    for i, item in enumerate(items):
        out += [",", LINE, item] if i else [item]
    return out


def _must_break(doc: Doc) -> bool:
    if isinstance(doc, Group):
        return doc.broken
    if isinstance(doc, Indent):
        return _must_break(doc.contents)
    if isinstance(doc, list):
        return any(map(_must_break, doc))
    return False


_FLAT, _BREAK = 0, 1


def flat_text(doc: Doc) -> str:
    """`doc` on one line."""
    out: list[str] = []
    todo: list[Doc] = [doc]
    while todo:
        d = todo.pop()
        if isinstance(d, str):
            out.append(d)
        elif isinstance(d, list):
            todo += reversed(d)
        elif isinstance(d, Group | Indent):
            todo.append(d.contents)
        else:
            out.append(d.flat)
    return "".join(out)


def render(doc: Doc, ind: str, flat: bool = False) -> list[str]:
    """The lines of `doc`, the first starting after `ind`, at most LIMIT wide where breaks
    allow: each group is flat when it and what follows it up to the next break fit."""
    if not _must_break(doc):  # most statements fit on their line: no need to measure
        text = flat_text(doc)
        if flat or len(ind) + len(text) <= LIMIT:
            return [ind + text]
    lines: list[str] = []
    current: list[str] = [ind]
    pos = len(ind)
    base = len(ind) // 4
    todo: list[tuple[int, int, Doc]] = [(base, _FLAT if flat else _BREAK, doc)]
    while todo:
        level, mode, d = todo.pop()
        if isinstance(d, str):
            current.append(d)
            pos += len(d)
        elif isinstance(d, list):
            todo += [(level, mode, x) for x in reversed(d)]
        elif isinstance(d, Indent):
            todo.append((level + 1, mode, d.contents))
        elif isinstance(d, Group):
            if mode == _FLAT and not d.broken:
                todo.append((level, _FLAT, d.contents))
            else:
                fits = not d.broken and _fits([(level, _FLAT, d.contents)], todo, LIMIT - pos)
                todo.append((level, _FLAT if fits else _BREAK, d.contents))
        elif isinstance(d, IfBreak):
            current.append(d.broken if mode == _BREAK else d.flat)
            pos += len(current[-1])
        elif mode == _FLAT:
            current.append(d.flat)
            pos += len(d.flat)
        else:
            lines.append("".join(current).rstrip())
            current = [_IND * level]
            pos = 4 * level
    lines.append("".join(current))
    return lines


def _fits(next_: list[tuple[int, int, Doc]], rest: list[tuple[int, int, Doc]], width: int) -> bool:
    """Does `next_` fit in `width`, with what follows it up to the next possible break?"""
    todo = list(next_)
    taken = len(rest)
    while width >= 0:
        if not todo:
            if not taken:
                return True
            taken -= 1
            todo.append(rest[taken])
            continue
        level, mode, d = todo.pop()
        if isinstance(d, str):
            width -= len(d)
        elif isinstance(d, list):
            todo += [(level, mode, x) for x in reversed(d)]
        elif isinstance(d, Indent):
            todo.append((level + 1, mode, d.contents))
        elif isinstance(d, Group):
            todo.append((level, _BREAK if d.broken else mode, d.contents))
        elif isinstance(d, IfBreak):
            width -= len(d.broken if mode == _BREAK else d.flat)
        elif mode == _BREAK:
            return True
        else:
            width -= len(d.flat)
    return False
