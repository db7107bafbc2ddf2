"""Plan data from JSON, and a locator that finds a pointer's value in the JSON text.

The stdlib's C parser reads the text, with hooks that keep numbers exact (`Decimal`) and
refuse what a plan may not hold (duplicate keys, NaN, numbers out of range). Positions are
not recorded while parsing: `JsonLocator` finds them in the text when a report asks.

>>> plan = read_json('{"claims": [{"id": "C1"}]}', "plan.json")
>>> plan.root["claims"][0]["id"], plan.locator.find("/claims/0/id")
('C1', ('plan.json', 1, 20))

A report's findings are located all at once (`JsonLocator.locate_all`, used by
`Report.with_locations` through `bulk_locator`), at the same places:

>>> plan.locator.locate_all(["/claims/0/id", "/claims/1"])["/claims/0/id"]
Location(file='plan.json', pointer='/claims/0/id', line=1, column=20)
"""

from __future__ import annotations

import json
import re
import threading
from array import array
from collections.abc import Callable, Collection
from decimal import Decimal
from json.scanner import make_scanner
from typing import Any

from alignrules.data import json_offsets
from alignrules.data.limits import NUMBER_RANGE_HINT, json_int, number_problem
from alignrules.data.lines import LineIndex
from alignrules.data.plan import (
    MAX_DEPTH,
    PlanData,
    Position,
    Reject,
    fail,
    lower_first,
    shorten,
)
from alignrules.diagnostics import DiagnosticError
from alignrules.gcpause import gc_paused
from alignrules.pointer import array_index
from alignrules.pointer import unescape as unescape_token
from alignrules.runtime.report import Location

__all__ = ["BulkLocate", "JsonLocator", "bulk_locator", "read_json"]

# One token per match; whitespace, `,` and `:` fall between matches. Valid JSON is assumed
# (the stdlib parser has accepted it), so a run of other characters is a number or a literal.
_JSON_TOKEN = re.compile(r'("[^"\\]*(?:\\.[^"\\]*)*")|(\{)|(\[)|([}\]])|([^\s,:\[\]{}"]+)', re.S)
_STRING, _OBJECT, _ARRAY, _CLOSE, _LITERAL = 1, 2, 3, 4, 5


def read_json(text: str, name: str) -> PlanData:
    """Plan data from JSON text; numbers as `Decimal` and `int`, duplicate keys, NaN and
    over-deep nesting refused with their line and column."""
    if not text or text.isspace():  # (not `strip`, which copies a large text)
        raise fail("the file is empty", name)
    try:
        # Paused, the collector does not walk every object parsed so far each time enough new
        # ones pile up: 4x faster at 10^6 records (docs/performance.md). Parsed JSON holds no
        # reference cycles.
        with gc_paused():
            root = json.loads(
                text,
                parse_float=_json_decimal,
                parse_int=_json_int,
                parse_constant=_json_constant,
                object_pairs_hook=_json_object,
            )
    except json.JSONDecodeError as e:
        raise fail(f"invalid JSON: {lower_first(e.msg)}", name, e.lineno, e.colno) from None
    except (Reject, ValueError) as e:  # ValueError: an int longer than int() accepts
        raise _json_problem(text, name, MAX_DEPTH, f"invalid JSON: {e}") from None
    except RecursionError:
        raise _json_problem(
            text, name, MAX_DEPTH, "nested too deeply for the JSON reader"
        ) from None
    return PlanData(root, "json", name, JsonLocator(text, name, root))


#: A bulk locator: every pointer given, its `Location` (`Report.with_locations`).
BulkLocate = Callable[[Collection[str]], dict[str, Location]]


def bulk_locator(plan: PlanData) -> BulkLocate | None:
    """What locates a report's findings in `plan` all at once (`Report.with_locations`): a
    JSON plan's `JsonLocator.locate_all`; None for a plan whose locator finds one pointer at a
    time (YAML, CSV)."""
    locator = plan.locator
    return locator.locate_all if isinstance(locator, JsonLocator) else None


def _json_decimal(text: str) -> Decimal:
    value = Decimal(text)
    problem = number_problem(value)  # data/limits: the documented range of numbers
    if problem is not None:
        raise Reject(problem)
    return value


def _json_int(text: str) -> int:
    try:
        return json_int(text)  # data/limits: too many digits are refused before int()
    except ValueError as exc:
        raise Reject(str(exc)) from None


def _json_constant(text: str) -> Any:
    raise Reject(f"{text} is not a JSON number")


def _json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # One C `dict` and two lengths per object; the keys are looked at only when they repeat.
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise Reject(f'duplicate key "{shorten(key)}" in one object')
            seen.add(key)
    return obj


