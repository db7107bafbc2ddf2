"""Where the values of many JSON pointers start in one JSON text, found together.

A report can name tens of thousands of records and fields of one plan. Looked up one at a
time (`JsonLocator.find`, `JsonText.find`), each pointer is resolved from a memo or from the
root, and each lookup pays for its own steps and its own line count. `offsets` takes all of
a report's pointers at once instead: it groups them by container, so each container is read
once, in text order, for all the members wanted of it (a record once for all its fields, a
large array once up to the last item wanted), and `alignrules.data.lines.positions` turns
every offset into a line and column in one ordered sweep.

>>> text = '{"claims": [{"id": "C1", "n": 2}, {"id": "C2"}], "a/b": 7}'
>>> found = offsets(text, ["/claims/1/id", "/claims/0/n", "/a~1b", "/claims/5", "x"])
>>> [text[found[p] :][:6] for p in ["/claims/1/id", "/claims/0/n", "/a~1b", "/claims/5"]]
['"C2"}]', '2}, {"', '7}', '[{"id"']
>>> found["x"]
0

The meaning is the one-at-a-time locators': a pointer that names nothing is found at its
nearest existing ancestor, something that is not a pointer at the root, and a key that
repeats names its first member. The text must be valid JSON (a reader has accepted it).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from json.scanner import make_scanner
from typing import Any, Final

from alignrules.pointer import unescape

__all__ = ["offsets", "value_end"]

_WS: Final = re.compile(r"[ \t\n\r]*")
_KEY: Final = r'"([^"\\]*(?:\\.[^"\\]*)*)"[ \t\n\r]*:[ \t\n\r]*'
_FIRST_MEMBER: Final = re.compile(r"[ \t\n\r]*" + _KEY, re.S)
_NEXT_MEMBER: Final = re.compile(r"[ \t\n\r]*,[ \t\n\r]*" + _KEY, re.S)
_NEXT_ITEM: Final = re.compile(r"[ \t\n\r]*,[ \t\n\r]*")
# An object with at most this many keys wanted is searched for them (`_search`).
_SEARCH: Final = 4
# How far into an object `_search` looks for a key.
_LONG: Final = 1 << 12
_TOKEN: Final = re.compile(r'"(?:[^"\\]|\\.)*"|[\[{]|[\]}]|[^\s,:\[\]{}"]+', re.S)

#: The stdlib's C scanner (what `json.loads` runs): `_skip(text, i)` parses the value that
#: starts at offset i and returns it with the offset after it. Stepping over a record this
#: way costs about a microsecond, less than a vectorised pass (`alignrules.jsonscan`) over
#: the same text costs per record, so this module needs no numpy.
_skip: Callable[[str, int], tuple[Any, int]] = make_scanner(
    json.JSONDecoder()  # type: ignore[arg-type]  # typeshed's stub wants the scanner class
)


def offsets(text: str, pointers: Iterable[str]) -> dict[str, int]:
    """Where the value each of `pointers` names starts in `text` (or its nearest existing
    ancestor's); the root's start for one that is not a pointer (`""`, `x`)."""
    root = _WS.match(text, 0).end()  # type: ignore[union-attr]  # always matches
    out: dict[str, int] = {}
    # Every pointer and its ancestors, as a tree: parent pointer -> child pointers.
    children: dict[str, list[str]] = {}
    for pointer in pointers:
        if not pointer.startswith("/"):
            out[pointer] = root
            continue
        node = pointer
        while node and node not in out:
            out[node] = -1  # placed in the tree; its offset comes below
            parent = node[: node.rindex("/")]
            kids = children.get(parent)
            if kids is None:
                children[parent] = [node]
            else:
                kids.append(node)
            node = parent
    if not children:
        return out
    patterns: dict[str, re.Pattern[str]] = {}  # key -> how `_search` finds it
    pending = [("", root)]
    while pending:
        parent, offset = pending.pop()
        kids = children[parent]
        cut = len(parent) + 1
        tokens = [k[cut:] for k in kids]
        for kid, start in zip(kids, _members(text, offset, tokens, patterns), strict=True):
            if start is None:
                _fill(out, children, kid, offset)
                continue
            out[kid] = start
            if kid in children:
                pending.append((kid, start))
    return out


def _fill(out: dict[str, int], children: dict[str, list[str]], node: str, offset: int) -> None:
    """`node` names nothing: it and every pointer under it are found at `offset`."""
    stack = [node]
    while stack:
        node = stack.pop()
        out[node] = offset
        stack.extend(children.get(node, ()))


def _members(
    text: str, offset: int, tokens: list[str], patterns: dict[str, re.Pattern[str]]
) -> list[int | None]:
    """Where the members that the (escaped) reference `tokens` name start in the container at
    `offset`, None for those it does not have (or when the value there is not a container)."""
    opener = text[offset]
    if opener == "[":
        return _items(text, offset, tokens)
    if opener == "{":
        return _keys(text, offset, [unescape(t) if "~" in t else t for t in tokens], patterns)
    return [None] * len(tokens)


def _items(text: str, offset: int, tokens: list[str]) -> list[int | None]:
    """Array members: one walk from the first item to the last one wanted."""
    wanted = [
        int(t) if t.isdigit() and t.isascii() and (t[0] != "0" or t == "0") else -1
        for t in tokens  # `01`, `-1`, `x`: no array index
    ]
    top = max(wanted)
    if top < 0:
        return [None] * len(tokens)
    starts: list[int] = []
    at = _WS.match(text, offset + 1).end()  # type: ignore[union-attr]  # always matches
    if text[at] != "]":
        append, match = starts.append, _NEXT_ITEM.match
        append(at)
        # For `/claims` of a large export this runs once per record: kept lean.
        while len(starts) <= top:
            m = match(text, value_end(text, at))
            if m is None:
                break
            at = m.end()
            append(at)
    size = len(starts)
    return [starts[i] if 0 <= i < size else None for i in wanted]


def _keys(
    text: str, offset: int, keys: list[str], patterns: dict[str, re.Pattern[str]]
) -> list[int | None]:
    """Object members: each key searched for in the text (a record's few fields), or one
    walk from the first member until every key wanted is found (to the end for a key the
    object does not have)."""
    if len(keys) <= _SEARCH:
        searched = [_search(text, offset, key, patterns) for key in keys]
        if None not in searched:
            return searched
    found: list[int | None] = [None] * len(keys)
    wanted: dict[str, list[int]] = {}  # `~` and `~0` both name the key `~`
    for i, key in enumerate(keys):
        wanted.setdefault(key, []).append(i)
    m = _FIRST_MEMBER.match(text, offset + 1)
    match = _NEXT_MEMBER.match
    while m is not None:
        raw, at = m.group(1), m.end()
        # A repeated key: the first is the one named (`pop`), as the one-at-a-time walk has it.
        places = wanted.pop(json.loads(f'"{raw}"') if "\\" in raw else raw, None)
        if places is not None:
            for i in places:
                found[i] = at
            if not wanted:
                break
        m = match(text, value_end(text, at))
    return found


def _search(text: str, offset: int, key: str, patterns: dict[str, re.Pattern[str]]) -> int | None:
    """Where member `key` of the object at `offset` starts, found by searching the text for
    the key; None when the search cannot be sure (then the object is walked).

    `{` or `,`, then `"key"` and `:` is a member of this object when the `{` or `,` is
    outside any string and no brace comes between the object's `{` and it: a nested object,
    or the end of this one, would put one there. Outside a string it is when an even number
    of quotes comes before it, counted from the object's `{`; a backslash on the way (an
    escaped quote, or another spelling of the key) sends the lookup to the walk, and so
    does a brace inside a string, or a key further than _LONG characters in.
    """
    pattern = patterns.get(key)
    if pattern is None:
        pattern = patterns[key] = _pattern(key)
    m = pattern.search(text, offset, offset + _LONG)
    if m is None:
        return None
    at = m.start()
    if (
        text.find("{", offset + 1, at + 1) != -1
        or text.find("}", offset + 1, at) != -1
        or text.find("\\", offset, at) != -1
        or text.count('"', offset, at) & 1
    ):
        return None
    return m.end()


def _pattern(key: str) -> re.Pattern[str]:
    """`{` or `,`, then `key` as a JSON string and a colon: how a member is found by `_search`."""
    spelled = re.escape(json.dumps(key, ensure_ascii=False)[1:-1])
    return re.compile(r'[{,][ \t\n\r]*"' + spelled + r'"[ \t\n\r]*:[ \t\n\r]*')


def value_end(text: str, start: int) -> int:
    """The offset just after the JSON value that starts at `start`."""
    try:
        return _skip(text, start)[1]
    except RecursionError:  # deeper than the C scanner goes from here: count brackets
        depth = 0
        for m in _TOKEN.finditer(text, start):
            c = m.group()[0]
            depth += 1 if c in "[{" else -1 if c in "]}" else 0
            if depth <= 0:
                return m.end()
        return len(text)
