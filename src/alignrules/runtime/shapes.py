"""Walking a schema's data paths through plain JSON/YAML data, when a plan is bound.

An entity's path leads to its records: through objects by key, and through every element of
a list (or every value of an id-keyed map) at a step marked `[]`, so records can sit inside
other records at any depth. At its end is a list of records, an id-keyed map of records, a
list of plain values (each value is a record's key), or, for an entity declared with `at`, a
single object. A field's path leads from a record to its value through nested objects.

Where a path does not fit the data, the problem names the pointer where the walk stopped and
why (a list, text, a number, an absent key), with the change that makes it fit.

>>> found, problems = find_records(
...     "Need", ("market", "segments", EACH, "needs"), False, True,
...     {"market": {"segments": [{"id": "S1", "needs": ["N1", {"id": "N2"}]}]}},
... )
>>> [(f.pointer, f.record, f.trail[2]) for f in found], problems
([('/market/segments/0/needs/0', 'N1', '/market/segments/0'), \
('/market/segments/0/needs/1', {'id': 'N2'}, '/market/segments/0')], [])
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Final

import attrs

from alignrules.pointer import escape as escape_pointer

#: The path step that means "each element of the list (or value of the map) before it".
EACH: Final = "[]"


class _Absent:
    def __repr__(self) -> str:
        return "ABSENT"


#: What `field_value` gives for a value that is not there (an absent key or a null on the way).
ABSENT: Final = _Absent()


def path_text(steps: tuple[str, ...]) -> str:
    """`('market', 'segments', '[]', 'needs')` → `market.segments[].needs`."""
    out = ""
    for step in steps:
        if step == EACH:
            out += EACH
            continue
        key = "".join("\\" + ch if ch in ".[]*\\" else ch for ch in step)
        out += f".{key}" if out else key
    return out


def kind_of(value: object, number: str = "a number") -> str:
    """How a data value is named in messages: `text`, `a list`, `an object`... A number is
    `number`: the value readers' messages say "got number", where a path "is a number"."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | Decimal | float):
        return number
    if isinstance(value, str):
        return "text"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list | tuple):
        return "a list"
    return type(value).__name__


@attrs.frozen
class Found:
    """One record reached by an entity's path.

    `record` is the record's object, or a plain value that is the record's key. `trail[i]` is
    the pointer reached after step `i` of the path (for a step `[]`, the element's pointer),
    so `trail[n - 1]` is where the record holding this one is, `n` steps down the path.
    `map_key` is the record's key in an id-keyed map.
    """

    pointer: str
    record: Any
    trail: tuple[str, ...]
    map_key: str | None = None


Problems = list[tuple[str, str]]


#: A place a path reached: the value there, its pointer, and the trail of pointers to it.
Place = tuple[Any, str, tuple[str, ...]]


def find_records(
    entity: str,
    path: tuple[str, ...],
    single: bool,
    plain_ok: bool,
    data: Any,
) -> tuple[list[Found], Problems]:
    """Every record of `entity` that `path` reaches in `data`, and the places it does not fit."""
    places, problems = find_collections(entity, path, data)
    found: list[Found] = []
    for place in places:
        found += records_at(entity, place, single, plain_ok, problems)
    return found, problems


def find_collections(entity: str, path: tuple[str, ...], data: Any) -> tuple[list[Place], Problems]:
    """The values at the end of `path` in `data` (one per element at each `[]`), and the
    places the path does not fit.

    Before the first `[]` every key must be there (an export that lacks a whole collection is
    more likely broken than empty); after it, a record without the key simply holds no
    records. A null anywhere on the way holds no records.
    """
    problems: Problems = []
    frontier: list[tuple[Any, str, tuple[str, ...]]] = [(data, "", ())]
    crossed = False
    for i, step in enumerate(path):
        shown = path_text(path[:i])
        nxt: list[tuple[Any, str, tuple[str, ...]]] = []
        for node, pointer, trail in frontier:
            if node is None:
                continue
            if step == EACH:
                if isinstance(node, Mapping):
                    items: Any = ((escape_pointer(str(k)), v) for k, v in node.items())
                elif isinstance(node, list | tuple):
                    items = ((str(j), v) for j, v in enumerate(node))
                else:
                    problems.append(
                        (
                            pointer,
                            f"`{shown}` is {kind_of(node)} here, where entity {entity} is read; "
                            f"`[]` reads the elements of a list or the values of an object",
                        )
                    )
                    continue
                for token, value in items:
                    at = f"{pointer}/{token}"
                    nxt.append((value, at, (*trail, at)))
                continue
            if isinstance(node, Mapping):
                if step in node:
                    at = f"{pointer}/{escape_pointer(step)}"
                    nxt.append((node[step], at, (*trail, at)))
                elif not crossed:
                    problems.append((pointer, _absent(entity, path[: i + 1], pointer, node)))
                continue
            problems.append((pointer, _stopped(entity, path, i, node)))
        if step == EACH:
            crossed = True
        frontier = nxt
        if len(problems) >= 20:
            return [], problems
    return frontier, problems