def _json_problem(text: str, name: str, max_depth: int, fallback: str) -> DiagnosticError:
    """Locate the first thing the parser hooks refused (the hooks know no position).

    A second pass over the text, run only on failure, so the happy path stays one C parse.
    """
    stack: list[tuple[set[str] | None, bool]] = []
    keys: set[str] | None = None  # the keys so far when inside an object
    want_key = False
    for m in _JSON_TOKEN.finditer(text):
        kind = m.lastindex
        if kind == _CLOSE:
            keys, want_key = stack.pop()
            continue
        if want_key:
            raw = m.group()
            key = json.loads(raw) if "\\" in raw else raw[1:-1]
            if keys is not None and key in keys:
                message = f'duplicate key "{shorten(key)}" in one object'
                return fail(f"invalid JSON: {message}", name, *LineIndex(text).position(m.start()))
            if keys is not None:
                keys.add(key)
            want_key = False
            continue
        problem = None
        if kind == _LITERAL:
            token = m.group()
            if token in ("NaN", "Infinity", "-Infinity"):
                problem = f"{token} is not a JSON number"
            elif token[0] not in "-0123456789":
                pass  # true, false, null
            else:
                # data/limits: a number outside the documented range is not a JSON error
                # but a value error, located like one.
                try:
                    (_json_decimal if any(c in token for c in ".eE") else _json_int)(token)
                except Reject as exc:
                    position = LineIndex(text).position(m.start())
                    return fail(str(exc), name, *position, hint=NUMBER_RANGE_HINT)
        if problem is not None:
            return fail(f"invalid JSON: {problem}", name, *LineIndex(text).position(m.start()))
        if keys is not None:
            want_key = True
        if kind in (_OBJECT, _ARRAY):
            if len(stack) >= max_depth:
                return fail(
                    f"nested more than {max_depth} levels deep",
                    name,
                    *LineIndex(text).position(m.start()),
                    hint="flatten the data; readers cannot follow deeper nesting",
                )
            stack.append((keys, want_key))
            keys = set() if kind == _OBJECT else None
            want_key = kind == _OBJECT
    return fail(fallback, name)


_WS = re.compile(r"[ \t\n\r]*")
_MEMBER_KEY = re.compile(r'[ \t\n\r]*"[^"\\]*(?:\\.[^"\\]*)*"[ \t\n\r]*:[ \t\n\r]*')
# After a member: the separator and what starts the next member (nothing after the last).
_NEXT_ITEM = re.compile(r"[ \t\n\r]*,[ \t\n\r]*")
_NEXT_MEMBER = re.compile(r'[ \t\n\r]*,[ \t\n\r]*"[^"\\]*(?:\\.[^"\\]*)*"[ \t\n\r]*:[ \t\n\r]*')
#: The stdlib's C scanner (what `json.loads` runs): `scan(text, i)` parses the value that
#: starts at offset i and returns it with the offset after it.
_scan_value: Callable[[str, int], tuple[Any, int]] = make_scanner(
    json.JSONDecoder()  # type: ignore[arg-type]  # typeshed's stub wants the scanner class
)


class _Members:
    """Where the members of one container start, found as far as lookups needed."""

    __slots__ = ("done", "starts")

    def __init__(self) -> None:
        self.starts = array("q")
        self.done = False  # whether `starts` holds every member


