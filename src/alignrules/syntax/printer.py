"""AST to canonical text for `alignrules fmt`; re-parses its output and compares ASTs.

One layout for every ruleset: 4-space indentation, one field or rule item per line, rule
metadata first, then the condition, then the message; one space around operators; long
conditions broken before `and`/`or`/`where`/`must`/`with`, continuation lines 4 deeper.
What the AST forgets but a reader needs is taken from the source: comments (re-attached to
the nearest following item, or kept at the end of the line they ended), blank lines between
items (at most one), the author's grouping parentheses (at most one pair), how a duration was
written (`2 years`), and message templates and embedded example data (`given \"\"\"...\"\"\"`).

    >>> print(format_text("rule r{every claim must claim.ok=true # why\\n}"), end="")
    rule r {
        every claim must claim.ok = true  # why
    }

Safety: the output is parsed again and must give an equal AST (spans excluded) and the same
comments, or `DiagnosticError` with code `format` is raised and nothing should be written.

Over 500 lines: one layout method per AST node plus the comment placement that fmt needs;
it shrinks once the one parse keeps comments and token positions (then the re-lexing here goes).
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Callable, Sequence
from decimal import Decimal

import attrs
from lark import Lark, Token

from alignrules.diagnostics import BIDI_CONTROLS, Diagnostic, DiagnosticError, Place
from alignrules.source import Source
from alignrules.syntax import ast
from alignrules.syntax.build import decode_string
from alignrules.syntax.parser import grammar_text, parse, parse_table_cache

WIDTH = 100
STEP = 4


# ------------------------------------------------------------------ tokens the AST drops
@attrs.frozen
class Comment:
    """A `# ...` comment: its text (trailing blanks removed) and where it stood."""

    text: str
    start: int
    own_line: bool  # only blanks before it on its line
    blank_before: bool  # a blank line separates it from what precedes it


@attrs.frozen
class Tokens:
    """The comments of a file, and the raw text of its string literals by start offset."""

    comments: tuple[Comment, ...]
    strings: dict[int, str]


_sink: list[Token] = []
_sink_lock = threading.Lock()


def _collect(tok: Token) -> Token:
    _sink.append(tok)
    return tok


@functools.cache
def _scanner() -> Lark:
    # A second parser instance: lexer callbacks are fixed when lark builds the lexer, and the
    # compiler's parser should not pay for collecting tokens it never needs.
    return Lark(
        grammar_text(),
        parser="lalr",
        lexer="contextual",
        maybe_placeholders=True,
        lexer_callbacks={"COMMENT": _collect, "STRING": _collect},
        cache=parse_table_cache("scanner"),
    )


def scan(src: Source) -> Tokens:
    """The comments and string tokens of `src`, which must parse (call `parse` first)."""
    with _sink_lock:
        _sink.clear()
        _scanner().parse(src.text)
        found = {t.start_pos or 0: t for t in _sink}
        _sink.clear()
    text = src.text
    comments: list[Comment] = []
    strings: dict[int, str] = {}
    for start in sorted(found):
        tok = found[start]
        if tok.type == "STRING":
            strings[start] = str(tok)
            continue
        line_start = text.rfind("\n", 0, start) + 1
        comments.append(
            Comment(
                str(tok).rstrip(),
                start,
                own_line=not text[line_start:start].strip(),
                blank_before=_blank_before(text, start),
            )
        )
    return Tokens(tuple(comments), strings)


def _blank_before(text: str, pos: int) -> bool:
    """Whether a blank line separates `pos` from the code or comment before it."""
    i = pos
    while i > 0 and text[i - 1] in " \t\r\n\f":
        i -= 1
    return i > 0 and text.count("\n", i, pos) >= 2


# ------------------------------------------------------------------ comment attachment
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


# ------------------------------------------------------------------ strings
_UNICODE_ESCAPE = re.compile(r"u\{[0-9A-Fa-f]{1,6}\}")
_CHAR_ESCAPES = {'"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r", "\0": "\\0"}


def _plain(ch: str) -> bool:
    return ch.isprintable() and ch not in BIDI_CONTROLS and ch not in '"\\'


def strict_text(d: ast.StrictDecl) -> str:
    return "strict" if d.decimals is None else f"strict decimals {d.decimals}"


def quote(value: str) -> str:
    """A one-line string literal whose value is `value`.

    A backslash stays single when what follows cannot make it an escape, so a regular
    expression such as `\\d+` keeps the spelling authors use.

    >>> print(quote('say "hi"\\n'), quote(r"\\d+\\.\\d"), quote("\\u202e"))
    "say \\"hi\\"\\n" "\\d+\\.\\d" "\\u{202E}"
    """
    out = ['"']
    for i, ch in enumerate(value):
        if ch == "\\":
            nxt = value[i + 1] if i + 1 < len(value) else ""
            single = (
                nxt != ""
                and _plain(nxt)
                and nxt not in "ntr0"
                and not _UNICODE_ESCAPE.match(value, i + 1)
            )
            out.append("\\" if single else "\\\\")
        elif ch in _CHAR_ESCAPES:
            out.append(_CHAR_ESCAPES[ch])
        elif _plain(ch):
            out.append(ch)
        else:
            out.append(f"\\u{{{ord(ch):X}}}")
    out.append('"')
    return "".join(out)


def _triple(value: str, indent: str) -> str | None:
    """`value` as a triple-quoted block indented by `indent`, or None when that cannot say it."""
    if not value.endswith("\n"):
        return None
    lines = []
    for line in value[:-1].split("\n"):
        out = []
        for i, ch in enumerate(line):
            if ch == "\\":
                nxt = line[i + 1] if i + 1 < len(line) else ""
                single = nxt not in ("", '"', "\\", "n", "t", "r", "0") and not (
                    _UNICODE_ESCAPE.match(line, i + 1)
                )
                out.append("\\" if single else "\\\\")
            elif ch == '"' and line.startswith('"""', i):
                out.append('\\"')
            elif ch == "\t" or _plain(ch) or ch == '"':
                out.append(ch)
            else:
                out.append(f"\\u{{{ord(ch):X}}}")
        lines.append(indent + "".join(out) if line else "")
    candidate = '"""\n' + "\n".join(lines) + "\n" + indent + '"""'
    return candidate if decode_string(candidate) == value else None


