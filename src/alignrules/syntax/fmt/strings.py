"""String literals spelled the canonical way: one-line quoted, or a triple-quoted block."""

from __future__ import annotations

import re

from alignrules.diagnostics import BIDI_CONTROLS
from alignrules.syntax import ast
from alignrules.syntax.build import decode_string

_UNICODE_ESCAPE = re.compile(r"u\{[0-9A-Fa-f]{1,6}\}")
_CHAR_ESCAPES = {'"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r", "\0": "\\0"}


def _plain(ch: str) -> bool:
    return ch.isprintable() and ch not in BIDI_CONTROLS and ch not in '"\\'


def strict_text(d: ast.StrictDecl) -> str:
    """`strict`, or `strict decimals N`."""
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


def triple(value: str, indent: str) -> str | None:
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


def string(value: str, raw: str | None, indent: str) -> str:
    """`value` as a block when the author wrote one (`raw`) and a block can say it, else quoted."""
    if raw is not None and raw.startswith('"""'):
        block = triple(value, indent)
        if block is not None:
            return block
    return quote(value)