class JsonLocator:
    """Positions in a JSON text, found along the pointers looked up.

    Parsed objects hold their keys in text order (duplicates are refused), so key number i of
    an object is its member number i, and a pointer's value starts where that member does.
    A container's members are found by skipping the ones before: the stdlib's C JSON scanner
    parses each skipped value (the text was valid JSON when it was read) and says where it
    ends. Where the members of a container start is kept for a container with many members or
    a long one (the root, `/claims`), as far as lookups needed it; a small container is walked
    again. So locating every violation of a report reads each container on the way once, at
    the speed of the C parser: no pass over the whole text with a regular expression and a
    Python step per token (10 s and more at 10^6 records), and no walk from the root per
    violation.
    """

    # Containers with at most this many members, none longer than _LONG characters, are
    # walked on each lookup rather than remembered.
    _WALK = 32
    _LONG = 1 << 12
    # Pointers resolved recently, kept so that `/claims/7/campaign_id` after `/claims/7` (a
    # violation's field after its record) steps once instead of walking from the root.
    _MEMO = 1 << 14

    def __init__(self, text: str, name: str, root: Any) -> None:
        self._text, self._name, self._root = text, name, root
        self._scan: LineIndex | None = None  # made on the first lookup
        self._members: dict[int, _Members] = {}  # container offset → members found so far
        self._keys: dict[int, dict[str, int]] = {}  # large object's offset → key → number
        self._resolved: dict[str, tuple[int, Any, bool]] = {}
        self._root_offset = _skip_space(text, 0)
        self._lock = threading.Lock()

    def find(self, pointer: str) -> Position:
        with self._lock:
            if self._scan is None:
                self._scan = LineIndex(self._text)
            # The root, or not a pointer at all: the start of the text.
            offset = self._resolve(pointer)[0] if pointer.startswith("/") else self._root_offset
            return (self._name, *self._scan.position(offset))

    def locate_all(self, pointers: Collection[str]) -> dict[str, Location]:
        """`find` for many pointers at once, as `Location`s: the same places, found together
        (`alignrules.data.json_offsets`, then one sweep for lines and columns), several times
        faster for a large report's pointers than one `find` each."""
        # No name: as `PlanData.locate` does, each location keeps its own file.
        return json_offsets.locations(self._text, self._name or None, pointers)

    def _resolve(self, pointer: str) -> tuple[int, Any, bool]:
        """(offset, value, whether it is what `pointer` names) for a pointer starting with
        `/`; for one that names nothing, its nearest existing ancestor and False."""
        memo = self._resolved
        hit = memo.get(pointer)
        if hit is not None:
            return hit
        pending = [pointer]  # the pointer and its ancestors not yet resolved, innermost first
        head = pointer[: pointer.rindex("/")]
        while head and head not in memo:
            pending.append(head)
            head = head[: head.rindex("/")]
        offset, data, ok = memo[head] if head else (self._root_offset, self._root, True)
        if len(memo) + len(pending) > self._MEMO:
            memo.clear()
        for sub in reversed(pending):
            if ok:
                token = unescape_token(sub[sub.rindex("/") + 1 :])
                offset, data, ok = self._step(offset, data, token)
            memo[sub] = (offset, data, ok)
        return offset, data, ok

    def _step(self, offset: int, data: Any, token: str) -> tuple[int, Any, bool]:
        """Member `token` of the container at `offset` (holding `data`), or the container
        itself and False."""
        if isinstance(data, dict):
            index = self._key_index(offset, data, token)
            if index is None:
                return offset, data, False
            member = data[token]
        elif isinstance(data, list):
            index = array_index(token, len(data))
            if index is None:
                return offset, data, False
            member = data[index]
        else:
            return offset, data, False
        start = self._member_start(offset, index, len(data))
        if start is None:
            return offset, data, False
        return start, member, True

    def _key_index(self, offset: int, obj: dict[str, Any], key: str) -> int | None:
        if len(obj) <= self._WALK:
            for i, k in enumerate(obj):
                if k == key:
                    return i
            return None
        keys = self._keys.get(offset)
        if keys is None:
            keys = self._keys[offset] = {k: i for i, k in enumerate(obj)}
        return keys.get(key)

    def _member_start(self, offset: int, index: int, size: int) -> int | None:
        """Where member `index` of the container at `offset` (with `size` members) starts;
        None if the text has fewer members than the parsed value (it cannot, unchanged)."""
        members = self._members.get(offset)
        if members is None:
            if size <= self._WALK:
                start = self._walk(offset, index)
                if start is not None:
                    return start
                # A long member on the way (or a text that changed): remember this one.
            members = self._members[offset] = _Members()
        starts = members.starts
        if index < len(starts):
            return starts[index]
        if members.done:
            return None
        text = self._text
        first, following = (_MEMBER_KEY, _NEXT_MEMBER) if text[offset] == "{" else (_WS, _NEXT_ITEM)
        if not starts:
            m = first.match(text, offset + 1)
            if m is None:
                members.done = True
                return None
            starts.append(m.end())
        # Step over the last member found to the next, as many times as needed: for `/claims`
        # of a large export this runs once per record, so it is kept lean.
        append, match, scan = starts.append, following.match, _scan_value
        for _ in range(index + 1 - len(starts)):
            last = starts[-1]
            try:
                end = scan(text, last)[1]
            except (RecursionError, StopIteration, ValueError):
                end = self._value_end(last)
            m = match(text, end)
            if m is None:
                members.done = True
                break
            append(m.end())
        return starts[index] if index < len(starts) else None

    def _walk(self, offset: int, index: int) -> int | None:
        """`_member_start` for a small container, kept nowhere; None if a member before
        `index` is longer than _LONG (or the text has too few members)."""
        text, scan, long = self._text, _scan_value, self._LONG
        first, following = (_MEMBER_KEY, _NEXT_MEMBER) if text[offset] == "{" else (_WS, _NEXT_ITEM)
        m = first.match(text, offset + 1)
        for _ in range(index):
            if m is None:
                return None
            start = m.end()
            try:
                end = scan(text, start)[1]
            except (RecursionError, StopIteration, ValueError):
                return None
            if end - start > long:
                return None
            m = following.match(text, end)
        return None if m is None else m.end()

    def _value_end(self, start: int) -> int:
        try:
            return int(_scan_value(self._text, start)[1])
        except RecursionError:  # deeper than the C scanner goes from here: count brackets
            return _value_end_by_tokens(self._text, start)
        except (StopIteration, ValueError):  # not JSON here: the text changed under us
            return len(self._text)


def _skip_space(text: str, position: int) -> int:
    m = _WS.match(text, position)
    return position if m is None else m.end()


def _value_end_by_tokens(text: str, start: int) -> int:
    """The end of the JSON value at `start`, by counting brackets (iterative, so any depth)."""
    depth = 0
    for m in _JSON_TOKEN.finditer(text, start):
        kind = m.lastindex
        if kind in (_OBJECT, _ARRAY):
            depth += 1
        elif kind == _CLOSE:
            depth -= 1
        if depth <= 0:
            return m.end()
    return len(text)
