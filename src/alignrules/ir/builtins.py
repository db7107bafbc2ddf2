"""The built-in functions of the language, in one table that every stage reads.

The type checker asks it what a call accepts and gives, code generation how to write it in
Python, constant evaluation what it computes, and lint what is certain of every result. Adding a built-in is one entry
here and one row in the language reference.

>>> from alignrules.ir import types as t
>>> fn = BUILTINS["year"]
>>> fn.accepts(t.DATE), fn.result(t.DATE), fn.python("launch_on", t.DATE)
(True, Prim(name='int'), 'launch_on.year')
>>> from datetime import date
>>> fn.evaluate(date(2026, 3, 1))
2026
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import Final, TypeAlias

import attrs

from alignrules.ir import types as t
from alignrules.runtime import bind
from alignrules.runtime.values import Money

#: A value as generated code holds it: text, int, Decimal, `Money`, date, `timedelta`, a tuple.
Value: TypeAlias = object


@attrs.frozen
class BuiltinFn:
    """One built-in function of one argument."""

    name: str
    #: what the argument may be, as a message says it ("text or a list")
    takes: str
    accepts: Callable[[t.Type], bool] = attrs.field(repr=False)
    #: the result type for an accepted argument type
    result: Callable[[t.Type], t.Type] = attrs.field(repr=False)
    #: Python source of the call, from the argument's source and type
    python: Callable[[str, t.Type], str] = attrs.field(repr=False)
    #: the call on a value as generated code holds it (durations are `timedelta`)
    evaluate: Callable[[Value], Value] = attrs.field(repr=False)
    #: False for the compiler's own helpers, which a ruleset cannot call by name
    public: bool = attrs.field(default=True, kw_only=True)
    #: What lint may assume of every result: it is a number that is never negative.
    never_negative: bool = attrs.field(default=False, kw_only=True)
    #: `(op, pattern)` → True when no result can `op` (`contains`, `starts with`, `ends with`,
    #: `equals`) `pattern`, matched case-sensitively; None when nothing is known.
    never_text: Callable[[str, str], bool] | None = attrs.field(
        default=None, kw_only=True, repr=False
    )

    def excludes_text(self, op: str, pattern: str) -> bool:
        """Whether no result of the function can `op` `pattern` (case-sensitively)."""
        return self.never_text is not None and self.never_text(op, pattern)


def _one_of(*types: t.Type) -> tuple[str, Callable[[t.Type], bool]]:
    return " or ".join(map(str, types)), lambda typ: typ in types


def _gives(typ: t.Type) -> Callable[[t.Type], t.Type]:
    return lambda _arg: typ


def _same(arg: t.Type) -> t.Type:
    return arg


def _suffix(text: str) -> Callable[[str, t.Type], str]:
    return lambda src, _arg: f"{src}{text}"


def _call(fn: str) -> Callable[[str, t.Type], str]:
    return lambda src, _arg: f"{fn}({src})"


def _text_fn(
    name: str,
    suffix: str,
    method: Callable[[str], str],
    never_text: Callable[[str, str], bool] | None = None,
) -> BuiltinFn:
    takes, accepts = _one_of(t.TEXT)
    return BuiltinFn(
        name,
        takes,
        accepts,
        _gives(t.TEXT),
        _suffix(suffix),
        _on(str, method),
        never_text=never_text or _changed_by(method),
    )


def _changed_by(method: Callable[[str], str]) -> Callable[[str, str], bool]:
    """No result of an idempotent `method` (`str.lower`, `str.upper`: checked by the tests, on
    every code point) contains a pattern that `method` would change."""
    return lambda _op, pattern: pattern != method(pattern)


def _not_trimmed(op: str, pattern: str) -> bool:
    if not pattern:
        return False
    if op == "starts with":
        return pattern[0].isspace()
    if op == "ends with":
        return pattern[-1].isspace()
    if op == "equals":
        return pattern[0].isspace() or pattern[-1].isspace()
    return False


def _on(kind: type, fn: Callable[..., Value]) -> Callable[[Value], Value]:
    """`fn`, refusing a value of another kind than the table says it takes."""

    def evaluate(value: Value) -> Value:
        if not isinstance(value, kind):
            raise TypeError(f"expected {kind.__name__}, got {type(value).__name__}")
        return fn(value)

    return evaluate


def _is_text_or_list(typ: t.Type) -> bool:
    return typ == t.TEXT or isinstance(typ, t.CollT)


def _abs(value: Value) -> Value:
    if isinstance(value, bool) or not isinstance(value, int | Decimal | Money | timedelta):
        raise TypeError(f"abs of {type(value).__name__}")
    return abs(value)


def _distinct(value: Value) -> Value:
    if not isinstance(value, tuple | list):
        raise TypeError(f"distinct of {type(value).__name__}")
    return bind.distinct(tuple(value))


def _is_list(typ: t.Type) -> bool:
    return isinstance(typ, t.CollT)


def _as_list_python(src: str, arg: t.Type) -> str:
    if isinstance(arg, t.OptT) and isinstance(arg.inner, t.CollT):
        return f"bind.opt_items({src})"  # a missing list has no elements
    if isinstance(arg, t.OptT):
        return f"bind.opt_list({src})"
    return src if isinstance(arg, t.CollT) else f"({src},)"


def _as_list_result(arg: t.Type) -> t.Type:
    inner = t.strip_opt(arg)
    return inner if isinstance(inner, t.CollT) else t.CollT(inner)


def _as_list(value: Value) -> Value:
    if value is None:
        return ()
    return tuple(value) if isinstance(value, tuple | list) else (value,)


_ABS_TAKES, _ABS_ACCEPTS = _one_of(t.INT, t.DECIMAL, t.MONEY, t.DURATION)
_DAYS_TAKES, _DAYS_ACCEPTS = _one_of(t.DURATION)
_DATE_TAKES, _DATE_ACCEPTS = _one_of(t.DATE)

#: Every built-in, by name, in the order the language reference lists them.
BUILTINS: Final[Mapping[str, BuiltinFn]] = {
    fn.name: fn
    for fn in (
        _text_fn("lower", ".lower()", str.lower),
        _text_fn("upper", ".upper()", str.upper),
        _text_fn("trim", ".strip()", str.strip, _not_trimmed),
        BuiltinFn(
            "length",
            "text or a list",
            _is_text_or_list,
            _gives(t.INT),
            _call("len"),
            _on(object, len),
            never_negative=True,
        ),
        BuiltinFn("abs", _ABS_TAKES, _ABS_ACCEPTS, _same, _call("abs"), _abs, never_negative=True),
        BuiltinFn(
            "days",
            _DAYS_TAKES,
            _DAYS_ACCEPTS,
            _gives(t.INT),
            _suffix(".days"),
            _on(timedelta, lambda d: d.days),
        ),
        BuiltinFn(
            "year",
            _DATE_TAKES,
            _DATE_ACCEPTS,
            _gives(t.INT),
            _suffix(".year"),
            _on(date, lambda d: d.year),
        ),
        BuiltinFn(
            "month",
            _DATE_TAKES,
            _DATE_ACCEPTS,
            _gives(t.INT),
            _suffix(".month"),
            _on(date, lambda d: d.month),
        ),
        BuiltinFn(
            "distinct",
            "a list",
            _is_list,
            _same,
            _call("bind.distinct"),
            _distinct,
        ),
        # `x references a capability`: the references of one field as a list to range over,
        # whether the field holds one, several or (optional) none.
        BuiltinFn(
            "as_list",
            "anything",
            lambda _arg: True,
            _as_list_result,
            _as_list_python,
            _as_list,
            public=False,
        ),
    )
}

#: The built-ins a ruleset can call by name.
PUBLIC: Final[Mapping[str, BuiltinFn]] = {n: fn for n, fn in BUILTINS.items() if fn.public}


def evaluate(name: str, value: Value) -> Value:
    """What `name(value)` computes, e.g. `evaluate("trim", " a ")` is `"a"`."""
    return BUILTINS[name].evaluate(value)


__all__ = ["BUILTINS", "PUBLIC", "BuiltinFn", "evaluate"]
