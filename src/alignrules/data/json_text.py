"""Positions and values in a JSON text, found from the text alone, without parsing all of it.

The DuckDB engine reads a JSON plan with DuckDB's own reader, so no Python object stands for
the plan. A report still needs, for each finding, the line and column of the records and
fields it names, and a message may print a number with the places it was written with
(`100.50`), which DuckDB's reader does not keep. `JsonText` finds both in the text along the
pointers asked for: a container's members are found by skipping the ones before them with
the stdlib's C scanner (what `json.loads` runs), and where the members of a large container
start is remembered, so locating every finding of a report reads each record on the way once.

>>> text = JsonText('{"claims": [{"id": "C1", "cost": 100.50}]}', "plan.json")
>>> text.find("/claims/0/id"), text.value("/claims/0/cost")
(('plan.json', 1, 20), Decimal('100.50'))

A pointer that names nothing is found at its nearest existing ancestor, as the Python
reader's locator finds it:

>>> text.find("/claims/3")
('plan.json', 1, 12)
"""

from __future__ import annotations

import json
import re
import threading
from array import array
from collections.abc import Callable, Collection
from decimal import Decimal
from json.scanner import make_scanner
from typing import Any, Final

from alignrules import jsonscan
from alignrules.data import json_offsets
from alignrules.data.lines import LineIndex
from alignrules.data.plan import Position
from alignrules.pointer import unescape
from alignrules.runtime.report import Location

__all__ = ["JsonText"]

_WS: Final = re.compile(r"[ \t\n\r]*")
_KEY: Final = r'"((?:[^"\\]|\\.)*)"[ \t\n\r]*:[ \t\n\r]*'
_FIRST_MEMBER: Final = re.compile(r"[ \t\n\r]*" + _KEY, re.S)
_NEXT_MEMBER: Final = re.compile(r"[ \t\n\r]*,[ \t\n\r]*" + _KEY, re.S)
_NEXT_ITEM: Final = re.compile(r"[ \t\n\r]*,[ \t\n\r]*")

#: `_scan(text, i)` parses the value starting at offset i and returns it with the offset
#: after it, numbers with a fraction or exponent as `Decimal`, as the Python reader reads them
#: (stepping over a value is `json_offsets.value_end`).
_scan: Callable[[str, int], tuple[Any, int]] = make_scanner(
    json.JSONDecoder(parse_float=Decimal)  # type: ignore[arg-type]  # typeshed wants the class
)


class _Members:
    """Where the members of one container start (and, for an object, where each key's value
    starts), found as far as lookups needed."""

    __slots__ = ("array", "done", "keys", "long", "starts")

    def __init__(self, array_: bool) -> None:
        self.array = array_
        self.starts = array("q")
        self.keys: dict[str, int] = {}  # an object's key -> its value's offset (the first)
        self.done = False  # whether `starts` holds every member
        self.long = False  # whether a member skipped was long