def records_at(
    entity: str, place: Place, single: bool, plain_ok: bool, problems: Problems
) -> list[Found]:
    """The records in the value a path reached: a list of records (or of plain values when
    `plain_ok`), an id-keyed map, or for a `single` entity one object."""
    found: list[Found] = []
    node, pointer, trail = place
    if single:
        if isinstance(node, Mapping):
            found.append(Found(pointer, node, trail))
        elif node is not None:
            hint = (
                f"; declare {entity} with `in` to read a list of records"
                if isinstance(node, list | tuple)
                else ""
            )
            problems.append(
                (
                    pointer,
                    f"expected an object for the {entity} record, got {kind_of(node)}{hint}",
                )
            )
    elif isinstance(node, Mapping):
        # A collection keyed by id: {"K1": {...}, "K2": {...}}; the key fills the key field.
        for k, record in node.items():
            at = f"{pointer}/{escape_pointer(str(k))}"
            if isinstance(record, Mapping):
                found.append(Found(at, record, trail, str(k)))
            else:
                problems.append((at, f"expected an object for a {entity}, got {kind_of(record)}"))
    elif isinstance(node, list | tuple):
        for j, record in enumerate(node):
            at = f"{pointer}/{j}"
            if type(record) is dict or isinstance(record, Mapping):
                found.append(Found(at, record, trail))
            elif plain_ok and isinstance(record, str | int) and not isinstance(record, bool):
                found.append(Found(at, record, trail))  # a plain value: the record's key
            else:
                hint = (
                    f" (a list of plain values can be read as {entity} records when every "
                    f"field of {entity} but its key is optional)"
                    if isinstance(record, str | int) and not isinstance(record, bool)
                    else ""
                )
                problems.append(
                    (at, f"expected an object for a {entity}, got {kind_of(record)}{hint}")
                )
    elif node is not None:  # `claims: null` or an empty YAML key: no records
        problems.append((pointer, f"expected a list of {entity} records, got {kind_of(node)}"))
    return found


def _absent(entity: str, steps: tuple[str, ...], pointer: str, node: Mapping[str, Any]) -> str:
    message = f"no `{path_text(steps)}` here, where entity {entity} is read (at {pointer or '/'})"
    keys = [k for k in node if isinstance(k, str)]
    close = difflib.get_close_matches(steps[-1], sorted(keys), n=1, cutoff=0.7)
    if close:
        return f"{message}; did you mean `{close[0]}`?"
    return message


def _stopped(entity: str, path: tuple[str, ...], i: int, node: Any) -> str:
    """Why the walk stopped before step `i`: the data there is not an object."""
    shown = path_text(path[:i])
    message = (
        f"`{shown}` is {kind_of(node)} here, so it has no `{path[i]}`, "
        f"where entity {entity} is read"
    )
    if isinstance(node, list | tuple):
        fixed = path_text((*path[:i], EACH, *path[i:]))
        return f'{message}; to read the records inside each element, write `in "{fixed}"`'
    return message


class PathStop(Exception):
    """A field's path reached a value that is not an object before its last key."""

    def __init__(self, message: str, depth: int) -> None:
        super().__init__(message)
        self.depth = depth  # how many keys of the path were followed


def field_value(record: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    """The value at `path` inside `record`, or `ABSENT` when a key is absent or an object on
    the way is null (a missing `schedule` means a missing `schedule.start`).

    >>> field_value({"schedule": {"start": "2026-01-05"}}, ("schedule", "start"))
    '2026-01-05'
    >>> field_value({"schedule": None}, ("schedule", "start"))
    ABSENT
    """
    node: Any = record
    for depth, key in enumerate(path):
        if node is None:
            return ABSENT
        if not isinstance(node, Mapping):
            shown = path_text(path[:depth])
            why = f"`{shown}` is {kind_of(node)}, so it has no `{key}`"
            if isinstance(node, list | tuple):
                why += (
                    "; a field reads one value: declare the records in this list as an "
                    "entity of their own, with a `from parent` field"
                )
            raise PathStop(why, depth)
        if key not in node:
            return ABSENT
        node = node[key]
    return node
