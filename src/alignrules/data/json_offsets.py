"""Where the values of many JSON pointers start in one JSON text, found together.

A report can name hundreds of thousands of records and fields of one plan. `locations`
takes all of a report's pointers at once, in report order (a rule's findings by key: mostly
text order), and `alignrules.data.lines.positions` turns every offset into a line and column
in one ordered sweep. Each pointer is resolved from its parent's offset, kept in a small memo
of recent pointers; a large array is walked once, as far as the last item wanted, and a
record with no nested object, no backslash and an even number of quotes up to its first `}`
is known to end there without being parsed; a field is found by searching for its quoted
key, checked in place (`_Offsets._key`), so no field before it is parsed.

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
from array import array
from collections.abc import Callable, Iterable
from json.scanner import make_scanner
from typing import Any, Final

from alignrules.data.lines import positions
from alignrules.pointer import unescape
from alignrules.runtime.report import Location

__all__ = ["locations", "offsets", "value_end"]

_WS: Final = re.compile(r"[ \t\n\r]*")
_KEY: Final = r'"([^"\\]*(?:\\.[^"\\]*)*)"[ \t\n\r]*:[ \t\n\r]*'
_FIRST_MEMBER: Final = re.compile(r"[ \t\n\r]*" + _KEY, re.S)
_NEXT_MEMBER: Final = re.compile(r"[ \t\n\r]*,[ \t\n\r]*" + _KEY, re.S)
_NEXT_ITEM: Final = re.compile(r"[ \t\n\r]*,[ \t\n\r]*")
_TOKEN: Final = re.compile(r'"(?:[^"\\]|\\.)*"|[\[{]|[\]}]|[^\s,:\[\]{}"]+', re.S)
# How far into an object a key is searched for before walking the object; and an object
# longer than this, or with more than _WALK members, keeps what its walk found.
_LONG: Final = 1 << 12
_WALK: Final = 32

#: The stdlib's C scanner (what `json.loads` runs): `_skip(text, i)` parses the value that
#: starts at offset i and returns it with the offset after it. About a microsecond per
#: record: less than a vectorised pass (`alignrules.jsonscan`) costs per record, so this
#: module needs no numpy.
_skip: Callable[[str, int], tuple[Any, int]] = make_scanner(
    json.JSONDecoder()  # type: ignore[arg-type]  # typeshed's stub wants the scanner class
)


def locations(text: str, file: str | None, pointers: Iterable[str]) -> dict[str, Location]:
    """The `Location` of each of `pointers` in `text`, a file named `file`: where its value
    starts (`offsets`), as a line and column (`alignrules.data.lines.positions`)."""
    found = offsets(text, pointers)
    if text.find("\n") == -1:  # one line (minified JSON): no sweep, no table of positions
        return {p: Location(file, p, 1, at + 1) for p, at in found.items()}
    where = positions(text, found.values())
    return {p: Location(file, p, *where[at]) for p, at in found.items()}


def offsets(text: str, pointers: Iterable[str]) -> dict[str, int]:
    """Where the value each of `pointers` names starts in `text` (or its nearest existing
    ancestor's); the root's start for one that is not a pointer (`""`, `x`).

    Any order gives the same offsets; pointers in report order (a rule's findings by key,
    mostly text order) keep the memo of recent pointers small and the text read nearby.
    """
    found = _Offsets(text)
    resolve = found.resolve
    out: dict[str, int] = {}
    for pointer in pointers:
        at = resolve(pointer)
        out[pointer] = at if at >= 0 else ~at
    return out


class _Offsets:
    """The offsets resolved so far in one text, and where the items of its arrays start."""

    __slots__ = ("ends", "items", "patterns", "resolved", "root", "text", "walks")

    # Pointers resolved lately, kept so that a field finds its record, and a record its
    # array, without a walk from the root; cleared when full, so that it stays small (a large
    # memo of a large report cost more in cache misses than it saved).
    _MEMO: Final = 1 << 14

    def __init__(self, text: str) -> None:
        self.text = text
        self.root = _WS.match(text, 0).end()  # type: ignore[union-attr]  # always matches
        # pointer -> the offset of its value, or ~offset of its nearest existing ancestor's
        self.resolved: dict[str, int] = {"": self.root}
        self.items: dict[int, array[int]] = {}  # array offset -> where its items start
        self.ends: dict[int, int] = {}  # array offset -> its end, once walked to the end
        self.patterns: dict[str, re.Pattern[str]] = {}  # key -> how `_key` searches for it
        self.walks: dict[int, _Walk] = {}  # a large object's offset -> its walk so far

    def resolve(self, pointer: str) -> int:
        """The offset of `pointer`'s value, or ~offset of its nearest existing ancestor's."""
        resolved = self.resolved
        at = resolved.get(pointer)
        if at is not None:
            return at
        if not pointer.startswith("/"):
            return self.root
        if len(resolved) >= self._MEMO:
            resolved.clear()
            resolved[""] = self.root
        # The usual case: a field whose record is resolved, or a record whose array is.
        parent, _, token = pointer.rpartition("/")
        at = resolved.get(parent)
        if at is None:
            pending = [pointer]  # the pointer and its unresolved ancestors, innermost first
            while at is None:
                pending.append(parent)
                parent = parent.rpartition("/")[0]
                at = resolved.get(parent)
            for node in reversed(pending):
                at = resolved[node] = self._step(at, node.rpartition("/")[2])
            return at
        at = resolved[pointer] = self._step(at, token)
        return at

    def _step(self, at: int, token: str) -> int:
        """Member `token` of the value at `at` (or, for a negative `at`, of nothing)."""
        if at < 0:
            return at
        opener = self.text[at]
        if opener == "{":
            start = self._key(at, unescape(token) if "~" in token else token)
        elif opener == "[":
            if not (token.isdigit() and token.isascii() and (token[0] != "0" or token == "0")):
                return ~at  # `01`, `-1`, `x`: no array index
            start = self._item(at, int(token))
        else:
            return ~at  # a scalar has no members
        return ~at if start is None else start

    def _item(self, at: int, index: int) -> int | None:
        """Array item `index`, walking the array from the last item found so far."""
        starts = self.items.get(at)
        if starts is None:
            starts = self.items[at] = array("q")
        if index < len(starts):
            return starts[index]
        if at in self.ends:
            return None
        text = self.text
        if not starts:
            first = _WS.match(text, at + 1).end()  # type: ignore[union-attr]  # always matches
            if text[first] == "]":
                self.ends[at] = first + 1
                return None
            starts.append(first)
        find, count, match, append = text.find, text.count, _NEXT_ITEM.match, starts.append
        start = starts[-1]
        # For `/claims` of a large export this runs once per record: kept lean. A record
        # with no nested object ends at its first `}`, found without parsing it (`_flat`,
        # spelled out here).
        for _ in range(index + 1 - len(starts)):
            end = find("}", start) + 1 if text[start] == "{" else 0
            if not (
                end
                and find("{", start + 1, end) == -1
                and find("\\", start, end) == -1
                and not count('"', start, end) & 1
            ):
                end = value_end(text, start)
            if text[end] == ",":
                start = end + 1
                if text[start] in " \t\n\r":
                    start = match(text, end).end()  # type: ignore[union-attr]  # a `,` is
            else:
                m = match(text, end)
                if m is None:  # the closing `]`
                    self.ends[at] = _WS.match(text, end).end() + 1  # type: ignore[union-attr]
                    return None
                start = m.end()
            append(start)
        return starts[index]

    def _key(self, at: int, key: str) -> int | None:
        """Object member `key`: searched for in the text, or found by walking the object.

        `"key":` is a member of this object when a `{` or `,` comes just before it (past
        white space), outside any string, and no brace comes between the object's `{` and
        that one: a nested object, or the end of this one, would put one there. Outside a
        string is when an even number of quotes comes before it and no backslash (an
        escaped quote, or another spelling of the key). Anything else, or a key further in
        than _LONG, is left to the walk.
        """
        text = self.text
        pattern = self.patterns.get(key)
        if pattern is None:
            pattern = self.patterns[key] = _pattern(key)
        m = pattern.search(text, at, at + _LONG)
        if m is not None:
            before = m.start() - 1
            while text[before] in " \t\n\r":
                before -= 1
            if text[before] in "{," and (
                before == at
                or (
                    text.find("{", at + 1, before + 1) == -1
                    and text.find("}", at + 1, before) == -1
                    and text.find("\\", at, before) == -1
                    and not text.count('"', at, before) & 1
                )
            ):
                return m.end()
        # Not found so, and the object is a flat record (`_flat`): no other spelling of the
        # key (no backslash), no member hidden in a nested object, so no such member.
        end = text.find("}", at, at + _LONG) + 1
        if _flat(text, at, end) and (m is None or m.start() > end):
            return None
        return self._walk(at, key)

    def _walk(self, at: int, key: str) -> int | None:
        """Object member `key`, stepping over the members before it. A large object (the
        root, a plan section) keeps what its walk found, and goes on from there next time."""
        text = self.text
        walk = self.walks.get(at)
        if walk is None:
            walk = _Walk()
        else:
            found = walk.keys.get(key)
            if found is not None:
                return found
        keys = walk.keys
        while walk.last != 0:
            if walk.last < 0:
                m = _FIRST_MEMBER.match(text, at + 1)
            else:
                m = _NEXT_MEMBER.match(text, self._end(walk.last))
            if m is None:
                walk.last = 0
                break
            raw, start = m.group(1), m.end()
            name = json.loads(f'"{raw}"') if "\\" in raw else raw
            if name not in keys:  # the first of repeated keys, as the readers name it
                keys[name] = start
            walk.last = start
            if name == key:
                break  # its value is stepped over only if a later key is wanted
        if at not in self.walks and (len(keys) > _WALK or walk.last - at > _LONG):
            self.walks[at] = walk
        return keys.get(key)

    def _end(self, start: int) -> int:
        """The end of the value at `start`. An array is walked as `_item` walks one (twice
        as fast as parsing an array of records), and its end kept."""
        if self.text[start] != "[":
            return value_end(self.text, start)
        if start not in self.ends:
            self._item(start, len(self.text))
        return self.ends[start]


class _Walk:
    """How far a walk through the members of an object went: each key's value's offset, and
    `last`, the offset of the last value reached (-1 before the first, 0 past the end)."""

    __slots__ = ("keys", "last")

    def __init__(self) -> None:
        self.keys: dict[str, int] = {}
        self.last = -1


def _flat(text: str, start: int, end: int) -> bool:
    """Whether the object at `start` ends at `end`, just after the first `}` that follows
    it: so when no `{` comes between (no nested object), and no backslash and an even number
    of quotes (that `}` is in no string). Most records are such; finding that their end is
    there costs four searches of their text, not a parse."""
    return (
        end > 0
        and text.find("{", start + 1, end) == -1
        and text.find("\\", start, end) == -1
        and not text.count('"', start, end) & 1
    )


def _pattern(key: str) -> re.Pattern[str]:
    """`key` as a JSON string, then a colon: how `_key` searches for a member. (Starting
    with the literal quoted key, the search runs at the speed of a substring search.)"""
    spelled = re.escape(json.dumps(key, ensure_ascii=False))
    return re.compile(spelled + r"[ \t\n\r]*:[ \t\n\r]*")


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