class JsonText:
    """Line, column and value of JSON pointers in a JSON text that is known to be valid
    (DuckDB's reader, or the Python reader, has accepted it)."""

    # Containers with more members than this, or one longer than _LONG characters, keep where
    # their members start; a record is walked again on each lookup instead.
    _WALK: Final = 32
    _LONG: Final = 1 << 12
    # Pointers resolved recently: `/claims/7/campaign_id` after `/claims/7` steps once.
    _MEMO: Final = 1 << 14

    def __init__(self, text: str, name: str) -> None:
        self._text, self.name = text, name
        self._lines: LineIndex | None = None  # made on the first lookup
        self._members: dict[int, _Members] = {}  # container offset -> its members so far
        self._recent: dict[int, _Members] = {}  # the same for records looked in lately
        self._resolved: dict[str, tuple[int, bool]] = {}
        self._located: dict[str, Location] = {}
        self._patterns: dict[str, re.Pattern[str]] = {}  # key -> how it is found (`_search`)
        self._root = _WS.match(text, 0).end()  # type: ignore[union-attr]  # always matches
        self._lock = threading.Lock()

    def find(self, pointer: str) -> Position:
        """`(file, line, column)` where `pointer`'s value starts (or its nearest existing
        ancestor's); not a pointer at all: the start of the text."""
        with self._lock:
            if self._lines is None:
                self._lines = LineIndex(self._text)
            offset = self._resolve(pointer)[0] if pointer.startswith("/") else self._root
            return (self.name, *self._lines.position(offset))

    def locate(self, location: Location) -> Location:
        """`location` with this text's file, line and column filled in from its pointer."""
        pointer = location.pointer
        found = self._located.get(pointer)
        if found is None:
            # A record's location is asked once per finding about it: many, for some records.
            if len(self._located) >= self._MEMO:
                self._located.clear()
            file, line, column = self.find(pointer)
            found = self._located[pointer] = Location(file, pointer, line, column)
        return found

    def locate_all(self, pointers: Collection[str]) -> dict[str, Location]:
        """`locate` for many pointers at once: the same `Location`s, found together
        (`alignrules.data.json_offsets`, then one sweep for lines and columns), several times
        faster for a large report's pointers than one `locate` each."""
        return json_offsets.locations(self._text, self.name, pointers)

    def value(self, pointer: str) -> Any:
        """The value `pointer` names, as the Python reader reads it; KeyError if none."""
        with self._lock:
            offset, found = self._resolve(pointer) if pointer else (self._root, True)
        if not found:
            raise KeyError(pointer)
        return _scan(self._text, offset)[0]

    def _resolve(self, pointer: str) -> tuple[int, bool]:
        """(offset, whether it is what `pointer` names); for a pointer that names nothing,
        its nearest existing ancestor and False."""
        memo = self._resolved
        hit = memo.get(pointer)
        if hit is not None:
            return hit
        cut = pointer.rindex("/")
        parent = memo.get(pointer[:cut]) if cut else (self._root, True)
        if parent is not None:  # the usual case: a field just after its record
            offset, ok = parent
            if ok:
                token = pointer[cut + 1 :]
                start = self._member(offset, unescape(token) if "~" in token else token)
                if start is not None:
                    offset = start
                else:
                    ok = False
            if len(memo) >= self._MEMO:
                memo.clear()
            memo[pointer] = (offset, ok)
            return offset, ok
        pending = [pointer]  # the pointer and its unresolved ancestors, innermost first
        head = pointer[: pointer.rindex("/")]
        while head and head not in memo:
            pending.append(head)
            head = head[: head.rindex("/")]
        offset, ok = memo[head] if head else (self._root, True)
        if len(memo) + len(pending) > self._MEMO:
            memo.clear()
        for sub in reversed(pending):
            if ok:
                token = sub[sub.rindex("/") + 1 :]
                start = self._member(offset, unescape(token) if "~" in token else token)
                if start is None:
                    ok = False
                else:
                    offset = start
            memo[sub] = (offset, ok)
        return offset, ok

    def _member(self, offset: int, token: str) -> int | None:
        """Where member `token` of the container at `offset` starts; None if there is none
        (or the value there is not a container)."""
        members = self._members.get(offset) or self._recent.get(offset)
        if members is None and self._text[offset] == "{":
            found = self._search(offset, token)
            if found is not None:
                return found
        if members is None:
            opener = self._text[offset]
            members = _Members(opener == "[")
            if opener != "{" and opener != "[":
                members.done = True  # a scalar has no members
            # Large containers are kept for good; records, a few at a time: a finding's
            # field is looked up just after its record.
            if len(self._recent) >= self._MEMO:
                self._recent.clear()
            self._recent[offset] = members
        if members.array:
            if token.isdigit() and token.isascii() and (token[0] != "0" or token == "0"):
                index = int(token)
            else:
                return None  # `01`, `-1`, `x`: no array index
            starts = members.starts
            found = starts[index] if index < len(starts) else self._items(offset, members, index)
        else:
            found = members.keys.get(token)
            if found is None and not members.done:
                found = self._keys(offset, members, token)
        if offset not in self._members and (members.long or len(members.starts) > self._WALK):
            self._members[offset] = members
        return found

    def _search(self, offset: int, key: str) -> int | None:
        """Where member `key` of the object at `offset` starts, found by searching the text
        for the key, or None when that cannot be sure (then the object is walked).

        `{` or `,`, then `"key"` and `:` is a member of this object when the `{` or `,` is
        outside any string and no brace comes between the object's `{` and it (a nested
        object, or the end of this one, would put one there). It is outside a string when an
        even number of quotes comes before it, counted from the object's `{` (a `,` inside a
        string may be followed by the string's closing quote, then text that reads like a
        key); a backslash on the way, or a brace inside a string, sends the lookup to the
        walk. Most lookups are a record's field.
        """
        pattern = self._patterns.get(key)
        if pattern is None:
            if len(self._patterns) >= self._MEMO:
                self._patterns.clear()
            spelled = re.escape(json.dumps(key, ensure_ascii=False)[1:-1])
            pattern = self._patterns[key] = re.compile(
                r'[{,][ \t\n\r]*"' + spelled + r'"[ \t\n\r]*:[ \t\n\r]*'
            )
        text = self._text
        m = pattern.search(text, offset, offset + self._LONG)
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

    def _items(self, offset: int, members: _Members, index: int) -> int | None:
        """Array member `index`, stepping over the members after the last one found."""
        text, starts, long = self._text, members.starts, self._LONG
        if members.done:
            return None
        if not starts:
            first = _WS.match(text, offset + 1).end()  # type: ignore[union-attr]  # always
            if text[first] == "]":
                members.done = True
                return None
            starts.append(first)
        if index - len(starts) > self._WALK and _all_items(text, offset, starts):
            members.done = True
            return starts[index] if index < len(starts) else None
        match, skip = _NEXT_ITEM.match, json_offsets.value_end
        while index >= len(starts):
            last = starts[-1]
            end = skip(text, last)
            if end - last > long:
                members.long = True
            m = match(text, end)
            if m is None:
                members.done = True
                return None
            starts.append(m.end())
        return starts[index]

    def _keys(self, offset: int, members: _Members, key: str) -> int | None:
        """Object member `key`'s start, stepping over the members after the last one found;
        `members.keys` maps each key found to where its value starts."""
        text, starts, keys, long = self._text, members.starts, members.keys, self._LONG
        m = _FIRST_MEMBER.match(text, offset + 1) if not starts else None
        if not starts and m is None:  # `{}`
            members.done = True
            return None
        match, skip = _NEXT_MEMBER.match, json_offsets.value_end
        while True:
            if m is not None:
                raw, at = m.group(1), m.end()
                name = json.loads(f'"{raw}"') if "\\" in raw else raw
                if name not in keys:  # a repeated key: the first is what the reader names
                    keys[name] = at
                starts.append(at)
                if name == key:
                    return at
            last = starts[-1]
            end = skip(text, last)
            if end - last > long:
                members.long = True
            m = match(text, end)
            if m is None:
                members.done = True
                return None


def _all_items(text: str, offset: int, starts: array[int]) -> bool:
    """Fill `starts` with where every member of the array at `offset` starts, in one
    vectorised pass (`alignrules.jsonscan`); False, with `starts` untouched, without numpy
    (the `duckdb` extra brings it) or for a text that is not ASCII, whose character offsets
    are not its byte offsets."""
    if not (text.isascii() and jsonscan.available()):
        return False
    found = jsonscan.members(lambda a, b: text[a:b].encode("ascii"), offset, len(text)).starts
    del starts[:]
    starts.extend(found)
    return True