# ------------------------------------------------------------------ expressions
_QUANT, _OR, _AND, _NOT, _CMP, _SUM, _PROD, _NEG, _OTHERWISE, _POSTFIX, _ATOM = range(11)

_DURATION = re.compile(r"(\d+)\s+((?:day|week|month|quarter|year)s?)")


def _prec(e: ast.Expr) -> int:
    if isinstance(e, ast.Quantifier | ast.Reference):
        return _QUANT
    if isinstance(e, ast.BoolOp):
        return _OR if e.op == "or" else _AND
    if isinstance(e, ast.Not):
        return _NOT
    if isinstance(e, ast.Compare | ast.IsMissing | ast.Member | ast.TextMatch):
        return _CMP
    if isinstance(e, ast.Arith):
        return _SUM if e.op in "+-" else _PROD
    if isinstance(e, ast.Neg):
        return _NEG
    if isinstance(e, ast.Otherwise):
        return _OTHERWISE
    if isinstance(e, ast.Attr):
        return _POSTFIX
    return _ATOM


def _article(entity: str) -> str:
    return "an" if entity[:1].lower() in "aeiou" else "a"


class _Printer:
    """Prints one parsed file; `run()` gives the text."""

    def __init__(self, src: Source, tree: ast.Ruleset, tokens: Tokens) -> None:
        self.text = src.text
        self.tree = tree
        self.strings = tokens.strings
        self.comment_ranges = [(c.start, c.start + len(c.text)) for c in tokens.comments]
        self.slots: dict[tuple[int, str], Slot] = {}
        self.paren_counts: dict[tuple[int, str], int] = {}
        self.root = Slot(0, len(self.text), [self._decl_slot(d) for d in tree.decls], block=True)
        for c in tokens.comments:
            self._attach(c)

    # -------------------------------------------------------------- slots
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
        slot.blank_before = _blank_before(self.text, start)
        self.slots[(id(key), role)] = slot
        return slot

    def slot(self, key: object, role: str = "") -> Slot:
        return self.slots[(id(key), role)]

    def _keyword_start(self, pos: int, pattern: str) -> int:
        """Where a keyword written just before `pos` starts (`pos` when it is not there)."""
        window = self.text[max(0, pos - 200) : pos]
        m = re.search(rf"(?:{pattern})\s*\Z", window)
        return pos - len(window) + m.start() if m else pos

    def _decl_slot(self, d: ast.Decl) -> Slot:
        if isinstance(d, ast.StrictDecl):
            return self._slot(d, d.span.start, d.span.end)
        if isinstance(d, ast.ImportDecl):
            return self._slot(d, self._keyword_start(d.span.start, "import"), d.span.end)
        if isinstance(d, ast.EnumDecl):
            values = [self._slot(v, v.span.start, v.span.end) for v in d.values]
            return self._slot(d, d.span.start, d.span.end, children=values, block=True)
        if isinstance(d, ast.EntityDecl):
            fields = [self._slot(f, f.span.start, f.span.end) for f in d.fields]
            return self._slot(d, d.span.start, d.span.end, children=fields, block=True)
        if isinstance(d, ast.RuleDecl):
            items = [self._slot(m, m.span.start, m.span.end) for m in d.meta]
            if d.body is not None:
                items.append(self._body_slot(d.body))
            if d.message is not None:
                start = self._keyword_start(d.message.span.start, "message")
                items.append(self._slot(d.message, start, d.message.span.end))
            items.sort(key=lambda s: s.start)
            return self._slot(d, d.span.start, d.span.end, children=items, block=True)
        if isinstance(d, ast.ExampleDecl):
            items = []
            if d.given_span is not None:
                start = self._keyword_start(d.given_span.start, r"given(?:\s+file)?")
                items.append(self._slot(d, start, d.given_span.end, "given"))
            if d.today_span is not None:
                items.append(self._slot(d, d.today_span.start, d.today_span.end, "today"))
            for name, value in d.params:
                start = self._keyword_start(value.span.start, rf"param\s+{re.escape(name)}\s*=")
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
            start = self._keyword_start(b.cond.span.start, "must|may")
            items.append(self._slot(b, start, b.cond.span.end, "cond"))
        return self._slot(b, b.span.start, b.span.end, children=items)

    def _attach(self, c: Comment) -> None:
        line = self.text.count("\n", 0, c.start)
        if not c.own_line:
            prev = len(self.text[: c.start].rstrip())
            if prev > 0 and self.text[prev - 1] in ",<":  # `a,  # why` belongs to `a`
                prev = len(self.text[: prev - 1].rstrip())
            owner = _ending_at(self.root.children, prev)
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

    # -------------------------------------------------------------- source facts
    def _significant(self, pos: int, step: int) -> int:
        """The offset of the nearest character from `pos` (stepping by ±1) that is code."""
        text = self.text
        while 0 <= pos < len(text):
            if text[pos] in " \t\r\n\f":
                pos += step
                continue
            hit = next((r for r in self.comment_ranges if r[0] <= pos < r[1]), None)
            if hit is None:
                return pos
            pos = hit[0] - 1 if step < 0 else hit[1]
        return -1

    def _author_parens(self, e: ast.Expr) -> int:
        """How many pairs of parentheses the author wrapped `e` in."""
        key = (id(e), "parens")
        if key not in self.paren_counts:
            self.paren_counts[key] = self._count_parens(e)
        return self.paren_counts[key]

    def _count_parens(self, e: ast.Expr) -> int:
        n, start, end = 0, e.span.start, e.span.end
        while True:
            before = self._significant(start - 1, -1)
            after = self._significant(end, 1)
            if before < 0 or after < 0 or self.text[before] != "(" or self.text[after] != ")":
                return n
            n, start, end = n + 1, before, after + 1

    def _raw(self, start: int) -> str | None:
        return self.strings.get(start)

    # -------------------------------------------------------------- strings
    def string(self, value: str, raw: str | None, indent: str) -> str:
        if raw is not None and raw.startswith('"""'):
            block = _triple(value, indent)
            if block is not None:
                return block
        return quote(value)

    def meta_strings(self, m: ast.Meta, indent: str) -> list[str]:
        raws = [
            raw for start, raw in sorted(self.strings.items()) if m.span.start <= start < m.span.end
        ]
        if len(raws) != len(m.values):
            raws = []
        return [self.string(v, raws[i] if raws else None, indent) for i, v in enumerate(m.values)]

    # -------------------------------------------------------------- flat expressions
    def parens(self, e: ast.Expr, min_prec: int, consumed: int = 0) -> bool:
        return _prec(e) < min_prec or self._author_parens(e) > consumed

    def flat(self, e: ast.Expr, min_prec: int = _QUANT, consumed: int = 0) -> str:
        text = self.bare(e)
        return f"({text})" if self.parens(e, min_prec, consumed) else text

    def binder(self, b: ast.Binder) -> str:
        if b.collection is not None:
            return f"{b.name} in {self.flat(b.collection, _OR)}"
        return b.name if b.var is None else f"{b.name} as {b.var}"

    def bare(self, e: ast.Expr) -> str:
        f = self.flat
        if isinstance(e, ast.Name):
            return e.id
        if isinstance(e, ast.Attr):
            return f"{f(e.obj, _POSTFIX)}.{e.name}"
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
            inner = f(e.expr, _OR, consumed=int(alone))
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
            operand = _AND if e.op == "or" else _NOT
            return f" {e.op} ".join(f(x, operand) for x in self.chain(e))
        if isinstance(e, ast.Not):
            return f"not {f(e.expr, _NOT)}"
        if isinstance(e, ast.Compare):
            return f"{f(e.left, _SUM)} {e.spelling or e.op} {f(e.right, _SUM)}"
        if isinstance(e, ast.IsMissing):
            return f"{f(e.expr, _SUM)} is {'present' if e.negated else 'missing'}"
        if isinstance(e, ast.Member):
            op = "not in" if e.negated else "in"
            return f"{f(e.element, _SUM)} {op} {f(e.collection, _SUM)}"
        if isinstance(e, ast.TextMatch):
            tail = " ignoring case" if e.ignore_case else ""
            return f"{f(e.left, _SUM)} {e.op} {f(e.right, _SUM)}{tail}"
        if isinstance(e, ast.Arith):
            p = _prec(e)
            return f"{f(e.left, p)} {e.op} {f(e.right, p + 1)}"
        if isinstance(e, ast.Neg):
            return f"-{f(e.expr, _NEG)}"
        if isinstance(e, ast.Otherwise):
            return f"{f(e.expr, _OTHERWISE)} otherwise {f(e.default, _POSTFIX)}"
        raise AssertionError(f"unknown node {type(e).__name__}")  # pragma: no cover

    def quantifier_parts(
        self, e: ast.Quantifier | ast.Reference, f: Callable[[ast.Expr, int], str]
    ) -> list[str]:
        """`[head, "where C", "must D"]`: the pieces a long quantifier is broken into."""
        if isinstance(e, ast.Quantifier):
            parts = [f"{e.kind} {self.binder(e.binder)}"]
            if e.where is not None:
                parts.append("where " + f(e.where, _OR if e.kind == "every" else _QUANT))
            if e.must is not None:
                parts.append("must " + f(e.must, _QUANT))
            return parts
        head = "reference" if e.subject is None else f"{f(e.subject, _SUM)} references"
        head += f" {_article(e.entity)} {e.entity}"
        if e.var is not None:
            head += f" as {e.var}"
        if e.via is not None:
            head += f" via {e.via}"
        if e.cond is None:
            return [head]
        word = "without" if e.negate else (e.filter_word or "with")
        return [head, f"{word} {f(e.cond, _QUANT)}"]

    def literal(self, e: ast.Literal) -> str:
        v = e.value
        if e.kind == "text":
            assert isinstance(v, str)
            raw = self._raw(e.span.start)
            return raw if raw is not None and raw.startswith('"""') else quote(v)
        if e.kind == "bool":
            return "true" if v else "false"
        if e.kind == "date":
            return str(v)
        if e.kind == "duration":
            m = _DURATION.fullmatch(self.text[e.span.start : e.span.end])
            return f"{m[1]} {m[2]}" if m else f"{v} days"
        if isinstance(v, Decimal):
            number = format(v, "f")
            return number if e.currency is None else f"{number} {e.currency}"
        return str(v) if e.currency is None else f"{v} {e.currency}"

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
            right = _AND if e.op == "or" else _NOT
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
                prec = _OR if (word == "where" and keep) else _QUANT
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
            sub = self.lay(e.expr, _NOT, col + 4, hang)
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
            sub = self.lay(d.default, _QUANT, len(head), 0)
            return [head + sub[0], *sub[1:]]
        if isinstance(d, ast.PredicateDecl):
            params = ", ".join(f"{p.name}: {p.type}" for p in d.params)
            head = f"predicate {d.name}({params}) ="
            flat = self.flat(d.body)
            if "\n" not in flat and len(head) + 1 + len(flat) <= WIDTH:
                return [f"{head} {flat}"]
            sub = self.lay(d.body, _QUANT, STEP, STEP)
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
        if d.body is not None:
            inner += self.item(self.slot(d.body), ind, self.body(d.body, ind), first=not inner)
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
                parts.append((self.slot(c), "where ", c.expr, _OR))
            else:
                parts.append((self.slot(c), f"let {c.name} = ", c.expr, _OR))
        if b.cond is not None:
            word = "must " if b.kind == "every" else "may "
            parts.append((self.slot(b, "cond"), word, b.cond, _QUANT))
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
                text = "given " + self.string(d.given, self._raw(d.given_span.start), pad)
            inner += self.item(self.slot(d, "given"), ind, (pad + text).split("\n"), first=True)
        if d.today is not None and d.today_span is not None:
            line = f"{pad}today = {d.today.isoformat()}"
            inner += self.item(self.slot(d, "today"), ind, [line], first=not inner)
        for name, value in d.params:
            head = f"{pad}param {name} = "
            sub = self.lay(value, _QUANT, len(head), ind + STEP)
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


