"""The engine behind `matches`: RE2, which matches in time linear in the text, always.

Rules run on data nobody vetted, and Python's `re` backtracks: `^(aa?)+$` on a thousand
`a`s followed by `!` runs for hours. RE2 (the `google-re2` package, the `re2` extra) has no
backtracking, so no pattern and no text can make a check hang. There is deliberately no
fallback to `re`: a checker whose ruleset uses `matches` refuses to run without RE2, and a
pattern RE2 cannot run is refused when the ruleset compiles (`alignrules.typecheck.regex`
asks `problem` below, so the compiler and the runtime agree on what RE2 accepts).
"""

from __future__ import annotations

from typing import Any, Final

#: What to install when RE2 is missing; quoted for shells that expand `[...]`.
INSTALL_HINT: Final = "pip install 'alignrules[re2]'"


class RegexEngineMissing(ImportError):
    """`google-re2` is not importable, and a ruleset needs it for `matches`."""


def _re2() -> Any:
    try:
        import re2  # type: ignore[import-not-found, import-untyped, unused-ignore]
    except ImportError:
        raise RegexEngineMissing(
            "`matches` runs on the RE2 engine (package `google-re2`), which is not installed:"
            f" {INSTALL_HINT}"
        ) from None
    return re2


def engine_available() -> bool:
    """Whether RE2 can be imported here."""
    try:
        _re2()
    except RegexEngineMissing:
        return False
    return True


def _compile(pattern: str, ignore_case: bool) -> Any:
    re2 = _re2()
    options = re2.Options()
    options.case_sensitive = not ignore_case
    options.log_errors = False  # the error comes back as an exception; RE2's log is noise
    return re2.compile(pattern, options)


def problem(pattern: str, ignore_case: bool) -> str | None:
    """Why RE2 cannot run `pattern`, in RE2's words, or None when it can.

    Raises `RegexEngineMissing` when RE2 is not installed.
    """
    error = _re2().error
    lone = next((c for c in pattern if "\ud800" <= c <= "\udfff"), None)
    if lone is not None:  # RE2 matches UTF-8, and a lone surrogate has no UTF-8 form
        return f"the pattern holds the lone surrogate U+{ord(lone):04X}, which no text can contain"
    try:
        _compile(pattern, ignore_case)
    except error as exc:
        detail = exc.args[0] if exc.args else exc
        if isinstance(detail, bytes):
            detail = detail.decode("utf-8", "backslashreplace")
        return str(detail)
    return None


class Pattern:
    """A compiled `matches` pattern. `search(text)` is None when nothing in `text` matches."""

    __slots__ = ("_compiled",)

    def __init__(self, pattern: str, ignore_case: bool = False) -> None:
        why = problem(pattern, ignore_case)
        if why is not None:
            # The compiler refused this already; a module compiled against another RE2
            # version can still meet it, and must stop rather than match differently.
            raise ValueError(f"RE2 cannot run the pattern {pattern!r}: {why}")
        self._compiled = _compile(pattern, ignore_case)

    def search(self, text: str) -> object | None:
        try:
            return self._compiled.search(text)  # type: ignore[no-any-return]
        except UnicodeEncodeError:
            # A lone surrogate (JSON allows `"\ud800"`) has no UTF-8 form, which RE2 needs;
            # it matches as U+FFFD, the replacement character, like any undecodable text.
            clean = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
            return self._compiled.search(clean)  # type: ignore[no-any-return]
