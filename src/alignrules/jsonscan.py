"""The members of one JSON container, found by a vectorised pass over the text (numpy).

Stepping over a container's members one at a time parses every member in Python, about 2 µs
each: seconds for the millions of records of a large export. `members` reads the text in
chunks instead: a quote starts or ends a string unless an odd run of backslashes precedes
it; outside strings, brackets give the depth; the commas at the container's own depth
separate its members, and in an object the colons there follow its keys. Only a few bytes in
ten are quotes, brackets, commas or colons, so those are picked out first and the rest of
the work is on them.

The text must be valid JSON (a reader has accepted it). Offsets are byte offsets; for an
ASCII text they are character offsets too.

>>> text = b'{"a": [1, "x,]", {"b": [2, 3]}], "c\\\\"d": 4}'
>>> [text[i:i + 3] for i in members(_reader(text), 6, len(text)).starts]
[b'1, ', b'"x,', b'{"b']
>>> members(_reader(text), 0, len(text)).keys
['a', 'c"d']

Imports nothing from alignrules: the plan readers (`data`) and the SQL reader (`sql`) both
use it. numpy comes with the `duckdb` extra; `available()` says whether it is installed.
"""

from __future__ import annotations

import json
from array import array
from collections.abc import Callable
from typing import Any, Final

import attrs

__all__ = ["Members", "available", "members"]

#: Bytes read at a time; the arrays made from a chunk are a few times its size.
_CHUNK: Final = 1 << 22
_SPACE: Final = b" \t\n\r"

#: `read(start, stop)`: the bytes of the text from offset `start` up to `stop`.
Read = Callable[[int, int], bytes]


@attrs.frozen
class Members:
    """Where each member of a container starts (after any white space), and for an object its
    keys in text order (unescaped)."""

    starts: array[int]
    keys: list[str]


def available() -> bool:
    """Whether numpy, which `members` needs, is installed."""
    try:
        import numpy  # noqa: F401
    except ImportError:
        return False
    return True


def _reader(data: bytes) -> Read:
    return lambda start, stop: data[start:stop]


def members(read: Read, offset: int, size: int) -> Members:
    """The members of the container (`[` or `{`) at byte `offset` of a text of `size` bytes."""
    import numpy as np

    special = np.zeros(256, dtype=bool)
    special[list(b'",:[]{}')] = True
    is_object = read(offset, offset + 1) == b"{"
    space = np.frombuffer(_SPACE, dtype=np.uint8)
    found: list[Any] = []  # per chunk: where the members after its commas start
    fix: list[Any] = []  # per chunk: which of those may start with white space
    key_quotes: list[Any] = []  # for an object: the (opening, closing) quotes of each key
    last_quotes = np.array([-1, -1], dtype=np.int64)  # the last two quotes before a chunk
    depth, inside = 1, 0  # inside the container, outside any string
    at = offset + 1
    while at < size and depth > 0:
        stop = min(at + _CHUNK, size)
        buf = np.frombuffer(read(at, stop), dtype=np.uint8)
        where = np.flatnonzero(special[buf])
        char = buf[where]
        quote = char == 34
        before = buf[np.maximum(where - 1, 0)]
        if len(where) and where[0] == 0:
            before[0] = read(at - 1, at)[0]
        for k in np.flatnonzero(quote & (before == 92)).tolist():
            run, j = 0, at + int(where[k]) - 1
            while read(j, j + 1) == b"\\":
                run, j = run + 1, j - 1
            if run % 2:
                quote[k] = False  # an escaped quote, inside a string
        # 1 from an opening quote up to (not including) its closing one
        strings = (np.cumsum(quote, dtype=np.int32) + inside) & 1
        outside = (strings == 0) & ~quote
        step = ((char == 91) | (char == 123)).astype(np.int8)
        step -= (char == 93) | (char == 125)
        step *= outside
        level = np.cumsum(step, dtype=np.int32) + depth
        closed = np.flatnonzero(level == 0)
        limit = int(closed[0]) if len(closed) else len(char)
        mine = outside[:limit] & (level[:limit] == 1)
        after = where[:limit][(char[:limit] == 44) & mine] + 1  # in this chunk
        spaced = np.ones(len(after), dtype=bool)  # a member after white space, or unknown
        seen = after < len(buf)
        spaced[seen] = np.isin(buf[after[seen]], space)
        fix.append(np.flatnonzero(spaced) + sum(len(f) for f in found))
        found.append(after + at)
        if is_object:
            quotes = np.concatenate((last_quotes, where[quote] + at))
            colons = where[:limit][(char[:limit] == 58) & mine] + at
            closing = np.searchsorted(quotes, colons) - 1
            key_quotes.append(np.stack((quotes[closing - 1], quotes[closing]), axis=1))
            last_quotes = quotes[-2:]
        if len(char):
            depth = 0 if len(closed) else int(level[-1])
            inside = int(strings[-1])
        at = stop
    starts = array("q")
    first = _skip_space(read, offset + 1, size)
    if read(first, first + 1) not in (b"]", b"}"):
        starts.append(first)
        for chunk in found:
            starts.frombytes(chunk.astype(np.int64).tobytes())
        for chunk in fix:
            for i in chunk.tolist():
                starts[i + 1] = _skip_space(read, starts[i + 1], size)
    keys: list[str] = []
    for pairs in key_quotes:
        for opening, closing in pairs.tolist():
            raw = read(opening + 1, closing).decode("utf-8")
            keys.append(json.loads(f'"{raw}"') if "\\" in raw else raw)
    return Members(starts, keys)


def _skip_space(read: Read, at: int, size: int) -> int:
    while at < size and read(at, at + 1) in (b" ", b"\t", b"\n", b"\r"):
        at += 1
    return at