# ------------------------------------------------------------------ entry points
def format_source(src: Source) -> str:
    """The canonical text of `src`; DiagnosticError when it does not parse, or when the
    formatted text would not parse back to the same ruleset (a formatter bug)."""
    tree = parse(src)
    tokens = scan(src)
    out = _Printer(src, tree, tokens).run()
    _verify(src, tree, tokens, out)
    return out


def format_text(text: str, name: str = "<ruleset>") -> str:
    """`format_source` for a ruleset given as text."""
    return format_source(Source(name, text))


def _verify(src: Source, tree: ast.Ruleset, tokens: Tokens, out: str) -> None:
    def fail(why: str) -> DiagnosticError:
        return DiagnosticError(
            Diagnostic(
                "format",
                f"the formatted text {why}, so the file is left unchanged",
                where=Place(src.name),
                hint="this is a bug in `alignrules fmt`; please report it with the file",
            )
        )

    again_src = Source(src.name, out)
    try:
        again = parse(again_src)
    except DiagnosticError:
        raise fail("does not parse") from None
    if again != tree:
        raise fail("parses to a different ruleset")
    before = sorted(c.text for c in tokens.comments)
    after = sorted(c.text for c in scan(again_src).comments)
    if before != after:
        raise fail("lost or changed a comment")
