"""JSON pointers (RFC 6901): the one place where reference tokens are escaped and read back.

A pointer names a value inside plain data (`/marketing/claims/3/id`). Plan readers record
positions by pointer, the binder names records and fields by pointer, and reports carry them;
all of them escape and split tokens here, so a key holding `/` or `~` means the same thing
everywhere.

>>> escape("a/b~c")
'a~1b~0c'
>>> split("/claims/0/a~1b~0c")
['claims', '0', 'a/b~c']
>>> split("claims") is None, split("")
(True, [])

Imports nothing from alignrules, so the runtime may use it too (see docs/architecture.md).
"""

from __future__ import annotations

__all__ = ["array_index", "escape", "split", "unescape"]


def escape(token: str) -> str:
    """`token` as a reference token: `~` becomes `~0`, then `/` becomes `~1`."""
    return token.replace("~", "~0").replace("/", "~1")


def unescape(token: str) -> str:
    """The key a reference token names: `~1` becomes `/`, then `~0` becomes `~`."""
    return token.replace("~1", "/").replace("~0", "~")


def split(pointer: str) -> list[str] | None:
    """The unescaped reference tokens of `pointer`; None if it is not a pointer."""
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        return None
    return [unescape(t) for t in pointer[1:].split("/")]


def array_index(token: str, length: int) -> int | None:
    """The index an array token names (`0`, or digits without a leading zero), if it is below
    `length`; None otherwise (`01`, `-1`, `x`, or past the end)."""
    if not (token.isascii() and token.isdigit()) or (token[0] == "0" and token != "0"):
        return None
    index = int(token)
    return index if index < length else None
